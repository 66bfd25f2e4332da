// The review session's rules: marking and selecting lesions, sampling requests
// and what their results replace, layers, the expert, messages. The store side is
// in session_store.cpp.
#include "flowseg/review/review_session.h"

#include <algorithm>
#include <cstdio>

#include "flowseg/db/database.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/review/model_fitness.h"
#include "flowseg/review/store_writer.h"

namespace flowseg::review {

namespace {

std::string formatSeconds(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", seconds);
    return text;
}

}  // namespace

ReviewSession::ReviewSession(SessionHost& host) : m_host(host) {
    m_undo.setChangedCallback([this] { notify(UndoChanged); });
}

ReviewSession::~ReviewSession() {
    m_undo.setChangedCallback({});
    m_writer.reset();  // commits what is queued; its completions find m_alive gone
    m_alive.reset();
}

int ReviewSession::subscribe(Observer observer) {
    m_observers.emplace_back(m_nextObserver, std::move(observer));
    return m_nextObserver++;
}

void ReviewSession::unsubscribe(int handle) {
    std::erase_if(m_observers, [handle](const auto& entry) { return entry.first == handle; });
}

void ReviewSession::notify(unsigned changes) {
    if (changes == 0) return;
    const auto observers = m_observers;  // an observer may unsubscribe
    for (const auto& [handle, observer] : observers) observer(changes);
}

void ReviewSession::say(const std::string& text, bool error, unsigned changes) {
    m_message = {text, error};
    notify(changes | MessageChanged);
}

void ReviewSession::report(const std::string& text, bool error) { say(text, error); }

void ReviewSession::setModel(std::shared_ptr<const engine::Model> model) {
    m_model = std::move(model);
    if (!m_model) {
        notify(ModelChanged);
        return;
    }
    say("Model " + m_model->source() + " ready on " + m_model->device() + ".", false, ModelChanged);
}

void ReviewSession::setSeries(std::shared_ptr<const dicom::Series> series, db::RowId seriesId) {
    if (m_inFlight) m_host.cancelSampling(m_inFlight->id);
    m_rerun.reset();
    m_series = std::move(series);
    m_seriesId = seriesId;
    m_drafts.clear();
    m_current = 0;
    m_outlines.clear();
    m_undo.clear();
    reloadLesions();
    if (!m_series) {
        notify(SeriesChanged | LesionsChanged | SelectionChanged | ResultChanged | UndoChanged | AnnotationsChanged);
        return;
    }
    say(m_series->patientName + ": " + std::to_string(m_series->depth) + " slices of " +
            std::to_string(m_series->width) + " x " + std::to_string(m_series->height) + " (" +
            m_series->seriesDescription + "). Press D and drag around a lesion.",
        false, SeriesChanged | LesionsChanged | SelectionChanged | ResultChanged | UndoChanged | AnnotationsChanged);
}

ReviewSession::Draft* ReviewSession::current() {
    const auto it = m_drafts.find(m_current);
    return it == m_drafts.end() ? nullptr : &it->second;
}

const ReviewSession::Draft* ReviewSession::current() const {
    const auto it = m_drafts.find(m_current);
    return it == m_drafts.end() ? nullptr : &it->second;
}

const LesionBox& ReviewSession::box() const {
    static const LesionBox none;
    const auto* draft = current();
    return draft ? draft->box : none;
}

db::RowId ReviewSession::lesionId() const {
    const auto* draft = current();
    return draft ? draft->storeId : 0;
}

const LesionResult* ReviewSession::result() const {
    const auto* draft = current();
    return draft && draft->result ? &*draft->result : nullptr;
}

void ReviewSession::setCurrent(std::uint64_t draft, unsigned changes) {
    // A run for another box must not land on this one.
    if (m_inFlight && m_inFlight->draft != draft) {
        m_rerun.reset();
        m_host.cancelSampling(m_inFlight->id);
    }
    const bool moved = m_current != draft;
    m_current = draft;
    if (moved) {
        reloadOutlines();  // the experts' outlines of the lesion now under review
        changes |= AnnotationsChanged;
    }
    if (moved && m_layers.selectedSample >= 0) {
        m_layers.selectedSample = -1;
        changes |= LayersChanged;
    }
    notify(changes | SelectionChanged | ResultChanged);
}

void ReviewSession::markLesion(const LesionBox& box) {
    const std::uint64_t before = m_current;
    std::uint64_t after = 0;
    if (!box.empty()) {
        after = m_nextDraft++;
        m_drafts[after].box = box;
    }
    m_undo.push({"Mark lesion", [this, before] { setCurrent(m_drafts.count(before) ? before : 0, 0); },
                 [this, after, box] {
                     setCurrent(m_drafts.count(after) ? after : 0, 0);
                     if (!box.empty())
                         say("Lesion marked on slice " + std::to_string(box.slice + 1) + " (" +
                             std::to_string(box.box.width) + " x " + std::to_string(box.box.height) +
                             " px). Press S to sample.",
                             false);
                 }});
}

void ReviewSession::selectLesion(db::RowId lesionId) {
    const auto record = std::find_if(m_lesions.begin(), m_lesions.end(),
                                     [lesionId](const db::LesionRecord& l) { return l.id == lesionId; });
    if (record == m_lesions.end()) {
        say("Lesion " + std::to_string(lesionId) + " is not a lesion of the open series.", true);
        return;
    }
    std::uint64_t key = 0;
    for (const auto& [k, draft] : m_drafts)
        if (draft.storeId == lesionId) key = k;
    const bool fresh = key == 0;
    if (fresh) {
        key = m_nextDraft++;
        auto& draft = m_drafts[key];
        draft.box = {record->box, record->firstSlice};
        draft.storeId = lesionId;
    }
    m_undo.clear();
    setCurrent(key, UndoChanged);
    if (fresh) {
        // A lesion outlined on several slices is reviewed on its key slice: where
        // the experts' outlines together are largest.
        std::map<int, long> area;
        for (const auto* layer : m_outlines.layers())
            for (const auto& [slice, mask] : layer->slices) area[slice] += mask.area();
        const auto key = std::max_element(area.begin(), area.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
        if (key != area.end() && key->second > 0 && key->first != box().slice) {
            current()->box.slice = key->first;
            notify(SelectionChanged);
        }
    }
    say(record->label + " (" + db::displayName(record->state) + ").", false);
}

void ReviewSession::requestSampling(const engine::SamplingOptions& options) {
    if (!m_model) {
        say("Cannot sample: no model is loaded (File > Load model, or start with --model FILE)", true);
        return;
    }
    if (!m_series) {
        say("Cannot sample: no series is loaded (File > Open DICOM folder)", true);
        return;
    }
    if (box().empty()) {
        say("Cannot sample: no lesion is marked: press D and drag a box around it", true);
        return;
    }
    if (const auto notes = checkModelFitness(*m_series); refuses(notes)) {
        say("Cannot sample: " + describe(notes), true);
        return;
    }
    if (m_inFlight) {  // the new request (a moved w slider, say) replaces the running one
        m_rerun = options;
        m_host.cancelSampling(m_inFlight->id);
        return;
    }
    startRun(options);
}

void ReviewSession::startRun(const engine::SamplingOptions& options) {
    auto* draft = current();
    if (!draft || !m_model || !m_series) return;
    InFlight flight;
    try {
        flight.crop = cropLesion(*m_series, draft->box.slice, draft->box.box,
                                 static_cast<int>(m_model->options().image_size()));
    } catch (const std::exception& e) {
        say(std::string("Cannot sample: ") + e.what(), true);
        return;
    }
    if (m_writer && m_seriesId != 0) storeLesion(*draft);  // its first run stores the lesion
    flight.id = m_nextRequest++;
    flight.draft = m_current;
    flight.box = draft->box;
    flight.options = options;
    flight.model = m_model;
    flight.modelLabel = modelLabel();
    m_inFlight = flight;
    m_host.startSampling({flight.id, m_model, flight.crop, options});
    say("Sampling " + std::to_string(options.samples) + " masks (" + options.describe() + ")", false,
        SamplingChanged);
}

void ReviewSession::cancelSampling() {
    m_rerun.reset();
    if (!m_inFlight) return;
    m_host.cancelSampling(m_inFlight->id);
    say("Cancelling...", false);
}

bool ReviewSession::samplingFinished(std::uint64_t id, std::optional<engine::SamplingResult> result,
                                     std::vector<engine::TrajectoryFrame> trajectory, const std::string& error) {
    if (!m_inFlight || m_inFlight->id != id) return false;  // a request replaced long ago
    const InFlight flight = std::move(*m_inFlight);
    m_inFlight.reset();
    const auto draft = m_drafts.find(flight.draft);
    // A result lands only on the box it was drawn for, and only while that box is
    // the one under review (re-marking cancels; a cancel after the last step still counts).
    const bool lands = result && draft != m_drafts.end() && flight.draft == m_current;
    if (lands) {
        auto& landed = draft->second.result;
        m_layers.selectedSample = -1;  // a sample index of the old result means nothing now
        landed = LesionResult{flight.box,  flight.crop,  std::move(*result), flight.options, std::move(trajectory),
                              flight.model, flight.modelLabel};
        if (m_writer && m_seriesId != 0) storeRun(draft->second, *landed);
        const auto& r = landed->result;
        // What the model was not made for stays in the message beside the result.
        const auto notes = m_series ? checkModelFitness(*m_series) : std::vector<FitnessNote>{};
        say(std::to_string(r.masks.size()) + " samples in " + formatSeconds(r.seconds) + " s (" +
                std::to_string(r.networkPasses) + " network passes, " + flight.options.describe() + ") from model " +
                flight.modelLabel + "." + (notes.empty() ? "" : " Caution: " + describe(notes)),
            !notes.empty(), SamplingChanged | ResultChanged | LayersChanged);
    } else if (!error.empty()) {
        say("Sampling failed: " + error, true, SamplingChanged);
    } else {
        say("Sampling cancelled; nothing was changed.", false, SamplingChanged);
    }
    if (m_rerun) {
        const auto options = *m_rerun;
        m_rerun.reset();
        requestSampling(options);
    }
    return lands;
}

void ReviewSession::setLayers(const Layers& layers) {
    if (layers == m_layers) return;
    m_layers = layers;
    notify(LayersChanged);
}


}  // namespace flowseg::review
