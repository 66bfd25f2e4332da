// The review flow: load a series, mark a lesion (undoable), sample it in a task,
// show and store the results.
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>

#include <spdlog/spdlog.h>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/sampling_task.h"
#include "flowseg/ui/series_load_task.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

/// Marking (or re-marking) the lesion box: one undo step.
class SetRoiCommand : public QUndoCommand {
public:
    SetRoiCommand(MainWindow* window, QRect box, int slice)
        : QUndoCommand(QObject::tr("Mark lesion")),
          m_window(window),
          m_before{window->m_roi, window->m_roiSlice, window->m_lesionId},
          m_after{box, slice, 0} {}
    void undo() override { apply(m_before); }
    void redo() override { apply(m_after); }

private:
    struct State {
        QRect box;
        int slice;
        std::int64_t lesionId;
    };
    void apply(const State& s) {
        m_window->m_lesionId = s.lesionId;
        m_window->applyRoi(s.box, s.slice);
        if (s.slice >= 0) m_window->m_view->setSlice(s.slice);
    }
    MainWindow* m_window;
    State m_before;
    State m_after;
};

void MainWindow::markLesion(const QRect& box, int slice) { m_undo->push(new SetRoiCommand(this, box, slice)); }

void MainWindow::applyRoi(const QRect& box, int slice) {
    if (m_sampling) {  // a run for the old box must not land on the new one
        m_rerunPending = false;
        m_sampling->cancel();
    }
    m_roi = box;
    m_roiSlice = box.isEmpty() ? -1 : slice;
    // Results belong to the box they were drawn for.
    m_result.reset();
    m_crop.reset();
    m_livePreview = {};
    m_results->clear();
    m_player->setFrames({});
    if (!box.isEmpty())
        showMessage(tr("Lesion marked on slice %1 (%2 x %3 px). Press S to sample.")
                        .arg(slice + 1)
                        .arg(box.width())
                        .arg(box.height()));
    refreshScene();
}

bool MainWindow::isBusy() const { return m_sampling || m_loading; }

void MainWindow::cancelTask() {
    m_rerunPending = false;
    if (m_sampling) m_sampling->cancel();
    if (m_loading) m_loading->cancel();
    if (isBusy()) showMessage(tr("Cancelling..."));
}

void MainWindow::trackTask(Task* task) {
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_progress->setFormat(QStringLiteral("%p%"));
    connect(task, &Task::progressChanged, this, [this](double fraction, const QString& text) {
        m_progress->setValue(static_cast<int>(fraction * 1000));
        m_progress->setFormat(text);
        Q_EMIT samplingProgress(fraction);
    });
    logger("ui")->info("{}", task->description().toStdString());
}

void MainWindow::startSampling() {
    if (!m_model) {
        showError(tr("Cannot sample"), tr("no model is loaded (File > Load model, or start with --model FILE)"));
        return;
    }
    if (!m_series) {
        showError(tr("Cannot sample"), tr("no series is loaded (File > Open DICOM folder)"));
        return;
    }
    if (m_roi.isEmpty()) {
        showError(tr("Cannot sample"), tr("no lesion is marked: press D and drag a box around it"));
        return;
    }
    if (m_sampling) {  // a new request (e.g. live change of w) replaces the running one
        m_rerunPending = true;
        m_sampling->cancel();
        return;
    }
    review::LesionCrop crop;
    try {
        crop = review::cropLesion(*m_series, m_roiSlice, {m_roi.x(), m_roi.y(), m_roi.width(), m_roi.height()},
                                  static_cast<int>(m_model->options().image_size()));
    } catch (const std::exception& e) {
        showError(tr("Cannot sample"), QString::fromStdString(e.what()));
        return;
    }
    ensureLesionInStore();
    m_crop = crop;
    auto* task = new SamplingTask(m_model, crop.image, m_controls->options(), this);
    m_sampling = task;
    trackTask(task);
    connect(task, &Task::progressChanged, this, [this, task] {
        if (auto frame = task->latestFrame(); frame && !frame->states.empty()) {
            // Live preview: the mean state of the newest frame, masks forming from noise.
            engine::ImageF mean(frame->states.front().height, frame->states.front().width);
            for (const auto& s : frame->states)
                for (size_t i = 0; i < mean.size(); ++i) mean.pixels[i] += s.pixels[i] / static_cast<float>(frame->states.size());
            m_livePreview = std::move(mean);
            refreshScene();
        }
    });
    connect(task, &Task::finished, this, [this, task] { onSamplingFinished(task); });
    showMessage(task->description());
    task->start();
}

void MainWindow::onSamplingFinished(SamplingTask* task) {
    task->deleteLater();
    m_sampling = nullptr;
    m_livePreview = {};
    m_progress->hide();
    m_cancel->hide();
    // Cancelled after its last step still counts as cancelled: the box or the
    // series it was started for may be gone.
    const auto outcome = task->isCanceled() ? Task::Outcome::Canceled : task->outcome();
    switch (outcome) {
    case Task::Outcome::Succeeded: {
        m_result = task->result();
        m_results->setResult(task->crop(), *m_result);
        m_player->setFrames(task->takeTrajectory());
        const auto& r = *m_result;
        showMessage(tr("%1 samples in %2 s (%3 network passes, %4).")
                        .arg(r.masks.size())
                        .arg(r.seconds, 0, 'f', 2)
                        .arg(r.networkPasses)
                        .arg(QString::fromStdString(task->options().describe())));
        logger("sampling")->info("{} samples in {:.2f} s, {} passes, {}", r.masks.size(), r.seconds, r.networkPasses,
                                 task->options().describe());
        saveRunInStore(r, task->options());
        break;
    }
    case Task::Outcome::Canceled:
        showMessage(tr("Sampling cancelled; nothing was changed."));
        logger("sampling")->info("sampling cancelled");
        break;
    case Task::Outcome::Failed:
        showError(tr("Sampling failed"), task->errorMessage());
        break;
    }
    refreshScene();
    Q_EMIT samplingFinished(outcome == Task::Outcome::Succeeded);
    if (m_rerunPending) {
        m_rerunPending = false;
        startSampling();
    }
}

void MainWindow::openFolder(const QString& folder) {
    if (m_loading) {
        showError(tr("Cannot open"), tr("another series is still loading"));
        return;
    }
    auto* task = SeriesLoadTask::forFolder(folder.toStdString(), m_db ? m_db->path() : std::string(), this);
    m_loading = task;
    trackTask(task);
    connect(task, &Task::finished, this, [this, task] { onLoadFinished(task); });
    task->start();
}

void MainWindow::openStoredSeries(std::int64_t seriesId) {
    if (!m_db || m_loading) return;
    std::vector<std::string> files;
    try {
        for (const auto& image : db::StudyRepository(*m_db).imagesOf(seriesId)) files.push_back(image.filePath);
    } catch (const std::exception& e) {
        showError(tr("Cannot read the annotation store"), QString::fromStdString(e.what()));
        return;
    }
    auto* task = SeriesLoadTask::forFiles(std::move(files), this);
    task->setProperty("seriesId", QVariant::fromValue<qlonglong>(seriesId));
    m_loading = task;
    trackTask(task);
    connect(task, &Task::finished, this, [this, task] { onLoadFinished(task); });
    task->start();
}

void MainWindow::onLoadFinished(SeriesLoadTask* task) {
    task->deleteLater();
    m_loading = nullptr;
    m_progress->hide();
    m_cancel->hide();
    if (task->outcome() != Task::Outcome::Succeeded) {
        const auto message = task->outcome() == Task::Outcome::Canceled ? tr("loading cancelled") : task->errorMessage();
        showError(tr("Cannot load the series"), message);
        Q_EMIT loadFailed(message);
        return;
    }
    for (const auto& warning : task->warnings()) logger("dicom")->warn("{}", warning);
    m_series = task->series();
    m_seriesId = task->seriesId() ? task->seriesId() : task->property("seriesId").toLongLong();
    m_undo->clear();
    m_lesionId = 0;
    applyRoi({}, -1);
    m_view->setSeries(m_series);
    if (!m_series->windows.empty()) m_view->setWindow(-600, 1500);  // lung window: the model's view of CT
    showMessage(tr("%1: %2 slices of %3 x %4 (%5). Press D and drag around a lesion.")
                    .arg(QString::fromStdString(m_series->patientName))
                    .arg(m_series->depth)
                    .arg(m_series->width)
                    .arg(m_series->height)
                    .arg(QString::fromStdString(m_series->seriesDescription)));
    logger("dicom")->info("loaded series {} ({} slices)", m_series->seriesUid, m_series->depth);
    reloadBrowser();
    Q_EMIT seriesLoaded();
}

std::int64_t MainWindow::ensureLesionInStore() {
    if (!m_db || m_seriesId == 0 || m_roi.isEmpty()) return m_lesionId;
    try {
        db::LesionRepository lesions(*m_db);
        if (m_lesionId != 0) {
            const auto existing = lesions.find(m_lesionId);
            if (existing && existing->firstSlice == m_roiSlice && existing->box.x == m_roi.x() &&
                existing->box.y == m_roi.y() && existing->box.width == m_roi.width() &&
                existing->box.height == m_roi.height())
                return m_lesionId;
        }
        db::LesionRecord lesion;
        lesion.seriesId = m_seriesId;
        lesion.label = tr("lesion %1").arg(lesions.ofSeries(m_seriesId).size() + 1).toStdString();
        lesion.firstSlice = lesion.lastSlice = m_roiSlice;
        lesion.box = {m_roi.x(), m_roi.y(), m_roi.width(), m_roi.height()};
        lesion.state = db::ReviewState::InProgress;
        m_lesionId = lesions.create(lesion);
        lesions.setReviewState(m_lesionId, db::ReviewState::InProgress);
        logger("store")->info("lesion {} stored ({})", m_lesionId, lesion.label);
        reloadBrowser();
    } catch (const std::exception& e) {
        showError(tr("Cannot store the lesion"), QString::fromStdString(e.what()));
    }
    return m_lesionId;
}

void MainWindow::saveRunInStore(const engine::SamplingResult& result, const engine::SamplingOptions& options) {
    if (!m_db || m_lesionId == 0 || !m_model || !m_crop) return;
    try {
        db::ModelRepository models(*m_db);
        db::ModelRecord model;
        model.path = m_model->source();
        model.sha256 = m_model->checksum();
        model.preset = m_model->provenance().preset.empty() ? "custom" : m_model->provenance().preset;
        const auto modelId = models.registerModel(model);
        db::SamplingRunRecord run;
        run.lesionId = m_lesionId;
        run.modelId = modelId;
        run.slice = m_crop->slice;
        run.solver = engine::solverName(options.solver);
        run.steps = options.steps;
        run.guidance = options.guidance;
        run.samples = options.samples;
        run.seed = static_cast<std::int64_t>(options.seed);
        run.durationSeconds = result.seconds;
        run.device = result.device;
        const auto id = db::RunRepository(*m_db).saveRun(
            run, {result.masks, result.maps.probability, result.maps.variance, result.maps.entropy});
        logger("store")->info("sampling run {} stored for lesion {}", id, m_lesionId);
    } catch (const std::exception& e) {
        showError(tr("The samples are shown but could not be stored"), QString::fromStdString(e.what()));
    }
}

void MainWindow::setReviewState(int state) {
    if (!m_db || m_lesionId == 0) {
        showError(tr("Cannot set the review state"), tr("no stored lesion is selected (sample one, or pick it in the study browser)"));
        return;
    }
    try {
        const auto s = static_cast<db::ReviewState>(state);
        db::LesionRepository(*m_db).setReviewState(m_lesionId, s);
        showMessage(tr("Lesion %1: %2").arg(m_lesionId).arg(QString::fromStdString(db::displayName(s))));
        reloadBrowser();
    } catch (const std::exception& e) {
        showError(tr("Cannot set the review state"), QString::fromStdString(e.what()));
    }
}

void MainWindow::refreshScene() {
    OverlayScene scene;
    const int slice = m_view->slice();
    if (!m_roi.isEmpty() && slice == m_roiSlice) scene.roi = QRectF(m_roi);
    if (m_crop && m_crop->slice == slice) {
        scene.cropRect = QRectF(m_crop->originX, m_crop->originY, m_crop->span, m_crop->span);
        scene.cropPixels = m_crop->image.width;
        const double opacity = m_results->opacity();
        if (!m_livePreview.empty()) {
            scene.trajectory = renderHeatmap(m_livePreview, 1.0F, opacity);
        } else if (m_result && m_player->isShownOnSlice()) {
            scene.trajectory = renderHeatmap(m_player->currentState(), 1.0F, opacity);
        } else if (m_result) {
            const auto& maps = m_result->maps;
            switch (m_results->heatmap()) {
            case ResultsPanel::Heatmap::Variance:
                scene.heatmap = renderHeatmap(maps.variance, m_results->heatmapMaximum(), opacity);
                break;
            case ResultsPanel::Heatmap::Entropy:
                scene.heatmap = renderHeatmap(maps.entropy, m_results->heatmapMaximum(), opacity);
                break;
            case ResultsPanel::Heatmap::Probability:
                scene.heatmap = renderHeatmap(maps.probability, m_results->heatmapMaximum(), opacity);
                break;
            case ResultsPanel::Heatmap::None:
                break;
            }
        }
        if (m_result && !m_player->isShownOnSlice()) {
            if (m_results->showSampleContours())
                for (const auto& mask : m_result->masks) scene.cropContours.push_back({maskContour(mask), QColor(0, 230, 255, 120), 1.0});
            if (m_results->showMajority()) {
                engine::Mask majority(m_result->maps.probability.height, m_result->maps.probability.width);
                for (size_t i = 0; i < majority.size(); ++i) majority.pixels[i] = m_result->maps.probability.pixels[i] >= 0.5F;
                scene.cropContours.push_back({maskContour(majority), QColor(255, 220, 0), 2.0});
            }
            const int selected = m_results->selectedSample();
            if (selected >= 0 && selected < static_cast<int>(m_result->masks.size()))
                scene.cropContours.push_back({maskContour(m_result->masks[static_cast<size_t>(selected)]), QColor(60, 255, 90), 2.5});
        }
    }
    if (m_db && m_lesionId != 0 && m_results->showExperts()) {
        static const QColor palette[] = {QColor(255, 90, 90), QColor(255, 150, 40), QColor(200, 100, 255), QColor(255, 120, 200)};
        try {
            size_t index = 0;
            for (const auto& a : db::AnnotationRepository(*m_db).latestForLesion(m_lesionId)) {
                if (a.slice != slice) continue;
                scene.sliceContours.push_back({maskContour(a.mask), palette[index++ % std::size(palette)], 1.5});
            }
        } catch (const std::exception& e) {
            logger("store")->warn("cannot read the lesion's annotations: {}", e.what());
        }
    }
    m_view->setScene(scene);
}

}  // namespace flowseg::ui
