#include "distill_loss.h"

#include <vector>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

StudentStart loadStudentStart(const std::string& teacherPath, const std::string& cacheDirectory,
                              int studentSteps, const std::string& device) {
    const auto checkpoint = loadCheckpoint(teacherPath);
    if (checkpoint.network.isStudent())
        throw InvalidInput("'" + teacherPath +
                           "' is itself a distilled student; distil from the model it learnt from");
    if (studentSteps < 1 || studentSteps > 64)
        throw InvalidInput("the student's default steps must be between 1 and 64");
    StudentStart start;
    start.paths = loadTeacherPaths(cacheDirectory);
    if (start.paths.info.teacherChecksum != checkpoint.sha256)
        throw InvalidInput("the teacher cache '" + cacheDirectory +
                           "' was made by another model (" + start.paths.info.teacherSource +
                           "), not by '" + teacherPath + "'; build a cache with this teacher");
    const auto side = checkpoint.network.image_size();
    if (start.paths.conditions.size(1) != checkpoint.network.image_channels() ||
        start.paths.conditions.size(2) != side)
        throw InvalidInput("the teacher cache's examples do not fit the teacher's input");
    start.teacherWeights = checkpoint.ema.empty() ? checkpoint.weights : checkpoint.ema;
    start.teacherChecksum = checkpoint.sha256;
    start.student = checkpoint.network;
    start.student.student_steps(studentSteps);
    start.teacher = VelocityUNet(checkpoint.network);
    assignNamedTensors(*start.teacher, start.teacherWeights, "'" + teacherPath + "'");
    start.teacher->to(torch::Device(device));
    start.teacher->eval();
    for (auto& p : start.teacher->parameters()) p.set_requires_grad(false);
    return start;
}

void initializeStudentFromTeacher(torch::nn::Module& student, const NamedTensors& weights) {
    torch::NoGradGuard noGrad;
    for (auto& item : student.named_parameters()) {
        const auto found = weights.find(item.key());
        if (found == weights.end()) continue;
        if (found->second.sizes() != item.value().sizes())
            throw InvalidInput("the teacher's '" + item.key() + "' does not fit the student");
        item.value().copy_(found->second);
    }
}

namespace {

// The 8 flips and quarter turns, each example its own, on [B, …, H, W] tensors.
std::vector<torch::Tensor> augment(std::vector<torch::Tensor> tensors,
                                   torch::Generator& generator) {
    const auto b = tensors.front().size(0);
    for (int transform = 0; transform < 3; ++transform) {
        const auto flag = torch::rand({b}, generator) < 0.5;
        for (auto& t : tensors) {
            const auto last = t.dim() - 1;
            const auto changed = transform == 0   ? t.flip({last})
                                 : transform == 1 ? t.flip({last - 1})
                                                  : t.transpose(last - 1, last);
            std::vector<int64_t> shape(static_cast<size_t>(t.dim()), 1);
            shape[0] = b;
            t = torch::where(flag.view(shape).to(t.device()), changed, t);
        }
    }
    return tensors;
}

}  // namespace

torch::Tensor distillationLoss(VelocityUNet student, VelocityUNet teacher,
                               const TeacherPaths& paths, const DistillBatchOptions& o,
                               torch::Generator& generator) {
    const auto device = student->parameters().front().device();
    const auto n = paths.states.size(0);
    const auto b = o.batch;
    const int64_t knots = paths.info.knots;
    const auto index = torch::randint(n, {b}, generator, torch::kInt64);
    auto condition = paths.conditions.index_select(0, index).to(torch::kFloat32);
    auto states = paths.states.index_select(0, index).to(torch::kFloat32);  // [B, K+1, 1, S, S]
    if (o.augment) {
        auto both = augment({condition, states}, generator);
        condition = both[0];
        states = both[1];
    }
    // Jump lengths in knots: every divisor of `knots` (1, 2, 4 for 4 knots).
    std::vector<int64_t> lengths;
    for (int64_t l = 1; l <= knots; ++l)
        if (knots % l == 0) lengths.push_back(l);
    const auto lengthTable = torch::tensor(lengths, torch::kInt64);
    const auto length = lengthTable.index_select(
        0, torch::randint(static_cast<int64_t>(lengths.size()), {b}, generator, torch::kInt64));
    const auto startKnot = (torch::rand({b}, generator, torch::kFloat64) *
                            (length.to(torch::kFloat64).reciprocal() * static_cast<double>(knots)))
                               .floor()
                               .to(torch::kInt64) *
                           length;
    const auto rows = torch::arange(b, torch::kInt64);
    const auto from = states.index({rows, startKnot});
    const auto to = states.index({rows, startKnot + length});
    const auto jumpStep = length.to(torch::kFloat32) / static_cast<float>(knots);
    auto t = startKnot.to(torch::kFloat32) / static_cast<float>(knots);
    auto x = from;
    auto target = (to - from) / jumpStep.view({-1, 1, 1, 1});
    auto step = jumpStep;
    auto guidance = paths.guidance.index_select(0, index);

    // A share learns the teacher's guided velocity between the knots (d = 0).
    const auto fold = torch::rand({b}, generator) < o.foldShare;
    const auto foldRows = fold.nonzero().view({-1});
    if (foldRows.numel() > 0) {
        const auto k = foldRows.size(0);
        const auto knot = torch::randint(knots, {k}, generator, torch::kInt64);
        const auto s = torch::rand({k}, generator);
        const auto a = states.index({foldRows, knot});
        const auto c = states.index({foldRows, knot + 1});
        const auto xf = a + (c - a) * s.view({-1, 1, 1, 1});
        const auto tf = (knot.to(torch::kFloat32) + s) / static_cast<float>(knots);
        const auto wf = torch::rand({k}, generator) * o.foldGuidance;
        const auto cf = condition.index_select(0, foldRows);
        torch::Tensor guided;
        {
            torch::NoGradGuard noGrad;
            const auto both =
                teacher->forward(torch::cat({xf, xf}, 0).to(device),
                                 torch::cat({cf, torch::zeros_like(cf)}, 0).to(device),
                                 torch::cat({tf, tf}, 0).to(device));
            const auto conditional = both.narrow(0, 0, k);
            const auto unconditional = both.narrow(0, k, k);
            guided =
                conditional + wf.to(device).view({-1, 1, 1, 1}) * (conditional - unconditional);
        }
        x = x.index_put({foldRows}, xf);
        target = target.to(device).index_put({foldRows.to(device)}, guided);
        t = t.index_put({foldRows}, tf);
        step = step.index_put({foldRows}, torch::zeros({k}));
        guidance = guidance.index_put({foldRows}, wf);
    }
    const auto predicted = student->forwardStudent(x.to(device), condition.to(device), t.to(device),
                                                   guidance.to(device), step.to(device));
    return torch::mse_loss(predicted, target.to(device));
}

}  // namespace flowseg::engine
