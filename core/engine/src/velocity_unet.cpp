#include "flowseg/engine/velocity_unet.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

namespace nn = torch::nn;

namespace {

int64_t groupsFor(int64_t channels, int64_t groups) { return std::gcd(channels, groups); }

nn::Conv2d conv3(int64_t in, int64_t out, int64_t stride = 1) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

void zeroInitialize(const nn::Conv2d& conv) {
    torch::NoGradGuard guard;
    conv->weight.zero_();
    if (conv->bias.defined()) conv->bias.zero_();
}

// GroupNorm in float32, autocast's policy for normalization: under bf16/fp16
// autocast the convolutions hand it 16-bit tensors, and LibTorch 1.13 has no CPU
// autocast rule for group_norm (it would mix a bf16 input with float weights).
torch::Tensor normalize32(nn::GroupNorm& norm, const torch::Tensor& x) {
    return x.scalar_type() == torch::kFloat32 ? norm(x) : norm(x.to(torch::kFloat32));
}

double convFlops(int64_t in, int64_t out, int64_t kernel, int64_t side) {
    return 2.0 * static_cast<double>(in * out * kernel * kernel) * static_cast<double>(side * side);
}

}  // namespace

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t embedding, int64_t groups,
                                     double dropout, std::shared_ptr<const DropoutSeed> dropoutSeed,
                                     std::uint64_t index)
    : m_dropout(dropout), m_dropoutSeed(std::move(dropoutSeed)), m_index(index), m_out(out) {
    m_norm1 = register_module("norm1", nn::GroupNorm(groupsFor(in, groups), in));
    m_conv1 = register_module("conv1", conv3(in, out));
    m_film = register_module("film", nn::Linear(embedding, 2 * out));
    m_norm2 = register_module("norm2", nn::GroupNorm(groupsFor(out, groups), out));
    m_conv2 = register_module("conv2", conv3(out, out));
    // Zero-initialized last conv: each block starts as identity, as in guided-diffusion.
    zeroInitialize(m_conv2);
    if (in != out) m_skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding) {
    auto h = m_conv1(torch::silu(normalize32(m_norm1, x)));
    const auto film = m_film(torch::silu(embedding)).view({-1, 2 * m_out, 1, 1});
    const auto scaleShift = film.chunk(2, 1);
    h = normalize32(m_norm2, h) * (1 + scaleShift[0]) + scaleShift[1];
    h = m_conv2(dropout(torch::silu(h)));
    return (m_skip ? m_skip(x) : x) + h;
}

torch::Tensor ResidualBlockImpl::dropout(const torch::Tensor& x) const {
    if (!is_training() || m_dropout <= 0) return x;
    if (!m_dropoutSeed || !m_dropoutSeed->seed) return torch::dropout(x, m_dropout, true);
    // splitmix64 of (seed, block, element) as int64 tensor arithmetic on x's device:
    // the same mask on CPU and GPU, and no generator shared with anything else.
    const auto mask64 = [](int bits) {
        return static_cast<int64_t>((std::uint64_t{1} << bits) - 1);
    };
    const auto seed = static_cast<int64_t>(*m_dropoutSeed->seed * 0x9E3779B97F4A7C15ULL +
                                           m_index * 0xD1B54A32D192ED03ULL);
    auto z =
        torch::arange(x.numel(), torch::TensorOptions().dtype(torch::kInt64).device(x.device())) +
        seed;
    z = torch::bitwise_xor(z, torch::bitwise_and(z.__rshift__(30), mask64(34))) *
        static_cast<int64_t>(0xBF58476D1CE4E5B9ULL);
    z = torch::bitwise_xor(z, torch::bitwise_and(z.__rshift__(27), mask64(37))) *
        static_cast<int64_t>(0x94D049BB133111EBULL);
    z = torch::bitwise_xor(z, torch::bitwise_and(z.__rshift__(31), mask64(33)));
    const auto uniform =
        torch::bitwise_and(z.__rshift__(40), mask64(24)).to(torch::kFloat32) / 16777216.0F;
    const auto keep = (uniform >= m_dropout).view(x.sizes()).to(x.scalar_type());
    return x * keep / (1.0 - m_dropout);
}

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, int64_t headChannels, int64_t groups)
    : m_heads(std::max<int64_t>(1, channels / headChannels)) {
    m_norm = register_module("norm", nn::GroupNorm(groupsFor(channels, groups), channels));
    m_qkv = register_module("qkv", nn::Conv2d(nn::Conv2dOptions(channels, 3 * channels, 1)));
    m_projection =
        register_module("projection", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
    zeroInitialize(m_projection);
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
    const auto b = x.size(0);
    const auto c = x.size(1);
    const auto pixels = x.size(2) * x.size(3);
    const auto headDim = c / m_heads;
    // [B, 3, heads, headDim, N] -> q, k, v of [B*heads, headDim, N]
    const auto qkv = m_qkv(normalize32(m_norm, x)).reshape({b, 3, m_heads, headDim, pixels});
    const auto q = qkv.select(1, 0).reshape({b * m_heads, headDim, pixels});
    const auto k = qkv.select(1, 1).reshape({b * m_heads, headDim, pixels});
    const auto v = qkv.select(1, 2).reshape({b * m_heads, headDim, pixels});
    const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    const auto weights = torch::softmax(torch::bmm(q.transpose(1, 2), k) * scale, -1);  // [BH,N,N]
    const auto attended = torch::bmm(v, weights.transpose(1, 2));                       // [BH,d,N]
    return x + m_projection(attended.reshape({b, c, x.size(2), x.size(3)}));
}

UNetStageImpl::UNetStageImpl(ResidualBlock residual, AttentionBlock attention,
                             nn::Conv2d downsample, nn::Conv2d upsample) {
    if (residual) m_residual = register_module("residual", std::move(residual));
    if (attention) m_attention = register_module("attention", std::move(attention));
    if (downsample) m_downsample = register_module("downsample", std::move(downsample));
    if (upsample) m_upsample = register_module("upsample", std::move(upsample));
}

torch::Tensor UNetStageImpl::forward(torch::Tensor x, const torch::Tensor& embedding) {
    if (m_residual) x = m_residual(x, embedding);
    if (m_attention) x = m_attention(x);
    if (m_downsample) x = m_downsample(x);
    if (m_upsample) {
        x = torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
        x = m_upsample(x);
    }
    return x;
}

VelocityUNetImpl::VelocityUNetImpl(VelocityUNetOptions options) : m_options(std::move(options)) {
    m_options.validate();
    const auto& o = m_options;
    const int64_t base = o.base_channels();
    const int64_t embedding = o.time_embedding_dim();
    const auto& multipliers = o.channel_multipliers();
    const auto attentionAt = [&](int64_t side) {
        const auto& r = o.attention_resolutions();
        return std::find(r.begin(), r.end(), side) != r.end();
    };
    const auto attentionFlops = [](int64_t channels, int64_t side) {
        const double n = static_cast<double>(side * side);
        const double c = static_cast<double>(channels);
        return 2.0 * 4.0 * c * c * n + 2.0 * 2.0 * n * n * c;  // qkv+proj, QK^T and AV
    };
    const auto residualFlops = [&](int64_t in, int64_t out, int64_t side) {
        double f = convFlops(in, out, 3, side) + convFlops(out, out, 3, side);
        if (in != out) f += convFlops(in, out, 1, side);
        return f + 2.0 * static_cast<double>(embedding * 2 * out);
    };

    m_time1 = register_module("time1", nn::Linear(base, embedding));
    m_time2 = register_module("time2", nn::Linear(embedding, embedding));
    m_flops += 2.0 * static_cast<double>(base * embedding + embedding * embedding);
    if (o.isStudent()) {
        // Starts at zero, so a student initialized from its teacher computes the
        // teacher's conditional velocity until it is trained.
        m_student1 = register_module("student1", nn::Linear(2 * base, embedding));
        m_student2 = register_module("student2", nn::Linear(embedding, embedding));
        torch::NoGradGuard guard;
        m_student2->weight.zero_();
        m_student2->bias.zero_();
        m_flops += 2.0 * static_cast<double>(2 * base * embedding + embedding * embedding);
    }
    const int64_t patchArea = o.patch_size() * o.patch_size();
    const int64_t inputChannels = (o.mask_channels() + o.image_channels()) * patchArea;
    m_inputConv = register_module("input_conv", conv3(inputChannels, base));
    int64_t side = o.internalSize();
    m_flops += convFlops(inputChannels, base, 3, side);

    std::uint64_t blocks = 0;  // residual blocks so far: each hashes its own dropout masks
    std::vector<int64_t> skipChannels{base};
    int64_t channels = base;
    m_encoder = register_module("encoder", nn::ModuleList());
    for (size_t level = 0; level < multipliers.size(); ++level) {
        const int64_t out = base * multipliers[level];
        for (int64_t r = 0; r < o.res_blocks(); ++r) {
            ResidualBlock res(channels, out, embedding, o.groups(), o.dropout(), m_dropoutSeed,
                              blocks++);
            m_flops += residualFlops(channels, out, side);
            AttentionBlock attention{nullptr};
            if (attentionAt(side)) {
                attention = AttentionBlock(out, o.head_channels(), o.groups());
                m_flops += attentionFlops(out, side);
            }
            m_encoder->push_back(UNetStage(res, attention, nullptr, nullptr));
            channels = out;
            skipChannels.push_back(channels);
        }
        if (level + 1 < multipliers.size()) {
            m_encoder->push_back(
                UNetStage(nullptr, nullptr, conv3(channels, channels, 2), nullptr));
            side /= 2;
            m_flops += convFlops(channels, channels, 3, side);
            skipChannels.push_back(channels);
        }
    }

    m_middle = register_module("middle", nn::ModuleList());
    m_middle->push_back(UNetStage(ResidualBlock(channels, channels, embedding, o.groups(),
                                                o.dropout(), m_dropoutSeed, blocks++),
                                  o.middle_attention()
                                      ? AttentionBlock(channels, o.head_channels(), o.groups())
                                      : AttentionBlock(nullptr),
                                  nullptr, nullptr));
    m_middle->push_back(UNetStage(ResidualBlock(channels, channels, embedding, o.groups(),
                                                o.dropout(), m_dropoutSeed, blocks++),
                                  nullptr, nullptr, nullptr));
    m_flops += 2 * residualFlops(channels, channels, side);
    if (o.middle_attention()) m_flops += attentionFlops(channels, side);

    m_decoder = register_module("decoder", nn::ModuleList());
    for (size_t level = multipliers.size(); level-- > 0;) {
        const int64_t out = base * multipliers[level];
        for (int64_t r = 0; r <= o.res_blocks(); ++r) {
            const int64_t skip = skipChannels.back();
            skipChannels.pop_back();
            ResidualBlock res(channels + skip, out, embedding, o.groups(), o.dropout(),
                              m_dropoutSeed, blocks++);
            m_flops += residualFlops(channels + skip, out, side);
            channels = out;
            AttentionBlock attention{nullptr};
            if (attentionAt(side)) {
                attention = AttentionBlock(out, o.head_channels(), o.groups());
                m_flops += attentionFlops(out, side);
            }
            nn::Conv2d upsample{nullptr};
            if (level > 0 && r == o.res_blocks()) {
                upsample = conv3(channels, channels);
                m_flops += convFlops(channels, channels, 3, side * 2);
            }
            m_decoder->push_back(UNetStage(res, attention, nullptr, upsample));
            if (upsample) side *= 2;
        }
    }
    m_outputNorm =
        register_module("output_norm", nn::GroupNorm(groupsFor(channels, o.groups()), channels));
    m_outputConv = register_module("output_conv", conv3(channels, o.mask_channels() * patchArea));
    zeroInitialize(m_outputConv);
    m_flops += convFlops(channels, o.mask_channels() * patchArea, 3, side);
    if (o.pixel_skip()) {
        m_pixelSkip = register_module("pixel_skip", nn::Linear(embedding, o.mask_channels()));
        torch::NoGradGuard guard;
        m_pixelSkip->weight.zero_();
        m_pixelSkip->bias.zero_();
    }
}

torch::Tensor VelocityUNetImpl::sinusoid(const torch::Tensor& value) const {
    // Sinusoidal features of 1000 v (the diffusion convention, so v in [0,1] spans
    // the same frequency range as integer diffusion steps).
    const int64_t half = m_options.base_channels() / 2;
    const auto frequencies = torch::exp(
        -std::log(10000.0) *
        torch::arange(half, torch::TensorOptions().dtype(torch::kFloat32).device(value.device())) /
        static_cast<double>(half));
    const auto angles =
        (value.to(torch::kFloat32) * 1000.0).unsqueeze(1) * frequencies.unsqueeze(0);
    auto features = torch::cat({torch::cos(angles), torch::sin(angles)}, 1);
    if (features.size(1) < m_options.base_channels())
        features = torch::nn::functional::pad(
            features, torch::nn::functional::PadFuncOptions(
                          {0, m_options.base_channels() - features.size(1)}));
    return features;
}

torch::Tensor VelocityUNetImpl::timeEmbedding(const torch::Tensor& t) {
    // Sinusoidal features of t, then a two-layer MLP.
    return m_time2(torch::silu(m_time1(sinusoid(t).to(t.dtype()))));
}

torch::Tensor VelocityUNetImpl::forward(const torch::Tensor& xt, const torch::Tensor& condition,
                                        const torch::Tensor& t) {
    return run(xt, condition, timeEmbedding(t));
}

torch::Tensor VelocityUNetImpl::forwardStudent(const torch::Tensor& xt,
                                               const torch::Tensor& condition,
                                               const torch::Tensor& t,
                                               const torch::Tensor& guidance,
                                               const torch::Tensor& step) {
    if (!m_student1)
        throw InvalidInput(
            "this network is not a distilled student: it reads no guidance weight or step "
            "length");
    const auto count = std::max({t.size(0), guidance.size(0), step.size(0)});
    const auto expand = [count](const torch::Tensor& v) { return v.expand({count}); };
    const auto features =
        torch::cat({sinusoid(expand(guidance)), sinusoid(expand(step))}, 1).to(t.dtype());
    const auto extra = m_student2(torch::silu(m_student1(features)));
    return run(xt, condition, timeEmbedding(expand(t)) + extra);
}

torch::Tensor VelocityUNetImpl::run(const torch::Tensor& xt, const torch::Tensor& condition,
                                    const torch::Tensor& embedding) {
    const int64_t patch = m_options.patch_size();
    auto input = torch::cat({xt, condition}, 1);
    if (patch > 1) input = torch::pixel_unshuffle(input, patch);
    auto h = m_inputConv(input);
    std::vector<torch::Tensor> skips{h};
    for (const auto& stage : *m_encoder) {
        h = stage->as<UNetStage>()->forward(h, embedding);
        skips.push_back(h);
    }
    for (const auto& stage : *m_middle) h = stage->as<UNetStage>()->forward(h, embedding);
    for (const auto& stage : *m_decoder) {
        h = torch::cat({h, skips.back()}, 1);
        skips.pop_back();
        h = stage->as<UNetStage>()->forward(h, embedding);
    }
    auto velocity = m_outputConv(torch::silu(normalize32(m_outputNorm, h)));
    if (patch > 1) velocity = torch::pixel_shuffle(velocity, patch);
    if (m_pixelSkip) {
        const auto gain =
            m_pixelSkip(torch::silu(embedding)).view({-1, m_options.mask_channels(), 1, 1});
        velocity = velocity + gain * xt;
    }
    return velocity;
}

void VelocityUNetImpl::initialize(at::Generator generator) {
    torch::NoGradGuard guard;
    for (const auto& module : modules(/*include_self=*/false)) {
        torch::Tensor weight;
        torch::Tensor bias;
        if (auto* conv = module->as<nn::Conv2d>()) {
            weight = conv->weight;
            bias = conv->bias;
        } else if (auto* linear = module->as<nn::Linear>()) {
            weight = linear->weight;
            bias = linear->bias;
        } else {
            continue;
        }
        if (weight.count_nonzero().item<int64_t>() == 0) continue;  // zero-initialized on purpose
        const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));
        weight.uniform_(-bound, bound, generator);
        if (bias.defined()) bias.uniform_(-bound, bound, generator);
    }
}

int64_t VelocityUNetImpl::parameterCount() const {
    int64_t count = 0;
    for (const auto& p : parameters()) count += p.numel();
    return count;
}

}  // namespace flowseg::engine
