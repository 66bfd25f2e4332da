// Few-step sampling by distillation: the teacher's cached paths, the student's
// start, what it learns, and how it samples through the one Sampler.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <filesystem>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/distill.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/guided_velocity.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/ode.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/tensor_convert.h"
#include "flowseg/engine/trainer.h"

using namespace flowseg::engine;
namespace fs = std::filesystem;

namespace {

fs::path tempDir(const std::string& name) {
    const auto dir =
        fs::temp_directory_path() / ("flowseg_distill_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::vector<NoduleCase> tinyNodules(int count = 4, int slices = 3) {
    std::vector<MultiRaterCase> cases;
    for (int n = 0; n < count; ++n)
        for (int s = 0; s < slices; ++s) {
            auto c = generateSyntheticCase({32, 3, 5}, n * 10 + s).data;
            std::string id = "P";
            id += std::to_string(n);
            id += "_nodule-0_slice-";
            id += std::to_string(s);
            c.id = id;
            cases.push_back(std::move(c));
        }
    return groupIntoNodules(std::move(cases));
}

// A tiny slice teacher trained a few steps, saved so that it has a checksum.
std::string tinyTeacher(const fs::path& dir, std::uint64_t seed = 7) {
    TrainingOptions o;
    o.preset = "tiny";
    o.iterations = 20;
    o.batchSize = 8;
    o.learningRate = 3e-3;
    o.seed = seed;
    o.device = "cpu";
    std::string name = "teacher-";
    name += std::to_string(seed);
    name += ".fsm";
    o.checkpointPath = (dir / name).string();
    std::vector<MultiRaterCase> cases;
    for (auto& nodule : tinyNodules())
        for (auto& slice : nodule.slices) cases.push_back(std::move(slice));
    Trainer(std::move(cases), o).run();
    return o.checkpointPath;
}

TeacherCacheOptions cacheOptions(const fs::path& dir) {
    TeacherCacheOptions o;
    o.directory = (dir / "cache").string();
    o.trajectories = 16;
    o.shardSize = 8;
    o.knots = 4;
    o.teacher.solver = Solver::Midpoint;
    o.teacher.steps = 4;
    o.guidances = {0.3};
    o.batch = 5;  // not a divisor of the shard: batches end mid-shard
    return o;
}

TrainingOptions studentOptions(const std::string& teacher, const std::string& cache,
                               std::int64_t iterations) {
    TrainingOptions o;
    o.distillTeacher = teacher;
    o.distillCache = cache;
    o.studentSteps = 2;
    o.iterations = iterations;
    o.batchSize = 8;
    o.learningRate = 2e-3;
    o.seed = 3;
    o.device = "cpu";
    o.logEvery = 10;
    return o;
}

torch::Tensor loadShard(const fs::path& path) {
    std::vector<torch::Tensor> t;
    torch::load(t, path.string());
    return t.at(1);
}

}  // namespace

TEST(TeacherCache, HoldsTheTeachersPathAtEveryKnotAndResumesExactly) {
    const auto dir = tempDir("cache");
    const auto teacherPath = tinyTeacher(dir);
    const auto teacher = Model::load(teacherPath, "cpu");
    const auto o = cacheOptions(dir);
    EXPECT_EQ(buildTeacherCache(*teacher, tinyNodules(), o), 16);
    const auto info = readTeacherCacheInfo(o.directory);
    EXPECT_EQ(info.trajectories, 16);
    EXPECT_EQ(info.knots, 4);
    EXPECT_EQ(info.teacherChecksum, teacher->checksum());

    // Knot by knot is the teacher's whole path: midpoint 4 over [0, 1] from the
    // same noise and condition lands on the cached end state.
    std::vector<torch::Tensor> shard;
    torch::load(shard, (fs::path(o.directory) / "shard-000001.pt").string());
    const auto condition = shard[0].to(torch::kFloat32);
    const auto states = shard[1].to(torch::kFloat32);
    ASSERT_EQ(states.size(1), 5);
    GuidedVelocity velocity(teacher->impl().network, condition, 8, 0.3);
    OdeOptions ode;
    ode.solver = Solver::Midpoint;
    ode.steps = 4;
    const auto end = [&] {
        torch::NoGradGuard noGrad;
        return integrate(std::ref(velocity), states.select(1, 0), ode).x;
    }();
    EXPECT_LT((end - states.select(1, 4)).abs().max().item<float>(), 5e-3F);  // fp16 storage
    EXPECT_GT((states.select(1, 4) - states.select(1, 0)).abs().max().item<float>(), 0.1F);

    // An interrupted run resumes with the same shard, bit for bit.
    const auto second = fs::path(o.directory) / "shard-000001.pt";
    const auto before = loadShard(second);
    fs::remove(second);
    EXPECT_EQ(readTeacherCacheInfo(o.directory).trajectories, 8);
    buildTeacherCache(*teacher, tinyNodules(), o);
    EXPECT_TRUE(torch::equal(before, loadShard(second)));

    // Another teacher, or another setting, does not mix its paths in.
    const auto other = Model::load(tinyTeacher(dir, 8), "cpu");
    EXPECT_THROW(buildTeacherCache(*other, tinyNodules(), o), InvalidInput);
    auto steps8 = o;
    steps8.teacher.steps = 8;
    EXPECT_THROW(buildTeacherCache(*teacher, tinyNodules(), steps8), InvalidInput);
    auto inward = o;  // examples drawn otherwise: priors from the sweep's side
    inward.priorSide = PriorSide::Inward;
    EXPECT_THROW(buildTeacherCache(*teacher, tinyNodules(), inward), InvalidInput);
    EXPECT_THROW(readTeacherCacheInfo((dir / "nowhere").string()), InvalidInput);
    fs::remove_all(dir);
}

TEST(Student, StartsAsItsTeachersConditionalBranchAndLearnsTheJumps) {
    const auto dir = tempDir("student");
    const auto teacherPath = tinyTeacher(dir);
    const auto teacher = Model::load(teacherPath, "cpu");
    auto co = cacheOptions(dir);
    co.trajectories = 32;
    buildTeacherCache(*teacher, tinyNodules(), co);

    // The error of one jump over [0, 1] against the teacher's cached end states.
    std::vector<torch::Tensor> shard;
    torch::load(shard, (fs::path(co.directory) / "shard-000000.pt").string());
    const auto condition = shard[0].to(torch::kFloat32);
    const auto states = shard[1].to(torch::kFloat32);
    const auto jumpError = [&](const Model& student) {
        torch::NoGradGuard noGrad;
        StudentVelocity jump(student.impl().network, condition, 8, 0.3, 1.0);
        const auto x0 = states.select(1, 0);
        const auto x1 = x0 + jump(0.0, x0);
        return (x1 - states.select(1, 4)).pow(2).mean().item<double>();
    };

    auto o = studentOptions(teacherPath, co.directory, 1);
    o.learningRate = 1e-12;  // one step that changes nothing: the student as it starts
    Trainer start(o);
    start.run();
    const auto initial = start.currentModel();
    EXPECT_TRUE(initial->options().isStudent());
    {
        // It computes the teacher's conditional velocity, whatever w and d.
        torch::NoGradGuard noGrad;
        const auto x = states.select(1, 2);
        const auto t = torch::full({1}, 0.5);
        const auto expected = teacher->impl().network->forward(x, condition, t);
        const auto got = initial->impl().network->forwardStudent(
            x, condition, t, torch::full({1}, 0.7), torch::full({1}, 0.25));
        EXPECT_LT((got - expected).abs().max().item<float>(), 1e-5F);
    }

    o = studentOptions(teacherPath, co.directory, 150);
    o.checkpointPath = (dir / "student.fsm").string();
    Trainer trainer(o);
    const auto outcome = trainer.run();
    ASSERT_TRUE(outcome.completed);
    const auto trained = Model::load(o.checkpointPath, "cpu");
    EXPECT_LT(jumpError(*trained), 0.5 * jumpError(*initial))
        << "before " << jumpError(*initial) << " after " << jumpError(*trained);

    // A student of a student, or a cache of another teacher, is refused.
    auto again = studentOptions(o.checkpointPath, co.directory, 2);
    EXPECT_THROW(Trainer{again}, InvalidInput);
    auto foreign = studentOptions(tinyTeacher(dir, 9), co.directory, 2);
    EXPECT_THROW(Trainer{foreign}, InvalidInput);
    fs::remove_all(dir);
}

TEST(Student, SamplesThroughTheSamplerAndCarriesItsTeacher) {
    const auto dir = tempDir("sampling");
    const auto teacherPath = tinyTeacher(dir);
    const auto teacher = Model::load(teacherPath, "cpu");
    auto co = cacheOptions(dir);
    co.trajectories = 8;
    buildTeacherCache(*teacher, tinyNodules(), co);
    auto o = studentOptions(teacherPath, co.directory, 3);
    o.checkpointPath = (dir / "student.fsm").string();
    Trainer(o).run();

    const auto student = Model::load(o.checkpointPath, "cpu");
    const auto image = generateSyntheticCase({32, 3, 5}, 40).data.image;
    // Its default is its own few jumps, one branch: M passes per jump.
    const auto fast = SamplingOptions::fastDefault(student->options());
    EXPECT_EQ(fast.solver, Solver::Jump);
    EXPECT_EQ(fast.steps, 2);
    auto jumps = fast;
    jumps.samples = 6;
    const auto sampled = Sampler(student).sample(image, jumps);
    EXPECT_EQ(sampled.masks.size(), 6U);
    EXPECT_EQ(sampled.networkPasses, 12);
    EXPECT_EQ(sampled.evaluations, 2);

    // Any other solver is the full sampler: the teacher it carries, two branches.
    auto full = SamplingOptions::fastDefault();
    full.solver = Solver::Midpoint;
    full.steps = 3;
    full.samples = 6;
    const auto fromStudent = Sampler(student).sample(image, full);
    const auto fromTeacher = Sampler(teacher).sample(image, full);
    EXPECT_EQ(fromStudent.networkPasses, 6 * 2 * 6);
    for (size_t i = 0; i < fromTeacher.soft.size(); ++i)
        EXPECT_EQ(fromStudent.soft[i].pixels, fromTeacher.soft[i].pixels);

    // The teacher cannot jump; a teacher's default stays its ODE solver.
    EXPECT_THROW((void)Sampler(teacher).sample(image, jumps), InvalidInput);
    EXPECT_NE(SamplingOptions::fastDefault(teacher->options()).solver, Solver::Jump);
    EXPECT_EQ(parseSolver("jump"), Solver::Jump);

    // Fine-tuning the student fine-tunes the teacher it carries (a flow, not jumps).
    TrainingOptions fineTune;
    fineTune.initFrom = o.checkpointPath;
    fineTune.iterations = 1;
    fineTune.batchSize = 4;
    fineTune.device = "cpu";
    std::vector<MultiRaterCase> cases;
    for (int i = 0; i < 4; ++i) cases.push_back(generateSyntheticCase({32, 3, 5}, i).data);
    Trainer tuned(cases, fineTune);
    EXPECT_FALSE(tuned.networkOptions().isStudent());
    EXPECT_EQ(tuned.networkOptions(), teacher->options());
    fs::remove_all(dir);
}

TEST(Student, StartsFromAnEarlierStudentAndCarriesTheNewTeacher) {
    // After its teacher is fine-tuned, a student need not start over from the
    // teacher: it starts from the earlier student and learns the new paths.
    const auto dir = tempDir("init");
    const auto firstTeacher = tinyTeacher(dir);
    auto co = cacheOptions(dir);
    co.trajectories = 8;
    buildTeacherCache(*Model::load(firstTeacher, "cpu"), tinyNodules(), co);
    auto o = studentOptions(firstTeacher, co.directory, 20);
    o.checkpointPath = (dir / "first.fsm").string();
    Trainer(o).run();

    const auto secondTeacher = tinyTeacher(dir, 8);  // the same network, other weights
    auto co2 = cacheOptions(dir);
    co2.directory = (dir / "cache-2").string();
    co2.trajectories = 8;
    buildTeacherCache(*Model::load(secondTeacher, "cpu"), tinyNodules(), co2);
    auto warm = studentOptions(secondTeacher, co2.directory, 1);
    warm.initFrom = o.checkpointPath;
    warm.learningRate = 1e-12;  // one step that changes nothing: the student as it starts
    warm.checkpointPath = (dir / "second.fsm").string();
    Trainer(warm).run();

    const auto first = Model::load(o.checkpointPath, "cpu");
    const auto second = Model::load(warm.checkpointPath, "cpu");
    const auto before = first->impl().network->parameters();
    const auto after = second->impl().network->parameters();
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_LT((before[i] - after[i]).abs().max().item<float>(), 1e-5F) << "parameter " << i;
    // Its full sampler is the new teacher's.
    const auto image = generateSyntheticCase({32, 3, 5}, 40).data.image;
    auto full = SamplingOptions::fastDefault();
    full.solver = Solver::Midpoint;
    full.steps = 3;
    full.samples = 4;
    const auto fromStudent = Sampler(second).sample(image, full);
    const auto fromTeacher = Sampler(Model::load(secondTeacher, "cpu")).sample(image, full);
    for (size_t i = 0; i < fromTeacher.soft.size(); ++i)
        EXPECT_EQ(fromStudent.soft[i].pixels, fromTeacher.soft[i].pixels);

    // A start that is not a student is refused, naming it.
    auto notAStudent = studentOptions(secondTeacher, co2.directory, 1);
    notAStudent.initFrom = firstTeacher;
    try {
        const Trainer refused(notAStudent);
        ADD_FAILURE() << "a teacher as the student's start was accepted";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find(firstTeacher), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}
