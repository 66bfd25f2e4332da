// The annotation store against real SQLite files: migrations, safety on bad
// files, concurrency, crash consistency, backup and restore.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "dialect.h"
#include "flowseg/common/sha256.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/blob_codec.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/maintenance.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "migrations.h"
#include "store_fixture.h"

using namespace flowseg::db;
namespace fs = std::filesystem;
using flowseg::common::Mask;

namespace {

class Store : public ::testing::Test, protected flowseg::test::StoreFixture {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("flowseg_db_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        fs::permissions(m_dir, fs::perms::owner_all, fs::perm_options::add);
        fs::remove_all(m_dir);
    }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }

    static std::string fileHash(const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        return flowseg::common::sha256Hex(bytes.data(), bytes.size());
    }

    static std::vector<std::string> columns(Database& db) {
        std::vector<std::string> out;
        sqlite3_stmt* tables = nullptr;
        sqlite3_prepare_v2(db.handle(),
                           "SELECT name FROM sqlite_master WHERE type IN "
                           "('table','index','trigger') ORDER BY name",
                           -1, &tables, nullptr);
        while (sqlite3_step(tables) == SQLITE_ROW) {
            const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
            out.push_back("object " + table);
            sqlite3_stmt* info = nullptr;
            sqlite3_prepare_v2(db.handle(), ("PRAGMA table_info(" + table + ")").c_str(), -1, &info,
                               nullptr);
            while (sqlite3_step(info) == SQLITE_ROW) {
                std::string col =
                    table + "." + reinterpret_cast<const char*>(sqlite3_column_text(info, 1)) +
                    " " + reinterpret_cast<const char*>(sqlite3_column_text(info, 2)) +
                    (sqlite3_column_int(info, 3) ? " notnull" : "");
                if (sqlite3_column_type(info, 4) != SQLITE_NULL)
                    col += std::string(" default ") +
                           reinterpret_cast<const char*>(sqlite3_column_text(info, 4));
                out.push_back(col);
            }
            sqlite3_finalize(info);
        }
        sqlite3_finalize(tables);
        std::sort(out.begin(), out.end());
        return out;
    }

    fs::path m_dir;
};

}  // namespace

TEST_F(Store, MigratesAnEmptyFileToTheSchemaOfSchemaSql) {
    auto db = Database::open(path("new.db"));
    EXPECT_EQ(db.schemaVersion(), Database::latestSchemaVersion());
    EXPECT_EQ(Database::latestSchemaVersion(), static_cast<int>(migrations().size()));

    sqlite3* raw = nullptr;
    sqlite3_open(path("reference.db").c_str(), &raw);
    std::ifstream in(FLOWSEG_SCHEMA_SQL);
    const std::string schema{std::istreambuf_iterator<char>(in), {}};
    ASSERT_EQ(sqlite3_exec(raw, schema.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    auto reference = Database::open(path("reference.db"), OpenMode::Existing);
    EXPECT_EQ(reference.schemaVersion(), Database::latestSchemaVersion());
    EXPECT_EQ(columns(db), columns(reference)) << "db/schema.sql and db/migrations/ disagree";
}

TEST_F(Store, MigratesEachEarlierVersionAndKeepsItsData) {
    for (int from = 1; from < Database::latestSchemaVersion(); ++from) {
        const auto file = path("v" + std::to_string(from) + ".db");
        sqlite3* raw = nullptr;
        sqlite3_open(file.c_str(), &raw);
        for (int v = 0; v < from; ++v)
            ASSERT_EQ(
                sqlite3_exec(raw,
                             detail::migrationsFor(Backend::Sqlite)[static_cast<size_t>(v)].c_str(),
                             nullptr, nullptr, nullptr),
                SQLITE_OK);
        sqlite3_exec(raw, ("PRAGMA user_version = " + std::to_string(from)).c_str(), nullptr,
                     nullptr, nullptr);
        sqlite3_exec(raw,
                     "INSERT INTO study (study_uid) VALUES ('1.2');"
                     "INSERT INTO series (study_id, series_uid) VALUES (1, '1.2.3');"
                     "INSERT INTO lesion (series_id, label, first_slice, last_slice, box_x, box_y, "
                     "box_width, box_height)"
                     " VALUES (1, 'old', 0, 0, 0, 0, 4, 4);"
                     "INSERT INTO expert (name) VALUES ('Dr Old');"
                     "INSERT INTO annotation (lesion_id, expert_id, slice) VALUES (1, 1, 0);",
                     nullptr, nullptr, nullptr);
        sqlite3_close(raw);
        // Version 1 had no 'source': add a version through the old schema's columns.
        {
            auto db = Database::open(file, OpenMode::Existing);
            EXPECT_EQ(db.schemaVersion(), Database::latestSchemaVersion()) << "from " << from;
            const auto lesions = LesionRepository(db).ofSeries(1);
            ASSERT_EQ(lesions.size(), 1U);
            EXPECT_EQ(lesions.front().label, "old");
            const auto saved = AnnotationRepository(db).save(1, 1, 0, squareMask(3));
            EXPECT_EQ(saved.version, 1);
            EXPECT_EQ(AnnotationRepository(db).latestForLesion(1).front().source,
                      AnnotationSource::Manual);
        }
    }
}

TEST_F(Store, ForeignCorruptNewerAndNonSqliteFilesAreRefusedAndLeftUntouched) {
    std::ofstream(path("text.db")) << "this is a text file, not a database\n";
    sqlite3* raw = nullptr;
    sqlite3_open(path("other.db").c_str(), &raw);
    sqlite3_exec(raw, "CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1);",
                 nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    {
        auto db = Database::open(path("newer.db"));
        populate(db);
    }
    sqlite3_open(path("newer.db").c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    {
        auto db = Database::open(path("corrupt.db"));
        const auto f = populate(db);
        for (int i = 0; i < 200; ++i)
            AnnotationRepository(db).save(f.lesion, f.expert, i, squareMask(10 + i % 20));
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    {
        std::fstream file(path("corrupt.db"), std::ios::in | std::ios::out | std::ios::binary);
        // Overwrite the start of page 3: a b-tree page header, as a torn write would.
        ASSERT_GT(fs::file_size(path("corrupt.db")), 4096U * 4);
        file.seekp(4096 * 2);
        const std::string garbage(3000, '\x5a');
        file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    const std::pair<const char*, DatabaseError::Kind> cases[] = {
        {"text.db", DatabaseError::Kind::NotADatabase},
        {"other.db", DatabaseError::Kind::Foreign},
        {"newer.db", DatabaseError::Kind::NewerSchema},
        {"corrupt.db", DatabaseError::Kind::Corrupt}};
    for (const auto& [name, kind] : cases) {
        const auto before = fileHash(path(name));
        try {
            Database::open(path(name));
            ADD_FAILURE() << name << " was accepted";
        } catch (const DatabaseError& e) {
            EXPECT_EQ(e.kind(), kind) << name << ": " << e.what();
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
        EXPECT_EQ(fileHash(path(name)), before) << name << " was modified";
        EXPECT_FALSE(fs::exists(path(std::string(name) + "-wal"))) << name;
    }
    EXPECT_THROW(Database::open(path("missing.db"), OpenMode::Existing), DatabaseError);
}

TEST_F(Store, AReadOnlyFolderIsReportedClearly) {
    fs::create_directories(m_dir / "ro");
    {
        auto db = Database::open(path("ro/store.db"));
        populate(db);
    }
    // Root ignores permission bits, so the check runs as an unprivileged user in a child.
    fs::permissions(m_dir / "ro", fs::perms::owner_read | fs::perms::owner_exec |
                                      fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(m_dir, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
    int pipeFds[2];
    ASSERT_EQ(::pipe(pipeFds), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipeFds[0]);
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        std::string result;
        try {
            Database::open(path("ro/store.db"));
            result = "opened for writing";
        } catch (const DatabaseError& e) {
            result = e.kind() == DatabaseError::Kind::ReadOnly ? std::string("readonly:") + e.what()
                                                               : e.what();
        }
        try {
            auto db = Database::open(path("ro/store.db"), OpenMode::ReadOnly);
            result += LesionRepository(db).ofSeries(1).size() == 1 ? "|read ok" : "|read wrong";
        } catch (const std::exception& e) {
            result += std::string("|read failed: ") + e.what();
        }
        (void)!::write(pipeFds[1], result.data(), result.size());
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    std::string result;
    char buffer[512];
    ssize_t n = 0;
    while ((n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0)
        result.append(buffer, static_cast<size_t>(n));
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child could not drop privileges";
    EXPECT_EQ(result.rfind("readonly:", 0), 0U) << result;
    EXPECT_NE(result.find("read-only"), std::string::npos) << result;
    EXPECT_NE(result.find("|read ok"), std::string::npos) << result;
}

TEST_F(Store, AWriterWaitsForAnotherConnectionsLock) {
    auto first = Database::open(path("lock.db"));
    const auto f = populate(first);
    first.execute("BEGIN IMMEDIATE");
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        first.execute("COMMIT");
    });
    auto second = Database::open(path("lock.db"), OpenMode::Existing);
    const auto saved = AnnotationRepository(second).save(f.lesion, f.expert, 3, squareMask(2));
    release.join();
    EXPECT_EQ(saved.version, 1);
}

TEST_F(Store, AWriterBlockedPastTheBusyTimeoutGetsAClearLockedError) {
    auto first = Database::open(path("busy.db"));
    const auto f = populate(first);
    first.execute("BEGIN IMMEDIATE");  // e.g. a second app instance in the middle of a long write
    auto second = Database::open(path("busy.db"), OpenMode::Existing);
    try {
        AnnotationRepository(second).save(f.lesion, f.expert, 3, squareMask(2));
        ADD_FAILURE() << "the save went through a held lock";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), DatabaseError::Kind::Locked) << e.what();
        EXPECT_NE(std::string(e.what()).find("another FlowSeg"), std::string::npos) << e.what();
    }
    first.execute("ROLLBACK");
    EXPECT_EQ(AnnotationRepository(second).save(f.lesion, f.expert, 3, squareMask(2)).version, 1);
}

TEST_F(Store, BackupOfALiveStoreAndRestoreKeepTheOldFile) {
    auto db = Database::open(path("live.db"));
    const auto f = populate(db);
    AnnotationRepository(db).save(f.lesion, f.expert, 3, squareMask(5));
    backupDatabase(path("live.db"), path("backup.db"));
    EXPECT_THROW(backupDatabase(path("live.db"), path("backup.db")),
                 DatabaseError);  // never overwrites
    AnnotationRepository(db).save(f.lesion, f.expert, 3, squareMask(7));
    const auto check = checkDatabase(path("backup.db"));
    EXPECT_TRUE(check.ok);
    EXPECT_EQ(check.annotationVersions, 1);
    const auto saved = restoreDatabase(path("backup.db"), path("live.db"));
    ASSERT_FALSE(saved.empty());
    EXPECT_EQ(checkDatabase(saved).annotationVersions, 2);
    EXPECT_EQ(AnnotationRepository(db).history(f.lesion, f.expert, 3).size(), 1U);
    std::ofstream(path("junk.db")) << "junk";
    EXPECT_THROW(restoreDatabase(path("junk.db"), path("live.db")), DatabaseError);
}

TEST_F(Store, DamagedBlobsAreReportedNotReturned) {
    EXPECT_EQ(decompressMask(compressMask(squareMask(9)), 32, 32), squareMask(9));
    auto blob = compressMask(squareMask(9));
    blob[blob.size() / 2] ^= 0xFF;
    EXPECT_THROW(decompressMask(blob, 32, 32), DatabaseError);
    EXPECT_THROW(decompressMask(compressMask(squareMask(9)), 16, 16), DatabaseError);
}

TEST_F(Store, SigkilledWritersNeverLoseACommittedSaveNorCorruptTheFile) {
    const auto db = path("crash.db");
    std::set<long long> committed;
    std::mt19937 rng(2026);
    constexpr int kRounds = 25;
    int killedMidWrite = 0;
    for (int round = 0; round < kRounds; ++round) {
        int out[2];
        ASSERT_EQ(::pipe(out), 0);
        const pid_t child = ::fork();
        if (child == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            ::execl(FLOWSEG_CRASH_WRITER, FLOWSEG_CRASH_WRITER, db.c_str(),
                    round % 2 ? "Dr B" : "Dr A", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        ::fcntl(out[0], F_SETFL, O_NONBLOCK);
        const auto deadline =
            std::chrono::steady_clock::now() +
            std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 250)(rng));
        std::string text;
        char buffer[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            const ssize_t n = ::read(out[0], buffer, sizeof buffer);
            if (n > 0)
                text.append(buffer, static_cast<size_t>(n));
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ssize_t n = 0;
        while ((n = ::read(out[0], buffer, sizeof buffer)) > 0)
            text.append(buffer, static_cast<size_t>(n));
        ::close(out[0]);
        killedMidWrite += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        std::istringstream lines(text);
        std::string word;
        long long id = 0;
        while (lines >> word >> id)
            if (word == "committed") committed.insert(id);
    }
    const auto report = checkDatabase(db);
    EXPECT_TRUE(report.ok) << (report.problems.empty() ? "" : report.problems.front());
    auto store = Database::open(db, OpenMode::Existing);
    const auto stored = AnnotationRepository(store).allVersionIds();
    const std::set<long long> present(stored.begin(), stored.end());
    long long missing = 0;
    for (auto id : committed) missing += present.count(id) == 0;
    std::printf(
        "crash test: %d writers killed with SIGKILL, %zu saves reported committed, %zu stored, "
        "%lld committed saves missing, integrity_check %s\n",
        killedMidWrite, committed.size(), present.size(), missing, report.ok ? "ok" : "FAILED");
    RecordProperty("committed", static_cast<int>(committed.size()));
    EXPECT_EQ(killedMidWrite, kRounds);
    EXPECT_GT(committed.size(), 50U) << "the writer barely ran; the test proves little";
    EXPECT_EQ(missing, 0);
    // Every stored version is readable and matches its checksum.
    for (const auto id : stored) EXPECT_NO_THROW((void)AnnotationRepository(store).findVersion(id));
}
