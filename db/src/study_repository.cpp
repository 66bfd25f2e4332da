#include "flowseg/db/study_repository.h"

#include "statement.h"

namespace flowseg::db {

namespace {
SeriesRecord readSeries(const Statement& s) {
    return {s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}
constexpr const char* kSeriesColumns =
    "id, study_id, series_uid, modality, description, source_path";
}  // namespace

RowId StudyRepository::upsertStudy(const StudyRecord& study) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(
            m_db,
            "INSERT INTO study (study_uid, patient_id, patient_name, study_date, description) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (study_uid) DO UPDATE SET "
            "patient_id = excluded.patient_id, patient_name = excluded.patient_name, "
            "study_date = excluded.study_date, description = excluded.description "
            "RETURNING id");
        s.bind(1, study.studyUid).bind(2, study.patientId).bind(3, study.patientName);
        s.bind(4, study.studyDate).bind(5, study.description);
        id = s.returnedId();
    });
    return id;
}

RowId StudyRepository::upsertSeries(const SeriesRecord& series) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO series (study_id, series_uid, modality, description, source_path) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (series_uid) DO UPDATE SET "
                    "study_id = excluded.study_id, modality = excluded.modality, "
                    "description = excluded.description, source_path = excluded.source_path "
                    "RETURNING id");
        s.bind(1, series.studyId).bind(2, series.seriesUid).bind(3, series.modality);
        s.bind(4, series.description).bind(5, series.sourcePath);
        id = s.returnedId();
    });
    return id;
}

RowId StudyRepository::upsertImage(const ImageRefRecord& image) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO image_ref (series_id, sop_uid, instance_number, slice_position, "
                    "file_path) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sop_uid) DO UPDATE SET "
                    "series_id = excluded.series_id, instance_number = excluded.instance_number, "
                    "slice_position = excluded.slice_position, file_path = excluded.file_path "
                    "RETURNING id");
        s.bind(1, image.seriesId).bind(2, image.sopUid).bind(3, image.instanceNumber);
        if (image.slicePosition)
            s.bind(4, *image.slicePosition);
        else
            s.bindNull(4);
        s.bind(5, image.filePath);
        id = s.returnedId();
    });
    return id;
}

std::vector<StudyRecord> StudyRepository::studies() const {
    Statement s(
        m_db,
        "SELECT id, study_uid, patient_id, patient_name, study_date, description FROM study "
        "ORDER BY patient_name, study_date, id");
    std::vector<StudyRecord> out;
    while (s.step())
        out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
    return out;
}

std::vector<SeriesRecord> StudyRepository::seriesOf(RowId studyId) const {
    Statement s(m_db, (std::string("SELECT ") + kSeriesColumns +
                       " FROM series WHERE study_id = ?1 ORDER BY id")
                          .c_str());
    s.bind(1, studyId);
    std::vector<SeriesRecord> out;
    while (s.step()) out.push_back(readSeries(s));
    return out;
}

std::optional<SeriesRecord> StudyRepository::seriesByUid(const std::string& seriesUid) const {
    Statement s(
        m_db,
        (std::string("SELECT ") + kSeriesColumns + " FROM series WHERE series_uid = ?1").c_str());
    s.bind(1, seriesUid);
    if (!s.step()) return std::nullopt;
    return readSeries(s);
}

std::optional<SeriesRecord> StudyRepository::findSeries(RowId seriesId) const {
    Statement s(m_db,
                (std::string("SELECT ") + kSeriesColumns + " FROM series WHERE id = ?1").c_str());
    s.bind(1, seriesId);
    if (!s.step()) return std::nullopt;
    return readSeries(s);
}

std::optional<StudyRecord> StudyRepository::findStudy(RowId studyId) const {
    for (auto& study : studies())
        if (study.id == studyId) return study;
    return std::nullopt;
}

std::vector<ImageRefRecord> StudyRepository::imagesOf(RowId seriesId) const {
    Statement s(
        m_db,
        "SELECT id, series_id, sop_uid, instance_number, slice_position, file_path FROM image_ref "
        "WHERE series_id = ?1 ORDER BY slice_position, instance_number, id");
    s.bind(1, seriesId);
    std::vector<ImageRefRecord> out;
    while (s.step()) {
        ImageRefRecord r{s.integer(0),         s.integer(1), s.text(2),
                         s.optionalInteger(3), std::nullopt, s.text(5)};
        if (!s.isNull(4)) r.slicePosition = s.real(4);
        out.push_back(r);
    }
    return out;
}

}  // namespace flowseg::db
