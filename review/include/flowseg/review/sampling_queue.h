#pragma once
// The session's sampling requests: at most one runs; a request made while it
// runs replaces it (the running one is cancelled, the new one starts when it
// has stopped); a run for a box that is no longer current is cancelled. The
// queue decides; the session asks the host to start and cancel.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "flowseg/engine/sampler.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/lesion_drafts.h"

namespace flowseg::review {

/// A request that runs.
struct SamplingRun {
    std::uint64_t id = 0;  ///< given by start()
    LesionDrafts::Key draft = 0;
    LesionBox box;
    LesionCrop crop;
    engine::SamplingOptions options;
    std::shared_ptr<const engine::Model> model;
    std::string modelLabel;
};

class SamplingQueue {
public:
    [[nodiscard]] bool busy() const { return m_running.has_value(); }
    [[nodiscard]] const SamplingRun* running() const { return m_running ? &*m_running : nullptr; }
    /// Starts `run` under a new id (returned). The queue must not be busy.
    std::uint64_t start(SamplingRun run);
    /// While busy: `options` run next, once the running request has stopped.
    /// Returns the running request's id, to cancel.
    std::uint64_t replace(const engine::SamplingOptions& options);
    /// Forgets the re-run; returns the running request's id to cancel (0: none).
    std::uint64_t cancel();
    /// When the running request is for another box than `draft`: cancel() (its
    /// result must not land on this one). Else 0.
    std::uint64_t cancelUnlessFor(LesionDrafts::Key draft);
    /// The host reports request `id` ended: the run when it was the running one
    /// (the queue is then idle), nothing for a request replaced long ago.
    std::optional<SamplingRun> finish(std::uint64_t id);
    /// The options asked for while the last request ran, once.
    std::optional<engine::SamplingOptions> takeRerun();

private:
    std::optional<SamplingRun> m_running;
    std::optional<engine::SamplingOptions> m_rerun;
    std::uint64_t m_next = 1;
};

}  // namespace flowseg::review
