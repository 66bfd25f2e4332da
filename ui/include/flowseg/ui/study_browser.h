#pragma once
// Patients, studies, series and lesions (with review state) from the store.

#include <QStandardItemModel>
#include <QTreeView>

#include <cstdint>

namespace flowseg::db {
class Database;
}

namespace flowseg::ui {

class StudyBrowser : public QTreeView {
    Q_OBJECT
public:
    enum Role { KindRole = Qt::UserRole + 1, IdRole, SeriesIdRole };
    enum class Kind { Patient, Study, Series, Lesion };

    explicit StudyBrowser(QWidget* parent = nullptr);

    /// Rebuilds the tree from the store (reads only).
    void reload(db::Database& database);
    [[nodiscard]] QStandardItemModel* itemModel() const { return m_model; }
    /// The item of a series or lesion id, or nullptr.
    [[nodiscard]] QStandardItem* findItem(Kind kind, std::int64_t id) const;

Q_SIGNALS:
    void seriesActivated(std::int64_t seriesId);
    void lesionActivated(std::int64_t lesionId, std::int64_t seriesId);

private:
    QStandardItemModel* m_model;
};

}  // namespace flowseg::ui
