#include "flowseg/ui/task_manager.h"

#include <QTimer>

namespace flowseg::ui {

TaskManager::TaskManager(QObject* parent) : QObject(parent) {}

TaskManager::~TaskManager() { cancelAllAndWait(); }

Task* TaskManager::add(Task* task, Kind kind, WhenFinished whenFinished) {
    task->setParent(this);
    Entry entry{task, std::move(whenFinished), kind, false, new QTimer(this)};
    entry.reveal->setSingleShot(true);
    entry.reveal->setInterval(kShowProgressAfterMs);
    connect(entry.reveal, &QTimer::timeout, this, [this, task] {
        const int i = indexOf(task);
        if (i < 0) return;
        m_entries[i].progressVisible = true;
        Q_EMIT progressShown(task);
    });
    connect(task, &Task::progressChanged, this, [this, task](double fraction, const QString& text) {
        Q_EMIT progressChanged(task, fraction, text);
    });
    const bool wasBusy = isBusy();
    m_entries.append(entry);
    entry.reveal->start();
    task->start([this, task](Task::Outcome outcome) { onFinished(task, outcome); });
    Q_EMIT taskStarted(task, kind);
    if (!wasBusy) Q_EMIT busyChanged(true);
    return task;
}

int TaskManager::indexOf(const Task* task) const {
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].task == task) return i;
    return -1;
}

QList<Task*> TaskManager::tasks() const {
    QList<Task*> out;
    for (const auto& e : m_entries)
        if (e.task) out.append(e.task);
    return out;
}

QList<Task*> TaskManager::tasks(Kind kind) const {
    QList<Task*> out;
    for (const auto& e : m_entries)
        if (e.task && e.kind == kind) out.append(e.task);
    return out;
}

TaskManager::Kind TaskManager::kindOf(const Task* task) const {
    const int i = indexOf(task);
    return i < 0 ? Kind::Loading : m_entries[i].kind;
}

bool TaskManager::isProgressVisible(const Task* task) const {
    const int i = indexOf(task);
    return i >= 0 && m_entries[i].progressVisible;
}

void TaskManager::cancel(Task* task) {
    if (indexOf(task) >= 0) task->cancel();
}

void TaskManager::cancelKind(Kind kind) {
    for (auto* task : tasks(kind)) task->cancel();
}

void TaskManager::cancelAll() {
    for (auto* task : tasks()) task->cancel();
}

void TaskManager::cancelAllAndWait() {
    for (auto* task : tasks()) {
        task->cancel();
        task->waitForFinished();
    }
}

void TaskManager::onFinished(Task* task, Task::Outcome outcome) {
    const int i = indexOf(task);
    if (i < 0) return;
    const Entry entry = m_entries.takeAt(i);
    entry.reveal->stop();
    entry.reveal->deleteLater();
    // A task cancelled after its last step still counts as cancelled: what it was
    // started for may be gone.
    const auto final = task->isCanceled() ? Task::Outcome::Canceled : outcome;
    if (entry.whenFinished) entry.whenFinished(final);
    Q_EMIT taskFinished(task, final);
    task->deleteLater();
    if (!isBusy()) Q_EMIT busyChanged(false);
}

}  // namespace flowseg::ui
