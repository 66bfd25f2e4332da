#include "flowseg/engine/model.h"

#include <torch/torch.h>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/runtime.h"

namespace flowseg::engine {

Model::Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Model::~Model() = default;

std::shared_ptr<Model> Model::fromCheckpoint(const Checkpoint& checkpoint,
                                             const std::string& device) {
    auto impl = std::make_unique<Impl>();
    impl->device = resolveDevice(device);
    impl->network = VelocityUNet(checkpoint.network);
    const auto& weights = checkpoint.ema.empty() ? checkpoint.weights : checkpoint.ema;
    assignNamedTensors(*impl->network, weights, "model weights");
    impl->network->to(torch::Device(impl->device));
    impl->network->eval();
    if (!checkpoint.teacher.empty()) {
        auto teacherOptions = checkpoint.network;
        teacherOptions.student_steps(0);
        impl->teacher = VelocityUNet(teacherOptions);
        assignNamedTensors(*impl->teacher, checkpoint.teacher, "the student's teacher");
        impl->teacher->to(torch::Device(impl->device));
        impl->teacher->eval();
    }
    impl->provenance = checkpoint.provenance;
    impl->checksum = checkpoint.sha256;
    impl->source = "in-memory checkpoint";
    return std::shared_ptr<Model>(new Model(std::move(impl)));
}

std::shared_ptr<Model> Model::load(const std::string& path, const std::string& device) {
    const auto checkpoint = loadCheckpoint(path);
    std::shared_ptr<Model> model;
    try {
        model = fromCheckpoint(checkpoint, device);
    } catch (const CheckpointError& e) {
        throw CheckpointError("cannot load model '" + path + "': " + e.what());
    }
    model->m_impl->source = path;
    return model;
}

std::shared_ptr<Model> Model::untrained(const VelocityUNetOptions& options,
                                        const std::string& device, std::uint64_t seed) {
    auto generator = at::detail::createCPUGenerator(seed);
    auto impl = std::make_unique<Impl>();
    impl->device = resolveDevice(device);
    impl->network = VelocityUNet(options);
    impl->network->initialize(generator);
    // Zero-initialized output layers would make every forward return zeros, which
    // hides nothing about speed but makes untrained samples degenerate; perturb them.
    {
        torch::NoGradGuard noGrad;
        for (auto& p : impl->network->parameters())
            p.add_(torch::randn(p.sizes(), generator) * 1e-3);
    }
    impl->network->to(torch::Device(impl->device));
    impl->network->eval();
    impl->source = "untrained network";
    impl->provenance.preset = "untrained";
    return std::shared_ptr<Model>(new Model(std::move(impl)));
}

const VelocityUNetOptions& Model::options() const { return m_impl->network->options(); }
const common::TrainingProvenance& Model::provenance() const { return m_impl->provenance; }
const std::string& Model::checksum() const { return m_impl->checksum; }
const std::string& Model::source() const { return m_impl->source; }
const std::string& Model::device() const { return m_impl->device; }
std::int64_t Model::parameterCount() const { return m_impl->network->parameterCount(); }
double Model::flopsPerImage() const { return m_impl->network->flopsPerImage(); }

}  // namespace flowseg::engine
