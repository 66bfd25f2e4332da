// flowseg synth: writes a synthetic multi-rater folder dataset (DESIGN.md).

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/imaging/folder_dataset.h"

namespace flowseg::cli {

namespace {

struct SynthFlags {
    std::string out;
    int cases = 100;
    int size = 128;
    int raters = 4;
    std::uint64_t seed = 1;
    bool json = false;
};

void runSynth(const SynthFlags& f) {
    std::error_code ec;
    if (std::filesystem::exists(f.out, ec) && !std::filesystem::is_empty(f.out, ec))
        throw engine::InvalidInput("output folder '" + f.out +
                                   "' is not empty; choose a new folder so no data is overwritten");
    engine::SyntheticOptions options{f.size, f.raters, f.seed};
    std::vector<long> areas;
    long emptyMasks = 0;
    for (int i = 0; i < f.cases; ++i) {
        const auto c = engine::generateSyntheticCase(options, i);
        imaging::writeFolderCase(f.out, c.data, c.lesion.toJson());
        for (const auto& m : c.data.experts) {
            const long a = m.area();
            areas.push_back(a);
            emptyMasks += a == 0;
        }
        if (!f.json && (i + 1) % 50 == 0)
            std::cerr << "  " << i + 1 << "/" << f.cases << " cases\n";
    }
    std::sort(areas.begin(), areas.end());
    const auto percentile = [&](double q) {
        return areas[static_cast<size_t>(q * static_cast<double>(areas.size() - 1))];
    };
    const double emptyFraction =
        static_cast<double>(emptyMasks) / static_cast<double>(areas.size());
    if (f.json) {
        printJson({{"out", f.out},
                   {"cases", f.cases},
                   {"size", f.size},
                   {"raters", f.raters},
                   {"seed", f.seed},
                   {"empty_mask_fraction", emptyFraction},
                   {"mask_area_p10_p50_p90", {percentile(0.1), percentile(0.5), percentile(0.9)}}});
    } else {
        std::cout << "wrote " << f.cases << " cases (" << f.size << "x" << f.size << ", "
                  << f.raters << " raters) to " << f.out << "; empty masks "
                  << 100.0 * emptyFraction << " %, mask area p10/p50/p90 " << percentile(0.1) << "/"
                  << percentile(0.5) << "/" << percentile(0.9) << " px\n";
    }
}

}  // namespace

void addSynthCommand(CLI::App& app) {
    auto flags = std::make_shared<SynthFlags>();
    auto* cmd = app.add_subcommand("synth", "Write a synthetic multi-rater lung-nodule dataset");
    cmd->add_option("--out", flags->out, "output folder (must be new or empty)")->required();
    cmd->add_option("--cases", flags->cases, "number of cases")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--size", flags->size, "crop side in pixels")
        ->check(CLI::Range(16, 1024))
        ->capture_default_str();
    cmd->add_option("--raters", flags->raters, "raters per case")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--seed", flags->seed, "random seed")->capture_default_str();
    cmd->add_flag("--json", flags->json, "print a JSON summary");
    cmd->callback([flags] { runSynth(*flags); });
}

}  // namespace flowseg::cli
