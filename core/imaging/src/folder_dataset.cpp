#include "flowseg/imaging/folder_dataset.h"

#include "flowseg/common/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "flowseg/imaging/image_io.h"

namespace flowseg::imaging {

namespace fs = std::filesystem;

namespace {

bool isImageFile(const fs::path& p) {
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".tif" || ext == ".tiff";
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

FolderCase loadCase(const fs::path& folder) {
    std::vector<fs::path> images;
    std::vector<fs::path> masks;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_regular_file() || !isImageFile(entry.path())) continue;
        auto name = entry.path().filename().string();
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        if (startsWith(name, "image"))
            images.push_back(entry.path());
        else if (startsWith(name, "mask") || startsWith(name, "label"))
            masks.push_back(entry.path());
    }
    const std::string where = "case folder '" + folder.string() + "'";
    if (images.empty())
        throw ImageIoError(where + " has " + std::to_string(masks.size()) +
                           " mask file(s) but no image* file");
    if (images.size() > 1) throw ImageIoError(where + " has more than one image* file");
    if (masks.empty()) throw ImageIoError(where + " has an image but no mask* or label* file");
    std::sort(masks.begin(), masks.end());

    FolderCase c;
    c.folder = folder.string();
    c.data.id = folder.filename().string();
    c.data.image = readGrayImage(images.front().string());
    for (const auto& m : masks) {
        auto mask = readMask(m.string());
        if (mask.height != c.data.image.height || mask.width != c.data.image.width)
            throw ImageIoError("'" + m.string() + "' is " + std::to_string(mask.width) + "x" +
                               std::to_string(mask.height) + " but its image is " +
                               std::to_string(c.data.image.width) + "x" +
                               std::to_string(c.data.image.height));
        c.data.experts.push_back(std::move(mask));
    }
    const auto lesion = folder / "lesion.json";
    if (fs::exists(lesion)) {
        std::ifstream in(lesion);
        std::stringstream text;
        text << in.rdbuf();
        c.syntheticLesionJson = text.str();
    }
    return c;
}

}  // namespace

std::vector<std::string> listCaseFolders(const std::string& root) {
    std::error_code ec;
    if (!fs::exists(root, ec)) throw ImageIoError("dataset folder '" + root + "' does not exist");
    if (!fs::is_directory(root, ec)) throw ImageIoError("'" + root + "' is not a folder");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory()) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    if (names.empty())
        throw ImageIoError(
            "dataset folder '" + root +
            "' holds no case folders (expected one folder per case with image* and mask* files)");
    return names;
}

std::vector<FolderCase> loadFolderCases(const std::string& root,
                                        const std::vector<std::string>& names, int threads) {
    std::vector<FolderCase> cases(names.size());
    // The first failing case in name order is the one reported, whatever the timing.
    common::parallelFor(names.size(), std::max(1, threads),
                        [&](size_t i) { cases[i] = loadCase(fs::path(root) / names[i]); });
    return cases;
}

std::vector<FolderCase> loadFolderDataset(const std::string& root) {
    return loadFolderCases(root, listCaseFolders(root));
}

void writeFolderCase(const std::string& root, const common::MultiRaterCase& data,
                     const std::optional<std::string>& syntheticLesionJson) {
    const fs::path folder = fs::path(root) / data.id;
    fs::create_directories(folder);
    writeGray8((folder / "image.png").string(), data.image);
    for (size_t k = 0; k < data.experts.size(); ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "mask_%02zu.png", k);
        writeMask((folder / name).string(), data.experts[k]);
    }
    if (syntheticLesionJson) {
        std::ofstream out(folder / "lesion.json");
        out << *syntheticLesionJson << "\n";
        if (!out) throw ImageIoError("cannot write '" + (folder / "lesion.json").string() + "'");
    }
}

}  // namespace flowseg::imaging
