#include "flowseg/ui/fine_tune_task.h"

#include <cmath>

namespace flowseg::ui {

FineTuneTask::FineTuneTask(std::string storePath, std::string parentModel,
                           review::FineTuneOptions options)
    : Task(tr("Fine-tuning the model on the store's finished lesions (%1 steps)")
               .arg(options.steps)),
      m_store(std::move(storePath)),
      m_parent(std::move(parentModel)),
      m_options(std::move(options)) {}

void FineTuneTask::setPaused(bool paused) { m_paused.store(paused); }

void FineTuneTask::run() {
    if (m_store.empty())
        throw std::runtime_error("no annotation store is open: fine-tuning learns from the store");
    if (m_parent.empty())
        throw std::runtime_error(
            "no model is loaded: load one (File > Load model) to fine-tune it");
    setProgress(0, tr("gathering the finished lesions"));
    review::FineTuneCallbacks callbacks;
    callbacks.cancelled = [this] { return isCanceled(); };
    callbacks.paused = [this] { return m_paused.load(); };
    callbacks.progress = [this](const review::FineTuneProgress& p) {
        const double fraction =
            static_cast<double>(p.step) / static_cast<double>(std::max<std::int64_t>(1, p.steps));
        setProgress(
            fraction,
            tr("step %1/%2, %3 s left").arg(p.step).arg(p.steps).arg(std::lround(p.secondsLeft)));
        Q_EMIT lossReported(p.step, p.steps, p.loss, p.stepsPerSecond, p.secondsLeft);
    };
    callbacks.validation = [this](std::int64_t step, double ged) { Q_EMIT validated(step, ged); };
    callbacks.log = [this](const std::string& line) {
        Q_EMIT logLine(QString::fromStdString(line));
    };
    m_result = review::runFineTune(m_store, m_parent, m_options, callbacks);
}

}  // namespace flowseg::ui
