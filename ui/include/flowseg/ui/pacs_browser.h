#pragma once
// The PACS dock: a node (AE title, host, port; our AE title and C-MOVE port;
// C-MOVE or C-GET) that can be tested, a study query (patient name and ID,
// date, modality, accession number), the matching studies and the selected
// study's series, and the actions (retrieve and open, send results back). It
// draws and forwards: the window runs the PACS tasks and hands results back.

#include <QWidget>

#include <vector>

#include "flowseg/dicom/pacs.h"
#include "flowseg/ui/pacs_task.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace flowseg::ui {

class PacsBrowser : public QWidget {
    Q_OBJECT
public:
    explicit PacsBrowser(QWidget* parent = nullptr);

    /// The node as the fields give it.
    [[nodiscard]] PacsNodeSettings node() const;
    void setNode(const PacsNodeSettings& node);
    [[nodiscard]] dicom::StudyQuery query() const;
    /// The current node and the saved ones from / to QSettings ("pacs/...").
    void loadSettings();
    void saveSettings() const;
    /// The configured nodes (Save keeps the fields as one, Remove forgets the
    /// chosen one; choosing one fills the fields).
    [[nodiscard]] const std::vector<PacsNodeSettings>& savedNodes() const { return m_saved; }
    void saveNode();
    void removeNode();

    void setStudies(const std::vector<dicom::StudyMatch>& studies);
    void setSeries(const std::vector<dicom::SeriesMatch>& series);
    [[nodiscard]] const std::vector<dicom::SeriesMatch>& series() const { return m_series; }
    /// The selected study's UID, or "".
    [[nodiscard]] std::string selectedStudy() const;
    /// A line under the buttons: what happened last (errors in red).
    void setStatus(const QString& text, bool error = false);
    [[nodiscard]] QString status() const;
    /// While a PACS task runs, its buttons wait.
    void setBusy(bool busy);

    // For tests and the window's shortcuts.
    [[nodiscard]] QLineEdit* patientIdField() const { return m_patientId; }
    [[nodiscard]] QLineEdit* hostField() const { return m_host; }
    [[nodiscard]] QSpinBox* portField() const { return m_port; }
    [[nodiscard]] QSpinBox* listenPortField() const { return m_listenPort; }
    [[nodiscard]] QComboBox* methodField() const { return m_method; }
    [[nodiscard]] QPushButton* testButton() const { return m_test; }
    [[nodiscard]] QComboBox* nodeList() const { return m_nodes; }
    [[nodiscard]] QPushButton* searchButton() const { return m_search; }
    [[nodiscard]] QPushButton* retrieveButton() const { return m_retrieve; }
    [[nodiscard]] QPushButton* sendButton() const { return m_send; }
    [[nodiscard]] QTreeWidget* studyList() const { return m_studies; }
    [[nodiscard]] QTreeWidget* seriesList() const { return m_seriesList; }

Q_SIGNALS:
    void echoRequested();
    void searchRequested();
    void studySelected(const QString& studyUid);
    void retrieveRequested(const QString& studyUid);
    void sendResultsRequested();

private:
    void refreshNodes(int current);
    QComboBox* m_nodes;
    QPushButton* m_saveNode;
    QPushButton* m_removeNode;
    std::vector<PacsNodeSettings> m_saved;
    QLineEdit* m_aet;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QLineEdit* m_ourAet;
    QSpinBox* m_listenPort;
    QComboBox* m_method;
    QPushButton* m_test;
    QLineEdit* m_patientName;
    QLineEdit* m_patientId;
    QLineEdit* m_date;
    QLineEdit* m_modality;
    QLineEdit* m_accession;
    QPushButton* m_search;
    QTreeWidget* m_studies;
    QTreeWidget* m_seriesList;
    QPushButton* m_retrieve;
    QPushButton* m_send;
    QLabel* m_status;
    std::vector<dicom::SeriesMatch> m_series;
};

}  // namespace flowseg::ui
