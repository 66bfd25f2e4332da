#pragma once
// The local cache of series retrieved from a PACS: one folder per complete
// series, size-limited (least recently used out first), and never a half series:
// a retrieval writes into a partial folder that becomes the series' folder only
// when it completes, and is removed when it fails or is cancelled.

#include <cstdint>
#include <functional>
#include <string>

namespace flowseg::dicom {

class PacsCache {
public:
    /// $XDG_CACHE_HOME/flowseg/pacs (default ~/.cache/flowseg/pacs).
    static std::string defaultRoot();
    static constexpr std::uint64_t kDefaultLimitBytes = 20ULL << 30U;  // 20 GiB

    /// Opens (creates) the cache and removes partial folders that processes
    /// which died mid-retrieval left (those of running processes stay).
    explicit PacsCache(std::string root = defaultRoot(),
                       std::uint64_t limitBytes = kDefaultLimitBytes);

    /// The folder of a complete cached series (marked as just used), or "".
    [[nodiscard]] std::string find(const std::string& studyUid, const std::string& seriesUid) const;

    /// Runs `retrieve(folder)` into a new partial folder. When it returns, the
    /// folder becomes the series' (replacing an older copy) and the least
    /// recently used other series leave until the cache fits its limit; returns
    /// the series' folder. When it throws, the partial folder is removed and the
    /// error is rethrown: the cache holds what it held before.
    std::string store(const std::string& studyUid, const std::string& seriesUid,
                      const std::function<void(const std::string& folder)>& retrieve);

    /// The series' folder: the cached copy (`fromCache` true), else store()'s.
    std::string fetch(const std::string& studyUid, const std::string& seriesUid,
                      const std::function<void(const std::string& folder)>& retrieve,
                      bool* fromCache = nullptr);

    /// Bytes in complete series.
    [[nodiscard]] std::uint64_t sizeBytes() const;
    /// Removes partial folders left by processes that died mid-retrieval.
    void removeLeftovers() const;

    [[nodiscard]] const std::string& root() const { return m_root; }
    [[nodiscard]] std::uint64_t limitBytes() const { return m_limit; }

private:
    void evictFor(const std::string& keep) const;
    std::string m_root;
    std::uint64_t m_limit;
};

}  // namespace flowseg::dicom
