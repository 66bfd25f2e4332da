#include "flowseg/ui/series_picker.h"

#include <QPixmap>

namespace flowseg::ui {

namespace {
constexpr int kUidRole = Qt::UserRole + 1;
}

SeriesPicker::SeriesPicker(QWidget* parent) : QListWidget(parent) {
    setObjectName(QStringLiteral("seriesPicker"));
    setViewMode(QListView::IconMode);
    setIconSize(QSize(72, 72));
    setGridSize(QSize(116, 124));
    setResizeMode(QListView::Adjust);
    setMovement(QListView::Static);
    setWordWrap(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setToolTip(tr("The study's series: double-click one to read it"));
    connect(this, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT seriesChosen(item->data(kUidRole).toString());
    });
}

void SeriesPicker::setChoices(const std::vector<SeriesChoice>& choices, const QString& currentUid) {
    clear();
    for (const auto& c : choices) {
        const auto& e = c.entry;
        QString text =
            e.description.empty() ? tr("(no description)") : QString::fromStdString(e.description);
        text += QStringLiteral("\n") +
                (e.slices == 1 ? tr("1 slice") : tr("%1 slices").arg(e.slices)) +
                QStringLiteral(" · ") + QString::fromStdString(e.modality);
        if (e.localizer) text += QStringLiteral("\n") + tr("scout");
        auto* item = new QListWidgetItem(text, this);
        if (!c.thumbnail.isNull()) item->setIcon(QIcon(QPixmap::fromImage(c.thumbnail)));
        const auto uid = QString::fromStdString(e.seriesUid);
        item->setData(kUidRole, uid);
        item->setToolTip(tr("%1\n%2 x %3, %4 slices\nSeries %5")
                             .arg(text.section(QLatin1Char('\n'), 0, 0))
                             .arg(e.columns)
                             .arg(e.rows)
                             .arg(e.slices)
                             .arg(uid));
        if (e.localizer) item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        if (uid == currentUid) {
            auto font = item->font();
            font.setBold(true);
            item->setFont(font);
            setCurrentItem(item);
        }
    }
}

QListWidgetItem* SeriesPicker::itemOf(const QString& seriesUid) const {
    for (int i = 0; i < count(); ++i)
        if (item(i)->data(kUidRole).toString() == seriesUid) return item(i);
    return nullptr;
}

}  // namespace flowseg::ui
