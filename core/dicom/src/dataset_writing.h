#pragma once
// What the writers of new DICOM objects share (series_writer.cpp,
// encapsulated_pdf.cpp). Internal to core/dicom.

#include <dcmtk/dcmdata/dctk.h>
#include <string>

namespace flowseg::dicom::detail {

/// A new instance UID under DCMTK's site root.
std::string newUid();
/// Sets a string attribute; DicomError naming it when DCMTK refuses the value.
void put(DcmItem& item, const DcmTagKey& tag, const std::string& value);

}  // namespace flowseg::dicom::detail
