#pragma once
// Builds damaged checkpoint files for tests (what another tool or a bad disk might leave).

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "flowseg/common/sha256.h"

namespace flowseg::test {

inline std::string readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline void writeFileBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Copies a valid checkpoint with its first weight set to NaN and the checksum
/// recomputed, so that only the finiteness check can catch it.
inline void writeNanCheckpoint(const std::string& source, const std::string& target) {
    auto bytes = readFileBytes(source);
    std::uint64_t headerBytes = 0;
    std::memcpy(&headerBytes, bytes.data() + 8, 8);
    const size_t dataStart = 16 + headerBytes;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data() + dataStart, &nan, sizeof nan);
    const auto header = nlohmann::json::parse(bytes.substr(16, headerBytes));
    const std::string oldSum = header["data_sha256"];
    const std::string newSum =
        common::sha256Hex(bytes.data() + dataStart, bytes.size() - dataStart);
    bytes.replace(bytes.find(oldSum), oldSum.size(), newSum);
    writeFileBytes(target, bytes);
}

}  // namespace flowseg::test
