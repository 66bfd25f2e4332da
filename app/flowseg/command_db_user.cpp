// flowseg db user: the department's accounts on a PostgreSQL store (add, list,
// role, password, disable). Passwords are read from standard input (prompted
// without echo on a terminal), never from the command line, where `ps` shows
// them; the server receives only a SCRAM verifier. On an SQLite store,
// AccountRepository refuses before any password is asked for: it has no accounts.

#include <termios.h>
#include <unistd.h>
#include <iostream>
#include <string>

#include "cli_support.h"
#include "db_flags.h"
#include "flowseg/db/accounts.h"

namespace flowseg::cli {

namespace {

std::string readPassword(const std::string& login) {
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (terminal) {
        std::cerr << "new password for " << login << ": " << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string password;
    std::getline(std::cin, password);
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    if (password.empty())
        throw std::runtime_error("no password given for " + login +
                                 " (type it, or pipe it on standard input)");
    return password;
}

void runUserAdd(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto role = db::parseAccountRole(f.accountRole);
    db::AccountRepository(db).create(f.login, role, readPassword(f.login));
    if (f.json)
        printJson({{"login", f.login}, {"role", db::toString(role)}});
    else
        std::cout << "login " << f.login << " created as " << db::toString(role) << "\n";
}

void runUserRole(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto role = db::parseAccountRole(f.accountRole);
    db::AccountRepository(db).setRole(f.login, role);
    if (!f.json) std::cout << f.login << " is now " << db::toString(role) << "\n";
}

void runUserPassword(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    db::AccountRepository(db).setPassword(f.login, readPassword(f.login));
    if (!f.json) std::cout << "password of " << f.login << " changed\n";
}

void runUserDisable(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    db::AccountRepository(db).disable(f.login);
    if (!f.json)
        std::cout << f.login << " can no longer sign in; their outlines and audit entries stay\n";
}

void runUserList(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto accounts = db::AccountRepository(db).all();
    if (f.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& a : accounts)
            out.push_back(
                {{"login", a.login}, {"role", db::toString(a.role)}, {"can_sign_in", a.canSignIn}});
        printJson(out);
        return;
    }
    for (const auto& a : accounts)
        std::cout << a.login << "  " << db::toString(a.role) << (a.canSignIn ? "" : "  (disabled)")
                  << "\n";
}

}  // namespace

void addDbUserCommand(CLI::App& db, const std::shared_ptr<DbFlags>& f) {
    auto* user = db.add_subcommand(
        "user", "Accounts on a PostgreSQL store: reader, adjudicator, steward, administrator");
    user->require_subcommand(1);
    const auto sub = [&](const char* name, const char* help, void (*run)(const DbFlags&)) {
        auto* c = user->add_subcommand(name, help);
        c->callback([f, run] { run(*f); });
        return c;
    };
    auto* add = sub("add", "Create a login (password on standard input)", runUserAdd);
    add->add_option("login", f->login, "login name (the expert's name in the store)")->required();
    add->add_option("--role", f->accountRole, "reader, adjudicator, steward or administrator")
        ->capture_default_str();
    auto* role = sub("role", "Give a login another role", runUserRole);
    role->add_option("login", f->login, "login name")->required();
    role->add_option("role", f->accountRole, "reader, adjudicator, steward or administrator")
        ->required();
    sub("password", "Set a login's password (on standard input)", runUserPassword)
        ->add_option("login", f->login, "login name")
        ->required();
    sub("disable", "Take away a login's sign-in (its work stays)", runUserDisable)
        ->add_option("login", f->login, "login name")
        ->required();
    sub("list", "The logins and their roles", runUserList);
}

}  // namespace flowseg::cli
