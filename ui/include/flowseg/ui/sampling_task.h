#pragma once
// Sampling one lesion crop off the GUI thread, keeping the ODE trajectory frames.

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "flowseg/engine/sampler.h"
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

    [[nodiscard]] const engine::SamplingOptions& options() const { return m_options; }
    [[nodiscard]] const common::ImageF& crop() const { return m_crop; }
    /// Valid after finished(Succeeded).
    [[nodiscard]] const engine::SamplingResult& result() const { return m_result; }
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
    std::mutex m_framesMutex;
    std::vector<engine::TrajectoryFrame> m_frames;
};

}  // namespace flowseg::ui
