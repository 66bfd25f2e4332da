// The review session's store side: a reading connection on the session's thread,
// and every write through the StoreWriter, reported back only once committed.
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/review/review_session.h"
#include "flowseg/review/store_writer.h"

namespace flowseg::review {

bool ReviewSession::openStore(const std::string& path) {
    m_writer.reset();  // commits the old store's queue first
    m_reader.reset();
    try {
        m_reader = std::make_unique<db::Database>(db::Database::open(path, db::OpenMode::Create));
        m_writer = std::make_unique<StoreWriter>(db::Database::open(path, db::OpenMode::Existing));
    } catch (const std::exception& e) {
        m_reader.reset();
        m_writer.reset();
        say(std::string("Cannot open the annotation store: ") + e.what(), true, StoreChanged);
        return false;
    }
    // Ids of another store mean nothing in this one.
    for (auto& [key, draft] : m_drafts) {
        draft.storeId = 0;
        draft.storeCell.reset();
    }
    m_seriesId = 0;
    reloadLesions();
    say("Annotation store " + path + " (schema " + std::to_string(m_reader->schemaVersion()) + ").", false,
        StoreChanged | LesionsChanged | SelectionChanged);
    return true;
}

std::string ReviewSession::storePath() const { return m_reader ? m_reader->path() : std::string(); }

void ReviewSession::flushStore() {
    if (m_writer) m_writer->waitIdle();
}

void ReviewSession::reloadFromStore() {
    flushStore();
    reloadLesions();
    refreshOutlines();
    notify(LesionsChanged | AnnotationsChanged);
}

void ReviewSession::reloadLesions() {
    m_lesions.clear();
    if (!m_reader || m_seriesId == 0) return;
    try {
        m_lesions = db::LesionRepository(*m_reader).ofSeries(m_seriesId);
    } catch (const std::exception& e) {
        say(std::string("Cannot read the annotation store: ") + e.what(), true);
    }
}

void ReviewSession::write(std::function<void(db::Database&)> job, std::function<void(const std::string&)> done) {
    if (!m_writer) return;
    std::weak_ptr<bool> alive = m_alive;
    m_writer->submit(std::move(job), [this, alive, done = std::move(done)](const std::string& error) {
        // On the writer thread, after the commit: back to the session's thread.
        m_host.post([alive, done, error] {
            if (alive.lock() && done) done(error);
        });
    });
}

std::shared_ptr<db::RowId> ReviewSession::storeLesion(Draft& draft) {
    if (draft.storeCell) return draft.storeCell;
    auto cell = std::make_shared<db::RowId>(draft.storeId);
    draft.storeCell = cell;
    if (draft.storeId != 0) return cell;
    std::uint64_t key = 0;
    for (const auto& [k, d] : m_drafts)
        if (&d == &draft) key = k;
    const auto box = draft.box;
    const auto seriesId = m_seriesId;
    write(
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
            if (auto it = m_drafts.find(key); it != m_drafts.end()) it->second.storeId = *cell;
            reloadLesions();
            notify(LesionsChanged | SelectionChanged);
        });
    return cell;
}

void ReviewSession::storeRun(Draft& draft, const LesionResult& landed) {
    // The model the samples came from, not the one swapped in since.
    const auto& sampler = landed.model ? landed.model : m_model;
    if (!sampler) return;
    const auto cell = storeLesion(draft);
    db::ModelRecord model;
    model.path = sampler->source();
    model.sha256 = sampler->checksum();
    model.preset = sampler->provenance().preset.empty() ? "custom" : sampler->provenance().preset;
    db::SamplingRunRecord run;
    run.slice = landed.crop.slice;
    run.solver = engine::solverName(landed.options.solver);
    run.steps = landed.options.steps;
    run.guidance = landed.options.guidance;
    run.samples = landed.options.samples;
    run.seed = static_cast<std::int64_t>(landed.options.seed);
    run.durationSeconds = landed.result.seconds;
    run.device = landed.result.device;
    const auto& r = landed.result;
    db::SamplingOutputs outputs{r.masks, r.maps.probability, r.maps.variance, r.maps.entropy};
    write(
        [cell, model, run, outputs = std::move(outputs)](db::Database& database) mutable {
            if (*cell == 0) throw std::runtime_error("its lesion could not be stored");
            run.lesionId = *cell;
            run.modelId = db::ModelRepository(database).registerModel(model);
            db::RunRepository(database).saveRun(run, outputs);
        },
        [this](const std::string& error) {
            if (!error.empty()) say("The samples are shown but could not be stored: " + error, true);
        });
}

void ReviewSession::setReviewState(db::ReviewState state) {
    auto* draft = current();
    if (!m_writer || !draft || (draft->storeId == 0 && !draft->storeCell)) {
        say("Cannot set the review state: no stored lesion is selected (sample one, or pick it in the study "
            "browser)",
            true);
        return;
    }
    const auto cell = storeLesion(*draft);
    const auto expert = m_expert;
    const auto key = m_current;
    write(
        [cell, state, expert](db::Database& database) {
            db::LesionRepository lesions(database);
            lesions.setReviewState(*cell, state);
            // The signed-in expert's own state too: blind review opens on it.
            if (!expert.name.empty())
                lesions.setExpertState(*cell, db::ExpertRepository(database).findOrCreate(expert.name, expert.role).id,
                                       state);
        },
        [this, cell, state, expert, key](const std::string& error) {
            if (!error.empty()) {
                say("Cannot set the review state: " + error, true);
                return;
            }
            reloadLesions();
            unsigned changes = LesionsChanged;
            if (!expert.name.empty() && key == m_current && expert.name == m_expert.name) {
                m_outlines.layer({0, expert.name, expert.role}).state = state;
                changes |= AnnotationsChanged;
            }
            say("Lesion " + std::to_string(*cell) + ": " + db::displayName(state), false, changes);
        });
}

}  // namespace flowseg::review
