#include "flowseg/review/expert_outlines.h"

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"

namespace flowseg::review {

bool ExpertLayer::empty() const {
    for (const auto& [slice, mask] : slices)
        if (mask.area() > 0) return false;
    return true;
}

void ExpertOutlines::clear() {
    m_lesionId = 0;
    m_layers.clear();
}

void ExpertOutlines::load(db::Database& reader, db::RowId lesionId) {
    std::map<std::string, bool> hidden;  // keep the viewer's toggles across reloads of one lesion
    if (lesionId == m_lesionId)
        for (const auto& [name, layer] : m_layers) hidden[name] = !layer.visible;
    m_layers.clear();
    m_lesionId = lesionId;
    if (lesionId == 0) return;
    std::map<db::RowId, db::ExpertRecord> experts;
    for (const auto& e : db::ExpertRepository(reader).all()) experts[e.id] = e;
    db::LesionRepository lesions(reader);
    for (const auto& version : db::AnnotationRepository(reader).latestForLesion(lesionId)) {
        const auto it = experts.find(version.expertId);
        if (it == experts.end()) continue;
        layer(it->second).slices[version.slice] = version.mask;
    }
    for (const auto& [id, expert] : experts) {
        const auto state = lesions.expertState(lesionId, id);
        if (state != db::ReviewState::NotStarted) layer(expert).state = state;
    }
    for (auto& [name, layer] : m_layers) layer.visible = !hidden[name];
}

std::vector<const ExpertLayer*> ExpertOutlines::layers() const {
    std::vector<const ExpertLayer*> out;
    for (const auto& [name, layer] : m_layers) out.push_back(&layer);
    return out;
}

ExpertLayer& ExpertOutlines::layer(const db::ExpertRecord& expert) {
    auto& l = m_layers[expert.name];
    if (l.expert.name.empty())
        l.expert = expert;
    else if (expert.id != 0)
        l.expert.id = expert.id;
    return l;
}

const ExpertLayer* ExpertOutlines::find(const std::string& expertName) const {
    const auto it = m_layers.find(expertName);
    return it == m_layers.end() ? nullptr : &it->second;
}

const common::Mask* ExpertOutlines::outline(const std::string& expertName, int slice) const {
    const auto* l = find(expertName);
    if (!l) return nullptr;
    const auto it = l->slices.find(slice);
    return it == l->slices.end() ? nullptr : &it->second;
}

std::vector<const ExpertLayer*> ExpertOutlines::shownTo(const std::string& viewer,
                                                        ReviewMode mode) const {
    std::vector<const ExpertLayer*> out;
    const auto* own = find(viewer);
    const bool completed = own && own->state == db::ReviewState::Completed;
    for (const auto& [name, layer] : m_layers) {
        if (mode == ReviewMode::Blind) {
            if (name == viewer || completed) out.push_back(&layer);
        } else if (layer.visible) {
            out.push_back(&layer);
        }
    }
    return out;
}

void ExpertOutlines::setVisible(const std::string& expertName, bool visible) {
    if (auto it = m_layers.find(expertName); it != m_layers.end()) it->second.visible = visible;
}

int ExpertOutlines::keySlice() const {
    std::map<int, long> area;
    for (const auto& [name, layer] : m_layers)
        for (const auto& [slice, mask] : layer.slices) area[slice] += mask.area();
    int key = -1;
    long largest = 0;
    for (const auto& [slice, total] : area)
        if (total > largest) {
            largest = total;
            key = slice;
        }
    return key;
}

}  // namespace flowseg::review
