#pragma once
// Models (checkpoints with lineage and metrics) and the training jobs that made them.

#include <optional>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

class ModelRepository {
public:
    explicit ModelRepository(Database& db) : m_db(db) {}

    /// Registers a checkpoint by its checksum (idempotent); returns its id. On a
    /// server store the file itself is kept in the store too (storeFile), so that
    /// every workstation can sample with the version.
    RowId registerModel(const ModelRecord& model);
    /// Keeps the bytes of the checkpoint file at `filePath` as the file of the
    /// model with checksum `sha256`; nothing when the store holds it already.
    /// Throws NotFound when the file cannot be read.
    void storeFile(const std::string& sha256, const std::string& filePath);
    [[nodiscard]] bool holdsFile(const std::string& sha256) const;
    /// The store's copy of the model with checksum `sha256`, written once to
    /// `cacheFolder`/<sha256>.fsm (atomically: never a half file); returns that
    /// path, or nullopt when the store holds no copy.
    [[nodiscard]] std::optional<std::string> fetchFile(const std::string& sha256,
                                                       const std::string& cacheFolder) const;
    /// $XDG_CACHE_HOME/flowseg/models (default ~/.cache/flowseg/models).
    static std::string defaultCacheFolder();
    [[nodiscard]] std::optional<ModelRecord> findBySha256(const std::string& sha256) const;
    [[nodiscard]] std::optional<ModelRecord> find(RowId id) const;
    /// Makes `id` the active model (the one the window samples with); the one
    /// before stops being active. Rolling back is making an older version active.
    void setActive(RowId id);
    [[nodiscard]] std::optional<ModelRecord> active() const;
    void setMetrics(RowId id, const std::string& metricsJson);
    [[nodiscard]] std::vector<ModelRecord> all() const;

    RowId createJob(const TrainingJobRecord& job);
    /// Progress in [0, 1]; `logLine`, when not empty, is appended to the job log.
    void updateJob(RowId jobId, JobState state, double progress, const std::string& logLine = "");
    void finishJob(RowId jobId, JobState state, const std::string& metricsJson);
    [[nodiscard]] std::optional<TrainingJobRecord> findJob(RowId jobId) const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
