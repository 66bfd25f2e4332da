#pragma once
// A PDF (the uncertainty report) as a DICOM Encapsulated PDF object in the
// source study, so that a PACS files it beside the images it describes.

#include <string>

namespace flowseg::dicom {

/// Writes `pdfPath` as an Encapsulated PDF (new series, modality DOC) into
/// `path`, with the patient and study attributes of `sourceFile` (one of the
/// study's images). Throws DicomError naming the file that failed.
void writeEncapsulatedPdf(const std::string& path, const std::string& pdfPath,
                          const std::string& sourceFile, const std::string& title,
                          const std::string& softwareVersion = "");

/// The PDF inside an Encapsulated PDF object (its bytes). Throws DicomError.
std::string readEncapsulatedPdf(const std::string& path);

}  // namespace flowseg::dicom
