// Two review sessions (two readers' windows, without the widgets) on one
// PostgreSQL server: each is signed in as its login, and what a reader's
// session shows of the other's work is what the server allows.

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "db/postgres_server.h"
#include "flowseg/db/accounts.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/review/outline_tools.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

namespace {

common::Mask disk(double cx, double cy, double radius) {
    common::Mask m(256, 256);
    review::paintStroke(m, {{cx, cy}}, radius, {1, 1, 1, false}, true);
    return m;
}

struct Reader {
    FakeHost host;
    std::unique_ptr<review::ReviewSession> session = std::make_unique<review::ReviewSession>(host);
    void settle() {
        session->store().flush();
        host.drain();
    }
};

/// The administrator's store with one series and the logins reader_a and reader_b.
db::RowId storeWithTwoReaders(const PostgresServer& server) {
    const auto seriesId = storeWithSeries(server.superuserUri());
    auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
    db::AccountRepository accounts(admin);
    accounts.create("reader_a", db::AccountRole::Reader, "secret-a-123");
    accounts.create("reader_b", db::AccountRole::Reader, "secret-b-123");
    return seriesId;
}

}  // namespace

TEST(SessionOnServer, EachReaderIsTheirLoginAndSeesTheOthersOutlineOnlyAfterCompleting) {
    PostgresServer server;
    const auto seriesId = storeWithTwoReaders(server);
    Reader a;
    ASSERT_TRUE(a.session->openStore(server.uri("reader_a", "secret-a-123")))
        << a.session->events().message().text;
    EXPECT_EQ(a.session->expert().name, "reader_a");
    EXPECT_EQ(a.session->store().path().find("secret"), std::string::npos);
    a.session->signIn({"Dr Someone", "radiologist"});
    EXPECT_TRUE(a.session->events().message().error);
    EXPECT_EQ(a.session->expert().name, "reader_a") << "a sign-in under another name is refused";
    a.session->models().set(tinyModel());
    a.session->setSeries(demoSeries(), seriesId);
    a.session->markLesion(boxAt(100, 100));
    a.session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    a.settle();
    const auto lesion = a.session->lesionId();
    ASSERT_NE(lesion, 0);

    Reader b;
    ASSERT_TRUE(b.session->openStore(server.uri("reader_b", "secret-b-123")));
    EXPECT_EQ(b.session->expert().name, "reader_b");
    b.session->models().set(tinyModel());
    b.session->setSeries(demoSeries(), seriesId);
    b.session->setReviewMode(review::ReviewMode::Open);  // the window's rule would show all
    b.session->selectLesion(lesion);
    EXPECT_TRUE(b.session->shownLayers().empty()) << "the server hides A's outline from B";
    b.session->editOutline(20, disk(110, 108, 6), "Brush stroke");
    b.settle();
    ASSERT_EQ(b.session->shownLayers().size(), 1U);
    EXPECT_EQ(b.session->shownLayers().front()->expert.name, "reader_b");

    b.session->setReviewState(db::ReviewState::Completed);
    b.settle();
    ASSERT_EQ(b.session->shownLayers().size(), 2U) << "completed: A's outline appears";
    const auto* fromA = b.session->outlines().find("reader_a");
    ASSERT_NE(fromA, nullptr);
    EXPECT_EQ(fromA->slices.count(20), 1U);

    // A has not completed: A's session, read again, holds none of B's outline (B's
    // "completed" state shows; the outline does not).
    a.session->reloadFromStore();
    a.settle();
    const auto* fromB = a.session->outlines().find("reader_b");
    EXPECT_TRUE(fromB == nullptr || fromB->slices.empty());
    ASSERT_NE(a.session->outlines().find("reader_a"), nullptr);
    EXPECT_EQ(a.session->outlines().find("reader_a")->slices.count(20), 1U);
}

// The server is killed mid-session (as a crash would) and started again: the
// edits both readers made meanwhile wait in order, are written on reconnect,
// and the status line says so. (Two sessions in one test process; each has its
// own connections, as two workstations would.)
TEST(SessionOnServer, AServerKilledAndRestartedMidSessionLosesNoEdit) {
    PostgresServer server;
    const auto seriesId = storeWithTwoReaders(server);
    Reader a;
    Reader b;
    std::vector<std::string> said;  // every message A's status line showed
    a.session->events().subscribe(
        [&](review::Changes) { said.push_back(a.session->events().message().text); });
    const auto wasSaid = [&](const std::string& words) {
        return std::any_of(said.begin(), said.end(), [&](const std::string& text) {
            return text.find(words) != std::string::npos;
        });
    };
    ASSERT_TRUE(a.session->openStore(server.uri("reader_a", "secret-a-123")));
    ASSERT_TRUE(b.session->openStore(server.uri("reader_b", "secret-b-123")));
    for (auto* r : {&a, &b}) {
        r->session->models().set(tinyModel());
        r->session->setSeries(demoSeries(), seriesId);
    }
    a.session->markLesion(boxAt(100, 100));
    a.session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    a.settle();
    const auto lesion = a.session->lesionId();
    ASSERT_NE(lesion, 0);
    b.session->reloadFromStore();  // A's new lesion (no live updates between workstations yet)
    b.session->selectLesion(lesion);
    b.session->editOutline(20, disk(110, 108, 6), "Brush stroke");
    b.settle();

    server.stop(true);  // immediate: like a crash; recovery on the next start
    a.session->editOutline(21, disk(108, 108, 4), "Brush stroke");
    b.session->editOutline(21, disk(110, 108, 5), "Brush stroke");
    const auto waitFor = [&](const std::function<bool()>& done) {
        for (int i = 0; i < 300 && !done(); ++i) {
            a.settle();
            b.settle();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return done();
    };
    // The status line is told through the host, a moment after the writer knows.
    ASSERT_TRUE(waitFor([&] {
        return a.session->store().waitingWrites() > 0 && b.session->store().waitingWrites() > 0 &&
               wasSaid("does not answer");
    })) << "the writes should wait while the server is away, and A's status line say so; A: "
        << a.session->events().message().text << "; B: " << b.session->events().message().text;
    // Work goes on: another edit joins the queue.
    a.session->editOutline(22, disk(108, 108, 3), "Brush stroke");

    server.start();
    ASSERT_TRUE(waitFor([&] {
        return a.session->store().waitingWrites() == 0 && b.session->store().waitingWrites() == 0;
    })) << "the waiting writes should be written once the server answers";
    a.settle();
    b.settle();
    EXPECT_TRUE(wasSaid("answers again")) << a.session->events().message().text;

    auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
    std::map<std::string, std::set<int>> slices;
    std::map<db::RowId, std::string> names;
    for (const auto& e : db::ExpertRepository(admin).all()) names[e.id] = e.name;
    for (const auto& v : db::AnnotationRepository(admin).latestForLesion(lesion))
        if (v.area > 0) slices[names[v.expertId]].insert(v.slice);
    EXPECT_EQ(slices["reader_a"], (std::set<int>{20, 21, 22}));
    EXPECT_EQ(slices["reader_b"], (std::set<int>{20, 21}));

    // Both complete; each then sees the other's whole outline.
    for (auto* r : {&a, &b}) {
        r->session->setReviewState(db::ReviewState::Completed);
        r->settle();
    }
    a.session->reloadFromStore();
    b.session->reloadFromStore();
    ASSERT_NE(a.session->outlines().find("reader_b"), nullptr);
    EXPECT_EQ(a.session->outlines().find("reader_b")->slices.size(), 2U);
    ASSERT_NE(b.session->outlines().find("reader_a"), nullptr);
    EXPECT_EQ(b.session->outlines().find("reader_a")->slices.size(), 3U);
}
