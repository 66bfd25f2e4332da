#include "flowseg/review/lesion_drafts.h"

namespace flowseg::review {

const SliceSamples* LesionResult::onSlice(int slice) const {
    for (const auto& s : slices)
        if (s.crop.slice == slice) return &s;
    return nullptr;
}

std::vector<SliceSamples> LesionResult::allSlices() const {
    if (!slices.empty()) return slices;
    return {{crop, result}};
}

LesionDrafts::Key LesionDrafts::add(const LesionBox& box, db::RowId storeId) {
    const Key key = m_next++;
    auto& draft = m_drafts[key];
    draft.box = box;
    draft.storeId = storeId;
    return key;
}

LesionDrafts::Key LesionDrafts::findStored(db::RowId storeId) const {
    if (storeId == 0) return 0;
    for (const auto& [key, draft] : m_drafts)
        if (draft.storeId == storeId) return key;
    return 0;
}

Draft* LesionDrafts::find(Key key) {
    const auto it = m_drafts.find(key);
    return it == m_drafts.end() ? nullptr : &it->second;
}

const Draft* LesionDrafts::find(Key key) const {
    const auto it = m_drafts.find(key);
    return it == m_drafts.end() ? nullptr : &it->second;
}

bool LesionDrafts::setCurrent(Key key) {
    if (!contains(key)) key = 0;
    const bool moved = key != m_current;
    m_current = key;
    return moved;
}

const LesionBox& LesionDrafts::box() const {
    static const LesionBox none;
    const auto* draft = current();
    return draft ? draft->box : none;
}

db::RowId LesionDrafts::lesionId() const {
    const auto* draft = current();
    return draft ? draft->storeId : 0;
}

const LesionResult* LesionDrafts::result() const {
    const auto* draft = current();
    return draft && draft->result ? &*draft->result : nullptr;
}

void LesionDrafts::forgetStoreIds() {
    for (auto& [key, draft] : m_drafts) {
        draft.storeId = 0;
        draft.storeCell.reset();
    }
}

void LesionDrafts::clear() {
    m_drafts.clear();
    m_current = 0;
}

}  // namespace flowseg::review
