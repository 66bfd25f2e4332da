// Two reader workstations as two processes on one PostgreSQL server
// (tests/review/session_reader_process.cpp is one), both drawing on one lesion
// while the server is killed and restarted.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "server_session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

namespace {

/// Starts the reader-workstation process; its output goes to `out`.
pid_t startReader(const std::string& uri, db::RowId series, db::RowId lesion,
                  const std::string& slices, const std::string& x, const std::string& other,
                  const std::string& otherSlices, const std::string& out) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string ids[] = {std::to_string(series), std::to_string(lesion)};
        if (!std::freopen(out.c_str(), "w", stdout)) ::_exit(3);
        ::execl(SESSION_READER_PROCESS, SESSION_READER_PROCESS, uri.c_str(), ids[0].c_str(),
                ids[1].c_str(), slices.c_str(), x.c_str(), other.c_str(), otherSlices.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(3);
    }
    return pid;
}

std::string contents(const std::string& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

int lineCount(const std::string& text, const std::string& start) {
    int n = 0;
    std::size_t at = 0;
    while ((at = text.find(start, at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') ++n;
        at += start.size();
    }
    return n;
}

bool someEditWaited(const std::string& text) {
    for (std::size_t at = text.find("waiting "); at != std::string::npos;
         at = text.find("waiting ", at + 1))
        if (at + 8 < text.size() && text[at + 8] != '0') return true;
    return false;
}

}  // namespace

// Two workstations as two processes, both drawing on one lesion; the server is
// killed mid-session and restarted. Every edit of both is stored, and each saw
// the other's outline arrive through the change feed once both completed.
TEST(SessionOnServer, TwoWorkstationProcessesSurviveAServerRestartAndSeeEachOther) {
    PostgresServer server;
    const auto seriesId = storeWithTwoReaders(server);
    db::RowId lesion = 0;
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        db::LesionRecord record;
        record.seriesId = seriesId;
        record.label = "lesion 1";
        record.firstSlice = record.lastSlice = 20;
        record.box = {100, 100, 16, 16};
        lesion = db::LesionRepository(admin).create(record);
    }
    const auto dir = server.dir().string();
    const std::string outA = dir + "/reader_a.out";
    const std::string outB = dir + "/reader_b.out";
    const pid_t a = startReader(server.uri("reader_a", "secret-a-123"), seriesId, lesion,
                                "18,19,20,21,22,23,24,25", "108", "reader_b", "6", outA);
    const pid_t b = startReader(server.uri("reader_b", "secret-b-123"), seriesId, lesion,
                                "19,20,21,22,23,24", "112", "reader_a", "8", outB);
    const auto waitUntil = [](const std::function<bool()>& done, int seconds) {
        for (int i = 0; i < seconds * 20 && !done(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return done();
    };
    const auto bothEdited = [&](int edits) {
        return lineCount(contents(outA), "edit ") >= edits &&
               lineCount(contents(outB), "edit ") >= edits;
    };
    ASSERT_TRUE(waitUntil([&] { return bothEdited(2); }, 60)) << contents(outA) << contents(outB);
    server.stop(true);  // a crash, mid-session
    // Both keep drawing while the server is away.
    EXPECT_TRUE(waitUntil([&] { return bothEdited(4); }, 30)) << contents(outA) << contents(outB);
    server.start();
    int statusA = -1;
    int statusB = -1;
    waitUntil(
        [&] {
            if (statusA < 0 && ::waitpid(a, &statusA, WNOHANG) == 0) statusA = -1;
            if (statusB < 0 && ::waitpid(b, &statusB, WNOHANG) == 0) statusB = -1;
            return statusA >= 0 && statusB >= 0;
        },
        120);
    if (statusA < 0) ::kill(a, SIGKILL);
    if (statusB < 0) ::kill(b, SIGKILL);
    const auto textA = contents(outA);
    const auto textB = contents(outB);
    EXPECT_TRUE(statusA >= 0 && WIFEXITED(statusA) && WEXITSTATUS(statusA) == 0) << textA;
    EXPECT_TRUE(statusB >= 0 && WIFEXITED(statusB) && WEXITSTATUS(statusB) == 0) << textB;
    EXPECT_NE(textA.find("saw reader_b 6"), std::string::npos) << textA;
    EXPECT_NE(textB.find("saw reader_a 8"), std::string::npos) << textB;
    EXPECT_TRUE(someEditWaited(textA) && someEditWaited(textB))
        << "some edits should have waited for the server: " << textA << textB;

    auto slices = outlinedSlices(server, lesion);
    EXPECT_EQ(slices["reader_a"], (std::set<int>{18, 19, 20, 21, 22, 23, 24, 25}));
    EXPECT_EQ(slices["reader_b"], (std::set<int>{19, 20, 21, 22, 23, 24}));
}
