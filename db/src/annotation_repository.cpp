#include "flowseg/db/annotation_repository.h"

#include "flowseg/common/sha256.h"
#include "flowseg/db/blob_codec.h"
#include "statement.h"

namespace flowseg::db {

namespace {

constexpr const char* kVersionSelect =
    "SELECT v.id, v.annotation_id, a.lesion_id, a.expert_id, a.slice, v.version, v.width, "
    "v.height, "
    "v.mask, v.mask_sha256, v.area, v.source, v.note, v.created_at "
    "FROM annotation_version v JOIN annotation a ON a.id = v.annotation_id ";

AnnotationVersionRecord readVersion(const Statement& s) {
    AnnotationVersionRecord r;
    r.id = s.integer(0);
    r.annotationId = s.integer(1);
    r.lesionId = s.integer(2);
    r.expertId = s.integer(3);
    r.slice = static_cast<int>(s.integer(4));
    r.version = static_cast<int>(s.integer(5));
    r.mask =
        decompressMask(s.blob(8), static_cast<int>(s.integer(6)), static_cast<int>(s.integer(7)));
    r.maskSha256 = s.text(9);
    if (common::sha256Hex(r.mask.pixels.data(), r.mask.pixels.size()) != r.maskSha256)
        throw DatabaseError(
            DatabaseError::Kind::Corrupt,
            "annotation version " + std::to_string(r.id) + " does not match its checksum");
    r.area = static_cast<long>(s.integer(10));
    r.source = parseAnnotationSource(s.text(11));
    r.note = s.text(12);
    r.createdAt = s.text(13);
    return r;
}

}  // namespace

AnnotationVersionRecord AnnotationRepository::save(RowId lesionId, RowId expertId, int slice,
                                                   const common::Mask& mask,
                                                   AnnotationSource source,
                                                   const std::string& note) {
    if (mask.width <= 0 || mask.height <= 0 ||
        mask.pixels.size() != static_cast<size_t>(mask.width) * static_cast<size_t>(mask.height))
        throw DatabaseError(DatabaseError::Kind::Constraint,
                            "cannot save an empty or malformed mask");
    AnnotationVersionRecord r;
    m_db.transaction([&] {
        Statement annotation(
            m_db,
            "INSERT INTO annotation (lesion_id, expert_id, slice) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (lesion_id, expert_id, slice) DO UPDATE SET slice = annotation.slice "
            "RETURNING id");
        annotation.bind(1, lesionId).bind(2, expertId).bind(3, slice);
        if (!annotation.step())
            throw DatabaseError(DatabaseError::Kind::Other, "annotation row missing");
        r.annotationId = annotation.integer(0);
        annotation.run();

        Statement next(m_db,
                       "SELECT COALESCE(MAX(version), 0) + 1 FROM annotation_version WHERE "
                       "annotation_id = ?1");
        next.bind(1, r.annotationId);
        next.step();
        r.version = static_cast<int>(next.integer(0));

        r.mask = mask;
        for (auto& v : r.mask.pixels) v = v != 0 ? 1 : 0;
        r.maskSha256 = common::sha256Hex(r.mask.pixels.data(), r.mask.pixels.size());
        r.area = r.mask.area();
        Statement insert(
            m_db,
            "INSERT INTO annotation_version (annotation_id, version, width, height, mask, "
            "mask_sha256, area, source, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "RETURNING id, created_at");
        insert.bind(1, r.annotationId).bind(2, r.version).bind(3, mask.width).bind(4, mask.height);
        insert.bind(5, compressMask(r.mask))
            .bind(6, r.maskSha256)
            .bind(7, static_cast<std::int64_t>(r.area));
        insert.bind(8, toString(source)).bind(9, note);
        if (insert.step()) {
            r.id = insert.integer(0);
            r.createdAt = insert.text(1);
        }
        insert.run();
    });
    r.lesionId = lesionId;
    r.expertId = expertId;
    r.slice = slice;
    r.source = source;
    r.note = note;
    return r;
}

std::vector<AnnotationVersionRecord> AnnotationRepository::latestForLesion(RowId lesionId) const {
    Statement s(
        m_db,
        (std::string(kVersionSelect) +
         "WHERE a.lesion_id = ?1 AND v.version = (SELECT MAX(version) FROM annotation_version "
         "WHERE annotation_id = a.id) ORDER BY a.expert_id, a.slice")
            .c_str());
    s.bind(1, lesionId);
    std::vector<AnnotationVersionRecord> out;
    while (s.step()) out.push_back(readVersion(s));
    return out;
}

std::vector<AnnotationVersionRecord> AnnotationRepository::history(RowId lesionId, RowId expertId,
                                                                   int slice) const {
    Statement s(m_db,
                (std::string(kVersionSelect) +
                 "WHERE a.lesion_id = ?1 AND a.expert_id = ?2 AND a.slice = ?3 ORDER BY v.version")
                    .c_str());
    s.bind(1, lesionId).bind(2, expertId).bind(3, slice);
    std::vector<AnnotationVersionRecord> out;
    while (s.step()) out.push_back(readVersion(s));
    return out;
}

std::optional<AnnotationVersionRecord> AnnotationRepository::findVersion(RowId versionId) const {
    Statement s(m_db, (std::string(kVersionSelect) + "WHERE v.id = ?1").c_str());
    s.bind(1, versionId);
    if (!s.step()) return std::nullopt;
    return readVersion(s);
}

std::vector<RowId> AnnotationRepository::allVersionIds() const {
    Statement s(m_db, "SELECT id FROM annotation_version ORDER BY id");
    std::vector<RowId> out;
    while (s.step()) out.push_back(s.integer(0));
    return out;
}

}  // namespace flowseg::db
