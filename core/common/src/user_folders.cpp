#include "flowseg/common/user_folders.h"

#include <cstdlib>
#include <filesystem>

namespace flowseg::common {

namespace {

std::string folder(const char* variable, const char* fallbackBelowHome) {
    namespace fs = std::filesystem;
    const char* set = std::getenv(variable);
    if (set != nullptr && *set != '\0') return (fs::path(set) / "flowseg").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home != nullptr && *home != '\0' ? home : "/tmp") / fallbackBelowHome /
            "flowseg")
        .string();
}

}  // namespace

std::string userCacheFolder() { return folder("XDG_CACHE_HOME", ".cache"); }

std::string userDataFolder() { return folder("XDG_DATA_HOME", ".local/share"); }

}  // namespace flowseg::common
