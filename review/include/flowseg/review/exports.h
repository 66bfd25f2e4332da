#pragma once
// Exports of a reviewed lesion that other tools read: masks and maps as PNG,
// NIfTI volumes in the series' geometry (research tools), DICOM SEG (binary for
// each expert and each sample, fractional for the probability map; PACS and
// viewers), and the metrics as CSV and JSON. De-identified as the report is.

#include <string>
#include <vector>

#include "flowseg/dicom/series.h"
#include "flowseg/review/report_data.h"

namespace flowseg::review {

struct ExportOptions {
    bool png = true;
    bool nifti = true;
    bool seg = true;
    bool tables = true;  ///< metrics.csv and metrics.json
};

/// Writes `lesion`'s exports into `folder` (created) and returns the files:
/// experts/<expert>_slice<k>.png, samples/sample_<i>.png, probability.png
/// (16-bit), variance.png, entropy.png; experts.nii.gz (one 3D volume per
/// expert along the 4th axis, in the series' geometry), samples.nii.gz,
/// probability.nii.gz; experts.seg.dcm, samples.seg.dcm, probability.seg.dcm
/// (the samples and probability on every slice the run's samples span: the
/// whole nodule when the report sampled it, else the key slice);
/// metrics.csv, metrics.json. `series` must be the study's, loaded from files.
/// Throws std::runtime_error (or the libraries' errors) naming the file.
std::vector<std::string> exportLesion(const StudyReport& report, const ReportLesion& lesion,
                                      const dicom::Series& series, const std::string& folder,
                                      const ExportOptions& options = {});

/// The study's lesions, each in `folder`/lesion_<id>/, and `folder`/study.json.
std::vector<std::string> exportStudy(const StudyReport& report, const dicom::Series& series,
                                     const std::string& folder, const ExportOptions& options = {});

/// The report's PDF (`pdfPath`, written from `report`) as a DICOM Encapsulated
/// PDF in the study, `folder`/report.dcm, de-identified like the report (the
/// same pseudonym and, when replaced, the same UIDs as the SEGs). Returns its path.
std::string exportReportDocument(const StudyReport& report, const dicom::Series& series,
                                 const std::string& pdfPath, const std::string& folder);

/// A lesion's report numbers as JSON (what metrics.json holds; the report's tables too).
std::string lesionMetricsJson(const StudyReport& report, const ReportLesion& lesion);

}  // namespace flowseg::review
