#include "flowseg/engine/sampler.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "flowseg/engine/error.h"
#include "flowseg/engine/guided_velocity.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/model_input.h"
#include "flowseg/engine/ode.h"
#include "flowseg/engine/tensor_convert.h"
#include "flowseg/engine/volume.h"

namespace flowseg::engine {

SamplingOptions SamplingOptions::fastDefault() {
    SamplingOptions o = paper();
    o.solver = Solver::Midpoint;
    o.steps = 8;
    return o;
}

SamplingOptions SamplingOptions::fastDefault(const VelocityUNetOptions& network) {
    SamplingOptions o = fastDefault();
    if (network.isStudent()) {
        o.solver = Solver::Jump;
        o.steps = static_cast<int>(network.student_steps());
    }
    return o;
}

SamplingOptions SamplingOptions::paper() {
    SamplingOptions o;
    o.solver = Solver::Midpoint;
    o.steps = 100;
    o.guidance = 0.3;
    o.samples = 15;
    return o;
}

Precision parsePrecision(const std::string& name) {
    if (name == "fp32" || name == "float32") return Precision::Float32;
    if (name == "bf16" || name == "bfloat16") return Precision::BFloat16;
    if (name == "fp16" || name == "float16") return Precision::Float16;
    throw InvalidInput("unknown precision '" + name + "' (use fp32, bf16 or fp16)");
}

std::string precisionName(Precision precision) {
    switch (precision) {
        case Precision::Float32:
            return "fp32";
        case Precision::BFloat16:
            return "bf16";
        case Precision::Float16:
            return "fp16";
    }
    return "?";
}

std::string SamplingOptions::describe() const {
    std::ostringstream s;
    s << solverName(solver);
    if (solver == Solver::DormandPrince)
        s << " tol " << tolerance;
    else
        s << " " << steps << " steps";
    s << ", w " << guidance << ", M " << samples << ", seed " << seed;
    if (precision != Precision::Float32) s << ", " << precisionName(precision);
    if (channelsLast) s << ", channels-last";
    return s.str();
}

Sampler::Sampler(std::shared_ptr<const Model> model) : m_model(std::move(model)) {
    if (!m_model) throw InvalidInput("Sampler needs a model");
}

namespace {

void validateImage(const ImageF& image, int64_t expected) {
    if (image.height != expected || image.width != expected)
        throw InvalidInput("the image is " + std::to_string(image.width) + "x" +
                           std::to_string(image.height) + " but the model expects " +
                           std::to_string(expected) + "x" + std::to_string(expected) +
                           " (crop or resample the lesion first)");
    if (image.pixels.size() != static_cast<size_t>(image.height) * image.width)
        throw InvalidInput("malformed image buffer");
    for (float v : image.pixels)
        if (!std::isfinite(v)) throw InvalidInput("image intensities must be finite numbers");
}

torch::Tensor toUnitRange(const torch::Tensor& x) { return ((x + 1) / 2).clamp(0, 1); }

// Autocast for this thread while sampling; restores the previous state (also on
// Cancelled and errors) and drops autocast's weight-cast cache.
class AutocastScope {
public:
    AutocastScope(Precision precision, const torch::Device& device) : m_type(device.type()) {
        if (precision == Precision::Float32) return;
        if (precision == Precision::Float16 && !device.is_cuda())
            throw InvalidInput("fp16 sampling needs a CUDA device; use bf16 on the CPU");
        const auto dtype = precision == Precision::BFloat16 ? at::kBFloat16 : at::kHalf;
        m_wasEnabled = enabled();
        m_previousType = dtypeFor();
        set(true, dtype);
        at::autocast::increment_nesting();
        m_active = true;
    }
    ~AutocastScope() {
        if (!m_active) return;
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
        set(m_wasEnabled, m_previousType);
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    bool enabled() const { return at::autocast::is_autocast_enabled(m_type); }
    at::ScalarType dtypeFor() const { return at::autocast::get_autocast_dtype(m_type); }
    void set(bool on, at::ScalarType dtype) const {
        at::autocast::set_autocast_dtype(m_type, dtype);
        at::autocast::set_autocast_enabled(m_type, on);
    }
#else
    bool cuda() const { return m_type == c10::DeviceType::CUDA; }
    bool enabled() const {
        return cuda() ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
    }
    at::ScalarType dtypeFor() const {
        return cuda() ? at::autocast::get_autocast_gpu_dtype()
                      : at::autocast::get_autocast_cpu_dtype();
    }
    void set(bool on, at::ScalarType dtype) const {
        if (cuda()) {
            at::autocast::set_autocast_gpu_dtype(dtype);
            at::autocast::set_enabled(on);
        } else {
            at::autocast::set_autocast_cpu_dtype(dtype);
            at::autocast::set_cpu_enabled(on);
        }
    }
#endif
    c10::DeviceType m_type;
    bool m_active = false;
    bool m_wasEnabled = false;
    at::ScalarType m_previousType = at::kFloat;
};

}  // namespace

int SamplingOptions::trajectoryStride(int frames) const {
    if (solver == Solver::DormandPrince) return 1;
    return std::max(1, steps / std::max(1, frames));
}

SamplingResult Sampler::sample(const ImageF& image, const SamplingOptions& options,
                               const SamplingCallbacks& callbacks) const {
    validateImage(image, m_model->impl().network->options().image_size());
    // Whatever scale the caller's crop is in, the network sees the one input
    // convention it was trained on (identity for a crop already in it).
    const auto crop = normalizeCrop(image);
    if (m_model->options().isVolume())
        return sampleConditioned({volumeCondition({crop}, 0, -1, nullptr)}, options, callbacks);
    return sampleConditioned({{crop}}, options, callbacks);
}

SamplingResult Sampler::sampleConditioned(const std::vector<std::vector<ImageF>>& conditions,
                                          const SamplingOptions& options,
                                          const SamplingCallbacks& callbacks) const {
    auto& impl = m_model->impl();
    const auto& net = impl.network;
    const auto channels = net->options().image_channels();
    if (conditions.size() != 1 && conditions.size() != static_cast<size_t>(options.samples))
        throw InvalidInput("give one condition for all samples or one per sample");
    for (const auto& planes : conditions) {
        if (static_cast<int64_t>(planes.size()) != channels)
            throw InvalidInput("the model reads " + std::to_string(channels) +
                               " condition planes, not " + std::to_string(planes.size()));
        for (const auto& plane : planes) validateImage(plane, net->options().image_size());
    }
    if (options.samples < 1 || options.samples > 1024)
        throw InvalidInput("the number of samples M must be between 1 and 1024");
    if (!std::isfinite(options.guidance)) throw InvalidInput("guidance must be finite");
    if (options.trajectoryEvery < 0) throw InvalidInput("trajectory interval must be >= 0");

    const auto start = std::chrono::steady_clock::now();
    std::lock_guard lock(impl.forwardMutex);
    torch::NoGradGuard noGrad;
    const torch::Device device(impl.device);
    const int64_t m = options.samples;
    const int64_t side = net->options().image_size();

    auto generator = at::detail::createCPUGenerator(options.seed);
    const auto x0 = torch::randn({m, net->options().mask_channels(), side, side}, generator,
                                 torch::TensorOptions().dtype(torch::kFloat32))
                        .to(device);
    std::vector<torch::Tensor> stacked;
    for (const auto& planes : conditions) {
        std::vector<torch::Tensor> channelsOfOne;
        for (const auto& plane : planes) channelsOfOne.push_back(toTensor(plane));  // [1, 1, H, W]
        stacked.push_back(torch::cat(channelsOfOne, 1));
    }
    const auto condition = torch::cat(stacked, 0).to(device);
    // A student jumps with its own network; every other solver runs the full
    // sampler: the teacher's two branches (a student's checkpoint carries its
    // teacher), or a student's own guided velocity (d = 0) where it has none.
    const bool student = net->options().isStudent();
    if (options.solver == Solver::Jump && !student)
        throw InvalidInput(
            "jump sampling needs a distilled student model (made with `flowseg distill`); "
            "sample this model with euler, midpoint, heun, rk4 or dopri5");
    if (options.solver == Solver::Jump && options.steps < 1)
        throw InvalidInput("jump sampling needs at least one step");
    VelocityField field;
    std::function<std::int64_t()> passes;
    const auto use = [&](auto velocity) {
        field = [velocity](double t, const torch::Tensor& x) { return (*velocity)(t, x); };
        passes = [velocity] { return velocity->networkPasses(); };
    };
    if (student && (options.solver == Solver::Jump || !impl.teacher))
        use(std::make_shared<StudentVelocity>(
            net, condition, m, options.guidance,
            options.solver == Solver::Jump ? 1.0 / options.steps : 0.0, options.channelsLast));
    else
        use(std::make_shared<GuidedVelocity>(student ? impl.teacher : net, condition, m,
                                             options.guidance, options.channelsLast));
    const AutocastScope autocast(options.precision, device);

    OdeOptions ode;
    ode.solver = options.solver;
    ode.steps = options.steps;
    ode.relativeTolerance = options.tolerance;
    ode.absoluteTolerance = options.tolerance;
    const int totalSteps = options.solver == Solver::DormandPrince ? 0 : options.steps;

    const auto emitFrame = [&](int step, double t, const torch::Tensor& x) {
        if (!callbacks.trajectory) return;
        TrajectoryFrame frame{step, t, {}};
        const auto unit = toUnitRange(x).to(torch::kCPU);
        for (int64_t i = 0; i < m; ++i) frame.states.push_back(toImage(unit[i][0]));
        callbacks.trajectory(frame);
    };
    if (options.trajectoryEvery > 0) emitFrame(0, 0.0, x0);
    const auto observer = [&](int step, double t, const torch::Tensor& x) {
        if (callbacks.progress) callbacks.progress({step, totalSteps, t});
        const bool last = t >= 1.0 - 1e-9;
        if (options.trajectoryEvery > 0 && (step % options.trajectoryEvery == 0 || last))
            emitFrame(step, t, x);
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
    };
    if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
    const auto solved = integrate(field, x0, ode, observer);

    SamplingResult result;
    const auto unit = toUnitRange(solved.x).to(torch::kCPU);
    for (int64_t i = 0; i < m; ++i) {
        result.soft.push_back(toImage(unit[i][0]));
        result.masks.push_back(toMask(unit[i][0], 0.5F));
    }
    result.maps = uncertaintyMaps(result.masks);
    result.evaluations = solved.evaluations;
    result.networkPasses = passes();
    result.device = impl.device;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace flowseg::engine
