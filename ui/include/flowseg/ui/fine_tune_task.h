#pragma once
// A fine-tune of the active model on the store's finished multi-expert lesions
// (review/fine_tune.h) as a background task: progress, loss and validation
// GED reach the GUI thread as signals; it can be paused, resumed and cancelled.
// Sampling goes on meanwhile with the model the window holds.

#include <QString>

#include <atomic>
#include <string>

#include "flowseg/review/fine_tune.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

class FineTuneTask : public Task {
    Q_OBJECT
public:
    FineTuneTask(std::string storePath, std::string parentModel, review::FineTuneOptions options);

    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused.load(); }
    /// After finished(Succeeded): what the job produced.
    [[nodiscard]] const review::FineTuneResult& result() const { return m_result; }

Q_SIGNALS:
    /// Queued to the GUI thread.
    void lossReported(qint64 step, qint64 steps, double loss, double stepsPerSecond,
                      double secondsLeft);
    void validated(qint64 step, double ged);
    void logLine(const QString& line);

protected:
    void run() override;

private:
    std::string m_store;
    std::string m_parent;
    review::FineTuneOptions m_options;
    std::atomic<bool> m_paused{false};
    review::FineTuneResult m_result;
};

}  // namespace flowseg::ui
