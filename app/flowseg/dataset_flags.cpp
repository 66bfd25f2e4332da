#include "dataset_flags.h"

#include "flowseg/engine/error.h"
#include "flowseg/imaging/patient_split.h"

namespace flowseg::cli {

CLI::Option* DatasetFlags::addTo(CLI::App& command, bool dataRequired) {
    auto* option = command.add_option("--data", data, "folder dataset (one folder per case)");
    if (dataRequired) option->required();
    command.add_option("--split", split,
                       "patient split file (patient<TAB>part lines, e.g. models/lidc-split.tsv); with --part");
    command.add_option("--part", part, "use only the cases of this part of --split (train, val, test)");
    command.add_flag("--one-slice-per-nodule", oneSlicePerNodule,
                     "with --part: one slice of each nodule (case ids PATIENT_nodule-N_slice-K), "
                     "in a fixed random-looking order");
    command.add_option("--max-cases", maxCases, "use only the first N cases")->check(CLI::Range(1, 100000000));
    return option;
}

std::vector<imaging::FolderCase> DatasetFlags::load(int threads) const {
    if (split.empty() != part.empty())
        throw engine::InvalidInput(split.empty() ? "--part needs --split (the file that names each patient's part)"
                                                 : "--split needs --part (which part to use: train, val, test)");
    if (oneSlicePerNodule && part.empty())
        throw engine::InvalidInput("--one-slice-per-nodule needs --split and --part");
    auto names = imaging::listCaseFolders(data);
    if (!split.empty())
        names = imaging::casesOfPart(names, imaging::PatientSplit::load(split), part, oneSlicePerNodule);
    if (maxCases > 0 && static_cast<int>(names.size()) > maxCases) names.resize(static_cast<size_t>(maxCases));
    return imaging::loadFolderCases(data, names, threads);
}

std::string DatasetFlags::describe(size_t cases) const {
    std::string text = data + " (";
    if (!part.empty())
        text += "part " + part + " of " + split + (oneSlicePerNodule ? ", one slice per nodule" : "") + ", ";
    return text + std::to_string(cases) + " cases)";
}

}  // namespace flowseg::cli
