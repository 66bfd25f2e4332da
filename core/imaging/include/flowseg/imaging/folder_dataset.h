#pragma once
// The folder dataset of DESIGN.md: one folder per case with one `image*` file and
// one or more `mask*` / `label*` files (PNG, JPEG or TIFF; 8 or 16 bit).

#include <optional>
#include <string>
#include <vector>

#include "flowseg/common/types.h"

namespace flowseg::imaging {

struct FolderCase {
    common::MultiRaterCase data;
    std::string folder;
    /// Contents of `lesion.json` when the case came from `flowseg synth` (the true
    /// rater model, for oracle evaluation).
    std::optional<std::string> syntheticLesionJson;
};

/// Loads every case folder below `root` (sorted by name). A folder with masks but
/// no image, several images, no masks, or masks of another size than the image is
/// an error (ImageIoError) naming that folder.
std::vector<FolderCase> loadFolderDataset(const std::string& root);

/// The names of the case folders below `root`, sorted; nothing is decoded. Throws
/// ImageIoError when `root` is missing, not a folder, or holds no folder.
std::vector<std::string> listCaseFolders(const std::string& root);

/// Loads the named case folders below `root` in the given order, decoding on up to
/// `threads` threads (the result does not depend on the count). Errors as
/// loadFolderDataset; with several bad folders, the first in `names` is reported.
std::vector<FolderCase> loadFolderCases(const std::string& root,
                                        const std::vector<std::string>& names, int threads = 1);

/// Writes one case as `<root>/<id>/image.png` + `mask_<k>.png` (+ lesion.json).
void writeFolderCase(const std::string& root, const common::MultiRaterCase& data,
                     const std::optional<std::string>& syntheticLesionJson = std::nullopt);

}  // namespace flowseg::imaging
