// flowseg dicom-info: what a DICOM file or folder holds, with a content hash of
// the decoded modality values (equal across lossless transfer syntaxes);
// lidc-import and demo-study.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/lidc_xml.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/imaging/image_io.h"
#include "lidc_demo.h"

namespace flowseg::cli {

namespace {

struct DicomInfoFlags {
    std::vector<std::string> paths;
    bool json = false;
};

nlohmann::json valueRange(const std::vector<float>& values) {
    if (values.empty()) return {nullptr, nullptr};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {*lo, *hi};
}

nlohmann::json describeFile(const std::string& path) {
    const auto p = dicom::decodePixels(path);
    const auto range = valueRange(p.values);
    return {{"path", path},
            {"modality", p.modality},
            {"transfer_syntax", p.transferSyntax.uid},
            {"transfer_syntax_name", p.transferSyntax.name},
            {"lossy", p.transferSyntax.lossy},
            {"rows", p.rows},
            {"columns", p.columns},
            {"frames", p.frames},
            {"hu_min", range[0]},
            {"hu_max", range[1]},
            {"pixel_sha256", dicom::pixelSha256(p.values)}};
}

nlohmann::json describeSeries(const dicom::Series& s) {
    const auto range = valueRange(s.values);
    return {{"series_uid", s.seriesUid},
            {"study_uid", s.studyUid},
            {"modality", s.modality},
            {"transfer_syntax", s.transferSyntax.uid},
            {"transfer_syntax_name", s.transferSyntax.name},
            {"rows", s.height},
            {"columns", s.width},
            {"frames", s.depth},
            {"slices", s.depth},
            {"spacing", {s.geometry.rowSpacing, s.geometry.columnSpacing, s.geometry.sliceSpacing}},
            {"hu_min", range[0]},
            {"hu_max", range[1]},
            {"warnings", s.warnings},
            {"pixel_sha256", dicom::pixelSha256(s.values)}};
}

void runDicomInfo(const DicomInfoFlags& f) {
    nlohmann::json files = nlohmann::json::array();
    nlohmann::json series = nlohmann::json::array();
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& path : f.paths) {
        if (std::filesystem::is_directory(path)) {
            const auto load = dicom::loadFolder(path);
            for (const auto& s : load.series) series.push_back(describeSeries(s));
            for (const auto& k : load.skipped)
                skipped.push_back({{"path", k.path}, {"reason", k.reason}});
            if (load.series.empty())
                throw dicom::DicomError("no readable DICOM image below '" + path + "' (" +
                                        std::to_string(load.skipped.size()) + " files skipped)");
        } else {
            files.push_back(describeFile(path));
        }
    }
    if (f.json) {
        printJson({{"files", files}, {"series", series}, {"skipped", skipped}});
        return;
    }
    for (const auto& x : files)
        std::cout << x["path"].get<std::string>() << ": " << x["modality"].get<std::string>() << " "
                  << x["columns"] << "x" << x["rows"] << "x" << x["frames"] << ", "
                  << x["transfer_syntax_name"].get<std::string>() << ", values " << x["hu_min"]
                  << ".." << x["hu_max"] << "\n";
    for (const auto& x : series) {
        std::cout << "series " << x["series_uid"].get<std::string>() << ": "
                  << x["modality"].get<std::string>() << " " << x["columns"] << "x" << x["rows"]
                  << "x" << x["slices"] << ", spacing " << x["spacing"] << ", values "
                  << x["hu_min"] << ".." << x["hu_max"] << "\n";
        for (const auto& w : x["warnings"])
            std::cout << "  warning: " << w.get<std::string>() << "\n";
    }
    for (const auto& k : skipped)
        std::cout << "skipped " << k["path"].get<std::string>() << ": "
                  << k["reason"].get<std::string>() << "\n";
}

struct DemoStudyFlags {
    std::string out;
    std::string lidc;
    unsigned seed = 1;
    bool fullSize = false;
    bool json = false;
};

void runDemoStudy(const DemoStudyFlags& f) {
    std::error_code ec;
    if (std::filesystem::exists(f.out, ec) && !std::filesystem::is_empty(f.out, ec))
        throw dicom::DicomError("output folder '" + f.out + "' is not empty; choose a new folder");
    if (!f.lidc.empty()) {
        const auto summary = writeLidcDemo(f.lidc, f.out);
        if (f.json)
            printJson(summary);
        else
            std::cout << "wrote the real LIDC demo study (" << summary["slices"]
                      << " slices, four readers) to " << f.out << "\n";
        return;
    }
    if (f.fullSize) {
        const auto files = dicom::writeFullSizeStudy(f.out, f.seed);
        if (f.json)
            printJson({{"out", f.out}, {"files", files.size()}, {"series", 3}});
        else
            std::cout << "wrote a full-size CT study (scout; 512x512x500 at 0.625 mm; 62 slices "
                         "at 5 mm: "
                      << files.size() << " DICOM files) to " << f.out << "\n";
        return;
    }
    const auto demo = dicom::demoChestCt(f.seed);
    const auto files = dicom::writeSeries(f.out, demo);
    if (f.json)
        printJson({{"out", f.out},
                   {"files", files.size()},
                   {"width", demo.width},
                   {"height", demo.height},
                   {"slices", demo.depth}});
    else
        std::cout << "wrote a " << demo.width << "x" << demo.height << "x" << demo.depth
                  << " synthetic chest CT (" << files.size() << " DICOM files) to " << f.out
                  << "\n";
}

struct LidcFlags {
    std::string xml;
    std::string series;
    std::string out;
    std::string seg;
    bool json = false;
};

// LIDC reader outlines -> one PNG per reader, nodule and slice (+ an optional binary SEG).
void runLidcImport(const LidcFlags& f) {
    const auto doc = dicom::parseLidcXml(f.xml);
    auto load = dicom::loadFolder(f.series);
    const auto match =
        std::find_if(load.series.begin(), load.series.end(), [&](const dicom::Series& s) {
            return doc.seriesUid.empty() || s.seriesUid == doc.seriesUid;
        });
    if (match == load.series.end())
        throw dicom::DicomError("series " + doc.seriesUid + " of '" + f.xml + "' is not below '" +
                                f.series + "'");
    std::map<std::string, int> sliceOfSop;
    for (size_t k = 0; k < match->sopUids.size(); ++k)
        sliceOfSop[match->sopUids[k]] = static_cast<int>(k);
    std::filesystem::create_directories(f.out);
    nlohmann::json index = nlohmann::json::array();
    std::vector<dicom::BinarySegment> segments;
    int unmatched = 0;
    for (size_t r = 0; r < doc.readings.size(); ++r) {
        for (const auto& nodule : doc.readings[r].nodules) {
            dicom::BinarySegment segment{"reader " + std::to_string(r + 1) + " " + nodule.id, {}};
            for (const auto& [sop, mask] :
                 dicom::noduleMasks(nodule, match->width, match->height)) {
                const auto slice = sliceOfSop.find(sop);
                if (slice == sliceOfSop.end()) {
                    ++unmatched;
                    continue;
                }
                char name[128];
                std::snprintf(name, sizeof name, "reader%zu_%s_slice%03d.png", r + 1,
                              nodule.id.empty() ? "nodule" : nodule.id.c_str(), slice->second);
                std::string file = name;
                std::replace(file.begin(), file.end(), ' ', '_');
                imaging::writeMask((std::filesystem::path(f.out) / file).string(), mask);
                index.push_back({{"reader", doc.readings[r].readerId},
                                 {"nodule", nodule.id},
                                 {"slice", slice->second},
                                 {"sop_uid", sop},
                                 {"area", mask.area()},
                                 {"file", file}});
                segment.slices[slice->second] = mask;
            }
            if (!segment.slices.empty()) segments.push_back(std::move(segment));
        }
    }
    std::ofstream(std::filesystem::path(f.out) / "lidc_masks.json") << index.dump(2) << "\n";
    if (!f.seg.empty() && !segments.empty())
        dicom::writeBinarySeg(f.seg, *match, segments, "LIDC reader outlines");
    if (f.json)
        printJson({{"masks", index.size()},
                   {"readers", doc.readings.size()},
                   {"unmatched_rois", unmatched}});
    else
        std::cout << "wrote " << index.size() << " masks of " << doc.readings.size()
                  << " readers to " << f.out
                  << (unmatched ? "; " + std::to_string(unmatched) +
                                      " outlines refer to slices not in the series"
                                : "")
                  << "\n";
}

}  // namespace

void addDicomCommands(CLI::App& app) {
    auto lidc = std::make_shared<LidcFlags>();
    auto* lidcCmd = app.add_subcommand(
        "lidc-import", "LIDC-IDRI reader XML -> per-reader masks (PNG, optional DICOM SEG)");
    lidcCmd->add_option("--xml", lidc->xml, "LIDC XML file")->required();
    lidcCmd->add_option("--series", lidc->series, "folder with the series' DICOM files")
        ->required();
    lidcCmd->add_option("--out", lidc->out, "output folder for PNG masks")->required();
    lidcCmd->add_option("--seg", lidc->seg, "also write the outlines as a binary DICOM SEG");
    lidcCmd->add_flag("--json", lidc->json, "print JSON");
    lidcCmd->callback([lidc] { runLidcImport(*lidc); });

    auto demo = std::make_shared<DemoStudyFlags>();
    auto* demoCmd =
        app.add_subcommand("demo-study", "Write the built-in synthetic chest CT as DICOM files");
    demoCmd->add_option("--out", demo->out, "output folder (new or empty)")->required();
    demoCmd->add_option("--seed", demo->seed, "noise seed")->capture_default_str();
    demoCmd->add_option("--lidc", demo->lidc,
                        "instead: the real LIDC-IDRI-0004 demo (DICOM + the readers' SEG) from "
                        "this LIDC Toolbox export "
                        "(../shared/data/lidc-idri-0004)");
    demoCmd->add_flag("--full-size", demo->fullSize,
                      "instead: a full-size study of three series (a scout, 500 slices of "
                      "512 x 512, a 5 mm series; 300 MB), for `flowseg bench --open-study`");
    demoCmd->add_flag("--json", demo->json, "print JSON");
    demoCmd->callback([demo] { runDemoStudy(*demo); });

    auto f = std::make_shared<DicomInfoFlags>();
    auto* cmd =
        app.add_subcommand("dicom-info", "Describe DICOM files (per file) or folders (per series)");
    cmd->add_option("paths", f->paths, "DICOM files or folders")->required();
    cmd->add_flag("--json", f->json, "print JSON");
    cmd->callback([f] { runDicomInfo(*f); });
}

}  // namespace flowseg::cli
