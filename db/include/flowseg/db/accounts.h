#pragma once
// The department's accounts on a PostgreSQL store: each expert signs in with a
// login of their own (SCRAM password), in one of four roles the server checks:
//   reader       draws and completes lesions; reads only their own outlines of
//                a lesion until they have completed it (row-level security)
//   adjudicator  a reader who reads every outline of a lesion at any time
//   steward      a reader who promotes and rolls back model versions
//   administrator  accounts, studies, every outline, the audit trail
// An expert's login is their name in the store. On SQLite there are no
// accounts: the signed-in name is local and unauthenticated, and these throw.

#include <string>
#include <vector>

#include "flowseg/db/database.h"

namespace flowseg::db {

enum class AccountRole { Reader, Adjudicator, Steward, Administrator };

[[nodiscard]] std::string toString(AccountRole role);
/// "reader", "adjudicator", "steward", "administrator"; throws std::invalid_argument.
[[nodiscard]] AccountRole parseAccountRole(const std::string& text);

struct Account {
    std::string login;
    AccountRole role = AccountRole::Reader;
    bool canSignIn = true;
};

class AccountRepository {
public:
    /// Throws DatabaseError when `db` is not a server store.
    explicit AccountRepository(Database& db);

    /// Creates the login with a SCRAM-SHA-256 verifier computed here (the
    /// password itself never reaches the server or its logs), in `role`, and
    /// the expert of that name. Needs an administrator's login.
    void create(const std::string& login, AccountRole role, const std::string& password);
    void setRole(const std::string& login, AccountRole role);
    void setPassword(const std::string& login, const std::string& password);
    /// Takes away sign-in; the login's outlines and audit entries stay.
    void disable(const std::string& login);
    [[nodiscard]] std::vector<Account> all() const;
    /// The role of the signed-in login (Reader when it holds none of ours).
    [[nodiscard]] AccountRole currentRole() const;

private:
    Database& m_db;
};

struct AuditEvent {
    long long id = 0;
    std::string at, actor, action, object, detail;
};

/// The append-only audit trail: who opened, changed, completed, exported and
/// promoted what, and when. Changes, completions and promotions are recorded
/// by the store itself; the app records openings and exports. On a server the
/// actor is always the login.
class AuditRepository {
public:
    explicit AuditRepository(Database& db) : m_db(db) {}
    /// `actor` is used on SQLite only (the signed-in name).
    void record(const std::string& action, const std::string& object, const std::string& detail,
                const std::string& actor = "");
    /// The events of `object` ("lesion 12"), or all when empty, oldest first.
    [[nodiscard]] std::vector<AuditEvent> events(const std::string& object = "") const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
