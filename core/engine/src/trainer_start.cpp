#include "trainer_start.h"

#include <string>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

void checkTrainingOptions(const TrainingOptions& o) {
    if (o.iterations < 1)
        throw InvalidInput("the number of training steps (iterations) must be at least 1");
    if (o.batchSize < 1) throw InvalidInput("the batch size must be at least 1");
    if (!(o.learningRate > 0)) throw InvalidInput("the learning rate must be positive");
    if (o.lrDecayStart >= o.iterations)
        throw InvalidInput(
            "the cool-down start (lrDecayStart) must be below the number of steps (iterations), "
            "where the rate reaches zero");
    if (o.intensityJitter < 0 || o.intensityJitter >= 1)
        throw InvalidInput("intensity jitter must be in [0, 1)");
    if (o.conditionDropout < 0 || o.conditionDropout > 1)
        throw InvalidInput("condition dropout must be in [0, 1]");
    if (o.priorDropout < 0 || o.priorDropout > 1 || o.neighbourDropout < 0 ||
        o.neighbourDropout > 1)
        throw InvalidInput("the volume model's prior and neighbour dropout must be in [0, 1]");
    if (!o.initFrom.empty() && !o.resumeFrom.empty())
        throw InvalidInput(
            "start either from other weights (initFrom, fine-tuning) or from an interrupted run "
            "(resumeFrom), not both");
}

std::optional<Checkpoint> startingCheckpoint(const TrainingOptions& o, bool distilling,
                                             const std::vector<MultiRaterCase>& cases) {
    const std::string& startPath = o.resumeFrom.empty() ? o.initFrom : o.resumeFrom;
    std::optional<Checkpoint> start;
    if (!startPath.empty()) start = loadCheckpoint(startPath);
    // Fine-tuning on crops a whole multiple of the start network's side (a 64-px
    // network on 128-px crops): widen it by pixel unshuffle instead of refusing.
    if (start && o.resumeFrom.empty() && !o.network && !cases.empty()) {
        const int64_t side = cases.front().image.width;
        const int64_t old = start->network.image_size();
        if (side != old && side % old == 0 && start->network.patch_size() == 1)
            start = widenToPatch(*start, side / old);
    }
    // Fine-tuning a distilled student fine-tunes the teacher it carries: flow
    // matching trains the flow, not the student's jumps (re-distil afterwards).
    if (start && o.resumeFrom.empty() && start->network.isStudent() && !distilling) {
        if (start->teacher.empty())
            throw InvalidInput("'" + startPath +
                               "' is a distilled student without its teacher; fine-tune the "
                               "teacher it was distilled from");
        start->weights = start->teacher;
        start->ema.clear();
        start->teacher.clear();
        start->network.student_steps(0);
    }
    // A student started from an earlier student starts from the weights that one
    // samples with (its EMA), not from its last optimizer step.
    if (start && o.resumeFrom.empty() && distilling) {
        if (!start->network.isStudent())
            throw InvalidInput("'" + startPath +
                               "' is not a distilled student; a student starts from one (of an "
                               "earlier teacher of the same network) or, without one, from its "
                               "teacher");
        if (!start->ema.empty()) start->weights = start->ema;
    }
    if (start && o.resumeFrom.empty() && o.volume && !start->network.isVolume())
        start = widenToVolume(*start);
    return start;
}

}  // namespace flowseg::engine
