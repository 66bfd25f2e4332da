#pragma once
// Which model the session samples with, and the store's model versions:
// promoting a fine-tuned one, rolling back, adopting the version a previous
// session promoted. A run in flight keeps the model it started with.

#include <memory>
#include <string>
#include <vector>

#include "flowseg/db/records.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

class SessionEvents;
class SessionStore;

class ModelVersions {
public:
    ModelVersions(SessionStore& store, SessionEvents& events) : m_store(store), m_events(events) {}

    /// Samples with `model` from now on (null: none), and says so.
    void set(std::shared_ptr<const engine::Model> model);
    [[nodiscard]] const std::shared_ptr<const engine::Model>& current() const { return m_model; }
    /// The store's model versions, oldest first (empty without a store).
    [[nodiscard]] std::vector<db::ModelRecord> all() const;
    /// What the session samples with, in words: the store's label for the loaded
    /// model's version, else its file name ("" without a model).
    [[nodiscard]] std::string label() const;
    /// Samples with version `id` from now on and records it as the store's active
    /// version (on a server only a model steward or administrator does; a reader's
    /// workstation samples with it without changing the department's). False,
    /// saying why, when the version or its file is gone or does not load; the
    /// model stays. The file is the version's path when it holds the version, else
    /// the store's copy (a server store keeps every version's file), fetched once
    /// into `cacheFolder`.
    bool use(db::RowId id);
    /// Samples with the store's active version when that is another model than the
    /// one loaded (a fine-tune promoted in an earlier session or on another
    /// workstation). Changes nothing in the store.
    void adoptActive();
    /// Where versions fetched from the store are kept (default: db::ModelRepository's).
    void setCacheFolder(std::string folder) { m_cacheFolder = std::move(folder); }

private:
    /// Loads `version` (its path, else the store's copy); throws saying why not.
    std::shared_ptr<const engine::Model> load(const db::ModelRecord& version) const;
    bool switchTo(db::RowId id, bool record);
    std::string m_cacheFolder;
    SessionStore& m_store;
    SessionEvents& m_events;
    std::shared_ptr<const engine::Model> m_model;
};

}  // namespace flowseg::review
