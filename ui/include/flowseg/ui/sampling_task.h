#pragma once
// Sampling a lesion off the GUI thread — its key slice's crop, or the whole nodule
// (review::sampleNodule) — keeping the key slice's ODE trajectory frames.

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "flowseg/engine/sampler.h"
#include "flowseg/review/session_host.h"
#include "flowseg/ui/task.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::ui {

class SamplingTask : public Task {
    Q_OBJECT
public:
    SamplingTask(std::shared_ptr<const engine::Model> model, common::ImageF crop,
                 engine::SamplingOptions options, QObject* parent = nullptr);
    /// The session's request: the whole nodule when it asks for it.
    explicit SamplingTask(const review::SamplingRequest& request, QObject* parent = nullptr);

    [[nodiscard]] const engine::SamplingOptions& options() const { return m_options; }
    [[nodiscard]] const common::ImageF& crop() const { return m_crop; }
    /// Valid after finished(Succeeded): the key slice's samples (for a whole
    /// nodule, with the whole run's time and network passes).
    [[nodiscard]] const engine::SamplingResult& result() const { return m_result; }
    /// A whole nodule's samples, after finished(Succeeded); nothing for a key slice.
    [[nodiscard]] std::optional<review::NoduleSamples> takeNodule() { return std::move(m_nodule); }
    /// Frames captured from the sampler's trajectory callback (t = 0 ... 1).
    [[nodiscard]] std::vector<engine::TrajectoryFrame> takeTrajectory();
    /// A copy of the newest frame so far (for a live preview while running).
    [[nodiscard]] std::optional<engine::TrajectoryFrame> latestFrame();

protected:
    void run() override;

private:
    std::shared_ptr<const engine::Model> m_model;
    common::ImageF m_crop;
    engine::SamplingOptions m_options;
    engine::SamplingResult m_result;
    std::optional<review::SamplingRequest> m_request;  // whole-nodule runs
    std::optional<review::NoduleSamples> m_nodule;
    std::mutex m_framesMutex;
    std::vector<engine::TrajectoryFrame> m_frames;
};

}  // namespace flowseg::ui
