// Two review sessions (two readers' windows, without the widgets) on one
// PostgreSQL server: each is signed in as its login, and what a reader's
// session shows of the other's work is what the server allows.

#include <gtest/gtest.h>

#include "db/postgres_server.h"
#include "flowseg/db/accounts.h"
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
    std::unique_ptr<review::ReviewSession> session =
        std::make_unique<review::ReviewSession>(host);
    void settle() {
        session->store().flush();
        host.drain();
    }
};

}  // namespace

TEST(SessionOnServer, EachReaderIsTheirLoginAndSeesTheOthersOutlineOnlyAfterCompleting) {
    PostgresServer server;
    const auto seriesId = storeWithSeries(server.superuserUri());
    {
        auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
        db::AccountRepository accounts(admin);
        accounts.create("reader_a", db::AccountRole::Reader, "secret-a-123");
        accounts.create("reader_b", db::AccountRole::Reader, "secret-b-123");
    }
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
