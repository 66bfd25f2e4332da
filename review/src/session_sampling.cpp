// The review session's sampling: what a request needs, what replaces what, and
// where a finished run's result lands (the queue's rules are in SamplingQueue).
#include <cstdio>

#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/review/model_fitness.h"
#include "flowseg/review/review_session.h"

namespace flowseg::review {

namespace {

std::string formatSeconds(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", seconds);
    return text;
}

}  // namespace

void ReviewSession::requestSampling(const engine::SamplingOptions& options) {
    if (!m_models.current()) {
        say("Cannot sample: no model is loaded (File > Load model, or start with --model FILE)",
            true);
        return;
    }
    if (!m_series) {
        say("Cannot sample: no series is loaded (File > Open DICOM folder)", true);
        return;
    }
    if (box().empty()) {
        say("Cannot sample: no lesion is marked: press D and drag a box around it", true);
        return;
    }
    if (const auto notes = checkModelFitness(*m_series); refuses(notes)) {
        say("Cannot sample: " + describe(notes), true);
        return;
    }
    // The new request (a moved w slider, say) replaces the running one.
    if (const auto running = m_sampling.replace(options)) {
        m_host.cancelSampling(running);
        return;
    }
    startRun(options);
}

void ReviewSession::startRun(const engine::SamplingOptions& options) {
    auto* draft = m_drafts.current();
    const auto& model = m_models.current();
    if (!draft || !model || !m_series) return;
    SamplingRun run;
    try {
        run.crop = cropLesion(*m_series, draft->box.slice, draft->box.box,
                              static_cast<int>(model->options().image_size()));
    } catch (const std::exception& e) {
        say(std::string("Cannot sample: ") + e.what(), true);
        return;
    }
    if (storesLesions()) storeLesion(m_drafts.currentKey());  // its first run stores the lesion
    run.draft = m_drafts.currentKey();
    run.box = draft->box;
    run.options = options;
    run.model = model;
    run.modelLabel = m_models.label();
    SamplingRequest request;
    request.model = model;
    request.crop = run.crop;
    request.options = options;
    request.wholeNodule = m_wholeNodule;
    request.series = m_series;
    request.box = draft->box.box;
    request.range = noduleRange(m_outlines, draft->box.slice, m_series->depth);
    request.id = m_sampling.start(std::move(run));
    m_host.startSampling(request);
    say("Sampling " + std::to_string(options.samples) + " masks (" + options.describe() + ")" +
            (m_wholeNodule
                 ? " through the nodule from slice " + std::to_string(request.range.first + 1) +
                       " to " + std::to_string(request.range.last + 1) +
                       ", further while a sample continues"
                 : " on slice " + std::to_string(draft->box.slice + 1)),
        false, Change::Sampling);
}

void ReviewSession::cancelSampling() {
    const auto running = m_sampling.cancel();
    if (running == 0) return;
    m_host.cancelSampling(running);
    say("Cancelling...", false);
}

bool ReviewSession::samplingFinished(std::uint64_t id, std::optional<engine::SamplingResult> result,
                                     std::vector<engine::TrajectoryFrame> trajectory,
                                     const std::string& error,
                                     std::optional<NoduleSamples> nodule) {
    auto run = m_sampling.finish(id);
    if (!run) return false;  // a request replaced long ago
    auto* draft = m_drafts.find(run->draft);
    // A result lands only on the box it was drawn for, and only while that box is
    // the one under review (re-marking cancels; a cancel after the last step still counts).
    const bool lands = result && draft && run->draft == m_drafts.currentKey();
    if (lands) {
        m_layers.selectedSample = -1;  // a sample index of the old result means nothing now
        auto& landed = draft->result.emplace();
        landed.box = run->box;
        landed.crop = run->crop;
        landed.result = std::move(*result);
        landed.options = run->options;
        landed.trajectory = std::move(trajectory);
        landed.model = run->model;
        landed.modelLabel = run->modelLabel;
        if (nodule && !nodule->slices.empty()) {
            landed.slices = std::move(nodule->slices);
            landed.coherent = nodule->coherent;
        } else {
            landed.slices = {{landed.crop, landed.result}};
        }
        if (storesLesions()) storeRun(run->draft, landed);
        const auto passes = nodule ? nodule->networkPasses : landed.result.networkPasses;
        const auto seconds = nodule ? nodule->seconds : landed.result.seconds;
        if (passes > 0 && seconds > 0) m_secondsPerPass = seconds / static_cast<double>(passes);
        const auto& r = draft->result->result;
        // What the model was not made for stays in the message beside the result.
        const auto notes = m_series ? checkModelFitness(*m_series) : std::vector<FitnessNote>{};
        const auto span =
            landed.slices.size() > 1
                ? " through slices " + std::to_string(landed.slices.front().crop.slice + 1) + "-" +
                      std::to_string(landed.slices.back().crop.slice + 1) +
                      (landed.coherent ? "" : " (each slice on its own: a slice model)")
                : std::string();
        say(std::to_string(r.masks.size()) + " samples" + span + " in " + formatSeconds(r.seconds) +
                " s (" + std::to_string(r.networkPasses) + " network passes, " +
                run->options.describe() + ") from model " + run->modelLabel + "." +
                (notes.empty() ? "" : " Caution: " + describe(notes)),
            !notes.empty(), Change::Sampling | Change::Result | Change::Layers);
    } else if (!error.empty()) {
        say("Sampling failed: " + error, true, Change::Sampling);
    } else {
        say("Sampling cancelled; nothing was changed.", false, Change::Sampling);
    }
    if (const auto rerun = m_sampling.takeRerun()) requestSampling(*rerun);
    return lands;
}

}  // namespace flowseg::review

namespace flowseg::review {

engine::SamplingOptions ReviewSession::defaultSampling() const {
    const auto& model = m_models.current();
    return model ? engine::SamplingOptions::fastDefault(model->options())
                 : engine::SamplingOptions::fastDefault();
}

SamplingCost ReviewSession::samplingCost(const engine::SamplingOptions& options) const {
    const auto& model = m_models.current();
    const auto network = model ? model->options() : engine::VelocityUNetOptions{};
    int slices = 1;
    const auto* draft = m_drafts.current();
    if (m_wholeNodule && draft && m_series)
        slices = noduleRange(m_outlines, draft->box.slice, m_series->depth).size();
    return review::samplingCost(options, network, slices, m_wholeNodule, m_secondsPerPass);
}

}  // namespace flowseg::review
