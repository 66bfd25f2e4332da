#include "flowseg/ui/study_browser.h"

#include <QHeaderView>

#include <map>

#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"

namespace flowseg::ui {

namespace {
QStandardItem* makeItem(const QString& text, StudyBrowser::Kind kind, std::int64_t id) {
    auto* item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(static_cast<int>(kind), StudyBrowser::KindRole);
    item->setData(QVariant::fromValue<qlonglong>(id), StudyBrowser::IdRole);
    return item;
}
QStandardItem* plain(const QString& text) {
    auto* item = new QStandardItem(text);
    item->setEditable(false);
    return item;
}
}  // namespace

StudyBrowser::StudyBrowser(QWidget* parent)
    : QTreeView(parent), m_model(new QStandardItemModel(this)) {
    setModel(m_model);
    setUniformRowHeights(true);
    setAccessibleName(tr("Study browser"));
    connect(this, &QTreeView::activated, this, [this](const QModelIndex& index) {
        const auto item = m_model->itemFromIndex(index.siblingAtColumn(0));
        if (!item) return;
        const auto kind = static_cast<Kind>(item->data(KindRole).toInt());
        const auto id = item->data(IdRole).toLongLong();
        if (kind == Kind::Series) Q_EMIT seriesActivated(id);
        if (kind == Kind::Lesion) Q_EMIT lesionActivated(id, item->data(SeriesIdRole).toLongLong());
    });
}

void StudyBrowser::reload(db::Database& database) {
    m_model->clear();
    m_model->setHorizontalHeaderLabels(
        {tr("Patient / study / series / lesion"), tr("Review state")});
    db::StudyRepository studies(database);
    db::LesionRepository lesions(database);
    std::map<std::string, QStandardItem*> patients;
    for (const auto& study : studies.studies()) {
        auto& patient = patients[study.patientId];
        if (!patient) {
            const auto name = QString::fromStdString(study.patientName.empty() ? study.patientId
                                                                               : study.patientName);
            patient = makeItem(tr("%1 (%2)").arg(name, QString::fromStdString(study.patientId)),
                               Kind::Patient, 0);
            m_model->appendRow({patient, plain({})});
        }
        auto* studyItem = makeItem(tr("%1 %2").arg(QString::fromStdString(study.studyDate),
                                                   QString::fromStdString(study.description)),
                                   Kind::Study, study.id);
        patient->appendRow({studyItem, plain({})});
        for (const auto& series : studies.seriesOf(study.id)) {
            const auto count = studies.imagesOf(series.id).size();
            auto* seriesItem = makeItem(tr("%1 %2 (%3 images)")
                                            .arg(QString::fromStdString(series.modality),
                                                 QString::fromStdString(series.description))
                                            .arg(count),
                                        Kind::Series, series.id);
            seriesItem->setToolTip(QString::fromStdString(series.sourcePath));
            studyItem->appendRow({seriesItem, plain({})});
            for (const auto& lesion : lesions.ofSeries(series.id)) {
                const auto slices =
                    lesion.lastSlice > lesion.firstSlice
                        ? tr("slices %1-%2").arg(lesion.firstSlice + 1).arg(lesion.lastSlice + 1)
                        : tr("slice %1").arg(lesion.firstSlice + 1);
                auto* lesionItem = makeItem(tr("%1 (%2, %3x%4 px)")
                                                .arg(QString::fromStdString(lesion.label), slices)
                                                .arg(lesion.box.width)
                                                .arg(lesion.box.height),
                                            Kind::Lesion, lesion.id);
                lesionItem->setData(QVariant::fromValue<qlonglong>(series.id), SeriesIdRole);
                seriesItem->appendRow(
                    {lesionItem, plain(QString::fromStdString(db::displayName(lesion.state)))});
            }
        }
    }
    expandAll();
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
}

QStandardItem* StudyBrowser::findItem(Kind kind, std::int64_t id) const {
    const auto matches =
        m_model->match(m_model->index(0, 0), IdRole, QVariant::fromValue<qlonglong>(id), -1,
                       Qt::MatchExactly | Qt::MatchRecursive);
    for (const auto& index : matches) {
        auto* item = m_model->itemFromIndex(index);
        if (item && static_cast<Kind>(item->data(KindRole).toInt()) == kind) return item;
    }
    return nullptr;
}

}  // namespace flowseg::ui
