#include "flowseg/db/model_repository.h"

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "flowseg/common/user_folders.h"
#include "statement.h"

namespace flowseg::db {

namespace {

constexpr const char* kModelColumns =
    "id, path, sha256, preset, parent_id, training_job_id, metrics_json, created_at, active, label";

ModelRecord readModel(const Statement& s) {
    return {s.integer(0),         s.text(1), s.text(2), s.text(3),         s.optionalInteger(4),
            s.optionalInteger(5), s.text(6), s.text(7), s.integer(8) != 0, s.text(9)};
}

}  // namespace

RowId ModelRepository::registerModel(const ModelRecord& model) {
    if (model.sha256.empty())
        throw DatabaseError(DatabaseError::Kind::Constraint, "a model needs its checksum");
    RowId id = 0;
    m_db.transaction([&] {
        if (const auto found = findBySha256(model.sha256)) {
            id = found->id;
            // On this workstation's file store, the path where the file now is
            // (on a server the store keeps the file, and paths are per workstation).
            if (m_db.backend() == Backend::Sqlite && !model.path.empty() &&
                found->path != model.path) {
                Statement s(m_db, "UPDATE model SET path = ?1 WHERE id = ?2");
                s.bind(1, model.path).bind(2, id);
                s.run();
            }
        } else {
            Statement s(m_db,
                        "INSERT INTO model (path, sha256, preset, parent_id, training_job_id, "
                        "metrics_json, label) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                        "ON CONFLICT (sha256) DO NOTHING RETURNING id");
            s.bind(1, model.path).bind(2, model.sha256).bind(3, model.preset);
            s.bind(4, model.parentId)
                .bind(5, model.trainingJobId)
                .bind(6, model.metricsJson)
                .bind(7, model.label);
            if (s.step())
                id = s.integer(0);
            else  // registered by another connection a moment ago
                id = findBySha256(model.sha256)->id;
        }
        if (m_db.backend() == Backend::Postgres && std::filesystem::exists(model.path))
            storeFile(model.sha256, model.path);
    });
    return id;
}

void ModelRepository::storeFile(const std::string& sha256, const std::string& filePath) {
    if (holdsFile(sha256)) return;
    std::ifstream in(filePath, std::ios::binary);
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    if (!in.good() && !in.eof())
        throw DatabaseError(
            DatabaseError::Kind::NotFound,
            "cannot read the model file '" + filePath + "' to keep it in the store");
    if (bytes.empty())
        throw DatabaseError(DatabaseError::Kind::NotFound,
                            "the model file '" + filePath + "' is missing or empty");
    Statement s(m_db,
                "INSERT INTO model_file (sha256, content, bytes) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (sha256) DO NOTHING");
    s.bind(1, sha256).bind(2, bytes).bind(3, static_cast<std::int64_t>(bytes.size()));
    s.run();
}

bool ModelRepository::holdsFile(const std::string& sha256) const {
    Statement s(m_db, "SELECT 1 FROM model_file WHERE sha256 = ?1");
    s.bind(1, sha256);
    return s.step();
}

std::optional<std::string> ModelRepository::fetchFile(const std::string& sha256,
                                                      const std::string& cacheFolder) const {
    namespace fs = std::filesystem;
    const auto target = fs::path(cacheFolder) / (sha256 + ".fsm");
    Statement size(m_db, "SELECT bytes FROM model_file WHERE sha256 = ?1");
    size.bind(1, sha256);
    if (!size.step()) return std::nullopt;
    std::error_code error;
    if (fs::exists(target) &&
        fs::file_size(target, error) == static_cast<std::uintmax_t>(size.integer(0)))
        return target.string();
    Statement s(m_db, "SELECT content FROM model_file WHERE sha256 = ?1");
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    const auto bytes = s.blob(0);
    fs::create_directories(cacheFolder, error);
    const auto partial =
        fs::path(cacheFolder) / (sha256 + ".fsm.partial-" + std::to_string(::getpid()));
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw DatabaseError(DatabaseError::Kind::Io,
                                "cannot write the store's model file to '" + partial.string() +
                                    "' (free some space or check the folder's permissions)");
    }
    fs::rename(partial, target);
    return target.string();
}

std::string ModelRepository::defaultCacheFolder() {
    return (std::filesystem::path(common::userCacheFolder()) / "models").string();
}

std::optional<ModelRecord> ModelRepository::findBySha256(const std::string& sha256) const {
    Statement s(m_db,
                (std::string("SELECT ") + kModelColumns + " FROM model WHERE sha256 = ?1").c_str());
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    return readModel(s);
}

void ModelRepository::setActive(RowId id) {
    m_db.transaction([&] {
        if (!find(id))
            throw DatabaseError(DatabaseError::Kind::NotFound,
                                "no model version " + std::to_string(id));
        Statement clear(m_db, "UPDATE model SET active = 0 WHERE active = 1");
        clear.run();
        Statement set(m_db, "UPDATE model SET active = 1 WHERE id = ?1");
        set.bind(1, id);
        set.run();
    });
}

std::optional<ModelRecord> ModelRepository::active() const {
    Statement s(m_db,
                (std::string("SELECT ") + kModelColumns + " FROM model WHERE active = 1").c_str());
    if (!s.step()) return std::nullopt;
    return readModel(s);
}

void ModelRepository::setMetrics(RowId id, const std::string& metricsJson) {
    m_db.transaction([&] {
        Statement s(m_db, "UPDATE model SET metrics_json = ?2 WHERE id = ?1");
        s.bind(1, id).bind(2, metricsJson);
        s.run();
    });
}

std::optional<ModelRecord> ModelRepository::find(RowId id) const {
    Statement s(m_db,
                (std::string("SELECT ") + kModelColumns + " FROM model WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readModel(s);
}

std::vector<ModelRecord> ModelRepository::all() const {
    Statement s(m_db, (std::string("SELECT ") + kModelColumns + " FROM model ORDER BY id").c_str());
    std::vector<ModelRecord> out;
    while (s.step()) out.push_back(readModel(s));
    return out;
}

RowId ModelRepository::createJob(const TrainingJobRecord& job) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO training_job (state, progress, base_model_id, parameters_json) "
                    "VALUES (?1, ?2, ?3, ?4) RETURNING id");
        s.bind(1, toString(job.state))
            .bind(2, job.progress)
            .bind(3, job.baseModelId)
            .bind(4, job.parametersJson);
        id = s.returnedId();
    });
    return id;
}

void ModelRepository::updateJob(RowId jobId, JobState state, double progress,
                                const std::string& logLine) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "UPDATE training_job SET state = ?2, progress = ?3, "
                    "log = CASE WHEN ?4 = '' THEN log ELSE log || ?4 || '\n' END WHERE id = ?1");
        s.bind(1, jobId).bind(2, toString(state)).bind(3, progress).bind(4, logLine);
        s.run();
        if (s.changes() != 1)
            throw DatabaseError(DatabaseError::Kind::NotFound,
                                "no training job with id " + std::to_string(jobId));
    });
}

void ModelRepository::finishJob(RowId jobId, JobState state, const std::string& metricsJson) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "UPDATE training_job SET state = ?2, metrics_json = ?3, "
                    "progress = CASE WHEN ?2 = 'completed' THEN 1 ELSE progress END, "
                    "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1");
        s.bind(1, jobId).bind(2, toString(state)).bind(3, metricsJson);
        s.run();
        if (s.changes() != 1)
            throw DatabaseError(DatabaseError::Kind::NotFound,
                                "no training job with id " + std::to_string(jobId));
    });
}

std::optional<TrainingJobRecord> ModelRepository::findJob(RowId jobId) const {
    Statement s(m_db,
                "SELECT id, state, progress, base_model_id, parameters_json, metrics_json, log, "
                "created_at, "
                "finished_at FROM training_job WHERE id = ?1");
    s.bind(1, jobId);
    if (!s.step()) return std::nullopt;
    TrainingJobRecord r;
    r.id = s.integer(0);
    r.state = parseJobState(s.text(1));
    r.progress = s.real(2);
    r.baseModelId = s.optionalInteger(3);
    r.parametersJson = s.text(4);
    r.metricsJson = s.text(5);
    r.log = s.text(6);
    r.createdAt = s.text(7);
    if (!s.isNull(8)) r.finishedAt = s.text(8);
    return r;
}

}  // namespace flowseg::db
