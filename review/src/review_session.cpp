// The review session's rules: the series, marking and selecting lesions, layers.
// Sampling is in session_sampling.cpp, what it stores in session_records.cpp, the
// experts in session_experts.cpp and outline_edits.cpp.
#include "flowseg/review/review_session.h"

#include <algorithm>

#include "flowseg/db/accounts.h"

namespace flowseg::review {

ReviewSession::ReviewSession(SessionHost& host) : m_host(host), m_store(host) {
    m_undo.setChangedCallback([this] { m_events.notify(Change::Undo); });
    m_store.setConnectionListener([this](bool offline, std::size_t queued) {
        if (offline)
            say("The server does not answer: your edits are kept here in order (" +
                    std::to_string(queued) + " waiting) and written when it is back; keep working.",
                true, Change::Store);
        else
            say("The server answers again: the waiting edits are written" +
                    std::string(queued ? " (" + std::to_string(queued) + " to go)." : "."),
                false, Change::Store);
    });
    m_store.setChangeListener(
        [this](const std::vector<db::StoreChange>& changes) { othersChanged(changes); });
}

ReviewSession::~ReviewSession() { m_undo.setChangedCallback({}); }

void ReviewSession::setSeries(std::shared_ptr<const dicom::Series> series, db::RowId seriesId) {
    if (const auto running = m_sampling.cancel()) m_host.cancelSampling(running);
    m_series = std::move(series);
    m_seriesId = seriesId;
    m_drafts.clear();
    m_outlines.clear();
    m_undo.clear();
    reloadLesions();
    const Changes changes = Change::Series | Change::Lesions | Change::Selection | Change::Result |
                            Change::Undo | Change::Annotations;
    if (!m_series) {
        m_events.notify(changes);
        return;
    }
    say(m_series->patientName + ": " + std::to_string(m_series->depth) + " slices of " +
            std::to_string(m_series->width) + " x " + std::to_string(m_series->height) + " (" +
            m_series->seriesDescription + "). Press D and drag around a lesion.",
        false, changes);
}

void ReviewSession::setCurrent(LesionDrafts::Key draft, Changes changes) {
    if (!m_drafts.contains(draft)) draft = 0;  // a box of a series since closed
    // A run for another box must not land on this one.
    if (const auto running = m_sampling.cancelUnlessFor(draft)) m_host.cancelSampling(running);
    if (m_drafts.setCurrent(draft)) {
        reloadOutlines();  // the experts' outlines of the lesion now under review
        changes |= Change::Annotations;
        if (m_layers.selectedSample >= 0) {
            m_layers.selectedSample = -1;
            changes |= Change::Layers;
        }
    }
    m_events.notify(changes | Change::Selection | Change::Result);
}

void ReviewSession::markLesion(const LesionBox& box) {
    const auto before = m_drafts.currentKey();
    const auto after = box.empty() ? LesionDrafts::Key{0} : m_drafts.add(box);
    m_undo.push({"Mark lesion", [this, before] { setCurrent(before, {}); },
                 [this, after, box] {
                     setCurrent(after, {});
                     if (!box.empty())
                         say("Lesion marked on slice " + std::to_string(box.slice + 1) + " (" +
                                 std::to_string(box.box.width) + " x " +
                                 std::to_string(box.box.height) + " px). Press S to sample.",
                             false);
                 }});
}

void ReviewSession::selectLesion(db::RowId lesionId) {
    const auto record =
        std::find_if(m_lesions.begin(), m_lesions.end(),
                     [lesionId](const db::LesionRecord& l) { return l.id == lesionId; });
    if (record == m_lesions.end()) {
        say("Lesion " + std::to_string(lesionId) + " is not a lesion of the open series.", true);
        return;
    }
    auto key = m_drafts.findStored(lesionId);
    const bool fresh = key == 0;
    if (fresh) key = m_drafts.add({record->box, record->firstSlice}, lesionId);
    m_undo.clear();
    setCurrent(key, Change::Undo);
    // The audit trail: who opened which lesion (on a server the actor is the login).
    m_store.write([lesionId, actor = m_expert.name](db::Database& database) {
        db::AuditRepository(database).record("opened", "lesion " + std::to_string(lesionId), "",
                                             actor);
    });
    if (fresh) {
        // A lesion outlined on several slices is reviewed on its key slice: where
        // the experts' outlines together are largest.
        const int key = m_outlines.keySlice();
        if (key >= 0 && key != box().slice) {
            m_drafts.current()->box.slice = key;
            m_events.notify(Change::Selection);
        }
    }
    say(record->label + " (" + db::displayName(record->state) + ").", false);
}

void ReviewSession::setWholeNodule(bool whole) {
    if (whole == m_wholeNodule) return;
    m_wholeNodule = whole;
    m_events.notify(Change::Sampling);
}

void ReviewSession::setLayers(const Layers& layers) {
    if (layers == m_layers) return;
    m_layers = layers;
    m_events.notify(Change::Layers);
}

}  // namespace flowseg::review
