#include "flowseg/db/lesion_repository.h"

#include "statement.h"

namespace flowseg::db {

namespace {

constexpr const char* kLesionColumns =
    "id, series_id, label, first_slice, last_slice, box_x, box_y, box_width, box_height, "
    "review_state, created_at, updated_at";

LesionRecord readLesion(const Statement& s) {
    LesionRecord r;
    r.id = s.integer(0);
    r.seriesId = s.integer(1);
    r.label = s.text(2);
    r.firstSlice = static_cast<int>(s.integer(3));
    r.lastSlice = static_cast<int>(s.integer(4));
    r.box = {static_cast<int>(s.integer(5)), static_cast<int>(s.integer(6)),
             static_cast<int>(s.integer(7)), static_cast<int>(s.integer(8))};
    r.state = parseReviewState(s.text(9));
    r.createdAt = s.text(10);
    r.updatedAt = s.text(11);
    return r;
}

}  // namespace

RowId LesionRepository::create(const LesionRecord& lesion) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(
            m_db,
            "INSERT INTO lesion (series_id, label, first_slice, last_slice, box_x, box_y, "
            "box_width, box_height, review_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "RETURNING id");
        s.bind(1, lesion.seriesId)
            .bind(2, lesion.label)
            .bind(3, lesion.firstSlice)
            .bind(4, lesion.lastSlice);
        s.bind(5, lesion.box.x)
            .bind(6, lesion.box.y)
            .bind(7, lesion.box.width)
            .bind(8, lesion.box.height);
        s.bind(9, toString(lesion.state));
        id = s.returnedId();
    });
    return id;
}

std::optional<LesionRecord> LesionRepository::find(RowId id) const {
    Statement s(m_db,
                (std::string("SELECT ") + kLesionColumns + " FROM lesion WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readLesion(s);
}

std::vector<LesionRecord> LesionRepository::ofSeries(RowId seriesId) const {
    Statement s(m_db, (std::string("SELECT ") + kLesionColumns +
                       " FROM lesion WHERE series_id = ?1 ORDER BY id")
                          .c_str());
    s.bind(1, seriesId);
    std::vector<LesionRecord> out;
    while (s.step()) out.push_back(readLesion(s));
    return out;
}

void LesionRepository::setReviewState(RowId id, ReviewState state) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "UPDATE lesion SET review_state = ?2, "
                    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1");
        s.bind(1, id).bind(2, toString(state));
        s.run();
        if (s.changes() != 1)
            throw DatabaseError(DatabaseError::Kind::NotFound,
                                "no lesion with id " + std::to_string(id));
    });
}

void LesionRepository::extendToSlice(RowId id, int slice) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "UPDATE lesion SET first_slice = CASE WHEN ?2 < first_slice THEN ?2 ELSE "
                    "first_slice END, last_slice = CASE WHEN ?2 > last_slice THEN ?2 ELSE "
                    "last_slice END, "
                    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1");
        s.bind(1, id).bind(2, slice);
        s.run();
        if (s.changes() != 1)
            throw DatabaseError(DatabaseError::Kind::NotFound,
                                "no lesion with id " + std::to_string(id));
    });
}

void LesionRepository::setExpertState(RowId lesionId, RowId expertId, ReviewState state) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO expert_review (lesion_id, expert_id, state) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (lesion_id, expert_id) DO UPDATE SET state = excluded.state, "
                    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
        s.bind(1, lesionId).bind(2, expertId).bind(3, toString(state));
        s.run();
    });
}

ReviewState LesionRepository::expertState(RowId lesionId, RowId expertId) const {
    Statement s(m_db, "SELECT state FROM expert_review WHERE lesion_id = ?1 AND expert_id = ?2");
    s.bind(1, lesionId).bind(2, expertId);
    return s.step() ? parseReviewState(s.text(0)) : ReviewState::NotStarted;
}

RowId LesionRepository::saveAgreement(RowId lesionId, std::optional<RowId> runId,
                                      const std::string& metricsJson) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO agreement (lesion_id, run_id, metrics_json) VALUES (?1, ?2, ?3) "
                    "RETURNING id");
        s.bind(1, lesionId);
        if (runId) s.bind(2, *runId);
        s.bind(3, metricsJson);
        id = s.returnedId();
    });
    return id;
}

std::optional<std::string> LesionRepository::latestAgreement(RowId lesionId) const {
    Statement s(m_db,
                "SELECT metrics_json FROM agreement WHERE lesion_id = ?1 ORDER BY id DESC LIMIT 1");
    s.bind(1, lesionId);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

ExpertRecord ExpertRepository::findOrCreate(const std::string& name, const std::string& role) {
    if (name.empty())
        throw DatabaseError(DatabaseError::Kind::Constraint, "an expert needs a name");
    ExpertRecord r;
    m_db.transaction([&] {
        Statement insert(
            m_db, "INSERT INTO expert (name, role) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING");
        insert.bind(1, name).bind(2, role);
        insert.run();
        Statement s(m_db, "SELECT id, name, role FROM expert WHERE name = ?1");
        s.bind(1, name);
        if (s.step()) r = {s.integer(0), s.text(1), s.text(2)};
    });
    return r;
}

std::vector<ExpertRecord> ExpertRepository::all() const {
    Statement s(m_db, "SELECT id, name, role FROM expert ORDER BY name");
    std::vector<ExpertRecord> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2)});
    return out;
}

}  // namespace flowseg::db
