#include "dataset_flags.h"

#include "flowseg/engine/error.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/imaging/patient_split.h"

namespace flowseg::cli {

CLI::Option* DatasetFlags::addTo(CLI::App& command, bool dataRequired, const std::string& prefix) {
    m_prefix = prefix;
    const auto name = [&](const std::string& flag) { return "--" + prefix + flag; };
    auto* option = command.add_option(name("data"), data, "folder dataset (one folder per case)");
    if (dataRequired) option->required();
    command.add_option(
        name("split"), split,
        "patient split file (patient<TAB>part lines, e.g. models/lidc-split.tsv); with " +
            name("part"));
    command.add_option(
        name("part"), part,
        "use only the cases of this part of " + name("split") + " (train, val, test)");
    command.add_flag(name("one-slice-per-nodule"), oneSlicePerNodule,
                     "with " + name("part") +
                         ": one slice of each nodule (case ids PATIENT_nodule-N_slice-K), "
                         "in a fixed random-looking order");
    command
        .add_option(prefix.empty() ? std::string("--max-cases") : name("cases"), maxCases,
                    "use only the first N cases")
        ->check(CLI::Range(1, 100000000));
    command
        .add_option(name("grow-masks"), growMasks,
                    "grow every reader's mask by this many pixels (a disc): a site whose readers "
                    "outline wider")
        ->check(CLI::Range(0, 64));
    return option;
}

std::vector<imaging::FolderCase> DatasetFlags::load(
    int threads, std::vector<std::vector<common::Mask>>* originals) const {
    const auto name = [&](const std::string& flag) { return "--" + m_prefix + flag; };
    if (split.empty() != part.empty())
        throw engine::InvalidInput(split.empty() ? name("part") + " needs " + name("split") +
                                                       " (the file that names each patient's part)"
                                                 : name("split") + " needs " + name("part") +
                                                       " (which part to use: train, val, test)");
    if (oneSlicePerNodule && part.empty())
        throw engine::InvalidInput(name("one-slice-per-nodule") + " needs " + name("split") +
                                   " and " + name("part"));
    auto names = imaging::listCaseFolders(data);
    if (!split.empty())
        names = imaging::casesOfPart(names, imaging::PatientSplit::load(split), part,
                                     oneSlicePerNodule);
    if (maxCases > 0 && static_cast<int>(names.size()) > maxCases)
        names.resize(static_cast<size_t>(maxCases));
    auto cases = imaging::loadFolderCases(data, names, threads);
    if (growMasks > 0)
        for (auto& c : cases) {
            if (originals) originals->push_back(c.data.experts);
            for (auto& mask : c.data.experts) mask = imaging::growMask(mask, growMasks);
        }
    return cases;
}

std::string DatasetFlags::describe(size_t cases) const {
    std::string text = data + " (";
    if (!part.empty())
        text += "part " + part + " of " + split +
                (oneSlicePerNodule ? ", one slice per nodule" : "") + ", ";
    if (growMasks > 0) text += "masks grown by " + std::to_string(growMasks) + " px, ";
    return text + std::to_string(cases) + " cases)";
}

}  // namespace flowseg::cli
