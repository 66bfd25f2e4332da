#include "flowseg/db/run_repository.h"

#include "flowseg/db/blob_codec.h"
#include "statement.h"

namespace flowseg::db {

namespace {

/// Inserts one slice's outputs of run `id` (`slice` < 0: the run's own slice, in
/// sampling_output; else in sampling_slice_output).
void insertOutputs(Database& db, RowId id, int slice, const SamplingOutputs& outputs) {
    Statement out(
        db, slice < 0 ? "INSERT INTO sampling_output (run_id, kind, sample_index, width, "
                        "height, encoding, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                      : "INSERT INTO sampling_slice_output (run_id, kind, sample_index, width, "
                        "height, encoding, data, slice) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    const auto insert = [&](const std::string& kind, int index, int width, int height,
                            const std::string& encoding, const std::vector<std::uint8_t>& data) {
        out.reset();
        out.bind(1, id).bind(2, kind).bind(3, index).bind(4, width);
        out.bind(5, height).bind(6, encoding).bind(7, data);
        if (slice >= 0) out.bind(8, slice);
        out.run();
    };
    for (size_t i = 0; i < outputs.samples.size(); ++i) {
        const auto& m = outputs.samples[i];
        insert("sample", static_cast<int>(i), m.width, m.height, "mask-u8-zlib", compressMask(m));
    }
    const std::pair<const char*, const common::ImageF*> maps[] = {
        {"probability", &outputs.probability},
        {"variance", &outputs.variance},
        {"entropy", &outputs.entropy}};
    for (const auto& [kind, image] : maps)
        if (!image->empty())
            insert(kind, 0, image->width, image->height, "f32le-zlib", compressImage(*image));
}

/// Adds the row `s` holds (kind, sample_index, width, height, data) to `out`.
void addOutput(const Statement& s, SamplingOutputs& out) {
    const auto kind = s.text(0);
    const int w = static_cast<int>(s.integer(2));
    const int h = static_cast<int>(s.integer(3));
    if (kind == "sample")
        out.samples.push_back(decompressMask(s.blob(4), w, h));
    else if (kind == "probability")
        out.probability = decompressImage(s.blob(4), w, h);
    else if (kind == "variance")
        out.variance = decompressImage(s.blob(4), w, h);
    else if (kind == "entropy")
        out.entropy = decompressImage(s.blob(4), w, h);
}

}  // namespace

RowId RunRepository::saveRun(const SamplingRunRecord& run, const SamplingOutputs& outputs,
                             const std::map<int, SamplingOutputs>& otherSlices) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO sampling_run (lesion_id, model_id, slice, solver, steps, "
                    "guidance, samples, seed, duration_seconds, device, coherent, chains_end) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id");
        s.bind(1, run.lesionId).bind(2, run.modelId).bind(3, run.slice).bind(4, run.solver);
        s.bind(5, run.steps).bind(6, run.guidance).bind(7, run.samples).bind(8, run.seed);
        s.bind(9, run.durationSeconds).bind(10, run.device).bind(11, run.coherent ? 1 : 0);
        s.bind(12, run.chainsEnd ? 1 : 0);
        id = s.returnedId();
        insertOutputs(m_db, id, -1, outputs);
        for (const auto& [slice, sliceOutputs] : otherSlices) {
            if (slice == run.slice) continue;  // the run's own slice is the one above
            insertOutputs(m_db, id, slice, sliceOutputs);
        }
    });
    return id;
}

std::vector<SamplingRunRecord> RunRepository::runsOfLesion(RowId lesionId) const {
    Statement s(m_db,
                "SELECT id, lesion_id, model_id, slice, solver, steps, guidance, samples, seed, "
                "duration_seconds, device, created_at, coherent, chains_end FROM sampling_run "
                "WHERE lesion_id = ?1 ORDER BY id");
    s.bind(1, lesionId);
    std::vector<SamplingRunRecord> out;
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.integer(2), static_cast<int>(s.integer(3)),
                       s.text(4), static_cast<int>(s.integer(5)), s.real(6),
                       static_cast<int>(s.integer(7)), s.integer(8), s.real(9), s.text(10),
                       s.text(11), s.integer(12) != 0, s.integer(13) != 0});
    return out;
}

SamplingOutputs RunRepository::outputsOf(RowId runId) const {
    Statement s(
        m_db,
        "SELECT kind, sample_index, width, height, data FROM sampling_output WHERE run_id = ?1 "
        "ORDER BY kind, sample_index");
    s.bind(1, runId);
    SamplingOutputs out;
    while (s.step()) addOutput(s, out);
    return out;
}

std::map<int, SamplingOutputs> RunRepository::sliceOutputsOf(RowId runId) const {
    Statement s(m_db,
                "SELECT kind, sample_index, width, height, data, slice FROM sampling_slice_output "
                "WHERE run_id = ?1 ORDER BY slice, kind, sample_index");
    s.bind(1, runId);
    std::map<int, SamplingOutputs> out;
    while (s.step()) addOutput(s, out[static_cast<int>(s.integer(5))]);
    return out;
}

RowId RunRepository::addReport(const ReportRecord& report) {
    RowId id = 0;
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO report (lesion_id, file_path, sha256, created_by) VALUES (?1, ?2, "
                    "?3, ?4) RETURNING id");
        s.bind(1, report.lesionId)
            .bind(2, report.filePath)
            .bind(3, report.sha256)
            .bind(4, report.createdBy);
        id = s.returnedId();
    });
    return id;
}

std::vector<ReportRecord> RunRepository::reportsOfLesion(RowId lesionId) const {
    Statement s(m_db,
                "SELECT id, lesion_id, file_path, sha256, created_by, created_at FROM report WHERE "
                "lesion_id = ?1 ORDER BY id");
    s.bind(1, lesionId);
    std::vector<ReportRecord> out;
    while (s.step())
        out.push_back(
            {s.integer(0), s.integer(1), s.text(2), s.text(3), s.optionalInteger(4), s.text(5)});
    return out;
}

}  // namespace flowseg::db
