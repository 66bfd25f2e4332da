#pragma once
// The uncertainty report as a PDF: a front page (study, date, reviewers, a
// summary of every lesion, what the uncertainty means and does not), then one
// section per lesion — the slice with the experts' and the samples' outlines,
// the heatmap with its colour bar, the samples cropped to the lesion, the ODE
// trajectory as a strip of frames, the measures in mm, mm² and mm³ with their
// range across the samples, the agreement — and on every page a traceability
// footer (app version, model checksum, settings, seed). Text stays text
// (QTextDocument painted onto QPdfWriter). Needs a QGuiApplication.

#include <functional>
#include <string>

#include "flowseg/dicom/series.h"
#include "flowseg/review/report_data.h"

namespace flowseg::render {

/// Writes the report of `report` (its series `series`) to `path`. `progress`
/// gets a fraction per page laid out. Throws std::runtime_error naming the
/// file when it cannot be written.
void writeReportPdf(const review::StudyReport& report, const dicom::Series& series,
                    const std::string& path, const std::function<void(double)>& progress = {});

}  // namespace flowseg::render
