#pragma once
// Owns every background task of the window (after QGIS's QgsTaskManager): starts
// them, knows which run, cancels one, a kind or all (on close), reports each
// task's own progress and description, and finishes each on the GUI thread.
// Progress becomes visible only for work that has lasted about a second.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

#include "flowseg/ui/task.h"

class QTimer;

namespace flowseg::ui {

class TaskManager : public QObject {
    Q_OBJECT
public:
    enum class Kind { Loading, Sampling, Training, Import, Export };
    Q_ENUM(Kind)

    /// How long a task runs before its progress is shown.
    static constexpr int kShowProgressAfterMs = 1000;

    explicit TaskManager(QObject* parent = nullptr);
    /// Cancels every task and waits for each to stop.
    ~TaskManager() override;

    /// Called once on the GUI thread when the task has finished, before
    /// taskFinished and before the task is deleted.
    using WhenFinished = std::function<void(Task::Outcome)>;
    /// Takes `task` (re-parented to the manager), starts it, and deletes it after
    /// `whenFinished` and taskFinished. Returns the task.
    Task* add(Task* task, Kind kind, WhenFinished whenFinished = {});
    [[nodiscard]] QList<Task*> tasks() const;
    [[nodiscard]] QList<Task*> tasks(Kind kind) const;
    [[nodiscard]] bool isBusy() const { return !m_entries.isEmpty(); }
    [[nodiscard]] bool isBusy(Kind kind) const { return !tasks(kind).isEmpty(); }
    [[nodiscard]] Kind kindOf(const Task* task) const;
    /// Whether the task has run long enough for its progress to be shown.
    [[nodiscard]] bool isProgressVisible(const Task* task) const;

    void cancel(Task* task);
    void cancelKind(Kind kind);
    void cancelAll();
    /// Cancels every task and blocks until each has stopped (closing the window).
    void cancelAllAndWait();

Q_SIGNALS:
    void taskStarted(flowseg::ui::Task* task, flowseg::ui::TaskManager::Kind kind);
    /// The task's own progress, queued to the GUI thread.
    void progressChanged(flowseg::ui::Task* task, double fraction, const QString& text);
    /// The task has run for kShowProgressAfterMs and is still running.
    void progressShown(flowseg::ui::Task* task);
    /// On the GUI thread; the task is deleted after the receivers have run.
    void taskFinished(flowseg::ui::Task* task, flowseg::ui::Task::Outcome outcome);
    void busyChanged(bool busy);

private:
    struct Entry {
        QPointer<Task> task;
        WhenFinished whenFinished;
        Kind kind = Kind::Loading;
        bool progressVisible = false;
        QTimer* reveal = nullptr;
    };
    void onFinished(Task* task, Task::Outcome outcome);
    int indexOf(const Task* task) const;

    QList<Entry> m_entries;
};

}  // namespace flowseg::ui
