#pragma once
// What the slice view draws, derived from the review session (box, result,
// layers, the experts' outlines in the store) and from view state (the live
// preview of a running run, the trajectory player's frame). Nothing is kept here.

#include "flowseg/common/types.h"
#include "flowseg/render/overlay_renderer.h"
#include "flowseg/review/review_session.h"

namespace flowseg::ui {

class TrajectoryPlayer;

/// The overlay of `slice`. `livePreview` (may be empty) is shown while a run goes
/// on; `agreement` (the session's, computed once per change) gives the consensus.
[[nodiscard]] render::OverlayScene buildScene(const review::ReviewSession& session, int slice,
                                              const common::ImageF& livePreview,
                                              const TrajectoryPlayer& player,
                                              const review::LesionAgreement& agreement);

}  // namespace flowseg::ui
