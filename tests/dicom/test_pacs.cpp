// PACS networking against a real Orthanc started on loopback with a temporary
// configuration, and against peers that do not answer.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
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
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"

using namespace flowseg::dicom;
namespace fs = std::filesystem;

namespace {

const char* kOrthanc = "/usr/sbin/Orthanc";

int freePort() {
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

class OrthancServer : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(kOrthanc))
            GTEST_SKIP() << "orthanc is not installed (tools/install-deps.sh installs it)";
        m_dir = fs::temp_directory_path() / ("flowseg_orthanc_" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir / "storage");
        m_port = freePort();
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
                return;
            } catch (const PacsError&) {
                if (std::chrono::steady_clock::now() > deadline)
                    FAIL() << "Orthanc did not start; see " << (m_dir / "orthanc.log");
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }
    }
    void TearDown() override {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
        if (!m_dir.empty()) fs::remove_all(m_dir);
    }
    PacsClient client(int timeout = 5) const {
        PacsNode node;
        node.port = m_port;
        node.timeoutSeconds = timeout;
        return PacsClient(node);
    }

    fs::path m_dir;
    int m_port = 0;
    pid_t m_pid = -1;
};

}  // namespace

TEST_F(OrthancServer, DemoStudyRoundTripsThroughThePacs) {
    auto demo = demoChestCt(5);
    demo.depth = 12;  // a shorter series keeps the test quick
    demo.hu.resize(static_cast<size_t>(demo.width) * demo.height * demo.depth);
    const auto files = writeSeries((m_dir / "sent").string(), demo);
    const auto original = loadFolder((m_dir / "sent").string());
    ASSERT_EQ(original.series.size(), 1U);

    int sent = 0;
    client().store(files, [&](const TransferProgress& p) { sent = p.done; });
    EXPECT_EQ(sent, 12);

    const auto studies = client().findStudies("FLOWSEG-DEMO");
    ASSERT_EQ(studies.size(), 1U);
    EXPECT_EQ(studies[0].studyUid, original.series[0].studyUid);
    EXPECT_TRUE(client().findStudies("NOBODY").empty());
    const auto series = client().findSeries(studies[0].studyUid);
    ASSERT_EQ(series.size(), 1U);
    EXPECT_EQ(series[0].modality, "CT");
    EXPECT_EQ(series[0].instances, 12);

    int received = 0;
    const auto paths =
        client().retrieveSeries(studies[0].studyUid, series[0].seriesUid, (m_dir / "got").string(),
                                [&](const TransferProgress& p) { received = p.done; });
    EXPECT_EQ(paths.size(), 12U);
    EXPECT_EQ(received, 12);
    const auto back = loadFolder((m_dir / "got").string());
    ASSERT_EQ(back.series.size(), 1U);
    EXPECT_EQ(back.series[0].values, original.series[0].values)
        << "the HU volume changed in transit";
    EXPECT_EQ(back.series[0].sopUids, original.series[0].sopUids);
}

TEST_F(OrthancServer, RetrievalCanBeCancelled) {
    auto demo = demoChestCt(6);
    demo.depth = 10;
    demo.hu.resize(static_cast<size_t>(demo.width) * demo.height * demo.depth);
    client().store(writeSeries((m_dir / "sent").string(), demo));
    const auto study = client().findStudies("FLOWSEG-DEMO").at(0);
    const auto series = client().findSeries(study.studyUid).at(0);
    int received = 0;
    try {
        client().retrieveSeries(
            study.studyUid, series.seriesUid, (m_dir / "partial").string(),
            [&](const TransferProgress& p) { received = p.done; }, [&] { return received >= 3; });
        FAIL() << "the retrieval ignored cancel";
    } catch (const PacsError& e) {
        EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos) << e.what();
    }
    EXPECT_LT(received, 10);
    // The server is still usable afterwards.
    EXPECT_NO_THROW(client().echo());
}

TEST(Pacs, APeerThatDoesNotAnswerIsAClearErrorWithinTheTimeout) {
    PacsNode closed;
    closed.port = freePort();  // nothing listens there
    closed.timeoutSeconds = 2;
    try {
        PacsClient(closed).echo();
        FAIL();
    } catch (const PacsError& e) {
        EXPECT_NE(std::string(e.what()).find("does not answer"), std::string::npos) << e.what();
    }

    // A socket that accepts connections but never speaks DICOM.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    PacsNode silent;
    silent.port = ntohs(address.sin_port);
    silent.timeoutSeconds = 2;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(PacsClient(silent).echo(), PacsError);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 15.0) << "the timeout was not applied";
    ::close(listener);
    EXPECT_THROW(PacsClient(PacsNode{"127.0.0.1", 0, "X", "Y", 1}), PacsError);
}
