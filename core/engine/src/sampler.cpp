#include "flowseg/engine/sampler.h"

#include <chrono>
#include <cmath>
#include <sstream>
#include <torch/torch.h>

#include "flowseg/engine/error.h"
#include "flowseg/engine/guided_velocity.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/ode.h"
#include "flowseg/engine/tensor_convert.h"

namespace flowseg::engine {

SamplingOptions SamplingOptions::fastDefault() {
    SamplingOptions o = paper();
    o.solver = Solver::Heun;
    o.steps = 10;
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

std::string SamplingOptions::describe() const {
    std::ostringstream s;
    s << solverName(solver);
    if (solver == Solver::DormandPrince) s << " tol " << tolerance;
    else s << " " << steps << " steps";
    s << ", w " << guidance << ", M " << samples << ", seed " << seed;
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
        if (!std::isfinite(v) || v < -1e-3F || v > 1.001F)
            throw InvalidInput("image intensities must be finite and normalized to [0, 1]");
}

torch::Tensor toUnitRange(const torch::Tensor& x) { return ((x + 1) / 2).clamp(0, 1); }

}  // namespace

SamplingResult Sampler::sample(const ImageF& image, const SamplingOptions& options,
                               const SamplingCallbacks& callbacks) const {
    auto& impl = m_model->impl();
    const auto& net = impl.network;
    validateImage(image, net->options().image_size());
    if (options.samples < 1 || options.samples > 1024)
        throw InvalidInput("the number of samples M must be between 1 and 1024");
    if (!std::isfinite(options.guidance)) throw InvalidInput("guidance must be finite");
    if (options.trajectoryEvery < 0) throw InvalidInput("trajectory interval must be >= 0");

    const auto start = std::chrono::steady_clock::now();
    std::lock_guard lock(impl.forwardMutex);
    torch::NoGradGuard noGrad;
    const torch::Device device(impl.device);
    const int64_t m = options.samples;
    const int64_t side = image.height;

    auto generator = at::detail::createCPUGenerator(options.seed);
    const auto x0 =
        torch::randn({m, net->options().mask_channels(), side, side}, generator,
                     torch::TensorOptions().dtype(torch::kFloat32))
            .to(device);
    const auto condition = toTensor(image).to(device);
    GuidedVelocity velocity(net, condition, m, options.guidance);

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
    const auto solved = integrate(std::ref(velocity), x0, ode, observer);

    SamplingResult result;
    const auto unit = toUnitRange(solved.x).to(torch::kCPU);
    for (int64_t i = 0; i < m; ++i) {
        result.soft.push_back(toImage(unit[i][0]));
        result.masks.push_back(toMask(unit[i][0], 0.5F));
    }
    result.maps = uncertaintyMaps(result.masks);
    result.evaluations = solved.evaluations;
    result.networkPasses = velocity.networkPasses();
    result.device = impl.device;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace flowseg::engine
