#pragma once
// The folders this workstation searches for a stored series by its UIDs when
// the paths in the store are not here (a shared folder, another cache): a list
// with Add... and Remove. Draws and forwards; the caller keeps the setting
// (dicom/searchFolders).

#include <QDialog>
#include <QStringList>

class QListWidget;
class QPushButton;

namespace flowseg::ui {

class SearchFoldersDialog : public QDialog {
    Q_OBJECT
public:
    explicit SearchFoldersDialog(const QStringList& folders, QWidget* parent = nullptr);
    [[nodiscard]] QStringList folders() const;
    /// Adds `folder` (what Add... does after its folder dialog); once only.
    void addFolder(const QString& folder);
    QListWidget* list() const { return m_list; }
    QPushButton* removeButton() const { return m_remove; }

private:
    QListWidget* m_list;
    QPushButton* m_remove;
};

}  // namespace flowseg::ui
