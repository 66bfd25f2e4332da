#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/common/user_folders.h"

#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "flowseg/dicom/pacs.h"

namespace flowseg::dicom {

namespace fs = std::filesystem;

namespace {

const char* kPartial = ".partial";

/// A UID as a folder name: UIDs are digits and dots, anything else is refused.
std::string checkedUid(const std::string& uid) {
    if (uid.empty() || uid.size() > 64 || uid.find_first_not_of("0123456789.") != std::string::npos)
        throw PacsError("'" + uid + "' is not a DICOM UID");
    return uid;
}

std::uint64_t folderBytes(const fs::path& folder) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(folder, ec))
        if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    return total;
}

struct CachedSeries {
    fs::path folder;
    fs::file_time_type used;
    std::uint64_t bytes = 0;
};

std::vector<CachedSeries> cachedSeries(const fs::path& root) {
    std::vector<CachedSeries> out;
    std::error_code ec;
    for (const auto& study : fs::directory_iterator(root, ec)) {
        if (!study.is_directory() || study.path().filename() == kPartial) continue;
        for (const auto& series : fs::directory_iterator(study.path(), ec))
            if (series.is_directory())
                out.push_back({series.path(), fs::last_write_time(series.path(), ec),
                               folderBytes(series.path())});
    }
    return out;
}

}  // namespace

std::string PacsCache::defaultRoot() {
    return (fs::path(common::userCacheFolder()) / "pacs").string();
}

PacsCache::PacsCache(std::string root, std::uint64_t limitBytes)
    : m_root(std::move(root)), m_limit(limitBytes) {
    std::error_code ec;
    fs::create_directories(fs::path(m_root) / kPartial, ec);
    if (ec) throw PacsError("cannot create the PACS cache '" + m_root + "': " + ec.message());
    removeLeftovers();
}

std::string PacsCache::fetch(const std::string& studyUid, const std::string& seriesUid,
                             const std::function<void(const std::string&)>& retrieve,
                             bool* fromCache) {
    auto folder = find(studyUid, seriesUid);
    if (fromCache) *fromCache = !folder.empty();
    return folder.empty() ? store(studyUid, seriesUid, retrieve) : folder;
}

std::string PacsCache::find(const std::string& studyUid, const std::string& seriesUid) const {
    const auto folder = fs::path(m_root) / checkedUid(studyUid) / checkedUid(seriesUid);
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return {};
    fs::last_write_time(folder, fs::file_time_type::clock::now(), ec);
    return folder.string();
}

std::string PacsCache::store(const std::string& studyUid, const std::string& seriesUid,
                             const std::function<void(const std::string&)>& retrieve) {
    static std::atomic<int> counter{0};
    const auto target = fs::path(m_root) / checkedUid(studyUid) / checkedUid(seriesUid);
    const auto partial =
        fs::path(m_root) / kPartial /
        (seriesUid + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    std::error_code ec;
    fs::create_directories(partial, ec);
    if (ec) throw PacsError("cannot write to the PACS cache '" + m_root + "': " + ec.message());
    try {
        retrieve(partial.string());
    } catch (const PacsError& e) {
        fs::remove_all(partial, ec);
        throw PacsError(std::string(e.what()) + "; the cache is unchanged");
    } catch (...) {
        fs::remove_all(partial, ec);
        throw;
    }
    fs::create_directories(target.parent_path(), ec);
    const auto old = target.string() + ".old";
    fs::remove_all(old, ec);
    if (fs::exists(target)) fs::rename(target, old, ec);
    fs::rename(partial, target, ec);
    if (ec) {
        fs::remove_all(partial, ec);
        throw PacsError("cannot move the retrieved series into the cache '" + m_root +
                        "': " + ec.message());
    }
    fs::remove_all(old, ec);
    fs::last_write_time(target, fs::file_time_type::clock::now(), ec);
    evictFor(target.string());
    return target.string();
}

std::uint64_t PacsCache::sizeBytes() const {
    std::uint64_t total = 0;
    for (const auto& s : cachedSeries(m_root)) total += s.bytes;
    return total;
}

void PacsCache::removeLeftovers() const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(m_root) / kPartial, ec)) {
        // "<series UID>-<pid>-<n>": another process may be retrieving into it now.
        const auto name = entry.path().filename().string();
        const auto end = name.rfind('-');
        const auto start = end == std::string::npos ? end : name.rfind('-', end - 1);
        if (start != std::string::npos) {
            const auto pid = std::strtol(name.c_str() + start + 1, nullptr, 10);
            if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) continue;
        }
        fs::remove_all(entry.path(), ec);
    }
}

void PacsCache::evictFor(const std::string& keep) const {
    auto series = cachedSeries(m_root);
    std::uint64_t total = 0;
    for (const auto& s : series) total += s.bytes;
    std::sort(series.begin(), series.end(),
              [](const CachedSeries& a, const CachedSeries& b) { return a.used < b.used; });
    std::error_code ec;
    for (const auto& s : series) {
        if (total <= m_limit) break;
        if (s.folder == fs::path(keep)) continue;
        fs::remove_all(s.folder, ec);
        total -= s.bytes;
        if (fs::is_empty(s.folder.parent_path(), ec)) fs::remove(s.folder.parent_path(), ec);
    }
}

}  // namespace flowseg::dicom
