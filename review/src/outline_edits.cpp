// The signed-in expert's outline edits: each one undo step, saved as a new
// version (undoing saves the outline before it as another); accepting the
// model's samples as a starting outline; the brush, eraser, threshold brush,
// polygon and fill-holes tools.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/review/review_session.h"

namespace flowseg::review {

void ReviewSession::editOutline(int slice, common::Mask outline, const std::string& what,
                                db::AnnotationSource source) {
    std::map<int, common::Mask> one;
    one.emplace(slice, std::move(outline));
    editOutlines(std::move(one), what, source);
}

void ReviewSession::editOutlines(std::map<int, common::Mask> outlines, const std::string& what,
                                 db::AnnotationSource source) {
    const auto* draft = m_drafts.current();
    if (!draft) {
        say("Cannot edit the outline: no lesion is marked: press D and drag a box around it", true);
        return;
    }
    if (m_expert.name.empty()) {
        say("Cannot edit the outline: sign in first (Review > Sign in)", true);
        return;
    }
    for (const auto& [slice, outline] : outlines)
        if (!m_series || slice < 0 || slice >= m_series->depth ||
            outline.width != m_series->width || outline.height != m_series->height) {
            say("Cannot edit the outline: it does not fit the slice", true);
            return;
        }
    const auto key = m_drafts.currentKey();
    std::map<int, common::Mask> before;
    for (auto it = outlines.begin(); it != outlines.end();) {
        const auto* existing = ownOutline(it->first);
        auto old = existing ? *existing : common::Mask(m_series->height, m_series->width);
        if (old == it->second) {
            it = outlines.erase(it);  // nothing changes on this slice: no version
            continue;
        }
        before.emplace(it->first, std::move(old));
        ++it;
    }
    if (outlines.empty()) return;  // nothing changed: no undo step
    const auto undoSource =
        source == db::AnnotationSource::AcceptedSample ? db::AnnotationSource::Manual : source;
    m_undo.push({what,
                 [this, key, before = std::move(before), undoSource] {
                     for (const auto& [slice, outline] : before)
                         applyOutline(key, slice, outline, undoSource);
                 },
                 [this, key, outlines = std::move(outlines), source] {
                     for (const auto& [slice, outline] : outlines)
                         applyOutline(key, slice, outline, source);
                 }});
}

void ReviewSession::applyOutline(LesionDrafts::Key draftKey, int slice, const common::Mask& outline,
                                 db::AnnotationSource source) {
    if (!m_drafts.contains(draftKey)) return;
    if (m_drafts.currentKey() != draftKey)
        setCurrent(draftKey, {});  // an undo step of another box brings it back
    m_outlines.layer({0, m_expert.name, m_expert.role}).slices[slice] = outline;
    if (storesLesions()) {
        const auto cell = storeLesion(draftKey);
        const auto expert = m_expert;
        m_store.write(
            [cell, expert, slice, outline, source](db::Database& database) {
                if (*cell == 0) throw std::runtime_error("its lesion could not be stored");
                const auto e =
                    db::ExpertRepository(database).findOrCreate(expert.name, expert.role);
                db::AnnotationRepository(database).save(*cell, e.id, slice, outline, source);
                db::LesionRepository(database).extendToSlice(*cell, slice);
            },
            [this](const std::string& error) {
                if (!error.empty())
                    say("The outline is shown but could not be saved: " + error, true);
            });
    }
    m_events.notify(Change::Annotations);
}

void ReviewSession::acceptSample(int index) {
    const auto* landed = result();
    if (!landed || index < 0 || index >= static_cast<int>(landed->result.masks.size())) {
        say("Cannot accept a sample: sample the lesion first (S) and pick one in the gallery",
            true);
        return;
    }
    // Sample k through every slice the run spans: one undo step.
    std::map<int, common::Mask> outlines;
    for (const auto& s : landed->allSlices())
        if (index < static_cast<int>(s.result.masks.size()))
            outlines[s.crop.slice] = maskOnSlice(s.crop, s.result.masks[static_cast<size_t>(index)],
                                                 m_series->width, m_series->height);
    const auto n = outlines.size();
    editOutlines(std::move(outlines),
                 "Accept sample " + std::to_string(index + 1) +
                     (n > 1 ? " (" + std::to_string(n) + " slices)" : std::string()),
                 db::AnnotationSource::AcceptedSample);
}

void ReviewSession::acceptMajority() {
    const auto* landed = result();
    if (!landed) {
        say("Cannot accept the samples' majority: sample the lesion first (S)", true);
        return;
    }
    std::map<int, common::Mask> outlines;
    for (const auto& s : landed->allSlices()) {
        const auto& p = s.result.maps.probability;
        common::Mask majority(p.height, p.width);
        for (size_t i = 0; i < majority.size(); ++i)
            majority.pixels[i] = p.pixels[i] >= 0.5F ? 1 : 0;
        outlines[s.crop.slice] = maskOnSlice(s.crop, majority, m_series->width, m_series->height);
    }
    const auto n = outlines.size();
    editOutlines(std::move(outlines),
                 "Accept the samples' majority" +
                     (n > 1 ? " (" + std::to_string(n) + " slices)" : std::string()),
                 db::AnnotationSource::AcceptedSample);
}

void ReviewSession::setTools(const ToolSettings& tools) {
    if (tools == m_tools) return;
    m_tools = tools;
    m_tools.brushRadiusMm = std::clamp(m_tools.brushRadiusMm, 0.25, 50.0);
    if (m_tools.lowHu > m_tools.highHu) std::swap(m_tools.lowHu, m_tools.highHu);
    m_events.notify(Change::Tools);
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
            paintStrokeWithin(outline, path, m_tools.brushRadiusMm, spacing, *m_series, slice,
                              m_tools.lowHu, m_tools.highHu);
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

}  // namespace flowseg::review
