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
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/review/outline_tools.h"
#include "server_session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

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
    // A reader's run is stored with the model it came from (registered by the
    // reader, its file kept in the store for every workstation).
    a.session->requestSampling(engine::SamplingOptions::fastDefault());
    ASSERT_FALSE(a.host.started.empty());
    const auto request = a.host.started.back();
    ASSERT_TRUE(a.session->samplingFinished(request.id, fakeResult(request, 3), {}, ""));
    a.settle();
    EXPECT_EQ(a.session->events().message().text.find("could not be stored"), std::string::npos)
        << a.session->events().message().text;
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        EXPECT_EQ(db::RunRepository(admin).runsOfLesion(lesion).size(), 1U);
        EXPECT_TRUE(db::ModelRepository(admin).holdsFile(tinyModel()->checksum()));
        EXPECT_FALSE(db::ModelRepository(admin).active().has_value())
            << "registering the model a run came from promotes nothing";
    }

    Reader b;
    ASSERT_TRUE(b.session->openStore(server.uri("reader_b", "secret-b-123")));
    EXPECT_EQ(b.session->expert().name, "reader_b");
    b.session->models().set(tinyModel());
    b.session->setSeries(demoSeries(), seriesId);
    b.session->setReviewMode(review::ReviewMode::Open);  // the window's rule would show all
    b.session->selectLesion(lesion);
    EXPECT_TRUE(b.session->shownLayers().empty()) << "the server hides A's outline from B";
    b.settle();
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        const auto events = db::AuditRepository(admin).events("lesion " + std::to_string(lesion));
        EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const db::AuditEvent& e) {
            return e.action == "opened" && e.actor == "reader_b";
        })) << "opening a lesion is in the audit trail under the login";
    }
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

// Each workstation follows the server's change feed: what another login
// commits shows without a reload, as far as the server lets this login see it.
TEST(SessionOnServer, OtherWorkstationsChangesArriveLive) {
    PostgresServer server;
    const auto seriesId = storeWithTwoReaders(server);
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        db::AccountRepository(admin).create("chief", db::AccountRole::Adjudicator, "secret-c-123");
    }
    Reader a;
    Reader b;
    Reader chief;
    ASSERT_TRUE(a.session->openStore(server.uri("reader_a", "secret-a-123")));
    ASSERT_TRUE(b.session->openStore(server.uri("reader_b", "secret-b-123")));
    ASSERT_TRUE(chief.session->openStore(server.uri("chief", "secret-c-123")));
    for (auto* r : {&a, &b, &chief}) {
        ASSERT_TRUE(r->session->store().followsChanges());
        r->session->setSeries(demoSeries(), seriesId);
    }
    const auto waitFor = [&](const std::function<bool()>& done) {
        for (int i = 0; i < 200 && !done(); ++i) {
            for (auto* r : {&a, &b, &chief}) r->host.drain();
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return done();
    };
    a.session->markLesion(boxAt(100, 100));
    a.session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    a.settle();
    const auto lesion = a.session->lesionId();
    ASSERT_NE(lesion, 0);
    ASSERT_TRUE(waitFor([&] { return b.session->lesions().size() == 1; }))
        << "A's new lesion should reach B's list without a reload";
    ASSERT_TRUE(waitFor([&] { return chief.session->lesions().size() == 1; }));
    EXPECT_NE(b.session->events().message().text.find("reader_a"), std::string::npos)
        << b.session->events().message().text;

    chief.session->selectLesion(lesion);
    b.session->selectLesion(lesion);
    ASSERT_NE(chief.session->outlines().find("reader_a"), nullptr);
    a.session->editOutline(21, disk(108, 108, 4), "Brush stroke");
    a.settle();
    ASSERT_TRUE(waitFor([&] {
        const auto* layer = chief.session->outlines().find("reader_a");
        return layer && layer->slices.count(21) == 1;
    })) << "the adjudicator sees A's new slice as it is saved";
    EXPECT_NE(chief.session->events().message().text.find("the one open here"), std::string::npos)
        << chief.session->events().message().text;
    // B is told (the list updates) but the server still hides A's outline.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    b.host.drain();
    const auto* hidden = b.session->outlines().find("reader_a");
    EXPECT_TRUE(hidden == nullptr || hidden->slices.empty());

    // B's own edit waits here while B's view is refreshed by A's: it stays.
    b.session->editOutline(20, disk(110, 108, 6), "Brush stroke");
    a.session->editOutline(22, disk(108, 108, 3), "Brush stroke");
    a.settle();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    b.settle();
    ASSERT_NE(b.session->ownOutline(20), nullptr);
    EXPECT_GT(b.session->ownOutline(20)->area(), 0);
}

// Model versions for the department: each version's file is in the store, a
// workstation without the file samples with the store's copy, a reader samples
// with a version without changing the department's, and a steward's promotion
// reaches every workstation live.
TEST(SessionOnServer, ModelVersionsComeFromTheStoreAndOnlyAStewardPromotes) {
    namespace fs = std::filesystem;
    PostgresServer server;
    const auto seriesId = storeWithTwoReaders(server);
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        db::AccountRepository(admin).create("keeper", db::AccountRole::Steward, "secret-k-123");
    }
    // Two versions trained on the steward's workstation; their files stay there.
    const auto first = (server.dir() / "first.fsm").string();
    const auto second = (server.dir() / "second.fsm").string();
    fs::copy_file(tinyModel()->source(), first);
    const auto one = engine::Model::load(first, "cpu");
    const auto two = trainTinyModel(second, 2);
    ASSERT_NE(one->checksum(), two->checksum());
    db::RowId v1 = 0;
    db::RowId v2 = 0;
    {
        auto steward = db::Database::open(server.uri("keeper", "secret-k-123"));
        db::ModelRepository versions(steward);
        v1 = versions.registerModel(
            {0, first, one->checksum(), "tiny", {}, {}, "{}", "", false, "version one"});
        v2 = versions.registerModel(
            {0, second, two->checksum(), "tiny", {}, {}, "{}", "", false, "version two"});
        versions.setActive(v1);
    }
    fs::remove(first);
    fs::remove(second);

    Reader a;
    a.session->models().setCacheFolder((server.dir() / "reader-cache").string());
    ASSERT_TRUE(a.session->openStore(server.uri("reader_a", "secret-a-123")));
    a.session->setSeries(demoSeries(), seriesId);
    a.session->models().adoptActive();
    ASSERT_NE(a.session->models().current(), nullptr) << a.session->events().message().text;
    EXPECT_EQ(a.session->models().current()->checksum(), one->checksum());

    // A reader picks version two: it samples with it; the department's stays one.
    ASSERT_TRUE(a.session->models().use(v2)) << a.session->events().message().text;
    a.settle();
    EXPECT_EQ(a.session->models().current()->checksum(), two->checksum());
    EXPECT_NE(a.session->events().message().text.find("steward"), std::string::npos)
        << a.session->events().message().text;
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        EXPECT_EQ(db::ModelRepository(admin).active()->id, v1);
    }

    // The steward promotes version two: the reader's workstation follows through
    // the change feed.
    a.session->models().set(nullptr);
    {
        auto steward = db::Database::open(server.uri("keeper", "secret-k-123"));
        db::ModelRepository(steward).setActive(v2);
    }
    for (int i = 0; i < 100 && !a.session->models().current(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        a.host.drain();
    }
    ASSERT_NE(a.session->models().current(), nullptr) << a.session->events().message().text;
    EXPECT_EQ(a.session->models().current()->checksum(), two->checksum());
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
    b.session->reloadFromStore();  // A's new lesion (the live feed is tested below)
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

    auto slices = outlinedSlices(server, lesion);
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
