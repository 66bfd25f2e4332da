#pragma once
// What a training run starts from (trainer.cpp): its options checked, and the
// checkpoint it starts from made ready for it. Internal.

#include <optional>
#include <vector>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/trainer.h"

namespace flowseg::engine {

/// Throws InvalidInput naming the first option out of its range.
void checkTrainingOptions(const TrainingOptions& o);

/// The checkpoint of `o.resumeFrom` or `o.initFrom` (none: std::nullopt). A
/// resumed run gets it as saved; a fine-tune gets it widened to the crops of
/// `cases` (pixel unshuffle) and to the volume input when `o.volume`, and a
/// distilled student's carried teacher instead of the student; a student being
/// distilled (`distilling`) starts from an earlier student's EMA weights and
/// refuses anything else.
std::optional<Checkpoint> startingCheckpoint(const TrainingOptions& o, bool distilling,
                                             const std::vector<MultiRaterCase>& cases);

}  // namespace flowseg::engine
