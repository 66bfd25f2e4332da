#include "flowseg/ui/pacs_browser.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace flowseg::ui {

namespace {

constexpr int kUidRole = Qt::UserRole + 1;

QString q(const std::string& text) { return QString::fromStdString(text); }

/// "20250102" -> "2025-01-02" (anything else as it is).
QString readableDate(const std::string& date) {
    if (date.size() != 8) return q(date);
    return q(date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2));
}

}  // namespace

PacsBrowser::PacsBrowser(QWidget* parent)
    : QWidget(parent),
      m_nodes(new QComboBox),
      m_saveNode(new QPushButton(tr("Save"))),
      m_removeNode(new QPushButton(tr("Remove"))),
      m_aet(new QLineEdit(QStringLiteral("ORTHANC"))),
      m_host(new QLineEdit(QStringLiteral("127.0.0.1"))),
      m_port(new QSpinBox),
      m_ourAet(new QLineEdit(QStringLiteral("FLOWSEG"))),
      m_listenPort(new QSpinBox),
      m_method(new QComboBox),
      m_test(new QPushButton(tr("Test"))),
      m_patientName(new QLineEdit),
      m_patientId(new QLineEdit),
      m_date(new QLineEdit),
      m_modality(new QLineEdit),
      m_accession(new QLineEdit),
      m_search(new QPushButton(tr("Search"))),
      m_studies(new QTreeWidget),
      m_seriesList(new QTreeWidget),
      m_retrieve(new QPushButton(tr("Retrieve and open"))),
      m_send(new QPushButton(tr("Send results to PACS"))),
      m_status(new QLabel) {
    setObjectName(QStringLiteral("pacsBrowser"));
    m_port->setRange(1, 65535);
    m_port->setValue(4242);
    m_listenPort->setRange(1, 65535);
    m_listenPort->setValue(11113);
    m_method->addItem(tr("C-MOVE (to our port)"));
    m_method->addItem(tr("C-GET"));
    for (auto* field : {m_aet, m_ourAet}) field->setMaxLength(16);
    m_aet->setToolTip(tr("The PACS's AE title"));
    m_ourAet->setToolTip(
        tr("Our AE title: the PACS must know it, with this host and the port "
           "below, as a C-MOVE destination"));
    m_test->setToolTip(tr("C-ECHO: does the PACS answer?"));

    auto* nodeBox = new QGroupBox(tr("PACS node"));
    auto* nodeForm = new QFormLayout(nodeBox);
    auto* nodes = new QHBoxLayout;
    nodes->addWidget(m_nodes, 1);
    nodes->addWidget(m_saveNode);
    nodes->addWidget(m_removeNode);
    m_nodes->setToolTip(tr("The configured PACS nodes"));
    m_saveNode->setToolTip(tr("Keep the fields below as a configured node"));
    m_removeNode->setToolTip(tr("Forget the chosen node"));
    nodeForm->addRow(tr("Nodes"), nodes);
    auto* address = new QHBoxLayout;
    address->addWidget(m_host, 1);
    address->addWidget(m_port);
    nodeForm->addRow(tr("AE title"), m_aet);
    nodeForm->addRow(tr("Host, port"), address);
    auto* ours = new QHBoxLayout;
    ours->addWidget(m_ourAet, 1);
    ours->addWidget(m_listenPort);
    nodeForm->addRow(tr("Our AE, port"), ours);
    auto* method = new QHBoxLayout;
    method->addWidget(m_method, 1);
    method->addWidget(m_test);
    nodeForm->addRow(tr("Retrieve by"), method);

    auto* queryBox = new QGroupBox(tr("Find studies"));
    auto* queryForm = new QFormLayout(queryBox);
    m_patientName->setPlaceholderText(tr("e.g. DOE^J*"));
    m_date->setPlaceholderText(tr("YYYYMMDD or YYYYMMDD-YYYYMMDD"));
    m_modality->setPlaceholderText(tr("e.g. CT"));
    queryForm->addRow(tr("Patient name"), m_patientName);
    queryForm->addRow(tr("Patient ID"), m_patientId);
    queryForm->addRow(tr("Study date"), m_date);
    queryForm->addRow(tr("Modality"), m_modality);
    queryForm->addRow(tr("Accession"), m_accession);
    queryForm->addRow(QString(), m_search);

    m_studies->setHeaderLabels({tr("Patient"), tr("ID"), tr("Date"), tr("Description"),
                                tr("Modalities"), tr("Accession")});
    m_studies->setRootIsDecorated(false);
    m_studies->setObjectName(QStringLiteral("pacsStudies"));
    m_seriesList->setHeaderLabels({tr("Modality"), tr("Series"), tr("Images")});
    m_seriesList->setRootIsDecorated(false);
    m_seriesList->setObjectName(QStringLiteral("pacsSeries"));
    m_seriesList->setMaximumHeight(130);
    m_status->setWordWrap(true);
    m_retrieve->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(nodeBox);
    layout->addWidget(queryBox);
    layout->addWidget(m_studies, 1);
    layout->addWidget(m_seriesList);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_retrieve);
    actions->addWidget(m_send);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    connect(m_saveNode, &QPushButton::clicked, this, &PacsBrowser::saveNode);
    connect(m_removeNode, &QPushButton::clicked, this, &PacsBrowser::removeNode);
    connect(m_nodes, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        if (index >= 0 && index < static_cast<int>(m_saved.size()))
            setNode(m_saved[static_cast<size_t>(index)]);
    });
    connect(m_test, &QPushButton::clicked, this, &PacsBrowser::echoRequested);
    connect(m_search, &QPushButton::clicked, this, &PacsBrowser::searchRequested);
    for (auto* field : {m_patientName, m_patientId, m_date, m_modality, m_accession})
        connect(field, &QLineEdit::returnPressed, this, &PacsBrowser::searchRequested);
    connect(m_studies, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_retrieve->setEnabled(item != nullptr);
        setSeries({});
        if (item) Q_EMIT studySelected(item->data(0, kUidRole).toString());
    });
    connect(m_studies, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        Q_EMIT retrieveRequested(item->data(0, kUidRole).toString());
    });
    connect(m_retrieve, &QPushButton::clicked, this, [this] {
        if (!selectedStudy().empty()) Q_EMIT retrieveRequested(q(selectedStudy()));
    });
    connect(m_send, &QPushButton::clicked, this, &PacsBrowser::sendResultsRequested);
}

PacsNodeSettings PacsBrowser::node() const {
    PacsNodeSettings n;
    n.node.calledAeTitle = m_aet->text().trimmed().toStdString();
    n.node.host = m_host->text().trimmed().toStdString();
    n.node.port = m_port->value();
    n.node.callingAeTitle = m_ourAet->text().trimmed().toStdString();
    n.listenPort = m_listenPort->value();
    n.useMove = m_method->currentIndex() == 0;
    return n;
}

void PacsBrowser::setNode(const PacsNodeSettings& n) {
    m_aet->setText(q(n.node.calledAeTitle));
    m_host->setText(q(n.node.host));
    m_port->setValue(n.node.port);
    m_ourAet->setText(q(n.node.callingAeTitle));
    m_listenPort->setValue(n.listenPort);
    m_method->setCurrentIndex(n.useMove ? 0 : 1);
}

dicom::StudyQuery PacsBrowser::query() const {
    return {m_patientId->text().trimmed().toStdString(),
            m_patientName->text().trimmed().toStdString(), m_date->text().trimmed().toStdString(),
            m_modality->text().trimmed().toUpper().toStdString(),
            m_accession->text().trimmed().toStdString()};
}

namespace {

QString nodeName(const PacsNodeSettings& n) {
    return QStringLiteral("%1 — %2:%3")
        .arg(QString::fromStdString(n.node.calledAeTitle), QString::fromStdString(n.node.host))
        .arg(n.node.port);
}

bool sameNode(const PacsNodeSettings& a, const PacsNodeSettings& b) {
    return a.node.calledAeTitle == b.node.calledAeTitle && a.node.host == b.node.host &&
           a.node.port == b.node.port;
}

}  // namespace

void PacsBrowser::refreshNodes(int current) {
    m_nodes->clear();
    for (const auto& n : m_saved) m_nodes->addItem(nodeName(n));
    m_nodes->setCurrentIndex(current);
    m_removeNode->setEnabled(!m_saved.empty());
}

void PacsBrowser::saveNode() {
    const auto n = node();
    const auto it = std::find_if(m_saved.begin(), m_saved.end(),
                                 [&](const PacsNodeSettings& s) { return sameNode(s, n); });
    int index = static_cast<int>(it - m_saved.begin());
    if (it == m_saved.end())
        m_saved.push_back(n);
    else
        *it = n;
    refreshNodes(index);
    saveSettings();
    setStatus(tr("Node %1 saved.").arg(nodeName(n)));
}

void PacsBrowser::removeNode() {
    const int index = m_nodes->currentIndex();
    if (index < 0 || index >= static_cast<int>(m_saved.size())) return;
    m_saved.erase(m_saved.begin() + index);
    refreshNodes(m_saved.empty() ? -1 : 0);
    saveSettings();
}

namespace {

/// A node's fields under `prefix` ("pacs/" for the current one, "" in the array).
PacsNodeSettings readNode(const QSettings& s, const QString& prefix,
                          const PacsNodeSettings& defaults) {
    PacsNodeSettings n = defaults;
    const auto text = [&](const char* key, const std::string& fallback) {
        return s.value(prefix + QLatin1String(key), q(fallback)).toString().toStdString();
    };
    n.node.calledAeTitle = text("aet", n.node.calledAeTitle);
    n.node.host = text("host", n.node.host);
    n.node.port = s.value(prefix + QStringLiteral("port"), n.node.port).toInt();
    n.node.callingAeTitle = text("ourAet", n.node.callingAeTitle);
    n.listenPort = s.value(prefix + QStringLiteral("listenPort"), n.listenPort).toInt();
    n.useMove = s.value(prefix + QStringLiteral("useMove"), n.useMove).toBool();
    return n;
}

void writeNode(QSettings& s, const QString& prefix, const PacsNodeSettings& n) {
    s.setValue(prefix + QStringLiteral("aet"), q(n.node.calledAeTitle));
    s.setValue(prefix + QStringLiteral("host"), q(n.node.host));
    s.setValue(prefix + QStringLiteral("port"), n.node.port);
    s.setValue(prefix + QStringLiteral("ourAet"), q(n.node.callingAeTitle));
    s.setValue(prefix + QStringLiteral("listenPort"), n.listenPort);
    s.setValue(prefix + QStringLiteral("useMove"), n.useMove);
}

}  // namespace

void PacsBrowser::loadSettings() {
    QSettings s;
    m_saved.clear();
    PacsNodeSettings incomplete;  // an entry without AE title or host is left out
    incomplete.node.calledAeTitle.clear();
    incomplete.node.host.clear();
    incomplete.node.port = 104;
    const int count = s.beginReadArray(QStringLiteral("pacs/nodes"));
    for (int i = 0; i < count; ++i) {
        s.setArrayIndex(i);
        const auto n = readNode(s, {}, incomplete);
        if (!n.node.calledAeTitle.empty() && !n.node.host.empty()) m_saved.push_back(n);
    }
    s.endArray();
    refreshNodes(-1);
    setNode(readNode(s, QStringLiteral("pacs/"), node()));
}

void PacsBrowser::saveSettings() const {
    QSettings s;
    s.beginWriteArray(QStringLiteral("pacs/nodes"), static_cast<int>(m_saved.size()));
    for (int i = 0; i < static_cast<int>(m_saved.size()); ++i) {
        s.setArrayIndex(i);
        writeNode(s, {}, m_saved[static_cast<size_t>(i)]);
    }
    s.endArray();
    writeNode(s, QStringLiteral("pacs/"), node());
}

void PacsBrowser::setStudies(const std::vector<dicom::StudyMatch>& studies) {
    m_studies->clear();
    setSeries({});
    for (const auto& s : studies) {
        auto* item = new QTreeWidgetItem(
            m_studies,
            {q(s.patientName).replace(QLatin1Char('^'), QLatin1Char(' ')), q(s.patientId),
             readableDate(s.studyDate), q(s.description), q(s.modalities), q(s.accessionNumber)});
        item->setData(0, kUidRole, q(s.studyUid));
        item->setToolTip(3, q(s.studyUid));
    }
    m_studies->header()->resizeSections(QHeaderView::ResizeToContents);
    m_retrieve->setEnabled(false);
}

void PacsBrowser::setSeries(const std::vector<dicom::SeriesMatch>& series) {
    m_series = series;
    m_seriesList->clear();
    for (const auto& s : series) {
        auto* item = new QTreeWidgetItem(
            m_seriesList, {q(s.modality), q(s.description), QString::number(s.instances)});
        item->setToolTip(1, q(s.seriesUid));
    }
    m_seriesList->header()->resizeSections(QHeaderView::ResizeToContents);
}

std::string PacsBrowser::selectedStudy() const {
    const auto* item = m_studies->currentItem();
    return item ? item->data(0, kUidRole).toString().toStdString() : std::string();
}

void PacsBrowser::setStatus(const QString& text, bool error) {
    m_status->setText(
        error ? QStringLiteral("<span style='color:#e05050'>%1</span>").arg(text.toHtmlEscaped())
              : text.toHtmlEscaped());
}

QString PacsBrowser::status() const { return m_status->text(); }

void PacsBrowser::setBusy(bool busy) {
    for (auto* button : {m_test, m_search, m_send}) button->setEnabled(!busy);
    m_retrieve->setEnabled(!busy && m_studies->currentItem() != nullptr);
}

}  // namespace flowseg::ui
