#pragma once
// De-identification of DICOM files we write (SEG exports): the DICOM basic
// application-level confidentiality profile (PS3.15 Annex E, Table E.1-1) for the
// attributes such objects carry, with the Retain UIDs option, so that an
// exported SEG still references the slices it segments.

#include <string>

namespace flowseg::dicom {

/// Rewrites `path` in place: patient name "Anonymized", patient ID `pseudonym`,
/// birth date, sex, dates, times, accession number and physicians emptied;
/// descriptions, institution, station, operators and other IDs removed;
/// PatientIdentityRemoved YES and the method recorded. Throws DicomError.
void deidentifyFile(const std::string& path, const std::string& pseudonym);

}  // namespace flowseg::dicom
