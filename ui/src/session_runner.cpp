#include "flowseg/ui/session_runner.h"

#include <QMetaObject>

#include "flowseg/ui/sampling_task.h"
#include "flowseg/ui/task_manager.h"

namespace flowseg::ui {

SessionRunner::SessionRunner(TaskManager* tasks, QObject* parent)
    : QObject(parent), m_tasks(tasks) {}

void SessionRunner::startSampling(const review::SamplingRequest& request) {
    auto* task = new SamplingTask(request);
    const quint64 id = request.id;
    m_running.insert(id, task);
    connect(task, &Task::progressChanged, this, [this, task](double fraction) {
        Q_EMIT samplingProgress(fraction);
        if (auto frame = task->latestFrame(); frame && !frame->states.empty()) {
            // Live preview: the mean state of the newest frame, masks forming from noise.
            common::ImageF mean(frame->states.front().height, frame->states.front().width);
            for (const auto& s : frame->states)
                for (size_t i = 0; i < mean.size(); ++i)
                    mean.pixels[i] += s.pixels[i] / static_cast<float>(frame->states.size());
            m_preview = std::move(mean);
            Q_EMIT previewChanged();
        }
    });
    m_tasks->add(task, TaskManager::Kind::Sampling, [this, task, id](Task::Outcome outcome) {
        m_running.remove(id);
        m_preview = {};
        std::optional<engine::SamplingResult> result;
        if (outcome == Task::Outcome::Succeeded) result = task->result();
        const auto error =
            outcome == Task::Outcome::Failed ? task->errorMessage().toStdString() : std::string();
        const bool landed =
            m_session && m_session->samplingFinished(id, std::move(result), task->takeTrajectory(),
                                                     error, task->takeNodule());
        Q_EMIT previewChanged();
        Q_EMIT samplingFinished(landed);
    });
}

void SessionRunner::cancelSampling(std::uint64_t requestId) {
    if (auto task = m_running.value(requestId)) m_tasks->cancel(task);
}

void SessionRunner::post(std::function<void()> work) {
    // Any thread (the store writer's): queued to this object's, the GUI thread.
    QMetaObject::invokeMethod(
        this, [work = std::move(work)] { work(); }, Qt::QueuedConnection);
}

}  // namespace flowseg::ui
