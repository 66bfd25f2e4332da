#include "flowseg/review/sampling_queue.h"

#include <stdexcept>

namespace flowseg::review {

std::uint64_t SamplingQueue::start(SamplingRun run) {
    if (m_running) throw std::logic_error("SamplingQueue::start while a request runs");
    run.id = m_next++;
    m_running = std::move(run);
    return m_running->id;
}

std::uint64_t SamplingQueue::replace(const engine::SamplingOptions& options) {
    if (!m_running) return 0;
    m_rerun = options;
    return m_running->id;
}

std::uint64_t SamplingQueue::cancel() {
    m_rerun.reset();
    return m_running ? m_running->id : 0;
}

std::uint64_t SamplingQueue::cancelUnlessFor(LesionDrafts::Key draft) {
    if (!m_running || m_running->draft == draft) return 0;
    return cancel();
}

std::optional<SamplingRun> SamplingQueue::finish(std::uint64_t id) {
    if (!m_running || m_running->id != id) return std::nullopt;
    auto run = std::move(m_running);
    m_running.reset();
    return run;
}

std::optional<engine::SamplingOptions> SamplingQueue::takeRerun() {
    const auto rerun = m_rerun;
    m_rerun.reset();
    return rerun;
}

}  // namespace flowseg::review
