#pragma once
// The review session in plain C++, composed of small models the way ITK-SNAP's
// GlobalUIModel composes its own: the events (typed changes, the message), the
// store (a reading connection, writes off the GUI thread), the model versions,
// the lesion boxes under review with their results, the sampling queue, the
// experts' outlines. This class holds what ties them: the open series and its
// lesions, what marking or selecting a lesion does, what a new result replaces,
// the layers shown, the signed-in expert, undo. The window observes the events
// and sends commands; background work reaches it through a SessionHost.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/lesion_agreement.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/lesion_drafts.h"
#include "flowseg/review/model_versions.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/review/sampling_cost.h"
#include "flowseg/review/sampling_queue.h"
#include "flowseg/review/session_events.h"
#include "flowseg/review/session_host.h"
#include "flowseg/review/session_store.h"
#include "flowseg/review/undo_stack.h"

namespace flowseg::review {

enum class Heatmap { Variance, Entropy, Probability, None };

/// What is drawn over the slice.
struct Layers {
    Heatmap heatmap = Heatmap::Variance;
    double opacity = 0.6;            ///< 0..1
    bool sampleContours = true;      ///< every sample's outline
    bool majority = true;            ///< the samples' majority outline
    bool experts = true;             ///< the experts' outlines from the store
    bool majorityConsensus = false;  ///< the experts' majority outline
    bool stapleConsensus = false;    ///< the experts' STAPLE consensus outline
    bool calipers = true;            ///< the signed-in expert's diameters on the slice
    int selectedSample = -1;         ///< outlined in green; -1 = none
    bool operator==(const Layers&) const = default;
};

/// The outline tools (3D Slicer's Segment Editor effects, in short).
enum class OutlineTool { None, Brush, Eraser, ThresholdBrush, Polygon };

struct ToolSettings {
    OutlineTool tool = OutlineTool::None;
    double brushRadiusMm = 3;  ///< brush and eraser
    double lowHu = -400;       ///< the threshold brush paints [lowHu, highHu]
    double highHu = 300;
    bool operator==(const ToolSettings&) const = default;
};

/// The signed-in expert: every outline they draw is stored under their name.
struct Expert {
    std::string name;
    std::string role = "radiologist";
};

/// A lesion of the series and how uncertain the model was about it.
struct RankedLesion {
    db::LesionRecord lesion;
    double uncertaintyMass = 0;  ///< Σ p(1 - p) of its newest stored run, pixels
    bool sampled = false;        ///< it has a stored run
};

class ReviewSession {
public:
    explicit ReviewSession(SessionHost& host);
    ~ReviewSession();
    ReviewSession(const ReviewSession&) = delete;
    ReviewSession& operator=(const ReviewSession&) = delete;

    // --- the composed models
    /// Observers subscribe here; the last message is here.
    [[nodiscard]] SessionEvents& events() { return m_events; }
    [[nodiscard]] const SessionEvents& events() const { return m_events; }
    /// The annotation store (reading connection, path, flush); open it with openStore.
    [[nodiscard]] SessionStore& store() { return m_store; }
    [[nodiscard]] const SessionStore& store() const { return m_store; }
    /// The model sampled with, and the store's versions of it.
    [[nodiscard]] ModelVersions& models() { return m_models; }
    [[nodiscard]] const ModelVersions& models() const { return m_models; }

    // --- the store
    /// Opens (creating) the annotation store. False, with the reason as the
    /// message, on failure. The lesions are read from it.
    bool openStore(const std::string& path);
    /// Reads the series' lesions and the current lesion's outlines again (after an
    /// import by another connection).
    void reloadFromStore();

    // --- the series
    /// A loaded series (registered in the store as `seriesId`, 0 when not): its
    /// lesions are read, the box and the undo steps of the previous one forgotten.
    void setSeries(std::shared_ptr<const dicom::Series> series, db::RowId seriesId);
    [[nodiscard]] const std::shared_ptr<const dicom::Series>& series() const { return m_series; }
    [[nodiscard]] db::RowId seriesId() const { return m_seriesId; }
    /// The stored lesions of the series, with their review states.
    [[nodiscard]] const std::vector<db::LesionRecord>& lesions() const { return m_lesions; }

    // --- the lesion under review (review_session.cpp)
    /// Marks (or re-marks) the lesion box: one undo step. A run for the old box
    /// is cancelled; the new box has no result until it is sampled.
    void markLesion(const LesionBox& box);
    /// Makes a stored lesion current (from the browser), with its last result of
    /// this session. Forgets the undo steps.
    void selectLesion(db::RowId lesionId);
    [[nodiscard]] const LesionBox& box() const { return m_drafts.box(); }
    /// Store id of the current lesion; 0 until it is stored (its first run stores it).
    [[nodiscard]] db::RowId lesionId() const { return m_drafts.lesionId(); }
    /// Completed / flagged / ...: written to the store; needs a stored lesion.
    void setReviewState(db::ReviewState state);

    // --- sampling (session_sampling.cpp)
    /// Samples the current box with `options`. Without a model, series or box it
    /// says why. While a run goes on, the new request replaces it: the run is
    /// cancelled and this one starts when it has stopped.
    void requestSampling(const engine::SamplingOptions& options);
    /// Cancels the running request (and any queued re-run).
    void cancelSampling();
    [[nodiscard]] bool isSampling() const { return m_sampling.busy(); }
    /// The crop the running request samples (its field on the slice), or null.
    [[nodiscard]] const LesionCrop* runningCrop() const {
        return m_sampling.running() ? &m_sampling.running()->crop : nullptr;
    }
    /// The host's report of request `id`: `result` when it succeeded, `error` when
    /// it failed, neither when cancelled. A result for a box that is no longer the
    /// current one's, or for a request that was replaced, is dropped. Returns
    /// whether a result landed (it becomes the lesion's result; no sample selected).
    /// A whole nodule's run gives every slice's samples in `nodule` (`result` is
    /// then its key slice's).
    bool samplingFinished(std::uint64_t id, std::optional<engine::SamplingResult> result,
                          std::vector<engine::TrajectoryFrame> trajectory, const std::string& error,
                          std::optional<NoduleSamples> nodule = {});
    /// Whether a run samples the whole nodule (every slice the experts outlined,
    /// or the box's, growing while a sample continues; kMaxNoduleSlices at most)
    /// or the key slice alone.
    [[nodiscard]] bool wholeNodule() const { return m_wholeNodule; }
    void setWholeNodule(bool whole);
    /// The current model's default sampling (a distilled student's jumps, else
    /// the fast ODE setting); fastDefault() without a model.
    [[nodiscard]] engine::SamplingOptions defaultSampling() const;
    /// What sampling the current lesion with `options` would cost, from the rate
    /// of this machine's earlier runs.
    [[nodiscard]] SamplingCost samplingCost(const engine::SamplingOptions& options) const;
    /// Seconds per network pass measured on the last run (0 before any run); the
    /// window keeps it across sessions.
    [[nodiscard]] double secondsPerPass() const { return m_secondsPerPass; }
    void setSecondsPerPass(double seconds) { m_secondsPerPass = seconds; }
    /// The current lesion's last result, when it belongs to the current box.
    [[nodiscard]] const LesionResult* result() const { return m_drafts.result(); }

    // --- what is shown, who reviews, undo, messages
    [[nodiscard]] const Layers& layers() const { return m_layers; }
    void setLayers(const Layers& layers);
    [[nodiscard]] const Expert& expert() const { return m_expert; }
    /// Signs an expert in (created in the store on first use). Refuses an empty name.
    void signIn(const Expert& expert);

    // --- experts' outlines of the current lesion (session_experts.cpp, outline_edits.cpp)
    [[nodiscard]] ReviewMode reviewMode() const { return m_mode; }
    void setReviewMode(ReviewMode mode);
    [[nodiscard]] const ExpertOutlines& outlines() const { return m_outlines; }
    /// The layers the signed-in expert may see (ExpertOutlines::shownTo).
    [[nodiscard]] std::vector<const ExpertLayer*> shownLayers() const;
    /// Whether the signed-in expert may see the others' work (open review, or a
    /// blind review they have completed): their outlines, consensus, agreement.
    [[nodiscard]] bool seesOthers() const;
    void setExpertVisible(const std::string& expertName, bool visible);
    /// Reads the current lesion's outlines from the store again (other experts may
    /// share it); this expert's own edits are committed first, so none is lost.
    void refreshOutlines();
    /// The signed-in expert's outline on `slice`, or null.
    [[nodiscard]] const common::Mask* ownOutline(int slice) const;
    /// Replaces the signed-in expert's outline of the current lesion on `slice`
    /// (a slice-sized mask): one undo step named `what`, saved as a new version
    /// (undoing saves the outline before it as another). Stores the lesion first
    /// when it is not stored yet. Says why when there is no lesion or expert.
    void editOutline(int slice, common::Mask outline, const std::string& what,
                     db::AnnotationSource source = db::AnnotationSource::Manual);
    /// The same on several slices at once (slice -> outline): one undo step; a
    /// version for each slice that changes.
    void editOutlines(std::map<int, common::Mask> outlines, const std::string& what,
                      db::AnnotationSource source = db::AnnotationSource::Manual);
    /// The model's sample `index` of the current result, or its majority (p >= 0.5),
    /// as the signed-in expert's editable outline on every slice the result spans
    /// (a nodule's sample k through its slices; the key slice for a key-slice run).
    void acceptSample(int index);
    void acceptMajority();
    /// The tools, applied to the signed-in expert's outline on `slice` (slice pixel
    /// coordinates), each one undo step: a brush / eraser / threshold-brush stroke
    /// with the tool settings' radius and HU range, a filled polygon, filled holes.
    void stroke(int slice, const std::vector<SlicePoint>& path);
    void fillPolygon(int slice, const std::vector<SlicePoint>& polygon);
    void fillHoles(int slice);
    [[nodiscard]] const ToolSettings& tools() const { return m_tools; }
    void setTools(const ToolSettings& tools);
    /// The agreement of the current lesion's outlines (and the model's result).
    [[nodiscard]] LesionAgreement agreement() const;
    /// Saves the current agreement in the store (with the lesion's newest run).
    void recordAgreement();
    /// The series' stored lesions, most uncertain (largest uncertainty mass) first;
    /// lesions never sampled last.
    [[nodiscard]] std::vector<RankedLesion> ambiguityQueue() const;
    [[nodiscard]] UndoStack& undoStack() { return m_undo; }
    [[nodiscard]] const UndoStack& undoStack() const { return m_undo; }

private:
    void setCurrent(LesionDrafts::Key draft, Changes changes);
    void startRun(const engine::SamplingOptions& options);
    void say(const std::string& text, bool error, Changes changes = {}) {
        m_events.say(text, error, changes);
    }
    // session_store.cpp: what the session reads from and writes to the store
    void reloadLesions();
    /// Another workstation committed `changes` (a server store's feed): the lesion
    /// list and the current lesion's outlines are read again and the status line
    /// says who did what; this expert's own outlines stay as they are here.
    void othersChanged(const std::vector<db::StoreChange>& changes);
    std::shared_ptr<db::RowId> storeLesion(LesionDrafts::Key key);
    void storeRun(LesionDrafts::Key key, const LesionResult& result);
    [[nodiscard]] bool storesLesions() const { return m_store.isOpen() && m_seriesId != 0; }
    // session_experts.cpp
    void reloadOutlines();
    void applyOutline(LesionDrafts::Key draftKey, int slice, const common::Mask& outline,
                      db::AnnotationSource source);

    SessionHost& m_host;
    SessionEvents m_events;
    SessionStore m_store;
    ModelVersions m_models{m_store, m_events};
    std::shared_ptr<const dicom::Series> m_series;
    db::RowId m_seriesId = 0;
    std::vector<db::LesionRecord> m_lesions;
    LesionDrafts m_drafts;
    SamplingQueue m_sampling;
    Layers m_layers;
    Expert m_expert;
    ReviewMode m_mode = ReviewMode::Open;
    ToolSettings m_tools;
    bool m_wholeNodule = true;
    double m_secondsPerPass = 0;
    ExpertOutlines m_outlines;
    UndoStack m_undo;
};

}  // namespace flowseg::review
