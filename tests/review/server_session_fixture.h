#pragma once
// What the review-session tests on a PostgreSQL server share: a reader's
// session with its fake host, a disk-shaped outline, and the administrator's
// store with one series and two reader logins.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "db/postgres_server.h"
#include "flowseg/db/accounts.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/review/outline_tools.h"
#include "session_fixture.h"

namespace flowseg::test {

inline common::Mask disk(double cx, double cy, double radius) {
    common::Mask m(256, 256);
    review::paintStroke(m, {{cx, cy}}, radius, {1, 1, 1, false}, true);
    return m;
}

struct Reader {
    FakeHost host;
    std::unique_ptr<review::ReviewSession> session = std::make_unique<review::ReviewSession>(host);
    void settle() {
        session->store().flush();
        host.drain();
    }
};

/// The administrator's store with one series and the logins reader_a and reader_b.
inline db::RowId storeWithTwoReaders(const PostgresServer& server) {
    const auto seriesId = storeWithSeries(server.superuserUri());
    auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
    db::AccountRepository accounts(admin);
    accounts.create("reader_a", db::AccountRole::Reader, "secret-a-123");
    accounts.create("reader_b", db::AccountRole::Reader, "secret-b-123");
    return seriesId;
}

/// The slices each reader's latest outline of `lesion` marks, by reader name, as
/// the server's administrator reads them.
inline std::map<std::string, std::set<int>> outlinedSlices(const PostgresServer& server,
                                                           db::RowId lesion) {
    auto admin = db::Database::open(server.superuserUri(), db::OpenMode::Existing);
    std::map<std::string, std::set<int>> slices;
    std::map<db::RowId, std::string> names;
    for (const auto& e : db::ExpertRepository(admin).all()) names[e.id] = e.name;
    for (const auto& v : db::AnnotationRepository(admin).latestForLesion(lesion))
        if (v.area > 0) slices[names[v.expertId]].insert(v.slice);
    return slices;
}

}  // namespace flowseg::test
