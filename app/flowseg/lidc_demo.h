#pragma once
// `flowseg demo-study --lidc SRC --out DIR`: the real demo study (issue 19) from
// the LIDC Toolbox export of LIDC-IDRI-0004 (../shared/data/lidc-idri-0004): its
// five 512 x 512 slices as a DICOM series with the study's real SOP Instance
// UIDs and z positions (no pixel spacing: the export does not give it), and the
// four LIDC readers' outlines as one DICOM SEG with a segment per reader.

#include <string>

#include <nlohmann/json.hpp>

namespace flowseg::cli {

/// Writes DIR/ct/*.dcm, DIR/readers.seg.dcm and DIR/README.md; returns a summary.
nlohmann::json writeLidcDemo(const std::string& source, const std::string& out);

}  // namespace flowseg::cli
