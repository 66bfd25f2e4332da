#pragma once
// `flowseg bench --open-study FOLDER`: opening a study as the review window
// does (headers, the reading series chosen, its first image, the whole series
// on every core), timed, with the process's memory.

#include <nlohmann/json.hpp>
#include <string>

namespace flowseg::cli {

/// Times and measures one opening of `folder`; prints a table unless `json`.
nlohmann::json benchOpenStudy(const std::string& folder, int threads, bool json);

}  // namespace flowseg::cli
