#include "flowseg/ui/sampling_task.h"

#include <algorithm>

#include "flowseg/engine/model.h"

namespace flowseg::ui {

SamplingTask::SamplingTask(std::shared_ptr<const engine::Model> model, common::ImageF crop,
                           engine::SamplingOptions options, QObject* parent)
    : Task(tr("Sampling %1 masks (%2)")
               .arg(options.samples)
               .arg(QString::fromStdString(options.describe())),
           parent),
      m_model(std::move(model)),
      m_crop(std::move(crop)),
      m_options(options) {
    if (m_options.trajectoryEvery <= 0) m_options.trajectoryEvery = m_options.trajectoryStride();
}

SamplingTask::SamplingTask(const review::SamplingRequest& request, QObject* parent)
    : SamplingTask(request.model, request.crop.image, request.options, parent) {
    if (request.wholeNodule && request.series) {
        m_request = request;
        setDescription(tr("Sampling %1 masks through the nodule (%2)")
                           .arg(request.options.samples)
                           .arg(QString::fromStdString(request.options.describe())));
    }
}

std::vector<engine::TrajectoryFrame> SamplingTask::takeTrajectory() {
    const std::lock_guard lock(m_framesMutex);
    return std::move(m_frames);
}

std::optional<engine::TrajectoryFrame> SamplingTask::latestFrame() {
    const std::lock_guard lock(m_framesMutex);
    if (m_frames.empty()) return std::nullopt;
    return m_frames.back();
}

void SamplingTask::run() {
    engine::SamplingCallbacks callbacks;
    callbacks.progress = [this](const engine::SamplingProgress& p) {
        const int total = std::max(1, p.totalSteps);
        setProgress(std::min(1.0, static_cast<double>(p.step) / total),
                    tr("step %1/%2, t = %3").arg(p.step).arg(p.totalSteps).arg(p.t, 0, 'f', 2));
    };
    callbacks.trajectory = [this](const engine::TrajectoryFrame& frame) {
        const std::lock_guard lock(m_framesMutex);
        m_frames.push_back(frame);
    };
    callbacks.cancelled = [this] { return isCanceled(); };
    if (!m_request) {
        m_result = engine::Sampler(m_model).sample(m_crop, m_options, callbacks);
        return;
    }
    auto nodule = review::sampleNodule(m_model, *m_request->series, m_request->box,
                                       m_request->range, m_options, callbacks);
    m_result = nodule.slices.at(static_cast<size_t>(nodule.keyIndex)).result;
    m_result.seconds = nodule.seconds;
    m_result.networkPasses = nodule.networkPasses;
    m_nodule = std::move(nodule);
}

}  // namespace flowseg::ui
