#pragma once
// The review session in plain C++ (the way 3D Slicer's MRML scene or ITK-SNAP's
// GUI models hold what the views show): the open series, its lesions and their
// review states, the signed-in expert, the layers shown, the last sampling result
// of each lesion, and the undo stack — with the rules (what marking a lesion does,
// what a new result replaces) in one place, tested without a window. The window
// observes it and sends it commands; background work reaches it through a
// SessionHost, and store writes go through a StoreWriter off the GUI thread.

#include <cstdint>
#include <functional>
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
#include "flowseg/review/outline_tools.h"
#include "flowseg/review/undo_stack.h"

namespace flowseg::db {
class Database;
}
namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

class StoreWriter;

/// What changed, for observers (a bit set).
enum Change : unsigned {
    SeriesChanged = 1U << 0,
    LesionsChanged = 1U << 1,    ///< the stored lesions of the series (states, labels)
    SelectionChanged = 1U << 2,  ///< the current lesion or its box
    ResultChanged = 1U << 3,     ///< the current lesion's sampling result
    LayersChanged = 1U << 4,
    UndoChanged = 1U << 5,
    ExpertChanged = 1U << 6,
    SamplingChanged = 1U << 7,   ///< a run started or ended
    ModelChanged = 1U << 8,
    StoreChanged = 1U << 9,
    MessageChanged = 1U << 10,
    AnnotationsChanged = 1U << 11,  ///< experts' outlines, their states, the review mode
    ToolsChanged = 1U << 12,
};

/// The lesion box as drawn on a slice (slice pixel coordinates).
struct LesionBox {
    db::BoundingBox box;
    int slice = -1;
    [[nodiscard]] bool empty() const { return box.width <= 0 || box.height <= 0 || slice < 0; }
    bool operator==(const LesionBox& other) const {
        return slice == other.slice && box.x == other.box.x && box.y == other.box.y &&
               box.width == other.box.width && box.height == other.box.height;
    }
};

enum class Heatmap { Variance, Entropy, Probability, None };

/// What is drawn over the slice.
struct Layers {
    Heatmap heatmap = Heatmap::Variance;
    double opacity = 0.6;          ///< 0..1
    bool sampleContours = true;    ///< every sample's outline
    bool majority = true;          ///< the samples' majority outline
    bool experts = true;           ///< the experts' outlines from the store
    bool majorityConsensus = false;  ///< the experts' majority outline
    bool stapleConsensus = false;    ///< the experts' STAPLE consensus outline
    bool calipers = true;          ///< the signed-in expert's diameters on the slice
    int selectedSample = -1;       ///< outlined in green; -1 = none
    bool operator==(const Layers&) const = default;
};

/// The outline tools (3D Slicer's Segment Editor effects, in short).
enum class OutlineTool { None, Brush, Eraser, ThresholdBrush, Polygon };

struct ToolSettings {
    OutlineTool tool = OutlineTool::None;
    double brushRadiusMm = 3;   ///< brush and eraser
    double lowHu = -400;        ///< the threshold brush paints [lowHu, highHu]
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

/// A finished sampling run of one lesion box.
struct LesionResult {
    LesionBox box;
    LesionCrop crop;
    engine::SamplingResult result;
    engine::SamplingOptions options;
    std::vector<engine::TrajectoryFrame> trajectory;
    /// The model the samples came from (a version swapped in during the run
    /// applies from the next run on), and its name as the store knows it.
    std::shared_ptr<const engine::Model> model;
    std::string modelLabel;
};

/// What the host runs in the background for the session.
struct SamplingRequest {
    std::uint64_t id = 0;
    std::shared_ptr<const engine::Model> model;
    LesionCrop crop;
    engine::SamplingOptions options;
};

/// The session's way to background work: the window runs requests as tasks; a
/// test runs them however it likes. Completions come back through the session's
/// own methods, always on the session's thread.
class SessionHost {
public:
    virtual ~SessionHost() = default;
    virtual void startSampling(const SamplingRequest& request) = 0;
    virtual void cancelSampling(std::uint64_t requestId) = 0;
    /// Runs `work` later on the session's thread (store completions arrive on the
    /// writer's thread and come back through here).
    virtual void post(std::function<void()> work) = 0;
};

struct SessionMessage {
    std::string text;
    bool error = false;
};

class ReviewSession {
public:
    explicit ReviewSession(SessionHost& host);
    ~ReviewSession();
    ReviewSession(const ReviewSession&) = delete;
    ReviewSession& operator=(const ReviewSession&) = delete;

    using Observer = std::function<void(unsigned changes)>;
    /// Called after every command with the Change bits it caused. Returns a handle.
    int subscribe(Observer observer);
    void unsubscribe(int handle);

    // --- the store
    /// Opens (creating) the annotation store: a reading connection here and a
    /// writer thread. False, with the reason as the message, on failure.
    bool openStore(const std::string& path);
    [[nodiscard]] bool hasStore() const { return m_reader != nullptr; }
    [[nodiscard]] std::string storePath() const;
    /// The session's reading connection (browser, outlines); null without a store.
    [[nodiscard]] db::Database* reader() const { return m_reader.get(); }
    /// Blocks until every write so far is committed (closing the window, tests).
    void flushStore();
    /// Reads the series' lesions and the current lesion's outlines again (after an
    /// import by another connection).
    void reloadFromStore();

    // --- model and series
    void setModel(std::shared_ptr<const engine::Model> model);
    [[nodiscard]] const std::shared_ptr<const engine::Model>& model() const { return m_model; }
    // --- model versions (session_models.cpp)
    /// The store's model versions, oldest first (empty without a store).
    [[nodiscard]] std::vector<db::ModelRecord> modelVersions() const;
    /// What the session samples with, in words: the store's label for the
    /// loaded model's version, else its file name ("" without a model).
    [[nodiscard]] std::string modelLabel() const;
    /// Samples with model version `id` from now on and records it as the store's
    /// active version (promoting a new one or rolling back to an older one). A run
    /// in flight finishes with the model it started with. False, saying why, when
    /// the version or its file is gone or does not load; the model stays.
    bool useModelVersion(db::RowId id);
    /// Samples with the store's active version when that is another file than
    /// the model loaded (a fine-tune promoted in an earlier session).
    void adoptActiveModel();
    /// A loaded series (registered in the store as `seriesId`, 0 when not): its
    /// lesions are read, the box and the undo steps of the previous one forgotten.
    void setSeries(std::shared_ptr<const dicom::Series> series, db::RowId seriesId);
    [[nodiscard]] const std::shared_ptr<const dicom::Series>& series() const { return m_series; }
    [[nodiscard]] db::RowId seriesId() const { return m_seriesId; }
    /// The stored lesions of the series, with their review states.
    [[nodiscard]] const std::vector<db::LesionRecord>& lesions() const { return m_lesions; }

    // --- the lesion under review
    /// Marks (or re-marks) the lesion box: one undo step. A run for the old box
    /// is cancelled; the new box has no result until it is sampled.
    void markLesion(const LesionBox& box);
    /// Makes a stored lesion current (from the browser), with its last result of
    /// this session. Forgets the undo steps.
    void selectLesion(db::RowId lesionId);
    [[nodiscard]] const LesionBox& box() const;
    /// Store id of the current lesion; 0 until it is stored (its first run stores it).
    [[nodiscard]] db::RowId lesionId() const;
    /// Completed / flagged / ...: written to the store; needs a stored lesion.
    void setReviewState(db::ReviewState state);

    // --- sampling
    /// Samples the current box with `options`. Without a model, series or box it
    /// says why. While a run goes on, the new request replaces it: the run is
    /// cancelled and this one starts when it has stopped.
    void requestSampling(const engine::SamplingOptions& options);
    /// Cancels the running request (and any queued re-run).
    void cancelSampling();
    [[nodiscard]] bool isSampling() const { return m_inFlight.has_value(); }
    /// The crop the running request samples (its field on the slice), or null.
    [[nodiscard]] const LesionCrop* runningCrop() const { return m_inFlight ? &m_inFlight->crop : nullptr; }
    /// The host's report of request `id`: `result` when it succeeded, `error` when
    /// it failed, neither when cancelled. A result for a box that is no longer the
    /// current one's, or for a request that was replaced, is dropped. Returns
    /// whether a result landed (it becomes the lesion's result; no sample selected).
    bool samplingFinished(std::uint64_t id, std::optional<engine::SamplingResult> result,
                          std::vector<engine::TrajectoryFrame> trajectory, const std::string& error);
    /// The current lesion's last result, when it belongs to the current box.
    [[nodiscard]] const LesionResult* result() const;

    // --- what is shown, who reviews, undo, messages
    [[nodiscard]] const Layers& layers() const { return m_layers; }
    void setLayers(const Layers& layers);
    [[nodiscard]] const Expert& expert() const { return m_expert; }
    /// Signs an expert in (created in the store on first use). Refuses an empty name.
    void signIn(const Expert& expert);

    // --- experts' outlines of the current lesion (session_experts.cpp)
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
    /// The model's sample `index` of the current result, or its majority (p >= 0.5),
    /// as the signed-in expert's editable outline on the result's slice.
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
    [[nodiscard]] const SessionMessage& message() const { return m_message; }
    /// A message from outside the session's commands (a failed load, ...).
    void report(const std::string& text, bool error);

private:
    /// One lesion box under review in this session: stored or not yet.
    struct Draft {
        LesionBox box;
        db::RowId storeId = 0;
        /// Filled on the writer thread by the job that stores the lesion; read only
        /// there by the jobs queued after it (same thread, in order).
        std::shared_ptr<db::RowId> storeCell;
        std::optional<LesionResult> result;
    };
    struct InFlight {
        std::uint64_t id = 0;
        std::uint64_t draft = 0;
        LesionBox box;
        LesionCrop crop;
        engine::SamplingOptions options;
        std::shared_ptr<const engine::Model> model;
        std::string modelLabel;
    };

    Draft* current();
    [[nodiscard]] const Draft* current() const;
    void setCurrent(std::uint64_t draft, unsigned changes);
    void startRun(const engine::SamplingOptions& options);
    void notify(unsigned changes);
    void say(const std::string& text, bool error, unsigned changes = 0);
    // session_store.cpp: everything that reads or writes the store
    void reloadLesions();
    std::shared_ptr<db::RowId> storeLesion(Draft& draft);
    void storeRun(Draft& draft, const LesionResult& result);
    void write(std::function<void(db::Database&)> job, std::function<void(const std::string&)> done);
    // session_experts.cpp
    void reloadOutlines();
    void applyOutline(std::uint64_t draftKey, int slice, const common::Mask& outline, db::AnnotationSource source);

    SessionHost& m_host;
    std::vector<std::pair<int, Observer>> m_observers;
    int m_nextObserver = 1;
    std::unique_ptr<db::Database> m_reader;
    std::unique_ptr<StoreWriter> m_writer;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);  // store completions check it
    std::shared_ptr<const engine::Model> m_model;
    std::shared_ptr<const dicom::Series> m_series;
    db::RowId m_seriesId = 0;
    std::vector<db::LesionRecord> m_lesions;
    std::map<std::uint64_t, Draft> m_drafts;
    std::uint64_t m_current = 0;  // key into m_drafts; 0 = none
    std::uint64_t m_nextDraft = 1;
    std::optional<InFlight> m_inFlight;
    std::optional<engine::SamplingOptions> m_rerun;
    std::uint64_t m_nextRequest = 1;
    Layers m_layers;
    Expert m_expert;
    ReviewMode m_mode = ReviewMode::Open;
    ToolSettings m_tools;
    ExpertOutlines m_outlines;
    UndoStack m_undo;
    SessionMessage m_message;
};

}  // namespace flowseg::review
