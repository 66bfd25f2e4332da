#include "flowseg/db/change_feed.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sstream>
#include <thread>

#include "backend.h"

namespace flowseg::db {

namespace {
constexpr const char* kChannel = "flowseg_changes";
}

StoreChange parseChange(const std::string& payload) {
    std::istringstream in(payload);
    StoreChange change;
    if (!(in >> change.table >> change.lesionId >> change.seriesId)) return {};
    in >> std::ws;
    std::getline(in, change.login);
    return change;
}

std::unique_ptr<ChangeFeed> ChangeFeed::open(const std::string& location) {
    if (!Database::isServerLocation(location)) return nullptr;
    std::unique_ptr<ChangeFeed> feed(new ChangeFeed(Database::open(location, OpenMode::Existing)));
    if (!feed->listen())
        throw DatabaseError(DatabaseError::Kind::Unreachable, "cannot follow the changes on " +
                                                                  feed->m_database.path() +
                                                                  ": the server stopped answering");
    return feed;
}

ChangeFeed::ChangeFeed(Database database) : m_database(std::move(database)) {}

ChangeFeed::~ChangeFeed() = default;

bool ChangeFeed::listen() {
    PGconn* conn = detail::postgresHandle(m_database.connection());
    PGresult* result = PQexec(conn, (std::string("LISTEN ") + kChannel).c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    return ok;
}

bool ChangeFeed::connected() const {
    return !m_lost && PQstatus(detail::postgresHandle(m_database.connection())) == CONNECTION_OK;
}

std::vector<StoreChange> ChangeFeed::wait(std::chrono::milliseconds timeout) {
    PGconn* conn = detail::postgresHandle(m_database.connection());
    std::vector<StoreChange> out;
    if (m_lost || PQstatus(conn) != CONNECTION_OK) {
        m_lost = true;
        const auto started = std::chrono::steady_clock::now();
        PQreset(conn);
        if (PQstatus(conn) == CONNECTION_OK && listen()) {
            m_lost = false;
            out.push_back({"*", 0, 0, ""});
        } else {
            std::this_thread::sleep_for(
                timeout - std::min<std::chrono::milliseconds>(
                              timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)));
        }
        return out;
    }
    const auto drain = [&] {
        while (PGnotify* note = PQnotifies(conn)) {
            auto change = parseChange(note->extra ? note->extra : "");
            if (!change.table.empty()) out.push_back(std::move(change));
            PQfreemem(note);
        }
    };
    drain();
    if (!out.empty()) return out;
    pollfd watched{PQsocket(conn), POLLIN, 0};
    if (watched.fd < 0) {
        m_lost = true;
        return out;
    }
    if (::poll(&watched, 1, static_cast<int>(timeout.count())) <= 0) return out;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
        m_lost = true;
        return out;
    }
    drain();
    return out;
}

}  // namespace flowseg::db
