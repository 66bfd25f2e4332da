#include "flowseg/ui/task.h"

#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "flowseg/engine/error.h"

namespace flowseg::ui {

Task::Task(QString description, QObject* parent)
    : QObject(parent), m_description(std::move(description)) {
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &Task::onWorkerDone);
}

Task::~Task() {
    // A task must never outlive its worker: the worker touches this object.
    cancel();
    waitForFinished();
}

void Task::start(std::function<void(Outcome)> done) {
    if (m_running) return;
    m_running = true;
    m_done = std::move(done);
    m_watcher.setFuture(QtConcurrent::run([this] { execute(); }));
}

void Task::cancel() { m_canceled.store(true); }

void Task::waitForFinished() { m_watcher.waitForFinished(); }

void Task::setProgress(double fraction, const QString& text) {
    // Signals from the worker thread reach GUI-thread receivers queued.
    Q_EMIT progressChanged(fraction, text);
}

void Task::execute() {
    try {
        run();
        m_outcome = isCanceled() ? Outcome::Canceled : Outcome::Succeeded;
    } catch (const engine::Cancelled&) {
        m_outcome = Outcome::Canceled;
    } catch (const std::exception& e) {
        m_outcome = Outcome::Failed;
        m_error = QString::fromStdString(e.what());
    } catch (...) {
        m_outcome = Outcome::Failed;
        m_error = QStringLiteral("unknown error");
    }
}

void Task::onWorkerDone() {
    m_running = false;
    if (auto done = std::move(m_done)) done(m_outcome);
}

}  // namespace flowseg::ui
