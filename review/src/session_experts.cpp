// The review session's experts: who is signed in, their outlines of the current
// lesion as the store holds them, blind and open review, agreement and the
// most-ambiguous-first queue. Their edits are in outline_edits.cpp.
#include <algorithm>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/review/review_session.h"

namespace flowseg::review {

void ReviewSession::signIn(const Expert& expert) {
    if (expert.name.empty()) {
        say("Cannot sign in: an expert needs a name", true);
        return;
    }
    const std::string login = m_store.isOpen() ? m_store.reader()->currentUser() : "";
    if (!login.empty() && expert.name != login) {
        say("On the department's server you are signed in as " + login + ": to work as " +
                expert.name + ", connect with their login (File > Connect to department server)",
            true);
        return;
    }
    m_expert = expert;
    m_store.write(
        [expert](db::Database& database) {
            db::ExpertRepository(database).findOrCreate(expert.name, expert.role);
        },
        [this](const std::string& error) {
            if (!error.empty()) say("Cannot record the expert in the store: " + error, true);
        });
    say("Signed in as " + expert.name + " (" + expert.role + ")" +
            (login.empty() ? ", a name on this workstation: a local store checks no password."
                           : "."),
        false, Change::Expert | Change::Annotations);
}

void ReviewSession::setReviewMode(ReviewMode mode) {
    if (mode == m_mode) return;
    m_mode = mode;
    say(mode == ReviewMode::Blind
            ? "Blind review: only your own outline is shown until you complete the lesion (C)."
            : "Open review: every expert's outline, each in its own colour.",
        false, Change::Annotations);
}

std::vector<const ExpertLayer*> ReviewSession::shownLayers() const {
    return m_outlines.shownTo(m_expert.name, m_mode);
}

bool ReviewSession::seesOthers() const {
    if (m_mode == ReviewMode::Open) return true;
    const auto* own = m_outlines.find(m_expert.name);
    return own && own->state == db::ReviewState::Completed;
}

void ReviewSession::setExpertVisible(const std::string& expertName, bool visible) {
    m_outlines.setVisible(expertName, visible);
    m_events.notify(Change::Annotations);
}

const common::Mask* ReviewSession::ownOutline(int slice) const {
    return m_outlines.outline(m_expert.name, slice);
}

void ReviewSession::reloadOutlines() {
    const auto* draft = m_drafts.current();
    if (!draft || draft->storeId == 0 || !m_store.isOpen()) {
        m_outlines.clear();
        return;
    }
    try {
        m_store.flush();  // this lesion's last edits may still be queued
        m_outlines.load(*m_store.reader(), draft->storeId);
    } catch (const std::exception& e) {
        m_outlines.clear();
        say(std::string("Cannot read the lesion's outlines: ") + e.what(), true);
    }
}

void ReviewSession::refreshOutlines() {
    const auto* draft = m_drafts.current();
    if (!draft || draft->storeId == 0 || !m_store.isOpen()) return;  // nothing stored to read yet
    reloadOutlines();
    m_events.notify(Change::Annotations);
}

LesionAgreement ReviewSession::agreement() const {
    if (!m_series) return {};
    return computeAgreement(m_outlines, result(), m_series->width, m_series->height,
                            spacingOf(*m_series));
}

void ReviewSession::recordAgreement() {
    const auto* draft = m_drafts.current();
    if (!m_store.isOpen() || !draft || !draft->stored()) {
        say("Cannot record the agreement: no stored lesion is selected", true);
        return;
    }
    const auto cell = storeLesion(m_drafts.currentKey());
    const auto json = agreement().toJson();
    m_store.write(
        [cell, json](db::Database& database) {
            const auto runs = db::RunRepository(database).runsOfLesion(*cell);
            db::LesionRepository(database).saveAgreement(
                *cell, runs.empty() ? std::nullopt : std::optional<db::RowId>(runs.back().id),
                json);
        },
        [this, cell](const std::string& error) {
            if (!error.empty())
                say("Cannot record the agreement: " + error, true);
            else
                say("Agreement recorded for lesion " + std::to_string(*cell) + ".", false);
        });
}

std::vector<RankedLesion> ReviewSession::ambiguityQueue() const {
    std::vector<RankedLesion> queue;
    if (!m_store.isOpen()) return queue;
    try {
        db::RunRepository runs(*m_store.reader());
        for (const auto& lesion : m_lesions) {
            RankedLesion ranked{lesion, 0, false};
            const auto stored = runs.runsOfLesion(lesion.id);
            if (!stored.empty()) {
                ranked.sampled = true;
                for (const float v : runs.outputsOf(stored.back().id).variance.pixels)
                    ranked.uncertaintyMass += v;
            }
            queue.push_back(std::move(ranked));
        }
    } catch (const std::exception&) {
        return {};
    }
    std::stable_sort(queue.begin(), queue.end(), [](const RankedLesion& a, const RankedLesion& b) {
        if (a.sampled != b.sampled) return a.sampled;
        return a.uncertaintyMass > b.uncertaintyMass;
    });
    return queue;
}

}  // namespace flowseg::review
