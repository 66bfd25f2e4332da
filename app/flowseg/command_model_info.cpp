// flowseg model-info: what a checkpoint is — the input it expects, its network,
// how far it was trained and from what — without reading its header by hand.

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/common/provenance.h"
#include "flowseg/engine/checkpoint.h"

namespace flowseg::cli {

namespace {

void runModelInfo(const std::string& path, bool json) {
    const auto c = engine::loadCheckpoint(path);
    const auto& p = c.provenance;
    nlohmann::json out{{"file", path},
                       {"input", c.network.input()},
                       {"image_size", c.network.image_size()},
                       {"network", nlohmann::json::parse(c.network.toJson())},
                       {"step", c.step},
                       {"resumable", !c.optimizer.empty()},
                       {"sha256", c.sha256},
                       {"provenance", nlohmann::json::parse(common::provenanceToJson(p))}};
    // A distilled student: its default jumps, and whether it carries its teacher
    // (the full sampler) or samples every other solver with its own d = 0 velocity.
    const std::string student =
        c.network.isStudent()
            ? "\n  distilled student: " + std::to_string(c.network.student_steps()) +
                  " jumps by default (--solver jump); " +
                  (c.teacher.empty() ? "no teacher inside: other solvers use its own guided "
                                       "velocity"
                                     : "carries its teacher: other solvers run the full sampler")
            : std::string();
    out["student_steps"] = c.network.student_steps();
    out["carries_teacher"] = !c.teacher.empty();
    if (json) {
        printJson(out);
        return;
    }
    std::cout << path << "\n  input " << c.network.input() << " (" << c.network.image_channels()
              << " condition channels), " << c.network.image_size() << " x "
              << c.network.image_size() << student << "\n  step " << c.step
              << (c.optimizer.empty() ? "" : " (resumable)") << "\n  trained on " << p.dataset
              << "\n  created " << p.createdAt << " by: " << p.command << "\n";
}

}  // namespace

void addModelInfoCommand(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("model-info",
                                   "What a checkpoint is: its input, network, step and provenance");
    cmd->add_option("model", *path, "checkpoint file (.fsm)")->required();
    cmd->add_flag("--json", *json, "print JSON");
    cmd->callback([path, json] { runModelInfo(*path, *json); });
}

}  // namespace flowseg::cli
