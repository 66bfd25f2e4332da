#include "flowseg/common/installation_secret.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace flowseg::common {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSecretBytes = 32;

[[noreturn]] void fail(const std::string& path, const std::string& what, const std::string& fix) {
    throw std::runtime_error("pseudonym key '" + path + "': " + what + "; " + fix);
}

std::string readSecret(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) fail(path, std::strerror(errno), "check the folder");
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        fail(path, "readable by other users", "run 'chmod 600 " + path + "'");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::strerror(errno), "check its owner and permissions");
    std::string secret(kSecretBytes + 1, '\0');
    const auto got = ::read(fd, secret.data(), secret.size());
    ::close(fd);
    if (got != static_cast<ssize_t>(kSecretBytes))
        fail(path, "not a 32-byte key",
             "restore it from a backup (pseudonyms change with a new key), or remove it to "
             "start a new one");
    secret.resize(kSecretBytes);
    return secret;
}

}  // namespace

std::string installationSecretPath() {
    const char* config = std::getenv("XDG_CONFIG_HOME");
    fs::path base;
    if (config != nullptr && *config != '\0') {
        base = config;
    } else {
        const char* home = std::getenv("HOME");
        if (home == nullptr || *home == '\0')
            throw std::runtime_error(
                "pseudonym key: neither XDG_CONFIG_HOME nor HOME is set; set one of them");
        base = fs::path(home) / ".config";
    }
    return (base / "flowseg" / "pseudonym.key").string();
}

std::string installationSecret() {
    const std::string path = installationSecretPath();
    if (fs::exists(path)) return readSecret(path);
    const auto folder = fs::path(path).parent_path();
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) fail(path, "cannot create its folder: " + ec.message(), "check the permissions");
    ::chmod(folder.c_str(), 0700);
    std::string secret(kSecretBytes, '\0');
    size_t filled = 0;
    while (filled < kSecretBytes) {
        const auto got = ::getrandom(secret.data() + filled, kSecretBytes - filled, 0);
        if (got < 0 && errno != EINTR) fail(path, "no random source", "check /dev/urandom");
        if (got > 0) filled += static_cast<size_t>(got);
    }
    // Written aside, then linked into place: link() fails if another process won.
    const std::string temporary = path + ".new." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(path, std::strerror(errno), "check the folder's permissions");
    const bool written =
        ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        ::unlink(temporary.c_str());
        fail(path, "cannot write it", "check the free space");
    }
    const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
    const int linkError = errno;
    ::unlink(temporary.c_str());
    if (!linked && linkError != EEXIST) fail(path, std::strerror(linkError), "check the folder");
    return readSecret(path);
}

}  // namespace flowseg::common
