#include "flowseg/engine/guided_velocity.h"

#include <torch/torch.h>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

namespace {

// What both velocity fields take: one condition for all M samples or one each.
void checkCondition(const torch::Tensor& condition, int64_t samples, const char* who) {
    if (condition.dim() != 4 || (condition.size(0) != 1 && condition.size(0) != samples))
        throw InvalidInput(std::string(who) + ": condition must be [1, C, H, W] or [M, C, H, W]");
    if (samples < 1) throw InvalidInput("the number of samples must be at least 1");
}

}  // namespace

GuidedVelocity::GuidedVelocity(VelocityUNet network, const torch::Tensor& condition,
                               int64_t samples, double guidance, bool channelsLast)
    : m_network(std::move(network)),
      m_samples(samples),
      m_guidance(guidance),
      m_channelsLast(channelsLast) {
    checkCondition(condition, samples, "GuidedVelocity");
    const auto conditional = condition.expand({samples, -1, -1, -1});
    m_batchedCondition = usesUnconditionalBranch()
                             ? torch::cat({conditional, torch::zeros_like(conditional)}, 0)
                             : conditional.contiguous();
    if (m_channelsLast)
        m_batchedCondition = m_batchedCondition.contiguous(torch::MemoryFormat::ChannelsLast);
}

torch::Tensor GuidedVelocity::operator()(double t, const torch::Tensor& x) {
    if (x.size(0) != m_samples) throw InvalidInput("GuidedVelocity: batch is not M samples");
    auto input = usesUnconditionalBranch() ? torch::cat({x, x}, 0) : x;
    if (m_channelsLast) input = input.contiguous(torch::MemoryFormat::ChannelsLast);
    // One time for the whole batch: the embedding and FiLM projections run once.
    const auto times = torch::full({1}, t, x.options());
    const auto velocity =
        m_network->forward(input, m_batchedCondition, times).to(torch::kFloat32).contiguous();
    m_passes += input.size(0);
    if (!usesUnconditionalBranch()) return velocity;
    const auto conditional = velocity.narrow(0, 0, m_samples);
    const auto unconditional = velocity.narrow(0, m_samples, m_samples);
    return conditional + m_guidance * (conditional - unconditional);
}

StudentVelocity::StudentVelocity(VelocityUNet network, const torch::Tensor& condition,
                                 int64_t samples, double guidance, double step, bool channelsLast)
    : m_network(std::move(network)),
      m_samples(samples),
      m_guidance(guidance),
      m_step(step),
      m_channelsLast(channelsLast) {
    checkCondition(condition, samples, "StudentVelocity");
    m_condition = condition.expand({samples, -1, -1, -1}).contiguous();
    if (m_channelsLast) m_condition = m_condition.contiguous(torch::MemoryFormat::ChannelsLast);
}

torch::Tensor StudentVelocity::operator()(double t, const torch::Tensor& x) {
    if (x.size(0) != m_samples) throw InvalidInput("StudentVelocity: batch is not M samples");
    const auto input = m_channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
    const auto one = [&](double v) { return torch::full({1}, v, x.options()); };
    const auto velocity =
        m_network->forwardStudent(input, m_condition, one(t), one(m_guidance), one(m_step));
    m_passes += x.size(0);
    return velocity.to(torch::kFloat32).contiguous();
}

torch::Tensor unbatchedGuidedVelocity(VelocityUNet network, const torch::Tensor& condition,
                                      double guidance, double t, const torch::Tensor& x) {
    std::vector<torch::Tensor> out;
    const auto time = torch::full({1}, t, x.options());
    for (int64_t i = 0; i < x.size(0); ++i) {
        const auto xi = x.narrow(0, i, 1);
        const auto conditional = network->forward(xi, condition, time);
        const auto unconditional = network->forward(xi, torch::zeros_like(condition), time);
        out.push_back(conditional + guidance * (conditional - unconditional));
    }
    return torch::cat(out, 0);
}

}  // namespace flowseg::engine
