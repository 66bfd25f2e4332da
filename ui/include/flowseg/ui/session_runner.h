#pragma once
// The review session's host in the window: its sampling requests become tasks of
// the task manager, their outcomes go back to the session on the GUI thread, and
// store completions are posted to the GUI thread. Holds the live preview (the
// newest ODE state while a run goes on), which is view state, not session state.

#include <QHash>
#include <QObject>
#include <QPointer>

#include "flowseg/common/types.h"
#include "flowseg/review/review_session.h"

namespace flowseg::ui {

class SamplingTask;
class TaskManager;

class SessionRunner : public QObject, public review::SessionHost {
    Q_OBJECT
public:
    SessionRunner(TaskManager* tasks, QObject* parent = nullptr);
    /// The session to report to (it outlives no runner: set before use).
    void setSession(review::ReviewSession* session) { m_session = session; }

    void startSampling(const review::SamplingRequest& request) override;
    void cancelSampling(std::uint64_t requestId) override;
    void post(std::function<void()> work) override;

    /// The mean of the newest ODE state of the running request (empty when none).
    [[nodiscard]] const common::ImageF& livePreview() const { return m_preview; }

Q_SIGNALS:
    void previewChanged();
    /// Progress of a sampling run (never of other tasks).
    void samplingProgress(double fraction);
    /// After the session has taken the outcome: whether a result landed.
    void samplingFinished(bool landed);

private:
    TaskManager* m_tasks;
    review::ReviewSession* m_session = nullptr;
    QHash<quint64, QPointer<SamplingTask>> m_running;
    common::ImageF m_preview;
};

}  // namespace flowseg::ui
