// The session's model versions: which one samples, promoting and rolling back.
#include <filesystem>

#include "flowseg/db/database.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/review/review_session.h"

namespace flowseg::review {

std::vector<db::ModelRecord> ReviewSession::modelVersions() const {
    if (!m_reader) return {};
    try {
        return db::ModelRepository(*m_reader).all();
    } catch (const std::exception&) {
        return {};  // a store that cannot be read says so where it is read for the lesions
    }
}

std::string ReviewSession::modelLabel() const {
    if (!m_model) return {};
    for (const auto& v : modelVersions())
        if (v.sha256 == m_model->checksum() && !v.label.empty()) return v.label;
    return std::filesystem::path(m_model->source()).filename().string();
}

bool ReviewSession::useModelVersion(db::RowId id) {
    if (!m_reader) {
        say("Model versions live in the annotation store: open one first.", true);
        return false;
    }
    std::shared_ptr<const engine::Model> model;
    std::string name;
    try {
        const auto version = db::ModelRepository(*m_reader).find(id);
        if (!version) throw std::runtime_error("the store holds no model version " + std::to_string(id));
        name = version->label.empty() ? version->path : version->label;
        if (!std::filesystem::exists(version->path))
            throw std::runtime_error("its file '" + version->path + "' is gone");
        model = engine::Model::load(version->path, m_model ? m_model->device() : "auto");
    } catch (const std::exception& e) {
        say(std::string("Cannot sample with that model version: ") + e.what() + "; the model in use stays.", true);
        return false;
    }
    m_model = std::move(model);
    write([id](db::Database& database) { db::ModelRepository(database).setActive(id); },
          [this](const std::string& error) {
              if (!error.empty()) say("The active model version could not be stored: " + error, true);
              notify(ModelChanged);
          });
    say("Sampling with model version " + name + " from the next run on.", false, ModelChanged);
    return true;
}

void ReviewSession::adoptActiveModel() {
    if (!m_reader) return;
    std::optional<db::ModelRecord> active;
    try {
        active = db::ModelRepository(*m_reader).active();
    } catch (const std::exception& e) {
        say(std::string("Cannot read the store's model versions: ") + e.what(), true);
        return;
    }
    if (!active || (m_model && m_model->source() == active->path)) return;
    if (!std::filesystem::exists(active->path)) {
        say("The store's active model version '" + active->path + "' is missing; sampling with the model loaded.",
            true);
        return;
    }
    useModelVersion(active->id);
}

}  // namespace flowseg::review
