// PACS networking against a real Orthanc started on loopback with a temporary
// configuration (find, C-GET and C-MOVE of a multi-series study into the cache,
// cancel, a server killed mid-transfer), against peers that do not answer, and
// the cache's limit.

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

#include "dicom/orthanc_server.h"
#include "flowseg/dicom/pacs.h"
#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"

using namespace flowseg::dicom;
namespace fs = std::filesystem;

using flowseg::test::freePort;
using flowseg::test::OrthancServer;

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

namespace {

/// One study of two series (a thin one of `thin` slices and a 4-slice thick
/// one), written and sent to the PACS; returns the thin series as written.
Series sendTwoSeriesStudy(const PacsClient& pacs, const fs::path& dir, int thin) {
    auto a = demoChestCt(7);
    a.depth = thin;
    a.hu.resize(static_cast<size_t>(a.width) * a.height * a.depth);
    a.studyUid = "1.2.826.0.1.3680043.8.498.77001";
    a.seriesDescription = "1.25 mm";
    auto b = a;
    b.depth = 4;
    b.hu.resize(static_cast<size_t>(b.width) * b.height * b.depth);
    b.seriesDescription = "5 mm";
    b.geometry.sliceSpacing = 5.0;
    pacs.store(writeSeries((dir / "thin").string(), a));
    pacs.store(writeSeries((dir / "thick").string(), b));
    return std::move(loadFolder((dir / "thin").string()).series.at(0));
}

}  // namespace

TEST_F(OrthancServer, MoveAndGetRetrieveOneSeriesOfAStudyIntoTheCache) {
    const auto thin = sendTwoSeriesStudy(client(), m_dir, 8);
    const auto series = client().findSeries(thin.studyUid);
    ASSERT_EQ(series.size(), 2U);
    std::string thick;
    for (const auto& s : series)
        if (s.seriesUid != thin.seriesUid) thick = s.seriesUid;
    PacsCache cache((m_dir / "cache").string());
    EXPECT_TRUE(cache.find(thin.studyUid, thin.seriesUid).empty());
    TransferProgress last;
    const auto folder = cache.store(thin.studyUid, thin.seriesUid, [&](const std::string& f) {
        client().moveSeries(thin.studyUid, thin.seriesUid, f, movePort(),
                            [&](const TransferProgress& p) { last = p; });
    });
    EXPECT_EQ(last.done, 8);
    EXPECT_EQ(last.total, 8);
    EXPECT_EQ(cache.find(thin.studyUid, thin.seriesUid), folder);
    const auto moved = loadFolder(folder);
    ASSERT_EQ(moved.series.size(), 1U) << "only the chosen series came";
    EXPECT_EQ(moved.series[0].values, thin.values);
    EXPECT_EQ(moved.series[0].sopUids, thin.sopUids);
    // The other series by C-GET, beside it in the cache.
    const auto got = cache.store(thin.studyUid, thick, [&](const std::string& f) {
        client().retrieveSeries(thin.studyUid, thick, f);
    });
    EXPECT_EQ(loadFolder(got).series.at(0).depth, 4);
    EXPECT_GT(cache.sizeBytes(), 12U * 256 * 256 * 2);
    // A PACS that does not know us as a destination says so.
    PacsNode stranger = client().node();
    stranger.callingAeTitle = "STRANGER";
    try {
        PacsClient(stranger).moveSeries(thin.studyUid, thin.seriesUid, (m_dir / "nowhere").string(),
                                        freePort());
        FAIL() << "a move to an unknown destination succeeded";
    } catch (const PacsError& e) {
        EXPECT_NE(std::string(e.what()).find("STRANGER"), std::string::npos) << e.what();
    }
}

TEST_F(OrthancServer, ACancelledMoveLeavesTheCacheAsItWas) {
    const auto thin = sendTwoSeriesStudy(client(), m_dir, 12);
    PacsCache cache((m_dir / "cache").string());
    int received = 0;
    try {
        cache.store(thin.studyUid, thin.seriesUid, [&](const std::string& f) {
            client().moveSeries(
                thin.studyUid, thin.seriesUid, f, movePort(),
                [&](const TransferProgress& p) { received = p.done; },
                [&] { return received >= 2; });
        });
        FAIL() << "the move ignored cancel";
    } catch (const PacsError& e) {
        EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("the cache is unchanged"), std::string::npos)
            << e.what();
    }
    EXPECT_LT(received, 12);
    EXPECT_TRUE(cache.find(thin.studyUid, thin.seriesUid).empty());
    EXPECT_EQ(cache.sizeBytes(), 0U);
    EXPECT_TRUE(fs::is_empty(m_dir / "cache" / ".partial")) << "no half series left";
    EXPECT_NO_THROW(client().echo());
}

TEST_F(OrthancServer, APacsThatDiesMidTransferLeavesTheCacheConsistentAndSaysSo) {
    const auto thin = sendTwoSeriesStudy(client(), m_dir, 12);
    PacsCache cache((m_dir / "cache").string());
    // A complete series of the study is cached first; the failed retrieval must not touch it.
    auto thick = client().findSeries(thin.studyUid);
    thick.erase(std::remove_if(thick.begin(), thick.end(),
                               [&](const SeriesMatch& m) { return m.seriesUid == thin.seriesUid; }),
                thick.end());
    ASSERT_EQ(thick.size(), 1U);
    const auto kept = cache.store(thin.studyUid, thick[0].seriesUid, [&](const std::string& f) {
        client().retrieveSeries(thin.studyUid, thick[0].seriesUid, f);
    });
    const auto keptBytes = cache.sizeBytes();
    try {
        cache.store(thin.studyUid, thin.seriesUid, [&](const std::string& f) {
            client(3).retrieveSeries(thin.studyUid, thin.seriesUid, f,
                                     [&](const TransferProgress& p) {
                                         if (p.done == 3) killServer();
                                     });
        });
        FAIL() << "a retrieval from a dead PACS succeeded";
    } catch (const PacsError& e) {
        EXPECT_NE(std::string(e.what()).find("the cache is unchanged"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(cache.find(thin.studyUid, thin.seriesUid).empty());
    EXPECT_EQ(cache.find(thin.studyUid, thick[0].seriesUid), kept);
    EXPECT_EQ(cache.sizeBytes(), keptBytes);
    EXPECT_TRUE(fs::is_empty(m_dir / "cache" / ".partial"));
}

TEST(PacsCacheLimit, TheLeastRecentlyUsedSeriesLeaveFirst) {
    const auto root = fs::temp_directory_path() / ("flowseg_cache_" + std::to_string(::getpid()));
    fs::remove_all(root);
    PacsCache cache(root.string(), 2500);
    const auto fill = [](const std::string& folder) {
        std::ofstream(fs::path(folder) / "a.dcm") << std::string(1000, 'x');
    };
    const auto a = cache.store("1.2.3", "1.2.3.1", fill);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto b = cache.store("1.2.3", "1.2.3.2", fill);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(cache.find("1.2.3", "1.2.3.1"), a);  // a is used again: b is now the oldest
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cache.store("1.2.4", "1.2.4.1", fill);
    EXPECT_FALSE(cache.find("1.2.3", "1.2.3.1").empty());
    EXPECT_TRUE(cache.find("1.2.3", "1.2.3.2").empty()) << "the least recently used left";
    EXPECT_FALSE(cache.find("1.2.4", "1.2.4.1").empty());
    EXPECT_LE(cache.sizeBytes(), 2500U);
    // A failing retrieval leaves nothing; names that are not UIDs are refused.
    EXPECT_THROW(cache.store("1.2.5", "1.2.5.1",
                             [](const std::string&) { throw std::runtime_error("network"); }),
                 std::runtime_error);
    EXPECT_TRUE(cache.find("1.2.5", "1.2.5.1").empty());
    EXPECT_THROW((void)cache.find("../etc", "1.2"), PacsError);
    // Partial folders of a process that died are cleared (a pid above any
    // pid_max); one of a process still retrieving (this one) stays.
    fs::create_directories(root / ".partial" / "1.2.9-2147483646-0");
    const auto live = root / ".partial" / ("1.2.9-" + std::to_string(::getpid()) + "-7");
    fs::create_directories(live);
    const PacsCache reopened(root.string(), 2500);  // opening the cache clears them too
    EXPECT_FALSE(fs::exists(root / ".partial" / "1.2.9-2147483646-0"));
    EXPECT_TRUE(fs::exists(live)) << "a running retrieval's folder was removed";
    fs::remove_all(live);
    fs::create_directories(root / ".partial" / "1.2.9-2147483646-1");
    cache.removeLeftovers();
    EXPECT_TRUE(fs::is_empty(root / ".partial"));
    fs::remove_all(root);
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
