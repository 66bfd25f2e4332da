#include "flowseg/review/reader_import.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <set>
#include <stdexcept>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/dicom/dicom_error.h"

namespace flowseg::review {

namespace {

std::map<std::string, int> sliceOfSop(const dicom::Series& series) {
    std::map<std::string, int> out;
    for (size_t z = 0; z < series.sopUids.size(); ++z) out[series.sopUids[z]] = static_cast<int>(z);
    return out;
}

bool overlaps(const ReaderOutlines& a, const ReaderOutlines& b) {
    for (const auto& [slice, mask] : a.slices) {
        const auto it = b.slices.find(slice);
        if (it == b.slices.end()) continue;
        for (size_t i = 0; i < mask.size(); ++i)
            if (mask.pixels[i] && it->second.pixels[i]) return true;
    }
    return false;
}

void merge(ReaderOutlines& into, const ReaderOutlines& from) {
    for (const auto& [slice, mask] : from.slices) {
        auto [it, added] = into.slices.emplace(slice, mask);
        if (!added)
            for (size_t i = 0; i < mask.size(); ++i) it->second.pixels[i] |= mask.pixels[i];
    }
}

}  // namespace

std::vector<std::vector<ReaderOutlines>> lidcLesions(const dicom::LidcDocument& document,
                                                     const dicom::Series& series, int* skipped) {
    const auto slices = sliceOfSop(series);
    std::vector<ReaderOutlines> nodules;  // every reader's every nodule
    int missing = 0;
    for (const auto& reading : document.readings)
        for (const auto& nodule : reading.nodules) {
            ReaderOutlines outlines{reading.readerId, {}};
            for (auto& [sop, mask] : dicom::noduleMasks(nodule, series.width, series.height)) {
                const auto it = slices.find(sop);
                if (it == slices.end()) {
                    ++missing;
                    continue;
                }
                if (mask.area() > 0) outlines.slices[it->second] = std::move(mask);
            }
            if (!outlines.slices.empty()) nodules.push_back(std::move(outlines));
        }
    if (skipped) *skipped = missing;
    // Union-find over nodules that overlap: one group is one lesion.
    std::vector<size_t> parent(nodules.size());
    std::iota(parent.begin(), parent.end(), 0);
    const auto find = [&](size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    for (size_t i = 0; i < nodules.size(); ++i)
        for (size_t j = i + 1; j < nodules.size(); ++j)
            if (overlaps(nodules[i], nodules[j])) parent[find(i)] = find(j);
    std::map<size_t, std::map<std::string, ReaderOutlines>> groups;
    for (size_t i = 0; i < nodules.size(); ++i) {
        auto& byReader = groups[find(i)];
        auto [it, added] = byReader.emplace(nodules[i].reader, nodules[i]);
        if (!added) merge(it->second, nodules[i]);
    }
    std::vector<std::vector<ReaderOutlines>> lesions;
    for (auto& [root, byReader] : groups) {
        auto& lesion = lesions.emplace_back();
        for (auto& [reader, outlines] : byReader) lesion.push_back(std::move(outlines));
    }
    return lesions;
}

std::vector<ReaderOutlines> segReaders(const std::vector<std::string>& segPaths,
                                       const dicom::Series& series) {
    const auto slices = sliceOfSop(series);
    std::vector<ReaderOutlines> readers;
    std::map<std::string, int> labels;                       // how many segments carry each label
    std::vector<std::pair<std::string, std::string>> names;  // file stem, label
    for (const auto& path : segPaths) {
        const auto seg = dicom::readSeg(path);
        if (!seg.referencedSeriesUid.empty() && !series.seriesUid.empty() &&
            seg.referencedSeriesUid != series.seriesUid)
            throw dicom::DicomError("'" + path + "' segments series " + seg.referencedSeriesUid +
                                    ", not the open series " + series.seriesUid);
        int placed = 0;
        for (const auto& segment : seg.segments) {
            ReaderOutlines outlines{
                segment.label.empty() ? "segment " + std::to_string(segment.number) : segment.label,
                {}};
            const auto place = [&](const std::string& sop, common::Mask mask) {
                const auto it = slices.find(sop);
                if (it == slices.end() || mask.width != series.width ||
                    mask.height != series.height)
                    return;
                ++placed;
                // try_emplace leaves `mask` alone when the slice has an outline already
                // (emplace may move it into a node it then throws away).
                auto [at, added] = outlines.slices.try_emplace(it->second, std::move(mask));
                if (!added)
                    for (size_t i = 0; i < mask.size(); ++i) at->second.pixels[i] |= mask.pixels[i];
            };
            for (const auto& [sop, mask] : segment.masks) place(sop, mask);
            for (const auto& [sop, fraction] : segment.fractions) {
                common::Mask mask(fraction.height, fraction.width);
                for (size_t i = 0; i < mask.size(); ++i)
                    mask.pixels[i] = fraction.pixels[i] >= 0.5F ? 1 : 0;
                place(sop, std::move(mask));
            }
            ++labels[outlines.reader];
            names.emplace_back(std::filesystem::path(path).stem().string(), outlines.reader);
            readers.push_back(std::move(outlines));
        }
        if (placed == 0)
            throw dicom::DicomError(
                "'" + path +
                "' has no frame on a slice of the open series (is it another series' SEG?)");
    }
    for (size_t i = 0; i < readers.size(); ++i)
        if (labels[names[i].second] > 1) readers[i].reader = names[i].first + " " + names[i].second;
    return readers;
}

std::vector<ReaderOutlines> cropReaders(
    const std::vector<std::pair<std::string, common::Mask>>& masks, const LesionCrop& crop,
    int sliceWidth, int sliceHeight) {
    std::vector<ReaderOutlines> readers;
    for (const auto& [name, mask] : masks)
        readers.push_back({name, {{crop.slice, maskOnSlice(crop, mask, sliceWidth, sliceHeight)}}});
    return readers;
}

ImportedLesion importReaders(db::Database& database, db::RowId seriesId,
                             const std::vector<ReaderOutlines>& readers,
                             std::optional<db::RowId> lesionId, const std::string& label) {
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1, first = 1 << 30, last = -1;
    for (const auto& r : readers)
        for (const auto& [slice, mask] : r.slices)
            for (int y = 0; y < mask.height; ++y)
                for (int x = 0; x < mask.width; ++x)
                    if (mask.at(y, x)) {
                        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x),
                        y1 = std::max(y1, y);
                        first = std::min(first, slice), last = std::max(last, slice);
                    }
    if (x1 < 0)
        throw std::invalid_argument("the readers' outlines are all empty: nothing to import");
    ImportedLesion imported;
    database.transaction([&] {
        db::LesionRepository lesions(database);
        if (lesionId) {
            imported.lesionId = *lesionId;
            const auto existing = lesions.find(*lesionId);
            if (!existing)
                throw db::DatabaseError(db::DatabaseError::Kind::NotFound,
                                        "no lesion " + std::to_string(*lesionId));
            imported.label = existing->label;
        } else {
            db::LesionRecord lesion;
            lesion.seriesId = seriesId;
            lesion.label = label.empty()
                               ? "lesion " + std::to_string(lesions.ofSeries(seriesId).size() + 1)
                               : label;
            lesion.firstSlice = first;
            lesion.lastSlice = last;
            lesion.box = {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
            lesion.state = db::ReviewState::InProgress;
            imported.lesionId = lesions.create(lesion);
            imported.label = lesion.label;
        }
        db::ExpertRepository experts(database);
        db::AnnotationRepository annotations(database);
        for (const auto& r : readers) {
            const auto expert = experts.findOrCreate(r.reader, "imported reader");
            imported.readers.push_back(r.reader);
            for (const auto& [slice, mask] : r.slices) {
                annotations.save(imported.lesionId, expert.id, slice, mask,
                                 db::AnnotationSource::Imported);
                lesions.extendToSlice(imported.lesionId, slice);
                ++imported.outlines;
            }
        }
    });
    return imported;
}

}  // namespace flowseg::review
