#pragma once
// A real PostgreSQL server for a test: a throw-away cluster (initdb) in a
// temporary folder, listening only on a Unix socket there, SCRAM passwords for
// every login. Run as an unprivileged user (PostgreSQL refuses root; CI runs as
// root, so then the cluster belongs to the `postgres` system user, else to
// `nobody`). Stopped and removed afterwards. Tests fail, never skip, when the
// server binaries are missing: tools/install-deps.sh installs postgresql-15.

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace flowseg::test {

class PostgresServer {
public:
    /// The cluster's superuser (the department's database administrator).
    static constexpr const char* kSuperuser = "dba";
    static constexpr const char* kSuperuserPassword = "dba-secret";

    PostgresServer() {
        char pattern[] = "/tmp/flowseg-pg-XXXXXX";
        if (!::mkdtemp(pattern)) throw std::runtime_error("cannot create a temporary folder");
        m_dir = pattern;
        if (::geteuid() == 0) {
            m_runAs = ::getpwnam("postgres") ? "postgres" : "nobody";
            const passwd* user = ::getpwnam(m_runAs.c_str());
            if (!user || ::chown(m_dir.c_str(), user->pw_uid, user->pw_gid) != 0)
                throw std::runtime_error("cannot hand " + m_dir.string() + " to " + m_runAs);
        }
        std::ofstream(m_dir / "pwfile") << kSuperuserPassword << "\n";
        if (!m_runAs.empty()) {
            const passwd* user = ::getpwnam(m_runAs.c_str());
            if (::chown((m_dir / "pwfile").c_str(), user->pw_uid, user->pw_gid) != 0)
                throw std::runtime_error("cannot hand the password file to " + m_runAs);
        }
        run(bin("initdb") + " -D " + data() + " -U " + kSuperuser + " --pwfile=" +
                (m_dir / "pwfile").string() + " -A scram-sha-256 -E UTF8 --locale=C -N > " +
                (m_dir / "initdb.log").string() + " 2>&1",
            "initdb");
        std::ofstream(m_dir / "data" / "postgresql.conf", std::ios::app)
            << "listen_addresses = ''\nunix_socket_directories = '" << m_dir.string()
            << "'\nport = 5432\nmax_connections = 40\nshared_buffers = 16MB\n";
        start();
        createDatabase("flowseg");
    }
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;
    ~PostgresServer() {
        try {
            if (m_running) stop(true);
        } catch (...) {
        }
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }

    /// The server's folder: data/, its log, the socket.
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

    void start() {
        run(bin("pg_ctl") + " -D " + data() + " -l " + (m_dir / "server.log").string() +
                " -w -t 30 start > /dev/null 2>&1",
            "pg_ctl start");
        m_running = true;
    }
    /// Stops it (fast: ends sessions; immediate: like a crash, recovery on start).
    void stop(bool immediate = false) {
        run(bin("pg_ctl") + " -D " + data() + " -m " + (immediate ? "immediate" : "fast") +
                " -w stop > /dev/null 2>&1",
            "pg_ctl stop");
        m_running = false;
    }

    /// A libpq URI for `user` on database `db`, over the socket.
    [[nodiscard]] std::string uri(const std::string& user, const std::string& password,
                                  const std::string& db = "flowseg") const {
        return "postgresql://" + user + ":" + password + "@/" + db + "?host=" + m_dir.string() +
               "&port=5432";
    }
    [[nodiscard]] std::string superuserUri(const std::string& db = "flowseg") const {
        return uri(kSuperuser, kSuperuserPassword, db);
    }

    void createDatabase(const std::string& name) {
        sql("postgres", "CREATE DATABASE \"" + name + "\"");
    }

    /// Runs SQL as the superuser on `db`; throws with the server's message.
    void sql(const std::string& db, const std::string& statement) const {
        PGconn* conn = PQconnectdb(superuserUri(db).c_str());
        const std::unique_ptr<PGconn, void (*)(PGconn*)> guard(conn, PQfinish);
        if (PQstatus(conn) != CONNECTION_OK)
            throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(conn));
        PGresult* result = PQexec(conn, statement.c_str());
        const auto status = PQresultStatus(result);
        const std::string message = PQresultErrorMessage(result);
        PQclear(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(statement + ": " + message);
    }

    [[nodiscard]] std::string log() const {
        std::ifstream in(m_dir / "server.log");
        return {std::istreambuf_iterator<char>(in), {}};
    }

private:
    static std::string bin(const std::string& tool) {
        for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"}) {
            const auto path = std::filesystem::path(dir) / tool;
            if (std::filesystem::exists(path)) return path.string();
        }
        throw std::runtime_error("PostgreSQL's " + tool +
                                 " is not installed: run tools/install-deps.sh (postgresql-15)");
    }
    [[nodiscard]] std::string data() const { return (m_dir / "data").string(); }
    void run(const std::string& command, const std::string& what) const {
        const std::string line =
            m_runAs.empty() ? command : "runuser -u " + m_runAs + " -- sh -c '" + command + "'";
        if (std::system(line.c_str()) != 0) {
            std::ifstream in(m_dir / (what == "initdb" ? "initdb.log" : "server.log"));
            throw std::runtime_error(
                what + " failed: " + std::string(std::istreambuf_iterator<char>(in), {}));
        }
    }

    std::filesystem::path m_dir;
    std::string m_runAs;
    bool m_running = false;
};

}  // namespace flowseg::test
