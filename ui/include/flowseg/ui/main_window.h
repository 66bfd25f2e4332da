#pragma once
// The review window: study browser, slice viewer with the lesion ROI tool,
// sampling controls, the sample gallery with heatmaps, and the ODE trajectory.
// Torch-free: the model is reached through the engine's pimpl headers.

#include <QMainWindow>
#include <QPointer>
#include <QRect>

#include <memory>
#include <optional>
#include <string>

#include "flowseg/engine/sampler.h"
#include "flowseg/review/lesion_crop.h"

class QLabel;
class QProgressBar;
class QToolButton;
class QUndoStack;

namespace flowseg::db {
class Database;
}
namespace flowseg::engine {
class Model;
}

namespace flowseg::ui {

class HelpOverlay;
class LogPanel;
class ResultsPanel;
class SamplingControls;
class SamplingTask;
class SeriesLoadTask;
class SliceView;
class StudyBrowser;
class Task;
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
    /// Opens (creating if needed) the annotation store; false with a message on failure.
    bool openStore(const QString& path);
    /// Loads the DICOM series below `folder` in the background (registers it in the store).
    void openFolder(const QString& folder);
    /// Loads a stored series (its files) in the background.
    void openStoredSeries(std::int64_t seriesId);
    /// Marks the lesion box on `slice` (undoable, like a drag with the ROI tool).
    void markLesion(const QRect& box, int slice);
    /// Starts sampling the marked lesion with the controls' settings.
    void startSampling();
    /// Cancels the running task, if any.
    void cancelTask();

    /// Shows a problem found outside the window (start-up) like its own errors.
    void reportError(const QString& what, const QString& detail) { showError(what, detail); }

    [[nodiscard]] bool isBusy() const;
    [[nodiscard]] QRect roi() const { return m_roi; }
    [[nodiscard]] int roiSlice() const { return m_roiSlice; }
    [[nodiscard]] std::int64_t lesionId() const { return m_lesionId; }
    [[nodiscard]] std::int64_t seriesId() const { return m_seriesId; }
    [[nodiscard]] const std::optional<engine::SamplingResult>& result() const { return m_result; }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool hasModel() const { return m_model != nullptr; }

    SliceView* sliceView() const { return m_view; }
    SamplingControls* controls() const { return m_controls; }
    ResultsPanel* results() const { return m_results; }
    TrajectoryPlayer* player() const { return m_player; }
    StudyBrowser* browser() const { return m_browser; }
    HelpOverlay* helpOverlay() const { return m_help; }
    QUndoStack* undoStack() const { return m_undo; }
    LogPanel* logPanel() const { return m_log; }
    QProgressBar* progressBar() const { return m_progress; }

Q_SIGNALS:
    void seriesLoaded();
    void loadFailed(const QString& message);
    void samplingFinished(bool succeeded);
    void samplingProgress(double fraction);

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    friend class SetRoiCommand;
    void buildDocks();
    void buildActions();
    void applyRoi(const QRect& box, int slice);
    void setReviewState(int state);
    void onSamplingFinished(SamplingTask* task);
    void onLoadFinished(SeriesLoadTask* task);
    void trackTask(Task* task);
    void refreshScene();
    void reloadBrowser();
    void showError(const QString& what, const QString& detail);
    void showMessage(const QString& text);
    std::int64_t ensureLesionInStore();
    void saveRunInStore(const engine::SamplingResult& result, const engine::SamplingOptions& options);

    SliceView* m_view = nullptr;
    StudyBrowser* m_browser = nullptr;
    SamplingControls* m_controls = nullptr;
    ResultsPanel* m_results = nullptr;
    TrajectoryPlayer* m_player = nullptr;
    LogPanel* m_log = nullptr;
    HelpOverlay* m_help = nullptr;
    QUndoStack* m_undo = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_cursor = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;

    std::shared_ptr<const engine::Model> m_model;
    std::unique_ptr<db::Database> m_db;
    std::shared_ptr<const dicom::Series> m_series;
    std::int64_t m_seriesId = 0;
    QRect m_roi;
    int m_roiSlice = -1;
    std::int64_t m_lesionId = 0;
    std::optional<review::LesionCrop> m_crop;
    std::optional<engine::SamplingResult> m_result;
    engine::ImageF m_livePreview;
    QPointer<SamplingTask> m_sampling;
    QPointer<SeriesLoadTask> m_loading;
    bool m_rerunPending = false;
    QString m_lastMessage;
};

}  // namespace flowseg::ui
