// The review session's experts: who is signed in, their outlines of the current
// lesion (each edit one undo step, saved as a new version), blind and open
// review, accepting the model's samples as a starting outline, agreement and the
// most-ambiguous-first queue.
#include <algorithm>
#include <stdexcept>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/review/review_session.h"
#include "flowseg/review/store_writer.h"

namespace flowseg::review {

void ReviewSession::signIn(const Expert& expert) {
    if (expert.name.empty()) {
        say("Cannot sign in: an expert needs a name", true);
        return;
    }
    m_expert = expert;
    write([expert](db::Database& database) { db::ExpertRepository(database).findOrCreate(expert.name, expert.role); },
          [this](const std::string& error) {
              if (!error.empty()) say("Cannot record the expert in the store: " + error, true);
          });
    say("Signed in as " + expert.name + " (" + expert.role + ").", false, ExpertChanged | AnnotationsChanged);
}

void ReviewSession::setReviewMode(ReviewMode mode) {
    if (mode == m_mode) return;
    m_mode = mode;
    say(mode == ReviewMode::Blind ? "Blind review: only your own outline is shown until you complete the lesion (C)."
                                  : "Open review: every expert's outline, each in its own colour.",
        false, AnnotationsChanged);
}

std::vector<const ExpertLayer*> ReviewSession::shownLayers() const { return m_outlines.shownTo(m_expert.name, m_mode); }

bool ReviewSession::seesOthers() const {
    if (m_mode == ReviewMode::Open) return true;
    const auto* own = m_outlines.find(m_expert.name);
    return own && own->state == db::ReviewState::Completed;
}

void ReviewSession::setExpertVisible(const std::string& expertName, bool visible) {
    m_outlines.setVisible(expertName, visible);
    notify(AnnotationsChanged);
}

const common::Mask* ReviewSession::ownOutline(int slice) const { return m_outlines.outline(m_expert.name, slice); }

void ReviewSession::reloadOutlines() {
    const auto* draft = current();
    if (!draft || draft->storeId == 0 || !m_reader) {
        m_outlines.clear();
        return;
    }
    try {
        flushStore();  // this lesion's last edits may still be queued
        m_outlines.load(*m_reader, draft->storeId);
    } catch (const std::exception& e) {
        m_outlines.clear();
        say(std::string("Cannot read the lesion's outlines: ") + e.what(), true);
    }
}

void ReviewSession::refreshOutlines() {
    const auto* draft = current();
    if (!draft || draft->storeId == 0 || !m_reader) return;  // nothing stored to read yet
    reloadOutlines();
    notify(AnnotationsChanged);
}

void ReviewSession::editOutline(int slice, common::Mask outline, const std::string& what, db::AnnotationSource source) {
    const auto* draft = current();
    if (!draft) {
        say("Cannot edit the outline: no lesion is marked: press D and drag a box around it", true);
        return;
    }
    if (m_expert.name.empty()) {
        say("Cannot edit the outline: sign in first (Review > Sign in)", true);
        return;
    }
    if (!m_series || slice < 0 || slice >= m_series->depth || outline.width != m_series->width ||
        outline.height != m_series->height) {
        say("Cannot edit the outline: it does not fit the slice", true);
        return;
    }
    const auto key = m_current;
    const auto* existing = ownOutline(slice);
    common::Mask before = existing ? *existing : common::Mask(m_series->height, m_series->width);
    if (before == outline) return;  // nothing changed: no undo step, no version
    const auto undoSource = source == db::AnnotationSource::AcceptedSample ? db::AnnotationSource::Manual : source;
    m_undo.push({what, [this, key, slice, before = std::move(before), undoSource] {
                     applyOutline(key, slice, before, undoSource);
                 },
                 [this, key, slice, outline = std::move(outline), source] { applyOutline(key, slice, outline, source); }});
}

void ReviewSession::applyOutline(std::uint64_t draftKey, int slice, const common::Mask& outline,
                                 db::AnnotationSource source) {
    if (!m_drafts.count(draftKey)) return;
    if (m_current != draftKey) setCurrent(draftKey, 0);  // an undo step of another box brings it back
    auto& draft = m_drafts[draftKey];
    m_outlines.layer({0, m_expert.name, m_expert.role}).slices[slice] = outline;
    if (m_writer && m_seriesId != 0) {
        const auto cell = storeLesion(draft);
        const auto expert = m_expert;
        write(
            [cell, expert, slice, outline, source](db::Database& database) {
                if (*cell == 0) throw std::runtime_error("its lesion could not be stored");
                const auto e = db::ExpertRepository(database).findOrCreate(expert.name, expert.role);
                db::AnnotationRepository(database).save(*cell, e.id, slice, outline, source);
                db::LesionRepository(database).extendToSlice(*cell, slice);
            },
            [this](const std::string& error) {
                if (!error.empty()) say("The outline is shown but could not be saved: " + error, true);
            });
    }
    notify(AnnotationsChanged);
}

void ReviewSession::acceptSample(int index) {
    const auto* landed = result();
    if (!landed || index < 0 || index >= static_cast<int>(landed->result.masks.size())) {
        say("Cannot accept a sample: sample the lesion first (S) and pick one in the gallery", true);
        return;
    }
    const auto& crop = landed->crop;
    editOutline(crop.slice,
                maskOnSlice(crop, landed->result.masks[static_cast<size_t>(index)], m_series->width, m_series->height),
                "Accept sample " + std::to_string(index + 1), db::AnnotationSource::AcceptedSample);
}

void ReviewSession::acceptMajority() {
    const auto* landed = result();
    if (!landed) {
        say("Cannot accept the samples' majority: sample the lesion first (S)", true);
        return;
    }
    const auto& p = landed->result.maps.probability;
    common::Mask majority(p.height, p.width);
    for (size_t i = 0; i < majority.size(); ++i) majority.pixels[i] = p.pixels[i] >= 0.5F ? 1 : 0;
    editOutline(landed->crop.slice, maskOnSlice(landed->crop, majority, m_series->width, m_series->height),
                "Accept the samples' majority", db::AnnotationSource::AcceptedSample);
}

void ReviewSession::setTools(const ToolSettings& tools) {
    if (tools == m_tools) return;
    m_tools = tools;
    m_tools.brushRadiusMm = std::clamp(m_tools.brushRadiusMm, 0.25, 50.0);
    if (m_tools.lowHu > m_tools.highHu) std::swap(m_tools.lowHu, m_tools.highHu);
    notify(ToolsChanged);
}

void ReviewSession::stroke(int slice, const std::vector<SlicePoint>& path) {
    if (!m_series || path.empty()) return;
    const auto* own = ownOutline(slice);
    auto outline = own ? *own : common::Mask(m_series->height, m_series->width);
    const auto spacing = spacingOf(*m_series);
    switch (m_tools.tool) {
    case OutlineTool::Brush:
        paintStroke(outline, path, m_tools.brushRadiusMm, spacing, true);
        editOutline(slice, std::move(outline), "Brush stroke");
        break;
    case OutlineTool::Eraser:
        paintStroke(outline, path, m_tools.brushRadiusMm, spacing, false);
        editOutline(slice, std::move(outline), "Eraser stroke");
        break;
    case OutlineTool::ThresholdBrush:
        paintStrokeWithin(outline, path, m_tools.brushRadiusMm, spacing, *m_series, slice, m_tools.lowHu, m_tools.highHu);
        editOutline(slice, std::move(outline), "Threshold brush stroke");
        break;
    case OutlineTool::Polygon:
    case OutlineTool::None:
        break;
    }
}

void ReviewSession::fillPolygon(int slice, const std::vector<SlicePoint>& polygon) {
    if (!m_series || polygon.size() < 3) return;
    const auto* own = ownOutline(slice);
    auto outline = own ? *own : common::Mask(m_series->height, m_series->width);
    review::fillPolygon(outline, polygon, true);
    editOutline(slice, std::move(outline), "Outline");
}

void ReviewSession::fillHoles(int slice) {
    const auto* own = ownOutline(slice);
    if (!own) {
        say("Nothing to fill: you have no outline on this slice", true);
        return;
    }
    editOutline(slice, review::fillHoles(*own), "Fill holes");
}

LesionAgreement ReviewSession::agreement() const {
    if (!m_series) return {};
    return computeAgreement(m_outlines, result(), m_series->width, m_series->height, spacingOf(*m_series));
}

void ReviewSession::recordAgreement() {
    auto* draft = current();
    if (!m_writer || !draft || (draft->storeId == 0 && !draft->storeCell)) {
        say("Cannot record the agreement: no stored lesion is selected", true);
        return;
    }
    const auto cell = storeLesion(*draft);
    const auto json = agreement().toJson();
    write(
        [cell, json](db::Database& database) {
            const auto runs = db::RunRepository(database).runsOfLesion(*cell);
            db::LesionRepository(database).saveAgreement(
                *cell, runs.empty() ? std::nullopt : std::optional<db::RowId>(runs.back().id), json);
        },
        [this, cell](const std::string& error) {
            if (!error.empty()) say("Cannot record the agreement: " + error, true);
            else say("Agreement recorded for lesion " + std::to_string(*cell) + ".", false);
        });
}

std::vector<RankedLesion> ReviewSession::ambiguityQueue() const {
    std::vector<RankedLesion> queue;
    if (!m_reader) return queue;
    try {
        db::RunRepository runs(*m_reader);
        for (const auto& lesion : m_lesions) {
            RankedLesion ranked{lesion, 0, false};
            const auto stored = runs.runsOfLesion(lesion.id);
            if (!stored.empty()) {
                ranked.sampled = true;
                for (const float v : runs.outputsOf(stored.back().id).variance.pixels) ranked.uncertaintyMass += v;
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
