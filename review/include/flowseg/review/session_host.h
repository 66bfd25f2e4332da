#pragma once
// The session's way to background work: the window runs requests as tasks; a
// test runs them however it likes. Completions come back through the session's
// own methods, always on the session's thread.

#include <cstdint>
#include <functional>
#include <memory>

#include "flowseg/dicom/series.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/nodule_sampling.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

/// What the host runs in the background for the session.
struct SamplingRequest {
    std::uint64_t id = 0;
    std::shared_ptr<const engine::Model> model;
    LesionCrop crop;  ///< the key slice's
    engine::SamplingOptions options;
    /// Whole nodule: sampleNodule(model, *series, box, range, options) instead of
    /// the key slice's crop alone.
    bool wholeNodule = false;
    std::shared_ptr<const dicom::Series> series;
    db::BoundingBox box;
    NoduleRange range;
};

class SessionHost {
public:
    virtual ~SessionHost() = default;
    virtual void startSampling(const SamplingRequest& request) = 0;
    virtual void cancelSampling(std::uint64_t requestId) = 0;
    /// Runs `work` later on the session's thread (store completions arrive on the
    /// writer's thread and come back through here).
    virtual void post(std::function<void()> work) = 0;
};

}  // namespace flowseg::review
