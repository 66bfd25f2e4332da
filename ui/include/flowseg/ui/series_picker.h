#pragma once
// The series of the open study: a thumbnail, the description, the slice count
// and the modality of each, scouts marked; the one on screen highlighted.
// Activating another (double-click, Enter) asks the window to load it.

#include <QListWidget>

#include <vector>

#include "flowseg/ui/series_load_task.h"

namespace flowseg::ui {

class SeriesPicker : public QListWidget {
    Q_OBJECT
public:
    explicit SeriesPicker(QWidget* parent = nullptr);

    /// Shows `choices`, `currentUid` highlighted.
    void setChoices(const std::vector<SeriesChoice>& choices, const QString& currentUid);
    /// The item of a series, or nullptr.
    [[nodiscard]] QListWidgetItem* itemOf(const QString& seriesUid) const;

Q_SIGNALS:
    void seriesChosen(const QString& seriesUid);
};

}  // namespace flowseg::ui
