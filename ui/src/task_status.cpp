#include "flowseg/ui/task_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

#include "flowseg/ui/task_manager.h"

namespace flowseg::ui {

TaskStatus::TaskStatus(TaskManager* manager, QWidget* parent)
    : QWidget(parent), m_manager(manager) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel;
    m_bar = new QProgressBar;
    m_bar->setRange(0, 1000);
    m_bar->setMaximumWidth(220);
    m_cancel = new QToolButton;
    m_cancel->setText(tr("Cancel (Esc)"));
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    setVisible(false);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_shown) m_manager->cancel(m_shown);
    });
    connect(manager, &TaskManager::progressShown, this, [this](Task* task) { show(task); });
    connect(manager, &TaskManager::progressChanged, this,
            [this](Task* task, double fraction, const QString& text) {
                if (task != m_shown) return;
                m_bar->setValue(static_cast<int>(fraction * 1000));
                m_bar->setFormat(text);
            });
    connect(manager, &TaskManager::taskFinished, this, [this](Task* task) {
        if (task != m_shown) return;
        m_shown = nullptr;
        // Another long task still running takes the place.
        for (auto* other : m_manager->tasks())
            if (other != task && m_manager->isProgressVisible(other)) m_shown = other;
        refresh();
    });
}

void TaskStatus::show(Task* task) {
    m_shown = task;
    m_bar->setValue(0);
    m_bar->setFormat(QStringLiteral("%p%"));
    refresh();
}

void TaskStatus::refresh() {
    setVisible(m_shown != nullptr);
    m_label->setText(m_shown ? m_shown->description() : QString());
}

QString TaskStatus::text() const {
    return m_shown ? m_shown->description() + QStringLiteral(": ") + m_bar->text() : QString();
}

}  // namespace flowseg::ui
