// Test helper: one reader's workstation as its own process — the review
// session as the window runs it (writes on the writer thread, the server's
// change feed on its own, completions posted back), without widgets. Signs in
// to the server as its login, opens a stored lesion and draws one outline per
// slice, half a second apart, printing "edit <slice>" after each; then waits
// until every edit is written ("written"), completes the lesion ("completed")
// and, never reloading by hand, waits until the other reader's outline of
// `other_slices` slices has arrived through the change feed ("saw <login> <n>").
// Exit 0 when it saw it, 1 when not within a minute, 2 on a bad start.
//
// usage: session_reader_process URI SERIES_ID LESION_ID SLICES X OTHER OTHER_SLICES

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "flowseg/review/outline_tools.h"
#include "review/session_fixture.h"

using namespace flowseg;

namespace {

void line(const std::string& text) {
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 8) {
        std::fprintf(stderr,
                     "usage: session_reader_process URI SERIES_ID LESION_ID SLICES X OTHER "
                     "OTHER_SLICES\n");
        return 2;
    }
    const std::string uri = argv[1];
    const db::RowId seriesId = std::atoll(argv[2]);
    const db::RowId lesionId = std::atoll(argv[3]);
    std::vector<int> slices;
    {
        std::istringstream in(argv[4]);
        for (std::string s; std::getline(in, s, ',');) slices.push_back(std::stoi(s));
    }
    const double x = std::atof(argv[5]);
    const std::string other = argv[6];
    const std::size_t otherSlices = std::strtoul(argv[7], nullptr, 10);

    test::FakeHost host;
    review::ReviewSession session(host);
    if (!session.openStore(uri)) {
        line("error " + session.events().message().text);
        return 2;
    }
    if (!session.store().followsChanges()) {
        line("error the store has no change feed");
        return 2;
    }
    session.setSeries(test::demoSeries(), seriesId);
    session.selectLesion(lesionId);
    if (session.lesionId() != lesionId) {
        line("error " + session.events().message().text);
        return 2;
    }
    const auto settleFor = [&](std::chrono::milliseconds span) {
        const auto until = std::chrono::steady_clock::now() + span;
        while (std::chrono::steady_clock::now() < until) {
            host.drain();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    };
    for (const int slice : slices) {
        common::Mask outline(256, 256);
        review::paintStroke(outline, {{x, 108}}, 5, {1, 1, 1, false}, true);
        session.editOutline(slice, outline, "Brush stroke");
        line("edit " + std::to_string(slice) + " waiting " +
             std::to_string(session.store().waitingWrites()));
        settleFor(std::chrono::milliseconds(500));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    session.store().flush();
    while (session.store().waitingWrites() > 0 && std::chrono::steady_clock::now() < deadline) {
        settleFor(std::chrono::milliseconds(100));
        session.store().flush();
    }
    if (session.store().waitingWrites() > 0) {
        line("error edits still waiting: " + std::to_string(session.store().waitingWrites()));
        return 1;
    }
    line("written");
    session.setReviewState(db::ReviewState::Completed);
    session.store().flush();
    settleFor(std::chrono::milliseconds(100));
    line("completed");
    while (std::chrono::steady_clock::now() < deadline) {
        const auto* theirs = session.outlines().find(other);
        if (theirs && theirs->slices.size() >= otherSlices) {
            line("saw " + other + " " + std::to_string(theirs->slices.size()));
            const auto* mine = session.outlines().find(session.expert().name);
            line("mine " + std::to_string(mine ? mine->slices.size() : 0));
            return 0;
        }
        settleFor(std::chrono::milliseconds(100));
    }
    const auto* theirs = session.outlines().find(other);
    line("did not see " + other +
         "'s outline: " + std::to_string(theirs ? theirs->slices.size() : 0) +
         " slices; last message: " + session.events().message().text);
    return 1;
}
