// `flowseg db` against a real PostgreSQL server (postgres_server.h): the
// administrator creates the store and the logins, two readers annotate one
// lesion, and what each may read through the CLI is what the server allows.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "db/postgres_server.h"
#include "db/store_fixture.h"
#include "flowseg/imaging/image_io.h"

namespace fs = std::filesystem;
using flowseg::test::PostgresServer;

namespace {

struct Result {
    int exitCode = -1;
    std::string out, err;
};

class CliServer : public ::testing::Test, protected flowseg::test::StoreFixture {
protected:
    void SetUp() override {
        m_dir = m_server.dir() / "cli";
        fs::create_directories(m_dir);
        flowseg::imaging::writeMask((m_dir / "mask.png").string(), squareMask(6));
    }
    Result run(const std::string& arguments, const std::string& input = "") {
        std::ofstream(m_dir / "stdin.txt") << input;
        const auto command = std::string(FLOWSEG_BIN) + " " + arguments + " > " +
                             (m_dir / "out.txt").string() + " 2> " + (m_dir / "err.txt").string() +
                             " < " + (m_dir / "stdin.txt").string();
        const int status = std::system(command.c_str());
        Result r;
        r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        const auto read = [](const fs::path& p) {
            std::ifstream in(p);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        r.out = read(m_dir / "out.txt");
        r.err = read(m_dir / "err.txt");
        return r;
    }
    /// The annotations `login` exports, by expert name.
    std::vector<std::string> exportedBy(const std::string& uri, const std::string& name) {
        const auto out = (m_dir / name).string();
        const auto r = run("db --db '" + uri + "' export-annotations --out " + out);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        std::ifstream in(fs::path(out) / "annotations.json");
        const auto index = nlohmann::json::parse(in);
        std::vector<std::string> experts;
        for (const auto& a : index) experts.push_back(a["expert"].get<std::string>());
        std::sort(experts.begin(), experts.end());
        return experts;
    }

    PostgresServer m_server;
    fs::path m_dir;
};

}  // namespace

TEST_F(CliServer, TwoReadersAndAnAdjudicatorSeeWhatTheServerAllows) {
    const auto admin = m_server.superuserUri();
    auto r = run("db --db '" + admin + "' init");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.find(PostgresServer::kSuperuserPassword), std::string::npos) << r.out;
    for (const auto& [login, role] :
         {std::pair{"reader_a", "reader"}, {"reader_b", "reader"}, {"judge", "adjudicator"}}) {
        r = run("db --db '" + admin + "' user add " + std::string(login) + " --role " + role,
                std::string("pw-") + login + "-123\n");
        ASSERT_EQ(r.exitCode, 0) << r.err;
    }
    r = run("db --db '" + admin + "' --json user list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto accounts = nlohmann::json::parse(r.out);
    std::map<std::string, std::string> roles;
    for (const auto& a : accounts) roles[a["login"]] = a["role"];
    EXPECT_EQ(roles["reader_a"], "reader");
    EXPECT_EQ(roles["judge"], "adjudicator");
    {  // the administrator registers the study and marks the lesion
        auto db = flowseg::db::Database::open(admin, flowseg::db::OpenMode::Existing);
        populate(db, "reader_a");
    }
    const auto a = m_server.uri("reader_a", "pw-reader_a-123");
    const auto b = m_server.uri("reader_b", "pw-reader_b-123");
    const auto judge = m_server.uri("judge", "pw-judge-123");
    const auto mask = (m_dir / "mask.png").string();

    r = run("db --db '" + a + "' annotate --lesion 1 --slice 3 --mask " + mask);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // Nobody writes as someone else.
    r = run("db --db '" + a + "' annotate --lesion 1 --slice 3 --expert reader_b --mask " + mask);
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("as your login"), std::string::npos) << r.err;
    // A reader manages no accounts.
    r = run("db --db '" + a + "' user add intruder", "pw-intruder-123\n");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;

    EXPECT_TRUE(exportedBy(b, "b-before").empty());
    r = run("db --db '" + b + "' annotate --lesion 1 --slice 3 --mask " + mask);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(exportedBy(b, "b-own"), std::vector<std::string>{"reader_b"});
    EXPECT_EQ(exportedBy(judge, "judge"), (std::vector<std::string>{"reader_a", "reader_b"}));

    r = run("db --db '" + b + "' complete --lesion 1");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(exportedBy(b, "b-after"), (std::vector<std::string>{"reader_a", "reader_b"}));
    EXPECT_EQ(exportedBy(a, "a-still"), std::vector<std::string>{"reader_a"});
}

TEST_F(CliServer, AnSqliteStoreHasNoAccountsAndSaysSo) {
    const auto file = (m_dir / "local.db").string();
    ASSERT_EQ(run("db --db " + file + " init").exitCode, 0);
    const auto r = run("db --db " + file + " user list");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("no accounts"), std::string::npos) << r.err;
}
