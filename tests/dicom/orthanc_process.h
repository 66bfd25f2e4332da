#pragma once
// A real Orthanc PACS started on loopback for a test (gtest or Qt Test), with a
// temporary configuration that knows this application as a C-MOVE destination
// (AE FLOWSEG at 127.0.0.1:movePort()); stopped and removed afterwards.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "flowseg/dicom/pacs.h"

namespace flowseg::test {

namespace fs = std::filesystem;
using dicom::PacsClient;
using dicom::PacsError;
using dicom::PacsNode;

inline const char* kOrthanc = "/usr/sbin/Orthanc";

inline int freePort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(s);
    return ntohs(address.sin_port);
}

/// An Orthanc process of its own: a temporary folder, configuration and ports.
class OrthancProcess {
public:
    OrthancProcess() = default;
    OrthancProcess(const OrthancProcess&) = delete;
    OrthancProcess& operator=(const OrthancProcess&) = delete;
    ~OrthancProcess() { stop(); }

    /// Starts it and waits until it answers C-ECHO; "" or why it did not start.
    std::string start(const std::string& name) {
        m_dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir / "storage");
        m_port = freePort();
        m_movePort = freePort();
        std::ofstream(m_dir / "orthanc.json") << R"({
  "Name": "FlowSegTest",
  "StorageDirectory": ")" << (m_dir / "storage").string()
                                              << R"(",
  "IndexDirectory": ")" << (m_dir / "storage").string()
                                              << R"(",
  "DicomAet": "ORTHANC",
  "DicomPort": )" << m_port << R"(,
  "HttpServerEnabled": false,
  "RemoteAccessAllowed": false,
  "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true,
  "DicomAlwaysAllowStore": true,
  "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowGet": true,
  "DicomAlwaysAllowMove": true,
  "DicomModalities": { "flowseg": [ "FLOWSEG", "127.0.0.1", )"
                                              << m_movePort << R"( ] },
  "StorageCompression": false,
  "Plugins": []
})";
        m_pid = ::fork();
        if (m_pid == 0) {
            const auto log = (m_dir / "orthanc.log").string();
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
            ::execl(kOrthanc, kOrthanc, (m_dir / "orthanc.json").string().c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        for (;;) {
            try {
                client().echo();
                return {};
            } catch (const PacsError&) {
                if (std::chrono::steady_clock::now() > deadline)
                    return "Orthanc did not start; see " + (m_dir / "orthanc.log").string();
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }
    }
    void stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
        if (!m_dir.empty()) fs::remove_all(m_dir);
        m_dir.clear();
    }
    /// Stops the server at once, as a crash or a cut cable would.
    void kill() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
    }
    [[nodiscard]] PacsClient client(int timeout = 5) const {
        PacsNode node;
        node.port = m_port;
        node.timeoutSeconds = timeout;
        return PacsClient(node);
    }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] int movePort() const { return m_movePort; }
    [[nodiscard]] const fs::path& dir() const { return m_dir; }

private:
    fs::path m_dir;
    int m_port = 0;
    int m_movePort = 0;
    pid_t m_pid = -1;
};

}  // namespace flowseg::test
