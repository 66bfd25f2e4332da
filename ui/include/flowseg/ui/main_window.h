#pragma once
// The review window: a view of the review session (review/). It assembles the
// study browser, slice viewer, sampling controls, sample gallery, trajectory
// player and log, shows what the session holds, and sends it the user's commands;
// background work goes through the task manager. Torch-free.

#include <QMainWindow>
#include <QPointer>
#include <QRect>

#include <functional>
#include <memory>

#include "flowseg/engine/sampler.h"
#include "flowseg/review/fine_tune.h"
#include "flowseg/review/review_session.h"
#include "flowseg/ui/task.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;

namespace flowseg::engine {
class Model;
}

namespace flowseg::ui {

class AgreementPanel;
class FineTuneTask;
class ExpertPanel;
class HelpOverlay;
class OutlineToolsPanel;
class PacsBrowser;
class LogPanel;
class ResultsPanel;
class SamplingControls;
class SessionRunner;
class SeriesLoadTask;
class SeriesPicker;
class SliceView;
class StudyBrowser;
class TaskManager;
class TaskStatus;
class TrainingPanel;
class TrajectoryPlayer;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a checkpoint; on failure the window keeps working without sampling
    /// and says why (status bar, log). Returns whether it loaded.
    bool loadModel(const QString& path, const QString& device = QStringLiteral("auto"));
    void setModel(std::shared_ptr<const engine::Model> model);
    /// Opens (creating if needed) the annotation store; false with a message on
    /// failure. With `adoptActiveModel`, the window samples with the store's active
    /// model version (a fine-tune promoted earlier) rather than the one loaded.
    bool openStore(const QString& path, bool adoptActiveModel = true);
    /// Loads the reading series below `folder` (or `seriesUid`) in the background:
    /// its first image shows while the rest decodes; the study's series fill the
    /// series picker; the study is registered in the store.
    void openFolder(const QString& folder, const QString& seriesUid = {});
    /// Loads a stored series (its files) in the background.
    void openStoredSeries(std::int64_t seriesId);
    /// Imports readers' outlines of the open series (an LIDC XML, or DICOM SEG
    /// files) into the store as a task; each reader becomes an expert, and the
    /// first imported lesion is selected.
    void importReaders(bool lidcXml, const QStringList& files);
    /// Writes the open study's uncertainty report (PDF; empty: none) and its
    /// exports (a folder; empty: none) as a task, de-identified unless asked not to.
    void exportReport(const QString& pdfPath, const QString& exportFolder, bool deidentify = true);
    /// Marks the lesion box on `slice` (undoable, like a drag with the ROI tool).
    void markLesion(const QRect& box, int slice);
    /// Starts sampling the marked lesion with the controls' settings.
    void startSampling();
    /// Cancels the running sampling and loading (Esc).
    void cancelTask();
    /// Signs an expert in (remembered for the next start).
    void signIn(const QString& name, const QString& role);
    /// Asks for the expert's name and role (Review > Sign in).
    void showSignIn();
    /// Fine-tunes the loaded model on the store's finished lesions as a task
    /// (versionsFolder defaults to "<store>.models"); one at a time.
    void startFineTune(review::FineTuneOptions options);
    void setFineTunePaused(bool paused);
    void cancelFineTune();
    /// Samples with a stored model version from the next run on (promote, roll back).
    void activateModelVersion(std::int64_t id);

    /// Shows a problem found outside the window (start-up) like its own errors.
    void reportError(const QString& what, const QString& detail);

    [[nodiscard]] bool isBusy() const;
    [[nodiscard]] QRect roi() const;
    [[nodiscard]] int roiSlice() const;
    [[nodiscard]] std::int64_t lesionId() const;
    [[nodiscard]] std::int64_t seriesId() const;
    /// The current lesion's samples, or null.
    [[nodiscard]] const engine::SamplingResult* result() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool hasModel() const;

    [[nodiscard]] review::ReviewSession& session() const { return *m_session; }
    TaskManager* tasks() const { return m_tasks; }
    TaskStatus* taskStatus() const { return m_taskStatus; }
    SliceView* sliceView() const { return m_view; }
    SamplingControls* controls() const { return m_controls; }
    ResultsPanel* results() const { return m_results; }
    TrajectoryPlayer* player() const { return m_player; }
    StudyBrowser* browser() const { return m_browser; }
    SeriesPicker* seriesPicker() const { return m_seriesPicker; }
    PacsBrowser* pacsBrowser() const { return m_pacs; }
    QDockWidget* pacsDock() const { return m_pacsDock; }
    HelpOverlay* helpOverlay() const { return m_help; }
    review::UndoStack* undoStack() const { return &m_session->undoStack(); }
    LogPanel* logPanel() const { return m_log; }
    OutlineToolsPanel* toolsPanel() const { return m_toolsPanel; }
    ExpertPanel* expertPanel() const { return m_expertPanel; }
    AgreementPanel* agreementPanel() const { return m_agreementPanel; }
    TrainingPanel* trainingPanel() const { return m_trainingPanel; }
    /// The Fine-tuning dock (hidden until Model > Fine-tuning panel or a job starts).
    QDockWidget* trainingDock() const { return m_trainingDock; }
    QProgressBar* progressBar() const;

Q_SIGNALS:
    void seriesLoaded();
    /// After a report or export task: whether it succeeded.
    void reportExported(bool succeeded);
    /// After an import: the lesions it wrote (empty when it failed).
    void readersImported(const QList<qint64>& lesionIds);
    void loadFailed(const QString& message);
    /// After a sampling run ended: whether its samples landed on the lesion.
    void samplingFinished(bool succeeded);
    /// Progress of sampling only (loading reports through the task manager).
    void samplingProgress(double fraction);
    /// After a fine-tune task ended, with its Task::Outcome.
    void fineTuneFinished(int outcome);

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    // The PACS dock (main_window_pacs.cpp): each action a PacsTask.
    void buildPacsDock();
    void pacsEcho();
    void pacsSearch();
    void pacsListSeries(const QString& studyUid);
    void pacsRetrieve(const QString& studyUid);
    void pacsSendResults();
    /// After a folder load: the readers of SEG files found beside the series
    /// imported, when the series has no lesion in the store yet.
    void importSegsBeside(const std::vector<std::string>& segFiles);
    void buildDocks();
    void buildActions();  // main_window_actions.cpp
    // main_window_experts.cpp
    void buildExpertDocks();
    /// Returns the tool actions (brush, eraser, polygon) for the toolbar.
    QList<QAction*> buildExpertActions(
        QMenu* menu,
        const std::function<QAction*(QMenu*, const QString&, const QList<QKeySequence>&,
                                     std::function<void()>)>& add);
    void refreshExpertViews(review::Changes changes);
    void setTool(review::OutlineTool tool);
    // main_window_training.cpp
    void buildTrainingDock();
    void onFineTuneFinished(FineTuneTask* task, Task::Outcome outcome);
    void refreshModelVersions();
    [[nodiscard]] QString modelVersionsFolder() const;
    void onSessionChanged(review::Changes changes);
    void onLoadFinished(SeriesLoadTask* task, int outcome);
    void startLoad(SeriesLoadTask* task);
    void selectStoredLesion(std::int64_t lesionId, std::int64_t seriesId);
    void stepSample(int delta);
    void refreshScene();
    /// The sampling panel's cost line for the current lesion and settings.
    void refreshSamplingCost();
    void reloadBrowser();

    TaskManager* m_tasks = nullptr;
    SessionRunner* m_runner = nullptr;
    std::unique_ptr<review::ReviewSession> m_session;
    SliceView* m_view = nullptr;
    StudyBrowser* m_browser = nullptr;
    SeriesPicker* m_seriesPicker = nullptr;
    QDockWidget* m_seriesDock = nullptr;
    QString m_studyFolder;  ///< the folder the series picker's series are in
    PacsBrowser* m_pacs = nullptr;
    QDockWidget* m_pacsDock = nullptr;
    SamplingControls* m_controls = nullptr;
    ResultsPanel* m_results = nullptr;
    TrajectoryPlayer* m_player = nullptr;
    LogPanel* m_log = nullptr;
    HelpOverlay* m_help = nullptr;
    TaskStatus* m_taskStatus = nullptr;
    OutlineToolsPanel* m_toolsPanel = nullptr;
    ExpertPanel* m_expertPanel = nullptr;
    AgreementPanel* m_agreementPanel = nullptr;
    TrainingPanel* m_trainingPanel = nullptr;
    QDockWidget* m_trainingDock = nullptr;
    QPointer<FineTuneTask> m_fineTune;
    /// Derived from the session once per change, for the panels and the overlay.
    review::LesionAgreement m_agreement;
    std::vector<review::RankedLesion> m_queue;
    QLabel* m_message = nullptr;
    QLabel* m_cursor = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
};

}  // namespace flowseg::ui
