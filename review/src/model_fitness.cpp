#include "flowseg/review/model_fitness.h"

#include <algorithm>
#include <cstdio>

namespace flowseg::review {

namespace {

std::string millimetres(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f mm", value);
    return text;
}

}  // namespace

std::vector<FitnessNote> checkModelFitness(const dicom::Series& series, const ModelDomain& domain) {
    using Level = FitnessNote::Level;
    std::vector<FitnessNote> notes;
    if (series.modality != "CT") {
        notes.push_back(
            {Level::Refusal, "The model learnt from chest CT; this series is " +
                                 (series.modality.empty() ? std::string("of no stated modality")
                                                          : "'" + series.modality + "'") +
                                 ", so its samples would mean nothing. Open a CT series."});
        return notes;
    }
    const auto& g = series.geometry;
    if (!g.hasSpacing) {
        notes.push_back(
            {Level::Warning,
             "The files give no pixel spacing: the crop's field of view is unknown, and "
             "the model learnt from 0.46-0.98 mm pixels. Treat the samples with care."});
    } else {
        const std::string pixels =
            "The pixels are " + millimetres(g.rowSpacing) + " x " + millimetres(g.columnSpacing);
        const std::string learnt =
            millimetres(domain.minPixelMm) + " to " + millimetres(domain.maxPixelMm);
        const double finest = std::min(g.rowSpacing, g.columnSpacing);
        const double coarsest = std::max(g.rowSpacing, g.columnSpacing);
        if (coarsest > domain.maxPixelMm * domain.refuseFactor ||
            finest < domain.minPixelMm / domain.refuseFactor) {
            notes.push_back(
                {Level::Refusal, pixels + "; the model learnt from " + learnt +
                                     ": its 128-pixel crop would show a different field of view "
                                     "altogether. Resample the series to CT-like pixels first."});
            return notes;
        }
        if (coarsest > domain.maxPixelMm || finest < domain.minPixelMm)
            notes.push_back(
                {Level::Warning, pixels + ", outside the " + learnt +
                                     " the model learnt from: lesions look smaller or larger to it "
                                     "than they are, and its samples are of unknown quality."});
    }
    if (series.depth > 1 &&
        (g.sliceSpacing < domain.minSliceMm || g.sliceSpacing > domain.maxSliceMm))
        notes.push_back({Level::Warning,
                         "The slices are " + millimetres(g.sliceSpacing) + " apart, outside the " +
                             millimetres(domain.minSliceMm) + " to " +
                             millimetres(domain.maxSliceMm) +
                             " the model learnt from: what it makes of neighbouring slices, and "
                             "volumes, are of unknown quality."});
    return notes;
}

bool refuses(const std::vector<FitnessNote>& notes) {
    return std::any_of(notes.begin(), notes.end(),
                       [](const FitnessNote& n) { return n.level == FitnessNote::Level::Refusal; });
}

std::string describe(const std::vector<FitnessNote>& notes) {
    std::string text;
    for (const auto& n : notes) text += (text.empty() ? "" : " ") + n.message;
    return text;
}

}  // namespace flowseg::review
