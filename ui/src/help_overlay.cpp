#include "flowseg/ui/help_overlay.h"

#include <algorithm>

#include <QAction>
#include <QFontMetrics>
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
        out << QStringLiteral("%1\t%2").arg(action->text().remove(QLatin1Char('&')),
                                            keys.join(QStringLiteral(", ")));
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
    painter.drawText(QRect(0, 16, width(), 40), Qt::AlignHCenter,
                     tr("Keyboard shortcuts  (F1 or ? to close)"));
    painter.setFont(font());
    const QFontMetrics metrics = fontMetrics();
    const int lineHeight = metrics.height() + 4;
    // Columns as wide as their longest key and description; two columns only when
    // they fit side by side, and whatever still does not fit is elided, never cut.
    QList<QStringList> rows;  // {description, keys}
    int keyWidth = 0;
    int textWidth = 0;
    for (const auto& entry : entries) {
        rows.append(entry.split(QLatin1Char('\t')));
        keyWidth = std::max(keyWidth, metrics.horizontalAdvance(rows.back().value(1)) + 16);
        textWidth = std::max(textWidth, metrics.horizontalAdvance(rows.back().value(0)) + 24);
    }
    const int available = std::max(1, width() - 40);
    const int rowsThatFit = std::max(1, (height() - 80) / lineHeight);
    int columns = 1;
    if (entries.size() > 16 && 2 * (keyWidth + textWidth) <= available) columns = 2;
    if (static_cast<int>(entries.size()) > rowsThatFit) columns = std::max(columns, 2);
    const int perColumn = (static_cast<int>(entries.size()) + columns - 1) / columns;
    const int columnWidth = std::min(keyWidth + textWidth, available / columns);
    keyWidth = std::min(keyWidth, columnWidth / 2);
    const int left = (width() - columnWidth * columns) / 2;
    for (int i = 0; i < rows.size(); ++i) {
        const auto& parts = rows[i];
        const int x = left + (i / perColumn) * columnWidth;
        const int y = 70 + (i % perColumn) * lineHeight;
        painter.setPen(QColor(255, 210, 90));
        painter.drawText(QRect(x, y, keyWidth, lineHeight), Qt::AlignLeft,
                         metrics.elidedText(parts.value(1), Qt::ElideRight, keyWidth - 8));
        painter.setPen(Qt::white);
        const int descWidth = columnWidth - keyWidth;
        painter.drawText(QRect(x + keyWidth, y, descWidth, lineHeight), Qt::AlignLeft,
                         metrics.elidedText(parts.value(0), Qt::ElideRight, descWidth - 8));
    }
}

void HelpOverlay::mousePressEvent(QMouseEvent*) { hide(); }

}  // namespace flowseg::ui
