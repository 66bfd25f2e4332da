#include "flowseg/review/model_versions.h"

#include <filesystem>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/review/session_events.h"
#include "flowseg/review/session_store.h"

namespace flowseg::review {

void ModelVersions::set(std::shared_ptr<const engine::Model> model) {
    m_model = std::move(model);
    if (!m_model) {
        m_events.notify(Change::Model);
        return;
    }
    m_events.say("Model " + m_model->source() + " ready on " + m_model->device() + ".", false,
                 Change::Model);
}

std::vector<db::ModelRecord> ModelVersions::all() const {
    if (!m_store.reader()) return {};
    try {
        return db::ModelRepository(*m_store.reader()).all();
    } catch (const std::exception&) {
        return {};  // a store that cannot be read says so where it is read for the lesions
    }
}

std::string ModelVersions::label() const {
    if (!m_model) return {};
    for (const auto& v : all())
        if (v.sha256 == m_model->checksum() && !v.label.empty()) return v.label;
    return std::filesystem::path(m_model->source()).filename().string();
}

bool ModelVersions::use(db::RowId id) {
    if (!m_store.reader()) {
        m_events.say("Model versions live in the annotation store: open one first.", true);
        return false;
    }
    std::shared_ptr<const engine::Model> model;
    std::string name;
    try {
        const auto version = db::ModelRepository(*m_store.reader()).find(id);
        if (!version)
            throw std::runtime_error("the store holds no model version " + std::to_string(id));
        name = version->label.empty() ? version->path : version->label;
        if (!std::filesystem::exists(version->path))
            throw std::runtime_error("its file '" + version->path + "' is gone");
        model = engine::Model::load(version->path, m_model ? m_model->device() : "auto");
    } catch (const std::exception& e) {
        m_events.say(std::string("Cannot sample with that model version: ") + e.what() +
                         "; the model in use stays.",
                     true);
        return false;
    }
    m_model = std::move(model);
    m_store.write([id](db::Database& database) { db::ModelRepository(database).setActive(id); },
                  [this](const std::string& error) {
                      if (!error.empty())
                          m_events.say("The active model version could not be stored: " + error,
                                       true);
                      m_events.notify(Change::Model);
                  });
    m_events.say("Sampling with model version " + name + " from the next run on.", false,
                 Change::Model);
    return true;
}

void ModelVersions::adoptActive() {
    if (!m_store.reader()) return;
    std::optional<db::ModelRecord> active;
    try {
        active = db::ModelRepository(*m_store.reader()).active();
    } catch (const std::exception& e) {
        m_events.say(std::string("Cannot read the store's model versions: ") + e.what(), true);
        return;
    }
    if (!active || (m_model && m_model->source() == active->path)) return;
    if (!std::filesystem::exists(active->path)) {
        m_events.say("The store's active model version '" + active->path +
                         "' is missing; sampling with the model loaded.",
                     true);
        return;
    }
    use(active->id);
}

}  // namespace flowseg::review
