#pragma once
// The status bar's view of the task manager: the newest task that has run for
// about a second, with its own description and progress, and a cancel button.

#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace flowseg::ui {

class Task;
class TaskManager;

class TaskStatus : public QWidget {
    Q_OBJECT
public:
    explicit TaskStatus(TaskManager* manager, QWidget* parent = nullptr);

    /// The task shown, or null.
    [[nodiscard]] Task* shownTask() const { return m_shown; }
    [[nodiscard]] QString text() const;
    QProgressBar* progressBar() const { return m_bar; }
    QToolButton* cancelButton() const { return m_cancel; }

private:
    void show(Task* task);
    void refresh();

    TaskManager* m_manager;
    QPointer<Task> m_shown;
    QLabel* m_label;
    QProgressBar* m_bar;
    QToolButton* m_cancel;
};

}  // namespace flowseg::ui
