#include "bench_open_study.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "flowseg/common/parallel_for.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/study_scan.h"

namespace flowseg::cli {

namespace {

/// VmRSS or VmHWM of this process, in MiB (Linux /proc).
double memoryMiB(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
    return 0;
}

}  // namespace

nlohmann::json benchOpenStudy(const std::string& folder, int threads, bool json) {
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::time_point from) {
        return std::chrono::duration<double>(Clock::now() - from).count();
    };
    const double baseline = memoryMiB("VmRSS");
    const auto start = Clock::now();
    const auto scan = dicom::scanFolder(folder);
    const auto entries = dicom::imageSeries(scan);
    const auto* chosen = dicom::readingSeries(entries);
    if (chosen == nullptr) throw std::runtime_error("no DICOM image series in '" + folder + "'");
    const double headers = seconds(start);
    const auto first = dicom::loadMiddleSlice(*chosen);
    const double firstImage = seconds(start);
    dicom::LoadOptions options;
    options.threads = threads;
    const auto load = dicom::loadFiles(chosen->files, options);
    const double whole = seconds(start);
    if (load.series.empty()) throw std::runtime_error("the reading series did not load");
    const auto& series = load.series.front();
    const double volume =
        static_cast<double>(series.values.size()) * sizeof(float) / (1024.0 * 1024.0);
    const double peak = memoryMiB("VmHWM");
    nlohmann::json series_list = nlohmann::json::array();
    for (const auto& e : entries)
        series_list.push_back({{"description", e.description},
                               {"slices", e.slices},
                               {"localizer", e.localizer},
                               {"chosen", &e == chosen}});
    const nlohmann::json out{{"folder", folder},
                             {"threads", common::resolveThreadCount(threads)},
                             {"series", series_list},
                             {"chosen",
                              {{"description", chosen->description},
                               {"width", series.width},
                               {"height", series.height},
                               {"slices", series.depth}}},
                             {"seconds_to_headers", headers},
                             {"seconds_to_first_image", firstImage},
                             {"seconds_to_whole_series", whole},
                             {"series_float_mib", volume},
                             {"baseline_rss_mib", baseline},
                             {"peak_rss_mib", peak},
                             {"peak_above_baseline_per_series_volume", (peak - baseline) / volume},
                             {"first_image_width", first.width}};
    if (!json) {
        std::printf("study %s: %zu image series\n", folder.c_str(), entries.size());
        for (const auto& e : entries)
            std::printf("  %s %-24s %4d slices%s\n", &e == chosen ? "*" : " ",
                        e.description.c_str(), e.slices, e.localizer ? "  (scout)" : "");
        std::printf(
            "headers %.2f s, first image %.2f s, whole series (%dx%dx%d) %.2f s on %d "
            "threads\n",
            headers, firstImage, series.width, series.height, series.depth, whole,
            common::resolveThreadCount(threads));
        std::printf(
            "memory: baseline %.0f MiB, peak %.0f MiB; the series' float volume %.0f MiB "
            "(peak - baseline = %.2fx it)\n",
            baseline, peak, volume, (peak - baseline) / volume);
    }
    return out;
}

}  // namespace flowseg::cli
