#include "flowseg/engine/model_location.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace flowseg::engine {

std::vector<std::string> defaultModelCandidates(const std::string& appDir) {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("FLOWSEG_MODEL"); env && *env) paths.emplace_back(env);
    paths.push_back((fs::path(appDir) / ".." / "share" / "flowseg" / "models" / "default.fsm")
                        .lexically_normal()
                        .string());
    return paths;
}

std::string findDefaultModel(const std::string& appDir) {
    // A model named on purpose that is not there is an error, not a reason to
    // quietly sample with another one.
    if (const char* env = std::getenv("FLOWSEG_MODEL"); env && *env) {
        std::error_code ec;
        if (fs::is_regular_file(env, ec)) return env;
        throw std::runtime_error(
            std::string("FLOWSEG_MODEL names '") + env +
            "', which is not a file; fix it or unset it to use the shipped model");
    }
    const auto candidates = defaultModelCandidates(appDir);
    std::string tried;
    for (const auto& path : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(path, ec)) return path;
        tried += "\n  " + path;
    }
    throw std::runtime_error("no model file found; looked for:" + tried +
                             "\nName one with --model FILE (train one with `flowseg train`).");
}

}  // namespace flowseg::engine
