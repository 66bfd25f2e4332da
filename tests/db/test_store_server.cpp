// What only a server store does: accounts and roles, blind review enforced by
// the server (row-level security) for the repositories and for plain SQL, and
// clear errors when the server does not answer or the password is wrong.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "flowseg/db/accounts.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "postgres_server.h"
#include "store_fixture.h"

using namespace flowseg::db;
using flowseg::test::PostgresServer;

namespace {

class ServerStore : public ::testing::Test, protected flowseg::test::StoreFixture {
protected:
    void SetUp() override {
        auto admin = Database::open(m_server.superuserUri());  // `flowseg db init`
        AccountRepository accounts(admin);
        accounts.create("reader_a", AccountRole::Reader, "secret-a-123");
        accounts.create("reader_b", AccountRole::Reader, "secret-b-123");
        accounts.create("judge", AccountRole::Adjudicator, "secret-j-123");
        accounts.create("steward", AccountRole::Steward, "secret-s-123");
        // A study and a lesion for everyone, set up by the administrator.
        m_fixture = populate(admin, "reader_a");
    }
    Database signIn(const std::string& login, const std::string& password) {
        return Database::open(m_server.uri(login, password), OpenMode::Existing);
    }
    /// What plain SQL under `login` returns: the number of outline versions visible.
    long long versionsSeenBySql(const std::string& login, const std::string& password) {
        PGconn* conn = PQconnectdb(m_server.uri(login, password).c_str());
        const std::unique_ptr<PGconn, void (*)(PGconn*)> guard(conn, PQfinish);
        EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
        PGresult* r = PQexec(conn, "SELECT count(*) FROM annotation_version");
        const long long n =
            PQresultStatus(r) == PGRES_TUPLES_OK ? std::stoll(PQgetvalue(r, 0, 0)) : -1;
        PQclear(r);
        return n;
    }

    PostgresServer m_server;
    Fixture m_fixture;
};

}  // namespace

TEST_F(ServerStore, AReaderReadsAnotherReadersOutlineOnlyAfterCompletingTheLesion) {
    const auto lesion = m_fixture.lesion;
    auto a = signIn("reader_a", "secret-a-123");
    EXPECT_EQ(a.currentUser(), "reader_a");
    EXPECT_EQ(AccountRepository(a).currentRole(), AccountRole::Reader);
    const auto expertA = ExpertRepository(a).findOrCreate(a.currentUser()).id;
    AnnotationRepository(a).save(lesion, expertA, 3, squareMask(6));
    AnnotationRepository(a).save(lesion, expertA, 3, squareMask(7));

    auto b = signIn("reader_b", "secret-b-123");
    const auto expertB = ExpertRepository(b).findOrCreate(b.currentUser()).id;
    EXPECT_TRUE(AnnotationRepository(b).latestForLesion(lesion).empty());
    EXPECT_TRUE(AnnotationRepository(b).history(lesion, expertA, 3).empty());
    EXPECT_EQ(versionsSeenBySql("reader_b", "secret-b-123"), 0);
    // B cannot write as A, nor complete the lesion for A, nor read the agreement.
    EXPECT_THROW(AnnotationRepository(b).save(lesion, expertA, 3, squareMask(2)), DatabaseError);
    EXPECT_THROW(LesionRepository(b).setExpertState(lesion, expertA, ReviewState::Completed),
                 DatabaseError);
    LesionRepository(a).saveAgreement(lesion, std::nullopt, "{\"ged\": 0.3}");
    EXPECT_FALSE(LesionRepository(b).latestAgreement(lesion).has_value());

    AnnotationRepository(b).save(lesion, expertB, 3, squareMask(5));
    const auto own = AnnotationRepository(b).latestForLesion(lesion);
    ASSERT_EQ(own.size(), 1U);
    EXPECT_EQ(own[0].expertId, expertB);
    EXPECT_EQ(versionsSeenBySql("reader_b", "secret-b-123"), 1);
    EXPECT_EQ(versionsSeenBySql("reader_a", "secret-a-123"), 2);

    // The adjudicator reads every outline at any time.
    auto judge = signIn("judge", "secret-j-123");
    EXPECT_EQ(AnnotationRepository(judge).latestForLesion(lesion).size(), 2U);
    EXPECT_EQ(versionsSeenBySql("judge", "secret-j-123"), 3);
    EXPECT_TRUE(LesionRepository(judge).latestAgreement(lesion).has_value());

    // Once B completes the lesion, B reads A's outline too.
    LesionRepository(b).setExpertState(lesion, expertB, ReviewState::Completed);
    const auto after = AnnotationRepository(b).latestForLesion(lesion);
    ASSERT_EQ(after.size(), 2U);
    EXPECT_EQ(AnnotationRepository(b).history(lesion, expertA, 3).size(), 2U);
    EXPECT_EQ(versionsSeenBySql("reader_b", "secret-b-123"), 3);
    EXPECT_TRUE(LesionRepository(b).latestAgreement(lesion).has_value());
    // ... while A, who has not completed it, still reads only their own.
    EXPECT_EQ(AnnotationRepository(a).latestForLesion(lesion).size(), 1U);

    // The trail says who did what, by login, and readers cannot read it.
    auto admin = Database::open(m_server.superuserUri(), OpenMode::Existing);
    const auto events = AuditRepository(admin).events("lesion " + std::to_string(lesion));
    ASSERT_GE(events.size(), 4U);
    EXPECT_EQ(events[0].actor, "reader_a");
    EXPECT_EQ(events[0].action, "changed");
    EXPECT_EQ(events.back().actor, "reader_b");
    EXPECT_EQ(events.back().action, "completed");
    EXPECT_THROW(AuditRepository(b).events(), DatabaseError);
}

TEST_F(ServerStore, OnlyAStewardPromotesAModel) {
    auto admin = Database::open(m_server.superuserUri(), OpenMode::Existing);
    ModelRecord model;
    model.path = "/models/a.fsm";
    model.sha256 = "abc";
    const auto id = ModelRepository(admin).registerModel(model);

    auto reader = signIn("reader_a", "secret-a-123");
    try {
        ModelRepository(reader).setActive(id);
        FAIL() << "a reader promoted a model";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::AccessDenied) << e.what();
        EXPECT_NE(std::string(e.what()).find("flowseg db user role"), std::string::npos)
            << e.what();
    }
    auto steward = signIn("steward", "secret-s-123");
    EXPECT_EQ(AccountRepository(steward).currentRole(), AccountRole::Steward);
    ModelRepository(steward).setActive(id);
    EXPECT_EQ(ModelRepository(reader).active()->id, id);
    const auto events = AuditRepository(admin).events("model " + std::to_string(id));
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].actor, "steward");
    EXPECT_EQ(events[0].action, "promoted");
}

// A version registered on a server carries its file: a workstation without the
// file fetches the store's copy once into its cache.
TEST_F(ServerStore, AModelVersionsFileIsKeptInTheStoreAndFetchedByAnyWorkstation) {
    namespace fs = std::filesystem;
    const auto dir = m_server.dir();
    const auto file = dir / "trained-on-the-steward's-workstation.fsm";
    std::string bytes(300000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 % 251);
    std::ofstream(file, std::ios::binary) << bytes;
    auto steward = signIn("steward", "secret-s-123");
    ModelRecord model;
    model.path = file.string();
    model.sha256 = "feedbeef";
    model.label = "fine-tune 1";
    ModelRepository(steward).registerModel(model);
    fs::remove(file);  // another workstation: the path is not here

    auto reader = signIn("reader_b", "secret-b-123");
    ModelRepository versions(reader);
    EXPECT_TRUE(versions.holdsFile("feedbeef"));
    const auto cache = (dir / "cache").string();
    const auto copy = versions.fetchFile("feedbeef", cache);
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(fs::path(*copy).parent_path(), fs::path(cache));
    std::ifstream in(*copy, std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes);
    EXPECT_EQ(versions.fetchFile("feedbeef", cache), copy) << "fetched once, then from the cache";
    EXPECT_FALSE(versions.fetchFile("unknown", cache).has_value());
    for (const auto& entry : fs::directory_iterator(cache))
        EXPECT_EQ(entry.path().string().find("partial"), std::string::npos) << entry.path();

    // A reader's run registers the model it came from, with its file; the reader
    // cannot remove one (nor promote one: OnlyAStewardPromotesAModel).
    std::ofstream(dir / "mine.fsm") << "weights";
    versions.storeFile("cafe", (dir / "mine.fsm").string());
    EXPECT_TRUE(versions.holdsFile("cafe"));
    EXPECT_THROW(reader.execute("DELETE FROM model_file"), DatabaseError);
    EXPECT_TRUE(versions.holdsFile("cafe"));
}

TEST_F(ServerStore, AccountsAreListedChangedAndDisabledByAnAdministrator) {
    auto admin = Database::open(m_server.superuserUri(), OpenMode::Existing);
    AccountRepository accounts(admin);
    accounts.create("chief", AccountRole::Administrator, "secret-c-123");
    auto chief = signIn("chief", "secret-c-123");
    AccountRepository byChief(chief);
    byChief.create("reader_c", AccountRole::Reader, "secret-r-123");
    byChief.setRole("reader_c", AccountRole::Adjudicator);
    EXPECT_EQ(AccountRepository(*std::make_unique<Database>(signIn("reader_c", "secret-r-123")))
                  .currentRole(),
              AccountRole::Adjudicator);
    byChief.setPassword("reader_c", "another-456");
    EXPECT_THROW(signIn("reader_c", "secret-r-123"), DatabaseError);
    EXPECT_NO_THROW(signIn("reader_c", "another-456"));
    byChief.disable("reader_c");
    EXPECT_THROW(signIn("reader_c", "another-456"), DatabaseError);

    const auto all = byChief.all();
    std::map<std::string, Account> byLogin;
    for (const auto& a : all) byLogin[a.login] = a;
    EXPECT_EQ(byLogin.at("reader_a").role, AccountRole::Reader);
    EXPECT_EQ(byLogin.at("judge").role, AccountRole::Adjudicator);
    EXPECT_EQ(byLogin.at("steward").role, AccountRole::Steward);
    EXPECT_EQ(byLogin.at("chief").role, AccountRole::Administrator);
    EXPECT_FALSE(byLogin.at("reader_c").canSignIn);

    // A reader manages no accounts; the server says no.
    auto reader = signIn("reader_a", "secret-a-123");
    EXPECT_THROW(AccountRepository(reader).create("x_reader", AccountRole::Reader, "secret-x-123"),
                 DatabaseError);
    // SCRAM: the server holds a verifier, never the password.
    m_server.sql("flowseg",
                 "DO $$ BEGIN IF (SELECT rolpassword FROM pg_authid WHERE rolname = 'reader_a') "
                 "NOT LIKE 'SCRAM-SHA-256$%' THEN RAISE EXCEPTION 'not SCRAM'; END IF; END $$");
}

TEST(ServerErrors, AServerThatDoesNotAnswerAndAWrongPasswordAreSaidPlainly) {
    try {
        Database::open("postgresql://reader@/flowseg?host=/nonexistent-socket-dir&port=5432");
        FAIL() << "opened a store on no server";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::Unreachable) << e.what();
        EXPECT_NE(std::string(e.what()).find("check that it runs"), std::string::npos) << e.what();
    }
    PostgresServer server;
    try {
        Database::open(server.uri(PostgresServer::kSuperuser, "wrong-password"));
        FAIL() << "signed in with a wrong password";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::AccessDenied) << e.what();
        EXPECT_EQ(std::string(e.what()).find("wrong-password"), std::string::npos)
            << "the message shows the password: " << e.what();
    }
    // A database of another application is refused, and left as it was.
    server.createDatabase("other");
    server.sql("other", "CREATE TABLE patients (id INT)");
    try {
        Database::open(server.superuserUri("other"));
        FAIL() << "opened another application's database";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::Foreign) << e.what();
    }
    // A store of a newer FlowSeg is refused.
    { auto db = Database::open(server.superuserUri()); }
    server.sql("flowseg", "UPDATE flowseg_meta SET value = '99' WHERE key = 'schema_version'");
    try {
        Database::open(server.superuserUri());
        FAIL() << "opened a newer store";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::NewerSchema) << e.what();
    }
}
