#pragma once
// SHA-256 (FIPS 180-4), used for checkpoint checksums and content hashes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace flowseg::common {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    /// Finishes the hash; the object must not be updated afterwards.
    std::array<std::uint8_t, 32> digest();
    std::string hexDigest();

private:
    void compress(const std::uint8_t* block);
    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer{};
    size_t m_bufferSize = 0;
    std::uint64_t m_totalBytes = 0;
};

std::string sha256Hex(const void* data, size_t size);

/// HMAC-SHA-256 (RFC 2104 / FIPS 198-1) of `message` under `key`, as raw bytes.
std::array<std::uint8_t, 32> hmacSha256(const std::string& key, const std::string& message);
/// The same as 64 lower-case hex digits.
std::string hmacSha256Hex(const std::string& key, const std::string& message);

}  // namespace flowseg::common
