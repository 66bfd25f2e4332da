#pragma once
// What the model was not made for. It learnt from chest CT of the LIDC-IDRI
// collection (Armato et al., Med. Phys. 38(2), 2011: pixel spacing 0.46-0.98 mm,
// slice thickness 0.6-5.0 mm). Sampling a series outside that is either
// meaningless (not CT) or of unknown quality (other spacings): the window and
// the report say so. Plain C++, no Qt.

#include <string>
#include <vector>

#include "flowseg/dicom/series.h"

namespace flowseg::review {

/// The acquisitions the shipped models learnt from.
struct ModelDomain {
    double minPixelMm = 0.46;
    double maxPixelMm = 0.98;
    double minSliceMm = 0.6;
    double maxSliceMm = 5.0;
    /// Beyond this factor outside the pixel range the crop shows a different
    /// field of view altogether (a 128-px crop of 4 mm pixels is half a chest).
    double refuseFactor = 3.0;
};

struct FitnessNote {
    enum class Level { Warning, Refusal } level = Level::Warning;
    std::string message;  ///< a sentence for the user: what is off, what it means
};

/// The notes for sampling `series` with a model learnt on `domain`; empty when
/// the series is like what the model saw. Refusals: a modality other than CT,
/// a pixel spacing more than refuseFactor times outside the range. Warnings: no
/// pixel spacing in the files, a pixel or slice spacing outside the range.
[[nodiscard]] std::vector<FitnessNote> checkModelFitness(const dicom::Series& series,
                                                         const ModelDomain& domain = {});

/// True when any note refuses.
[[nodiscard]] bool refuses(const std::vector<FitnessNote>& notes);

/// The notes' messages, joined into one paragraph.
[[nodiscard]] std::string describe(const std::vector<FitnessNote>& notes);

}  // namespace flowseg::review
