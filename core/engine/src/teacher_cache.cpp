// The teacher's paths, integrated once and cached in shards (distill.h).

#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flowseg/engine/distill.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/guided_velocity.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/ode.h"
#include "seed_mix.h"
#include "teacher_cache.h"
#include "training_data.h"
#include "volume_batch.h"

namespace flowseg::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "flowseg-teacher-cache";
constexpr int kVersion = 1;

std::string shardName(std::int64_t index) {
    char name[32];
    std::snprintf(name, sizeof name, "shard-%06lld.pt", static_cast<long long>(index));
    return name;
}

// The settings that make two runs' shards interchangeable.
nlohmann::json manifestOf(const Model& teacher, const TeacherCacheOptions& o) {
    nlohmann::json manifest = {
        {"format", kFormat},
        {"version", kVersion},
        {"teacher_sha256", teacher.checksum()},
        {"teacher_source", teacher.source()},
        {"input", teacher.options().input()},
        {"image_size", teacher.options().image_size()},
        {"sampling", solverName(o.teacher.solver) + " " + std::to_string(o.teacher.steps)},
        {"knots", o.knots},
        {"guidances", o.guidances},
        {"shard_size", o.shardSize},
        {"seed", o.seed},
        {"prior_dropout", o.priorDropout},
        {"neighbour_dropout", o.neighbourDropout}};
    // Caches made before the choice existed drew priors from either side.
    if (o.priorSide != PriorSide::Either) manifest["priors"] = priorSideName(o.priorSide);
    return manifest;
}

nlohmann::json readManifest(const fs::path& directory) {
    const auto path = directory / "manifest.json";
    std::ifstream in(path);
    if (!in)
        throw InvalidInput("'" + directory.string() +
                           "' is not a teacher cache (no manifest.json); make one with "
                           "`flowseg distill --cache-only`");
    try {
        auto json = nlohmann::json::parse(in);
        if (json.value("format", "") != kFormat || json.value("version", 0) != kVersion)
            throw InvalidInput("'" + path.string() + "' is not a teacher cache manifest");
        return json;
    } catch (const nlohmann::json::exception& e) {
        throw InvalidInput("'" + path.string() + "' is corrupt (" + e.what() +
                           "); delete the directory and build the cache again");
    }
}

std::int64_t completeShards(const fs::path& directory) {
    std::int64_t n = 0;
    while (fs::exists(directory / shardName(n))) ++n;
    return n;
}

}  // namespace

TeacherCacheInfo readTeacherCacheInfo(const std::string& directory) {
    const auto json = readManifest(directory);
    TeacherCacheInfo info;
    info.teacherChecksum = json.value("teacher_sha256", "");
    info.teacherSource = json.value("teacher_source", "");
    info.input = json.value("input", "slice");
    info.sampling = json.value("sampling", "");
    info.knots = json.value("knots", 0);
    info.guidances = json.value("guidances", std::vector<double>{});
    info.trajectories = completeShards(directory) * json.value("shard_size", std::int64_t{0});
    return info;
}

std::int64_t buildTeacherCache(const Model& teacher, std::vector<NoduleCase> nodules,
                               const TeacherCacheOptions& o,
                               const TeacherCacheCallbacks& callbacks) {
    if (o.directory.empty()) throw InvalidInput("the teacher cache needs a directory");
    if (o.knots < 1 || o.teacher.steps % o.knots != 0)
        throw InvalidInput("the teacher's steps (" + std::to_string(o.teacher.steps) +
                           ") must be a multiple of the knots (" + std::to_string(o.knots) + ")");
    if (o.teacher.solver == Solver::DormandPrince)
        throw InvalidInput("the teacher cache needs a fixed-step solver");
    if (o.guidances.empty() || o.shardSize < 1 || o.batch < 1 || o.trajectories < 1)
        throw InvalidInput(
            "the teacher cache needs guidances, trajectories, a shard size and a batch");
    const fs::path directory(o.directory);
    fs::create_directories(directory);
    const auto manifest = manifestOf(teacher, o);
    if (fs::exists(directory / "manifest.json")) {
        auto existing = readManifest(directory);
        existing.erase("teacher_source");
        auto wanted = manifest;
        wanted.erase("teacher_source");
        if (existing != wanted)
            throw InvalidInput("'" + o.directory +
                               "' holds another teacher's or setting's paths (" + existing.dump() +
                               "); use a new directory");
    } else {
        const auto temporary = directory / "manifest.json.tmp";
        std::ofstream(temporary) << manifest.dump(2) << "\n";
        fs::rename(temporary, directory / "manifest.json");
    }

    auto& impl = teacher.impl();
    const auto& options = impl.network->options();
    std::vector<MultiRaterCase> cases;
    const auto stacks = flattenNodules(std::move(nodules), cases);
    const auto data = loadTrainingTensors(cases, options.image_size(), impl.device);
    const auto n = data.images.size(0);
    const torch::Device device(impl.device);

    const auto shards = (o.trajectories + o.shardSize - 1) / o.shardSize;
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard lock(impl.forwardMutex);
    torch::NoGradGuard noGrad;
    for (auto shard = completeShards(directory); shard < shards; ++shard) {
        auto generator = at::detail::createCPUGenerator(
            splitmix64(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(shard) + 1));
        const double w = o.guidances[static_cast<size_t>(shard) % o.guidances.size()];
        const auto index = torch::randint(n, {o.shardSize}, generator, torch::kInt64);
        const auto expert = drawExperts(data.expertCounts, index, generator);
        const auto condition =
            options.isVolume()
                ? volumeConditionBatch(data.images, data.experts, stacks, index, expert,
                                       o.priorSide, o.priorDropout, o.neighbourDropout, generator)
                : data.images.index_select(0, index.to(device));
        const auto side = options.image_size();
        auto x =
            torch::randn({o.shardSize, options.mask_channels(), side, side}, generator).to(device);
        std::vector<torch::Tensor> states{x.to(torch::kCPU)};
        for (int k = 0; k < o.knots; ++k) {
            OdeOptions ode;
            ode.solver = o.teacher.solver;
            ode.steps = o.teacher.steps / o.knots;
            ode.t0 = static_cast<double>(k) / o.knots;
            ode.t1 = static_cast<double>(k + 1) / o.knots;
            std::vector<torch::Tensor> next;
            for (std::int64_t first = 0; first < o.shardSize; first += o.batch) {
                if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
                const auto count = std::min<std::int64_t>(o.batch, o.shardSize - first);
                GuidedVelocity velocity(impl.network, condition.narrow(0, first, count), count, w);
                next.push_back(integrate(std::ref(velocity), x.narrow(0, first, count), ode).x);
            }
            x = torch::cat(next, 0);
            states.push_back(x.to(torch::kCPU));
        }
        const std::vector<torch::Tensor> shardTensors{
            condition.to(torch::kCPU).to(torch::kHalf), torch::stack(states, 1).to(torch::kHalf),
            torch::full({o.shardSize}, w, torch::kFloat32)};
        const auto temporary = directory / (shardName(shard) + ".tmp");
        torch::save(shardTensors, temporary.string());
        fs::rename(temporary, directory / shardName(shard));
        if (callbacks.progress)
            callbacks.progress(
                {(shard + 1) * o.shardSize, shards * o.shardSize,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
    }
    return completeShards(directory) * o.shardSize;
}

TeacherPaths loadTeacherPaths(const std::string& directory) {
    TeacherPaths paths;
    paths.info = readTeacherCacheInfo(directory);
    const auto shards = completeShards(directory);
    if (shards == 0)
        throw InvalidInput("the teacher cache '" + directory +
                           "' has no complete shard yet; build it with `flowseg distill "
                           "--cache-only`");
    std::vector<torch::Tensor> conditions;
    std::vector<torch::Tensor> states;
    std::vector<torch::Tensor> guidance;
    for (std::int64_t s = 0; s < shards; ++s) {
        std::vector<torch::Tensor> t;
        const auto path = (fs::path(directory) / shardName(s)).string();
        try {
            torch::load(t, path);
        } catch (const c10::Error& e) {
            throw InvalidInput("the teacher cache shard '" + path +
                               "' cannot be read; delete it and resume the cache (" +
                               std::string(e.what_without_backtrace()) + ")");
        }
        if (t.size() != 3 || t[1].size(1) != paths.info.knots + 1)
            throw InvalidInput("the teacher cache shard '" + path +
                               "' is not laid out as its manifest says; delete it and resume");
        conditions.push_back(t[0]);
        states.push_back(t[1]);
        guidance.push_back(t[2]);
    }
    paths.conditions = torch::cat(conditions, 0);
    paths.states = torch::cat(states, 0);
    paths.guidance = torch::cat(guidance, 0);
    return paths;
}

}  // namespace flowseg::engine
