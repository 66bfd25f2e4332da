#include "flowseg/review/model_versions.h"

#include <filesystem>
#include <stdexcept>

#include "flowseg/db/accounts.h"
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

std::shared_ptr<const engine::Model> ModelVersions::load(const db::ModelRecord& version) const {
    const auto device = m_model ? m_model->device() : std::string("auto");
    std::string problem;
    if (std::filesystem::exists(version.path)) {
        try {
            auto model = engine::Model::load(version.path, device);
            if (model->checksum() == version.sha256) return model;
            problem = "its file '" + version.path + "' now holds another model";
        } catch (const std::exception& e) {
            problem = "its file '" + version.path + "' does not load (" + e.what() + ")";
        }
    } else {
        problem = "its file '" + version.path + "' is not on this workstation";
    }
    db::ModelRepository versions(*m_store.reader());
    const auto copy = versions.fetchFile(
        version.sha256,
        m_cacheFolder.empty() ? db::ModelRepository::defaultCacheFolder() : m_cacheFolder);
    if (!copy)
        throw std::runtime_error(problem +
                                 " and the store holds no copy of it (copy the file here, or "
                                 "register the version again from where it is)");
    auto model = engine::Model::load(*copy, device);
    if (model->checksum() != version.sha256)
        throw std::runtime_error("the store's copy of it ('" + *copy +
                                 "') holds another model; remove that file and try again");
    return model;
}

bool ModelVersions::use(db::RowId id) { return switchTo(id, true); }

bool ModelVersions::switchTo(db::RowId id, bool record) {
    if (!m_store.reader()) {
        m_events.say("Model versions live in the annotation store: open one first.", true);
        return false;
    }
    std::shared_ptr<const engine::Model> model;
    std::string name;
    bool mayPromote = true;
    try {
        const auto version = db::ModelRepository(*m_store.reader()).find(id);
        if (!version)
            throw std::runtime_error("the store holds no model version " + std::to_string(id));
        name = version->label.empty() ? version->path : version->label;
        model = load(*version);
        if (!m_store.reader()->currentUser().empty()) {
            const auto role = db::AccountRepository(*m_store.reader()).currentRole();
            mayPromote = role == db::AccountRole::Steward || role == db::AccountRole::Administrator;
        }
    } catch (const std::exception& e) {
        m_events.say(std::string("Cannot sample with that model version: ") + e.what() +
                         "; the model in use stays.",
                     true);
        return false;
    }
    m_model = std::move(model);
    if (!record) {
        m_events.say("Sampling with the store's active model version " + name + ".", false,
                     Change::Model);
        return true;
    }
    if (!mayPromote) {
        m_events.say("Sampling with model version " + name +
                         " on this workstation; the department's active version is changed by "
                         "a model steward.",
                     false, Change::Model);
        return true;
    }
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
    if (!active || (m_model && m_model->checksum() == active->sha256)) return;
    switchTo(active->id, false);
}

}  // namespace flowseg::review
