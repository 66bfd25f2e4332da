#pragma once
// `--data` with the patient split that `train` and `eval` share: which case
// folders of a multi-reader set a command reads (models/lidc-split.tsv).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "flowseg/imaging/folder_dataset.h"

namespace flowseg::cli {

struct DatasetFlags {
    std::string data;
    std::string split;
    std::string part;
    bool oneSlicePerNodule = false;
    int maxCases = 0;
    int growMasks =
        0;  ///< grow every reader's mask by this many pixels (a site that outlines wider)

    /// Adds --data (required when `dataRequired`), --split, --part, --one-slice-per-nodule
    /// --max-cases and --grow-masks; returns the --data option. With a prefix ("eval-"):
    /// --eval-data, --eval-split, --eval-part, --eval-one-slice-per-nodule, --eval-cases
    /// and --eval-grow-masks.
    CLI::Option* addTo(CLI::App& command, bool dataRequired, const std::string& prefix = "");
    /// Decodes the chosen case folders on `threads` threads. Throws for --part
    /// without --split (and the reverse), and for anything the loader refuses.
    /// With --grow-masks, `originals` (when given) receives every case's readers as
    /// they were before growing.
    [[nodiscard]] std::vector<imaging::FolderCase> load(
        int threads, std::vector<std::vector<common::Mask>>* originals = nullptr) const;
    /// "DIR (part P of SPLIT, N cases)" for provenance and logs.
    [[nodiscard]] std::string describe(size_t cases) const;

private:
    std::string m_prefix;
};

}  // namespace flowseg::cli
