#include "flowseg/ui/help_overlay.h"

#include <QAction>
#include <QKeySequence>
#include <QPainter>

namespace flowseg::ui {

HelpOverlay::HelpOverlay(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_TransparentForMouseEvents, false);
    hide();
}

void HelpOverlay::setActions(const QList<QAction*>& actions) { m_actions = actions; }

QStringList HelpOverlay::lines() const {
    QStringList out;
    for (const auto* action : m_actions) {
        if (action->shortcuts().isEmpty()) continue;
        QStringList keys;
        for (const auto& key : action->shortcuts()) keys << key.toString(QKeySequence::NativeText);
        out << QStringLiteral("%1\t%2").arg(action->text().remove(QLatin1Char('&')), keys.join(QStringLiteral(", ")));
    }
    return out;
}

void HelpOverlay::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0, 0, 0, 200));
    const auto entries = lines();
    QFont title = font();
    title.setPointSizeF(title.pointSizeF() * 1.4);
    title.setBold(true);
    painter.setPen(Qt::white);
    painter.setFont(title);
    painter.drawText(QRect(0, 16, width(), 40), Qt::AlignHCenter, tr("Keyboard shortcuts  (F1 or ? to close)"));
    painter.setFont(font());
    const int lineHeight = fontMetrics().height() + 4;
    const int columns = entries.size() > 16 ? 2 : 1;
    const int perColumn = (static_cast<int>(entries.size()) + columns - 1) / columns;
    const int columnWidth = std::min(460, (width() - 40) / columns);
    const int left = (width() - columnWidth * columns) / 2;
    for (int i = 0; i < entries.size(); ++i) {
        const auto parts = entries[i].split(QLatin1Char('\t'));
        const int x = left + (i / perColumn) * columnWidth;
        const int y = 70 + (i % perColumn) * lineHeight;
        painter.setPen(QColor(255, 210, 90));
        painter.drawText(QRect(x, y, columnWidth / 3, lineHeight), Qt::AlignLeft, parts.value(1));
        painter.setPen(Qt::white);
        painter.drawText(QRect(x + columnWidth / 3, y, columnWidth * 2 / 3, lineHeight), Qt::AlignLeft, parts.value(0));
    }
}

void HelpOverlay::mousePressEvent(QMouseEvent*) { hide(); }

}  // namespace flowseg::ui
