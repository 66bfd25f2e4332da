#include "flowseg/ui/search_folders_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowseg::ui {

SearchFoldersDialog::SearchFoldersDialog(const QStringList& folders, QWidget* parent)
    : QDialog(parent),
      m_list(new QListWidget(this)),
      m_remove(new QPushButton(tr("Remove"), this)) {
    setWindowTitle(tr("DICOM search folders"));
    auto* layout = new QVBoxLayout(this);
    auto* note = new QLabel(
        tr("A series in the annotation store is found by its DICOM UIDs. Where its stored "
           "paths are not on this workstation, these folders are searched (after the PACS "
           "cache; before retrieving it from the PACS). FLOWSEG_DICOM_PATH adds more."),
        this);
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addWidget(m_list);
    auto* row = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add..."), this);
    row->addWidget(add);
    row->addWidget(m_remove);
    row->addStretch();
    layout->addLayout(row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    for (const auto& folder : folders) addFolder(folder);
    m_remove->setEnabled(false);
    connect(m_list, &QListWidget::currentRowChanged, this,
            [this](int row) { m_remove->setEnabled(row >= 0); });
    connect(add, &QPushButton::clicked, this, [this] {
        const auto folder = QFileDialog::getExistingDirectory(this, tr("Add a search folder"));
        if (!folder.isEmpty()) addFolder(folder);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] { delete m_list->currentItem(); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void SearchFoldersDialog::addFolder(const QString& folder) {
    if (!m_list->findItems(folder, Qt::MatchExactly).isEmpty()) return;
    m_list->addItem(folder);
}

QStringList SearchFoldersDialog::folders() const {
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i) out << m_list->item(i)->text();
    return out;
}

}  // namespace flowseg::ui
