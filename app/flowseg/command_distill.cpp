// flowseg distill: a few-step student from a trained model (distill.h). The
// teacher's paths are cached once (resumable), then the student learns them.

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_support.h"
#include "commands.h"
#include "dataset_flags.h"
#include "flowseg/engine/distill.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/trainer.h"

namespace flowseg::cli {

namespace {

struct DistillFlags {
    DatasetFlags dataset;
    std::string teacher;
    std::string cache;
    std::int64_t trajectories = 8192;
    std::string teacherSolver = "midpoint";
    int teacherSteps = 8;
    std::string guidances = "0.3";
    int knots = 4;
    std::uint64_t cacheSeed = 1;
    std::string priors = "either";
    double priorDropout = 0.25;
    bool cacheOnly = false;
    std::string out;
    std::string resume;
    std::string init;
    int jumps = 2;
    std::int64_t iterations = 6000;
    std::int64_t batch = 16;
    double learningRate = 1e-4;
    std::int64_t lrDecayStart = -1;
    double foldShare = 0.25;
    std::uint64_t seed = 1;
    std::int64_t checkpointEvery = 250;
    int logEvery = 50;
    int threads = 0;
    bool json = false;
};

std::vector<double> parseGuidances(const std::string& text) {
    std::vector<double> values;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) try {
            values.push_back(std::stod(item));
        } catch (const std::exception&) {
            throw engine::InvalidInput("--guidance '" + text +
                                       "': give a comma list of numbers such as 0.3 or 0,0.3,0.6");
        }
    if (values.empty()) throw engine::InvalidInput("--guidance needs at least one weight");
    return values;
}

void buildCache(const DistillFlags& f, int threads) {
    auto teacher = engine::Model::load(f.teacher, "cpu");
    std::vector<common::MultiRaterCase> cases;
    for (auto& c : f.dataset.load(threads)) cases.push_back(std::move(c.data));
    auto nodules = engine::groupIntoNodules(std::move(cases));
    engine::TeacherCacheOptions o;
    o.directory = f.cache;
    o.trajectories = f.trajectories;
    o.knots = f.knots;
    o.teacher.solver = engine::parseSolver(f.teacherSolver);
    o.teacher.steps = f.teacherSteps;
    o.guidances = parseGuidances(f.guidances);
    o.seed = f.cacheSeed;
    o.priorSide = *engine::priorSideFromName(f.priors);
    o.priorDropout = f.priorDropout;
    std::fprintf(stderr, "teacher %s: %zu nodules, caching %lld paths (%s %d, %d knots) in %s\n",
                 f.teacher.c_str(), nodules.size(), static_cast<long long>(f.trajectories),
                 f.teacherSolver.c_str(), f.teacherSteps, f.knots, f.cache.c_str());
    engine::TeacherCacheCallbacks callbacks;
    callbacks.progress = [](const engine::TeacherCacheProgress& p) {
        std::fprintf(stderr, "  cached %lld/%lld paths  %.0f s\n", static_cast<long long>(p.done),
                     static_cast<long long>(p.total), p.seconds);
    };
    callbacks.cancelled = [] { return interruptRequested().load(); };
    try {
        const auto cached = engine::buildTeacherCache(*teacher, std::move(nodules), o, callbacks);
        std::fprintf(stderr, "teacher cache %s: %lld paths\n", f.cache.c_str(),
                     static_cast<long long>(cached));
    } catch (const engine::Cancelled&) {
        std::fprintf(stderr,
                     "interrupted; the complete shards are kept: run the same command "
                     "again to go on\n");
        std::exit(130);
    }
}

void runDistill(const DistillFlags& f) {
    const int threads = applyThreads(f.threads);
    installInterruptHandler();
    if (!f.dataset.data.empty()) buildCache(f, threads);
    if (f.cacheOnly) return;
    engine::TrainingOptions o;
    o.distillTeacher = f.teacher;
    o.distillCache = f.cache;
    o.studentSteps = f.jumps;
    o.foldShare = f.foldShare;
    o.iterations = f.iterations;
    o.batchSize = f.batch;
    o.learningRate = f.learningRate;
    o.lrDecayStart = f.lrDecayStart;
    o.seed = f.seed;
    o.resumeFrom = f.resume;
    o.initFrom = f.init;
    o.device = "cpu";
    o.checkpointPath = f.out;
    o.checkpointEvery = f.checkpointEvery;
    o.logEvery = f.logEvery;
    o.datasetDescription = "teacher cache " + f.cache;
    o.command = commandLine();
    engine::Trainer trainer(o);
    std::fprintf(stderr, "distilling %s into a %d-jump student on %s, %lld steps from step %lld\n",
                 f.teacher.c_str(), f.jumps, f.cache.c_str(), static_cast<long long>(f.iterations),
                 static_cast<long long>(trainer.step()));
    // Five decimals: a student's losses are around 0.002.
    if (!runTraining(trainer, f.out, f.json, 5).completed) std::exit(130);
}

}  // namespace

void addDistillCommand(CLI::App& app) {
    auto f = std::make_shared<DistillFlags>();
    auto* cmd = app.add_subcommand(
        "distill",
        "Distil a trained model into a few-step student: cache the teacher's paths on the "
        "training data (resumable), then train the student on them");
    f->dataset.addTo(*cmd, false);
    cmd->add_option("--teacher", f->teacher, "the trained model whose sampling is distilled")
        ->required();
    cmd->add_option("--cache", f->cache,
                    "directory of the teacher's cached paths (built from --data when given; "
                    "a run resumes what is there)")
        ->required();
    cmd->add_option("--trajectories", f->trajectories, "paths to cache in all")
        ->check(CLI::Range(static_cast<std::int64_t>(1), static_cast<std::int64_t>(10000000)))
        ->capture_default_str();
    cmd->add_option("--teacher-solver", f->teacherSolver, "the teacher's solver")
        ->capture_default_str();
    cmd->add_option("--teacher-steps", f->teacherSteps,
                    "the teacher's steps (a multiple of --knots)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--guidance", f->guidances, "guidance weights w of the cached paths, in turn")
        ->capture_default_str();
    cmd->add_option("--knots", f->knots, "states kept per path, at t = k / knots")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--cache-seed", f->cacheSeed, "seed of the cached examples and noise")
        ->capture_default_str();
    addPriorFlags(*cmd, f->priors, f->priorDropout);
    cmd->add_flag("--cache-only", f->cacheOnly, "build the cache and stop");
    cmd->add_option("--out", f->out, "the student checkpoint to write");
    cmd->add_option("--resume", f->resume, "continue an interrupted student run");
    cmd->add_option("--init", f->init,
                    "start the student from this earlier student (of a teacher with the same "
                    "network, e.g. before a fine-tune) instead of from the teacher; fresh "
                    "optimizer");
    cmd->add_option("--jumps", f->jumps,
                    "the student's default number of steps (its `default` sampling)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--iters", f->iterations, "student optimizer steps")
        ->check(CLI::Range(static_cast<std::int64_t>(1), static_cast<std::int64_t>(100000000)))
        ->capture_default_str();
    cmd->add_option("--batch", f->batch, "batch size")
        ->check(CLI::Range(static_cast<std::int64_t>(1), static_cast<std::int64_t>(65536)))
        ->capture_default_str();
    cmd->add_option("--lr", f->learningRate, "AdamW learning rate")->capture_default_str();
    cmd->add_option("--lr-decay-start", f->lrDecayStart,
                    "from this step on, lower the rate linearly to zero at --iters (-1 = constant)")
        ->capture_default_str();
    cmd->add_option("--fold-share", f->foldShare,
                    "share of examples that learn the teacher's guided velocity (d = 0) instead "
                    "of a jump")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--seed", f->seed, "the student run's seed")->capture_default_str();
    cmd->add_option("--checkpoint-every", f->checkpointEvery, "save every N steps")
        ->capture_default_str();
    cmd->add_option("--log-every", f->logEvery, "steps between progress lines")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    addThreadsFlag(*cmd, f->threads);
    cmd->add_flag("--json", f->json, "print a JSON summary");
    cmd->callback([f] {
        if (f->cacheOnly && f->dataset.data.empty())
            throw CLI::RequiredError("--data (the examples whose paths --cache-only caches)");
        if (!f->cacheOnly && f->out.empty()) throw CLI::RequiredError("--out (or --cache-only)");
        runDistill(*f);
    });
}

}  // namespace flowseg::cli
