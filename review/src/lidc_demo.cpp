#include "flowseg/review/lidc_demo.h"

#include <filesystem>
#include <stdexcept>

namespace flowseg::review {

LidcDemo findLidcDemo(const std::string& appDir) {
    namespace fs = std::filesystem;
    std::error_code error;
    auto folder = fs::path(appDir) / ".." / "share" / "flowseg" / "demo-lidc";
    folder = fs::weakly_canonical(folder, error);
    if (!fs::exists(folder / "readers.seg.dcm"))
        throw std::runtime_error("the LIDC demo study is not installed beside the program (" +
                                 folder.string() +
                                 "): reinstall the package, or build the project (tools/build.sh)");
    return {folder.string(), (folder / "ct").string(), (folder / "readers.seg.dcm").string()};
}

}  // namespace flowseg::review
