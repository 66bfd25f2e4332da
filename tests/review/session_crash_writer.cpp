// Test helper: the review session as the window runs it (store writes on the
// writer thread, completions posted back), without widgets. Signs in, marks a
// lesion on the given series and draws an outline with the brush, one stroke
// after another; after each stroke is reported saved it prints
// "saved <lesion> <area>", and goes on until it is killed (SIGKILL test).

#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "flowseg/dicom/series.h"
#include "flowseg/review/review_session.h"

namespace {

class Host : public flowseg::review::SessionHost {
public:
    void startSampling(const flowseg::review::SamplingRequest&) override {}
    void cancelSampling(std::uint64_t) override {}
    void post(std::function<void()> work) override {
        const std::lock_guard lock(m_mutex);
        m_posted.push_back(std::move(work));
    }
    void drain() {
        for (;;) {
            std::function<void()> next;
            {
                const std::lock_guard lock(m_mutex);
                if (m_posted.empty()) return;
                next = std::move(m_posted.front());
                m_posted.pop_front();
            }
            next();
        }
    }

private:
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_posted;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: session_crash_writer STORE SERIES_FOLDER SERIES_ID EXPERT\n");
        return 2;
    }
    using namespace flowseg;
    try {
        auto load = dicom::loadFolder(argv[2]);
        if (load.series.empty()) throw std::runtime_error("no series in the folder");
        auto series = std::make_shared<const dicom::Series>(std::move(load.series.front()));
        Host host;
        review::ReviewSession session(host);
        if (!session.openStore(argv[1])) throw std::runtime_error(session.events().message().text);
        session.setSeries(series, std::stoll(argv[3]));
        session.signIn({argv[4], "radiologist"});
        const int slice = series->depth / 2;
        session.markLesion({{100, 100, 24, 24}, slice});
        auto tools = session.tools();
        tools.tool = review::OutlineTool::Brush;
        tools.brushRadiusMm = 1.5;
        session.setTools(tools);
        for (int i = 0;; ++i) {
            session.stroke(slice, {{104.0 + i % 16, 110.0}, {104.0 + i % 16, 114.0}});
            session.store().flush();
            host.drain();  // the writer's completions: only now is the stroke reported saved
            const auto* outline = session.ownOutline(slice);
            std::printf("saved %lld %ld\n", static_cast<long long>(session.lesionId()),
                        outline ? outline->area() : 0L);
            std::fflush(stdout);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "session_crash_writer: %s\n", e.what());
        return 1;
    }
}
