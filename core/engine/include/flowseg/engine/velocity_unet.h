#pragma once
// The velocity network u_theta(t, x_t, X): a guided-diffusion style UNet with
// sinusoidal time embedding, FiLM-conditioned residual blocks and self-attention.

#include <torch/nn.h>
#include <cstdint>
#include <memory>
#include <optional>

#include "flowseg/engine/network_options.h"

namespace flowseg::engine {

/// Where a training step's dropout masks come from: a seed the trainer sets per
/// step (from its own seeded generator), never the process-wide torch generator.
/// Each block hashes (seed, its index, the element) on the tensor's own device.
struct DropoutSeed {
    std::optional<std::uint64_t> seed;
};

/// GroupNorm -> SiLU -> conv, FiLM scale/shift from the time embedding, dropout, conv.
class ResidualBlockImpl : public torch::nn::Module {
public:
    ResidualBlockImpl(int64_t in, int64_t out, int64_t embedding, int64_t groups, double dropout,
                      std::shared_ptr<const DropoutSeed> dropoutSeed = nullptr,
                      std::uint64_t index = 0);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding);

private:
    torch::Tensor dropout(const torch::Tensor& x) const;

    torch::nn::GroupNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_skip{nullptr};
    torch::nn::Linear m_film{nullptr};
    double m_dropout;
    std::shared_ptr<const DropoutSeed> m_dropoutSeed;
    std::uint64_t m_index;
    int64_t m_out;
};
TORCH_MODULE(ResidualBlock);

/// Multi-head self-attention over all pixels of a feature map, with a residual path.
class AttentionBlockImpl : public torch::nn::Module {
public:
    AttentionBlockImpl(int64_t channels, int64_t headChannels, int64_t groups);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::GroupNorm m_norm{nullptr};
    torch::nn::Conv2d m_qkv{nullptr}, m_projection{nullptr};
    int64_t m_heads;
};
TORCH_MODULE(AttentionBlock);

/// One step of the encoder or decoder: optional residual block, attention, resampling.
class UNetStageImpl : public torch::nn::Module {
public:
    UNetStageImpl(ResidualBlock residual, AttentionBlock attention, torch::nn::Conv2d downsample,
                  torch::nn::Conv2d upsample);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& embedding);

private:
    ResidualBlock m_residual{nullptr};
    AttentionBlock m_attention{nullptr};
    torch::nn::Conv2d m_downsample{nullptr};
    torch::nn::Conv2d m_upsample{nullptr};  ///< conv after nearest x2 upsampling
};
TORCH_MODULE(UNetStage);

class VelocityUNetImpl : public torch::nn::Module {
public:
    explicit VelocityUNetImpl(VelocityUNetOptions options);

    /// x_t: [B, mask_channels, H, W]; condition: [B, image_channels, H, W] (zeros for
    /// the unconditional branch); t: [B] in [0, 1]. Returns the velocity, shaped like x_t.
    /// t: [B], or [1] when the whole batch shares one time (the sampler's case): the
    /// time embedding and every FiLM projection are then computed once, not B times.
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& condition,
                          const torch::Tensor& t);
    /// A distilled student's pass (options().student_steps > 0): `guidance` w and
    /// `step` d, each [B] or [1] like t, go into the time embedding. Throws
    /// InvalidInput on a network that is not a student. (Not an overload of
    /// forward: ModuleHolder's operator() needs one forward.)
    torch::Tensor forwardStudent(const torch::Tensor& xt, const torch::Tensor& condition,
                                 const torch::Tensor& t, const torch::Tensor& guidance,
                                 const torch::Tensor& step);

    [[nodiscard]] const VelocityUNetOptions& options() const { return m_options; }
    /// Multiply-adds x2 of one forward pass on one image (convolutions, attention,
    /// linear layers; normalization and activations are not counted).
    [[nodiscard]] double flopsPerImage() const { return m_flops; }
    [[nodiscard]] int64_t parameterCount() const;

    /// Draws every convolution and linear weight and bias from `generator` with
    /// LibTorch's default distribution, U(-1/sqrt(fan_in), 1/sqrt(fan_in)); layers
    /// zero-initialized on purpose stay zero. Seeds a new network without touching
    /// the process-wide torch generator.
    void initialize(at::Generator generator);
    /// The dropout masks of the next training forward passes (nullopt: the
    /// process-wide generator, as torch::dropout).
    void setDropoutSeed(std::optional<std::uint64_t> seed) { m_dropoutSeed->seed = seed; }

private:
    torch::Tensor timeEmbedding(const torch::Tensor& t);
    torch::Tensor sinusoid(const torch::Tensor& value) const;
    torch::Tensor run(const torch::Tensor& xt, const torch::Tensor& condition,
                      const torch::Tensor& embedding);

    VelocityUNetOptions m_options;
    torch::nn::Linear m_time1{nullptr}, m_time2{nullptr};
    torch::nn::Conv2d m_inputConv{nullptr};
    torch::nn::ModuleList m_encoder, m_middle, m_decoder;
    torch::nn::GroupNorm m_outputNorm{nullptr};
    torch::nn::Conv2d m_outputConv{nullptr};
    torch::nn::Linear m_pixelSkip{nullptr};  ///< time embedding -> a(t) per mask channel
    /// A student's (w, d) features -> an embedding added to the time's (last layer zero).
    torch::nn::Linear m_student1{nullptr}, m_student2{nullptr};
    std::shared_ptr<DropoutSeed> m_dropoutSeed = std::make_shared<DropoutSeed>();
    double m_flops = 0;
};
TORCH_MODULE(VelocityUNet);

}  // namespace flowseg::engine
