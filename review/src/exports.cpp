#include "flowseg/review/exports.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include <nifti2_io.h>

#include "flowseg/dicom/deidentify.h"
#include "flowseg/dicom/encapsulated_pdf.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/engine/solver.h"
#include "flowseg/imaging/image_io.h"

namespace flowseg::review {

namespace fs = std::filesystem;

namespace {

/// A file name from an expert's name: letters, digits, '-' and '_' only.
std::string safeName(const std::string& name) {
    std::string out;
    for (const char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    return out.empty() ? "expert" : out;
}

/// Fills volume v (W x H x D, x fastest, zeroed) of a NIfTI file being written.
using FillVolume = std::function<void(std::int64_t volume, void* out)>;

/// Writes a NIfTI-1 image of `volumes` volumes in the series' geometry: voxel
/// (i, j, k) is column i, row j, slice k; DICOM's patient axes (LPS) become
/// NIfTI's RAS by negating x and y. The volumes are filled and written one at
/// a time, so a full-size CT's M samples are never all in memory.
void writeNifti(const std::string& path, const dicom::Series& series, int datatype,
                std::int64_t volumes, const std::string& description, const FillVolume& fill) {
    const std::int64_t dims[8] = {
        volumes > 1 ? 4 : 3, series.width, series.height, series.depth, volumes, 1, 1, 1};
    std::unique_ptr<nifti_image, void (*)(nifti_image*)> nim(nifti_make_new_nim(dims, datatype, 0),
                                                             nifti_image_free);
    if (!nim) throw std::runtime_error("cannot make the NIfTI image " + path);
    const auto& g = series.geometry;
    const double spacing[3] = {g.columnSpacing, g.rowSpacing, g.sliceSpacing};
    const std::array<double, 3>* axes[3] = {&g.rowDirection, &g.columnDirection, &g.normal};
    nifti_dmat44 m{};
    for (int r = 0; r < 3; ++r) {
        const double sign = r < 2 ? -1.0 : 1.0;  // LPS -> RAS
        for (int c = 0; c < 3; ++c)
            m.m[r][c] = sign * (*axes[c])[static_cast<size_t>(r)] * spacing[c];
        m.m[r][3] = sign * g.origin[static_cast<size_t>(r)];
    }
    m.m[3][3] = 1;
    nim->pixdim[1] = nim->dx = spacing[0];
    nim->pixdim[2] = nim->dy = spacing[1];
    nim->pixdim[3] = nim->dz = spacing[2];
    nim->sto_xyz = m;
    nim->sto_ijk = nifti_dmat44_inverse(m);
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nifti_dmat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x,
                            &nim->qoffset_y, &nim->qoffset_z, nullptr, nullptr, nullptr,
                            &nim->qfac);
    nim->qto_xyz = m;
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->xyz_units = NIFTI_UNITS_MM;
    std::snprintf(nim->descrip, sizeof nim->descrip, "%s", description.c_str());
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    if (nifti_set_filenames(nim.get(), path.c_str(), 0, 1) != 0)
        throw std::runtime_error("bad NIfTI file name " + path);
    const auto bytes = static_cast<size_t>(series.width) * static_cast<size_t>(series.height) *
                       static_cast<size_t>(series.depth) * static_cast<size_t>(nim->nbyper);
    znzFile file = nifti_image_write_hdr_img(nim.get(), 2, "wb");  // the header; left open
    if (znz_isnull(file)) throw std::runtime_error("cannot write the NIfTI file " + path);
    std::vector<char> volume(bytes);
    bool written = true;
    for (std::int64_t v = 0; v < volumes && written; ++v) {
        std::fill(volume.begin(), volume.end(), 0);
        fill(v, volume.data());
        written = nifti_write_buffer(file, volume.data(), static_cast<std::int64_t>(bytes)) ==
                  static_cast<std::int64_t>(bytes);
    }
    znzclose(file);
    if (!written || !fs::exists(path))
        throw std::runtime_error("cannot write the NIfTI file " + path + " (disk full?)");
}

/// Slice-sized masks into a W x H x D uint8 volume (zeroed by the caller).
void placeOnSlices(const dicom::Series& series, const std::map<int, common::Mask>& slices,
                   void* out) {
    auto* volume = static_cast<std::uint8_t*>(out);
    for (const auto& [slice, mask] : slices) {
        if (slice < 0 || slice >= series.depth || mask.width != series.width ||
            mask.height != series.height)
            continue;
        std::copy(mask.pixels.begin(), mask.pixels.end(),
                  volume + static_cast<size_t>(slice) * mask.size());
    }
}

/// Sample k on every slice the samples span (slice-sized masks).
std::map<int, common::Mask> sampleOnSlices(const std::vector<SliceSamples>& slices, size_t k,
                                           const dicom::Series& series) {
    std::map<int, common::Mask> out;
    for (const auto& s : slices)
        if (k < s.result.masks.size())
            out[s.crop.slice] = maskOnSlice(s.crop, s.result.masks[k], series.width, series.height);
    return out;
}

/// A slice's probability map put back on the whole slice (0 outside the crop).
common::ImageF probabilityOnSlice(const SliceSamples& s, const dicom::Series& series) {
    common::ImageF onSlice(series.height, series.width);
    const auto& crop = s.crop;
    const double scale = crop.scale();
    for (int y = 0; y < series.height; ++y)
        for (int x = 0; x < series.width; ++x) {
            const int row = static_cast<int>(std::floor((y + 0.5 - crop.originY) / scale));
            const int col = static_cast<int>(std::floor((x + 0.5 - crop.originX) / scale));
            if (row >= 0 && col >= 0 && row < crop.image.height && col < crop.image.width)
                onSlice.at(y, x) = s.result.maps.probability.at(row, col);
        }
    return onSlice;
}

dicom::DeidentifyOptions deidentifyOptions(const StudyReport& report) {
    dicom::DeidentifyOptions options;
    options.pseudonym = report.study.patientId;  // already the pseudonym
    options.retainUids = report.uidKey.empty();
    options.uidKey = report.uidKey;
    return options;
}

}  // namespace

std::string lesionMetricsJson(const StudyReport& report, const ReportLesion& r) {
    auto j = nlohmann::json::parse(r.agreement.toJson());
    j["lesion"] = {{"id", r.lesion.id},
                   {"label", r.lesion.label},
                   {"review_state", db::toString(r.lesion.state)},
                   {"slices", {r.lesion.firstSlice, r.lesion.lastSlice}}};
    j["probability_weighted_volume_mm3"] = r.probabilityWeightedVolumeMm3;
    j["spacing_mm"] = {{"row", report.spacing.row},
                       {"column", report.spacing.column},
                       {"slice", report.spacing.slice},
                       {"nominal", report.spacing.nominal}};
    for (const auto* layer : r.outlines.layers())
        j["expert_states"][layer->expert.name] = db::toString(layer->state);
    if (r.run) {
        j["run"] = {{"id", r.run->id},
                    {"slice", r.run->slice},
                    {"solver", r.run->solver},
                    {"steps", r.run->steps},
                    {"guidance", r.run->guidance},
                    {"samples", r.run->samples},
                    {"seed", r.run->seed},
                    {"device", r.run->device},
                    {"created_at", r.run->createdAt}};
        if (r.model)
            j["model"] = {
                {"path", r.model->path}, {"sha256", r.model->sha256}, {"preset", r.model->preset}};
        j["reproduced"] = r.reproduced ? nlohmann::json(*r.reproduced) : nlohmann::json();
        if (!r.resampleNote.empty()) j["reproduction_note"] = r.resampleNote;
    }
    if (r.nodule && r.result && !r.result->slices.empty()) {
        const auto spread = [](const Spread& s) {
            return nlohmann::json{{"median", s.median}, {"p5", s.low}, {"p95", s.high}};
        };
        nlohmann::json samples = nlohmann::json::array();
        for (const auto& m : r.nodule->samples)
            samples.push_back({{"volume_mm3", m.volumeMm3},
                               {"longest_mm", m.longestMm},
                               {"perpendicular_mm", m.perpendicularMm},
                               {"slices", m.slices}});
        j["nodule"] = {{"first_slice", r.result->slices.front().crop.slice},
                       {"last_slice", r.result->slices.back().crop.slice},
                       {"coherent", r.result->coherent},
                       {"volume_mm3", spread(r.nodule->volumeMm3)},
                       {"longest_mm", spread(r.nodule->longestMm)},
                       {"perpendicular_mm", spread(r.nodule->perpendicularMm)},
                       {"samples", samples}};
    }
    j["app_version"] = report.appVersion;
    j["deidentified"] = report.deidentified;
    return j.dump(2);
}

std::vector<std::string> exportLesion(const StudyReport& report, const ReportLesion& r,
                                      const dicom::Series& series, const std::string& folder,
                                      const ExportOptions& options) {
    std::vector<std::string> files;
    fs::create_directories(folder);
    const auto out = [&](const std::string& name) {
        const auto path = (fs::path(folder) / name).string();
        files.push_back(path);
        return path;
    };
    const auto layers = r.outlines.layers();
    if (options.png) {
        fs::create_directories(fs::path(folder) / "experts");
        for (const auto* layer : layers)
            for (const auto& [slice, mask] : layer->slices)
                imaging::writeMask(out("experts/" + safeName(layer->expert.name) + "_slice" +
                                       std::to_string(slice) + ".png"),
                                   mask);
        if (r.result) {
            fs::create_directories(fs::path(folder) / "samples");
            const auto& result = r.result->result;
            for (size_t i = 0; i < result.masks.size(); ++i) {
                char name[64];
                std::snprintf(name, sizeof name, "samples/sample_%02zu.png", i);
                imaging::writeMask(out(name), result.masks[i]);
            }
            imaging::writeGray16(out("probability.png"), result.maps.probability);
            auto variance = result.maps.variance;  // p(1 - p) <= 0.25: scaled x4 to the full range
            for (auto& v : variance.pixels) v *= 4.0F;
            imaging::writeGray8(out("variance.png"), variance);
            imaging::writeGray8(out("entropy.png"), result.maps.entropy);
        }
    }
    if (options.nifti) {
        if (!layers.empty())
            writeNifti(out("experts.nii.gz"), series, NIFTI_TYPE_UINT8,
                       static_cast<std::int64_t>(layers.size()),
                       "FlowSeg experts' outlines, one volume each",
                       [&](std::int64_t v, void* volume) {
                           placeOnSlices(series, layers[static_cast<size_t>(v)]->slices, volume);
                       });
        if (r.result) {
            const auto slices = r.result->allSlices();  // every slice the samples span
            const auto samples = static_cast<std::int64_t>(r.result->result.masks.size());
            writeNifti(out("samples.nii.gz"), series, NIFTI_TYPE_UINT8, samples,
                       "FlowSeg model samples, one volume each", [&](std::int64_t v, void* volume) {
                           placeOnSlices(series,
                                         sampleOnSlices(slices, static_cast<size_t>(v), series),
                                         volume);
                       });
            writeNifti(out("probability.nii.gz"), series, NIFTI_TYPE_FLOAT32, 1,
                       "FlowSeg probability p over the samples", [&](std::int64_t, void* volume) {
                           auto* probability = static_cast<float*>(volume);
                           const size_t plane = static_cast<size_t>(series.width) * series.height;
                           for (const auto& s : slices) {
                               if (s.crop.slice < 0 || s.crop.slice >= series.depth) continue;
                               const auto p = probabilityOnSlice(s, series);
                               std::copy(p.pixels.begin(), p.pixels.end(),
                                         probability + static_cast<size_t>(s.crop.slice) * plane);
                           }
                       });
        }
    }
    if (options.seg && !series.files.empty()) {
        const auto writeSeg = [&](const std::string& name, const auto& write) {
            const auto path = out(name);
            write(path);
            if (report.deidentified) dicom::deidentifyFile(path, deidentifyOptions(report));
        };
        if (!layers.empty())
            writeSeg("experts.seg.dcm", [&](const std::string& path) {
                std::vector<dicom::BinarySegment> segments;
                for (const auto* layer : layers)
                    segments.push_back({layer->expert.name, layer->slices});
                dicom::writeBinarySeg(path, series, segments, "FlowSeg experts' outlines");
            });
        if (r.result) {
            const auto slices = r.result->allSlices();
            writeSeg("samples.seg.dcm", [&](const std::string& path) {
                std::vector<dicom::BinarySegment> segments;
                for (size_t i = 0; i < r.result->result.masks.size(); ++i)
                    segments.push_back(
                        {"Sample " + std::to_string(i + 1), sampleOnSlices(slices, i, series)});
                dicom::writeBinarySeg(path, series, segments, "FlowSeg model samples");
            });
            writeSeg("probability.seg.dcm", [&](const std::string& path) {
                std::map<int, common::ImageF> onSlices;
                for (const auto& s : slices) onSlices[s.crop.slice] = probabilityOnSlice(s, series);
                dicom::writeFractionalSeg(path, series, "Probability over the samples", onSlices,
                                          "FlowSeg probability map");
            });
        }
    }
    if (options.tables) {
        std::ofstream(out("metrics.json")) << lesionMetricsJson(report, r) << "\n";
        std::ofstream csv(out("metrics.csv"));
        csv << "lesion,outline,slice,longest_mm,perpendicular_mm,area_mm2,volume_mm3\n";
        for (const auto& m : r.agreement.measures)
            for (const auto& [slice, o] : m.slices)
                csv << r.lesion.id << ",\"" << m.expert << "\"," << slice << "," << o.longest.mm
                    << "," << o.perpendicular.mm << "," << o.areaMm2 << ","
                    << (m.volumeMm3 ? std::to_string(*m.volumeMm3) : "") << "\n";
        const auto& a = r.agreement;
        if (a.sampleLongest)
            csv << r.lesion.id << ",samples min," << r.result->crop.slice << ","
                << a.sampleLongest->min << "," << a.samplePerpendicular->min << ","
                << a.sampleArea->min << ",\n"
                << r.lesion.id << ",samples max," << r.result->crop.slice << ","
                << a.sampleLongest->max << "," << a.samplePerpendicular->max << ","
                << a.sampleArea->max << ",\n";
        if (!csv)
            throw std::runtime_error("cannot write " + (fs::path(folder) / "metrics.csv").string());
    }
    return files;
}

std::vector<std::string> exportStudy(const StudyReport& report, const dicom::Series& series,
                                     const std::string& folder, const ExportOptions& options) {
    std::vector<std::string> files;
    nlohmann::json index{
        {"study_uid", report.study.studyUid},       {"patient_id", report.study.patientId},
        {"patient_name", report.study.patientName}, {"series_uid", report.seriesUid},
        {"deidentified", report.deidentified},      {"app_version", report.appVersion},
        {"created_at", report.createdAt},           {"reviewers", report.reviewers},
        {"lesions", nlohmann::json::array()}};
    for (const auto& lesion : report.lesions) {
        const auto dir =
            (fs::path(folder) / ("lesion_" + std::to_string(lesion.lesion.id))).string();
        for (auto& f : exportLesion(report, lesion, series, dir, options))
            files.push_back(std::move(f));
        index["lesions"].push_back({{"id", lesion.lesion.id},
                                    {"label", lesion.lesion.label},
                                    {"folder", fs::path(dir).filename()}});
    }
    const auto path = (fs::path(folder) / "study.json").string();
    std::ofstream(path) << index.dump(2) << "\n";
    files.push_back(path);
    return files;
}

std::string exportReportDocument(const StudyReport& report, const dicom::Series& series,
                                 const std::string& pdfPath, const std::string& folder) {
    if (series.files.empty())
        throw std::runtime_error(
            "the series was not loaded from DICOM files: the report cannot "
            "be filed in its study");
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw std::runtime_error("cannot create '" + folder + "': " + ec.message());
    const auto path = (fs::path(folder) / "report.dcm").string();
    dicom::writeEncapsulatedPdf(path, pdfPath, series.files.front(), "FlowSeg uncertainty report");
    if (report.deidentified) dicom::deidentifyFile(path, deidentifyOptions(report));
    return path;
}

}  // namespace flowseg::review
