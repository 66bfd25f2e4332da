// What the review session reads from and writes to its store: the series'
// lesions, a lesion's first storing, its runs, its review state. Every write
// goes through the SessionStore's writer and is reported only once committed.
#include <algorithm>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/review/review_session.h"
#include "flowseg/review/run_record.h"

namespace flowseg::review {

bool ReviewSession::openStore(const std::string& path) {
    try {
        m_store.open(path);
    } catch (const std::exception& e) {
        say(std::string("Cannot open the annotation store: ") + e.what(), true, Change::Store);
        return false;
    }
    m_drafts.forgetStoreIds();  // ids of another store mean nothing in this one
    m_seriesId = 0;
    reloadLesions();
    const auto& store = *m_store.reader();
    if (const auto login = store.currentUser(); !login.empty()) {
        // On a server the expert is the login, and blind review is the server's rule.
        signIn({login, "radiologist"});
        say("Department store " + store.path() + " (schema " +
                std::to_string(store.schemaVersion()) + "), signed in as " + login +
                ": the server shows each reader only their own outlines until they complete "
                "the lesion.",
            false, Change::Store | Change::Lesions | Change::Selection);
        return true;
    }
    say("Annotation store " + store.path() + " (schema " + std::to_string(store.schemaVersion()) +
            ").",
        false, Change::Store | Change::Lesions | Change::Selection);
    return true;
}

void ReviewSession::reloadFromStore() {
    m_store.flush();
    reloadLesions();
    refreshOutlines();
    m_events.notify(Change::Lesions | Change::Annotations);
}

void ReviewSession::reloadLesions() {
    m_lesions.clear();
    if (!m_store.isOpen() || m_seriesId == 0) return;
    try {
        m_lesions = db::LesionRepository(*m_store.reader()).ofSeries(m_seriesId);
    } catch (const std::exception& e) {
        say(std::string("Cannot read the annotation store: ") + e.what(), true);
    }
}

namespace {

/// What another workstation's change was, in words, and its weight: of one
/// commit's changes the status line tells the heaviest (an outline saved also
/// widens its lesion's slice range: the outline is the news).
struct ChangeNews {
    const char* words;
    int weight;
};
ChangeNews newsOf(const db::StoreChange& change) {
    if (change.table == "annotation_version") return {"saved an outline of", 3};
    if (change.table == "expert_review") return {"changed their review state of", 2};
    if (change.table == "sampling_run") return {"sampled", 1};
    return {"marked or changed", 0};
}

}  // namespace

void ReviewSession::othersChanged(const std::vector<db::StoreChange>& changes) {
    bool lesions = false;
    bool current = false;
    const db::StoreChange* told = nullptr;  // what the status line says
    for (const auto& change : changes) {
        if (change.everything()) {  // the feed lost the server a while: read all again
            lesions = current = true;
            continue;
        }
        // Our own commits come back too (the same login on another workstation
        // is the same reader: their work shows on reload).
        if (change.login == m_expert.name) continue;
        if (change.table == "model") {  // a steward promoted or rolled back a version
            m_models.adoptActive();
            continue;
        }
        if (change.seriesId != m_seriesId || m_seriesId == 0) continue;
        lesions = true;
        current = current || (change.lesionId != 0 && change.lesionId == lesionId());
        if (!told || newsOf(change).weight >= newsOf(*told).weight) told = &change;
    }
    if (!lesions && !current) return;
    Changes what;
    if (lesions) {
        reloadLesions();
        what |= Change::Lesions;
    }
    if (current && m_drafts.current() && m_drafts.current()->storeId != 0) {
        // This expert's outlines here are the truth: edits may still wait to be written.
        std::optional<ExpertLayer> mine;
        if (const auto* own = m_outlines.find(m_expert.name)) mine = *own;
        reloadOutlines();
        if (mine) m_outlines.layer(mine->expert).slices = mine->slices;
        what |= Change::Annotations;
    }
    if (!told) {
        m_events.notify(what);
        return;
    }
    const auto lesion =
        std::find_if(m_lesions.begin(), m_lesions.end(),
                     [&](const db::LesionRecord& l) { return l.id == told->lesionId; });
    say(told->login + " " + newsOf(*told).words + " " +
            (lesion != m_lesions.end() ? lesion->label
                                       : "lesion " + std::to_string(told->lesionId)) +
            (told->lesionId == lesionId() ? " (the one open here)" : "") + ".",
        false, what);
}

std::shared_ptr<db::RowId> ReviewSession::storeLesion(LesionDrafts::Key key) {
    auto* draft = m_drafts.find(key);
    if (!draft) return std::make_shared<db::RowId>(0);
    if (draft->storeCell) return draft->storeCell;
    auto cell = std::make_shared<db::RowId>(draft->storeId);
    draft->storeCell = cell;
    if (draft->storeId != 0) return cell;
    const auto box = draft->box;
    const auto seriesId = m_seriesId;
    m_store.write(
        [cell, box, seriesId](db::Database& database) {
            db::LesionRepository lesions(database);
            db::LesionRecord lesion;
            lesion.seriesId = seriesId;
            lesion.label = "lesion " + std::to_string(lesions.ofSeries(seriesId).size() + 1);
            lesion.firstSlice = lesion.lastSlice = box.slice;
            lesion.box = box.box;
            lesion.state = db::ReviewState::InProgress;
            *cell = lesions.create(lesion);
            lesions.setReviewState(*cell, db::ReviewState::InProgress);
        },
        [this, key, cell](const std::string& error) {
            if (!error.empty()) {
                say("Cannot store the lesion: " + error, true);
                return;
            }
            if (auto* stored = m_drafts.find(key)) stored->storeId = *cell;
            reloadLesions();
            m_events.notify(Change::Lesions | Change::Selection);
        });
    return cell;
}

void ReviewSession::storeRun(LesionDrafts::Key key, const LesionResult& landed) {
    // The model the samples came from, not the one swapped in since.
    const auto& sampler = landed.model ? landed.model : m_models.current();
    if (!sampler) return;
    const auto cell = storeLesion(key);
    auto record = runToStore(*sampler, landed.crop.slice, landed.options, landed.result,
                             landed.slices, landed.coherent);
    m_store.write(
        [cell, record = std::move(record)](db::Database& database) mutable {
            if (*cell == 0) throw std::runtime_error("its lesion could not be stored");
            saveRun(database, *cell, std::move(record));
        },
        [this](const std::string& error) {
            if (!error.empty())
                say("The samples are shown but could not be stored: " + error, true);
        });
}

void ReviewSession::setReviewState(db::ReviewState state) {
    const auto* draft = m_drafts.current();
    if (!m_store.isOpen() || !draft || !draft->stored()) {
        say("Cannot set the review state: no stored lesion is selected (sample one, or pick it in "
            "the study browser)",
            true);
        return;
    }
    const auto key = m_drafts.currentKey();
    const auto cell = storeLesion(key);
    const auto expert = m_expert;
    m_store.write(
        [cell, state, expert](db::Database& database) {
            db::LesionRepository lesions(database);
            lesions.setReviewState(*cell, state);
            // The signed-in expert's own state too: blind review opens on it.
            if (!expert.name.empty())
                lesions.setExpertState(
                    *cell, db::ExpertRepository(database).findOrCreate(expert.name, expert.role).id,
                    state);
        },
        [this, cell, state, expert, key](const std::string& error) {
            if (!error.empty()) {
                say("Cannot set the review state: " + error, true);
                return;
            }
            reloadLesions();
            Changes changes = Change::Lesions;
            if (key == m_drafts.currentKey() && m_store.isOpen() &&
                !m_store.reader()->currentUser().empty()) {
                // On a server, completing opens the others' outlines: read what it shows now.
                reloadOutlines();
                changes |= Change::Annotations;
            }
            if (!expert.name.empty() && key == m_drafts.currentKey() &&
                expert.name == m_expert.name) {
                m_outlines.layer({0, expert.name, expert.role}).state = state;
                changes |= Change::Annotations;
            }
            say("Lesion " + std::to_string(*cell) + ": " + db::displayName(state), false, changes);
        });
}

}  // namespace flowseg::review
