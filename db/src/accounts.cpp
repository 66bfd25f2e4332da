#include "flowseg/db/accounts.h"

#include <libpq-fe.h>
#include <memory>
#include <stdexcept>

#include "backend.h"
#include "statement.h"

namespace flowseg::db {

namespace {

using Kind = DatabaseError::Kind;

const char* groupOf(AccountRole role) {
    switch (role) {
        case AccountRole::Reader:
            return "flowseg_reader";
        case AccountRole::Adjudicator:
            return "flowseg_adjudicator";
        case AccountRole::Steward:
            return "flowseg_steward";
        case AccountRole::Administrator:
            return "flowseg_admin";
    }
    return "flowseg_reader";
}

struct Freer {
    void operator()(char* p) const { PQfreemem(p); }
};

pg_conn* serverOf(const Database& db) {
    pg_conn* conn = detail::postgresHandle(db.connection());
    if (!conn)
        throw DatabaseError(Kind::Other,
                            "'" + db.path() +
                                "' is an SQLite store of one workstation: it has no accounts (the "
                                "signed-in name is local). Accounts live on a PostgreSQL store "
                                "(--db postgresql://...)");
    return conn;
}

std::string identifier(pg_conn* conn, const std::string& name) {
    if (name.empty() || name.size() > 63)
        throw DatabaseError(Kind::Constraint, "a login is 1 to 63 characters");
    const std::unique_ptr<char, Freer> quoted(PQescapeIdentifier(conn, name.data(), name.size()));
    if (!quoted) throw DatabaseError(Kind::Other, PQerrorMessage(conn));
    return quoted.get();
}

std::string verifier(pg_conn* conn, const std::string& login, const std::string& password) {
    if (password.size() < 8)
        throw DatabaseError(Kind::Constraint, "a password has at least 8 characters");
    const std::unique_ptr<char, Freer> hashed(
        PQencryptPasswordConn(conn, password.c_str(), login.c_str(), "scram-sha-256"));
    if (!hashed) throw DatabaseError(Kind::Other, PQerrorMessage(conn));
    const std::unique_ptr<char, Freer> literal(
        PQescapeLiteral(conn, hashed.get(), std::char_traits<char>::length(hashed.get())));
    return literal.get();
}

}  // namespace

std::string toString(AccountRole role) {
    switch (role) {
        case AccountRole::Reader:
            return "reader";
        case AccountRole::Adjudicator:
            return "adjudicator";
        case AccountRole::Steward:
            return "steward";
        case AccountRole::Administrator:
            return "administrator";
    }
    return "reader";
}

AccountRole parseAccountRole(const std::string& text) {
    for (const auto role : {AccountRole::Reader, AccountRole::Adjudicator, AccountRole::Steward,
                            AccountRole::Administrator})
        if (text == toString(role)) return role;
    throw std::invalid_argument("unknown role '" + text +
                                "' (reader, adjudicator, steward or administrator)");
}

AccountRepository::AccountRepository(Database& db) : m_db(db) { serverOf(db); }

void AccountRepository::create(const std::string& login, AccountRole role,
                               const std::string& password) {
    pg_conn* conn = serverOf(m_db);
    const auto name = identifier(conn, login);
    const auto secret = verifier(conn, login, password);
    m_db.transaction([&] {
        m_db.execute("CREATE ROLE " + name + " LOGIN PASSWORD " + secret + " IN ROLE " +
                     groupOf(role) + (role == AccountRole::Administrator ? " CREATEROLE" : ""));
        Statement expert(m_db,
                         "INSERT INTO expert (name, role) VALUES (?1, ?2) ON CONFLICT (name) DO "
                         "UPDATE SET role = excluded.role");
        expert.bind(1, login).bind(2, toString(role)).run();
        AuditRepository(m_db).record("account", "login " + login, "created as " + toString(role));
    });
}

void AccountRepository::setRole(const std::string& login, AccountRole role) {
    pg_conn* conn = serverOf(m_db);
    const auto name = identifier(conn, login);
    m_db.transaction([&] {
        m_db.execute(
            "REVOKE flowseg_reader, flowseg_adjudicator, flowseg_steward, flowseg_admin "
            "FROM " +
            name);
        m_db.execute("GRANT " + std::string(groupOf(role)) + " TO " + name);
        m_db.execute("ALTER ROLE " + name +
                     (role == AccountRole::Administrator ? " CREATEROLE" : " NOCREATEROLE"));
        Statement expert(m_db, "UPDATE expert SET role = ?2 WHERE name = ?1");
        expert.bind(1, login).bind(2, toString(role)).run();
        AuditRepository(m_db).record("account", "login " + login, "role " + toString(role));
    });
}

void AccountRepository::setPassword(const std::string& login, const std::string& password) {
    pg_conn* conn = serverOf(m_db);
    m_db.execute("ALTER ROLE " + identifier(conn, login) + " PASSWORD " +
                 verifier(conn, login, password));
}

void AccountRepository::disable(const std::string& login) {
    pg_conn* conn = serverOf(m_db);
    m_db.transaction([&] {
        m_db.execute("ALTER ROLE " + identifier(conn, login) + " NOLOGIN");
        AuditRepository(m_db).record("account", "login " + login, "sign-in disabled");
    });
}

std::vector<Account> AccountRepository::all() const {
    Statement s(m_db,
                "SELECT r.rolname, r.rolcanlogin, "
                "pg_has_role(r.oid, 'flowseg_admin', 'MEMBER'), "
                "pg_has_role(r.oid, 'flowseg_steward', 'MEMBER'), "
                "pg_has_role(r.oid, 'flowseg_adjudicator', 'MEMBER') "
                "FROM pg_roles r WHERE r.rolname NOT LIKE 'flowseg\\_%' AND "
                "pg_has_role(r.oid, 'flowseg_reader', 'MEMBER') ORDER BY r.rolname");
    std::vector<Account> out;
    while (s.step()) {
        Account a;
        a.login = s.text(0);
        a.canSignIn = s.text(1) == "t";
        a.role = s.text(2) == "t"   ? AccountRole::Administrator
                 : s.text(3) == "t" ? AccountRole::Steward
                 : s.text(4) == "t" ? AccountRole::Adjudicator
                                    : AccountRole::Reader;
        out.push_back(a);
    }
    return out;
}

AccountRole AccountRepository::currentRole() const {
    Statement s(m_db,
                "SELECT pg_has_role(current_user, 'flowseg_admin', 'MEMBER') OR "
                "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
                "pg_has_role(current_user, 'flowseg_steward', 'MEMBER'), "
                "pg_has_role(current_user, 'flowseg_adjudicator', 'MEMBER')");
    if (!s.step()) return AccountRole::Reader;
    if (s.text(0) == "t") return AccountRole::Administrator;
    if (s.text(1) == "t") return AccountRole::Steward;
    if (s.text(2) == "t") return AccountRole::Adjudicator;
    return AccountRole::Reader;
}

void AuditRepository::record(const std::string& action, const std::string& object,
                             const std::string& detail, const std::string& actor) {
    m_db.transaction([&] {
        Statement s(m_db,
                    "INSERT INTO audit_event (actor, action, object, detail) VALUES (?1, ?2, ?3, "
                    "?4)");
        s.bind(1, actor).bind(2, action).bind(3, object).bind(4, detail).run();
    });
}

std::vector<AuditEvent> AuditRepository::events(const std::string& object) const {
    Statement s(m_db,
                "SELECT id, happened_at, actor, action, object, detail FROM audit_event WHERE ?1 = "
                "'' OR object = ?1 ORDER BY id");
    s.bind(1, object);
    std::vector<AuditEvent> out;
    while (s.step())
        out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
    return out;
}

}  // namespace flowseg::db
