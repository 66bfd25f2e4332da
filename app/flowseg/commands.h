#pragma once
// Each subcommand of `flowseg` registers itself on the main CLI11 app.

#include <CLI/CLI.hpp>

namespace flowseg::cli {

void addSynthCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);
void addDistillCommand(CLI::App& app);
void addSampleCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
void addBenchCommand(CLI::App& app);
void addModelInfoCommand(CLI::App& app);
void addDbCommand(CLI::App& app);
void addDicomCommands(CLI::App& app);
void addPacsCommand(CLI::App& app);
void addReportCommand(CLI::App& app);
void addFineTuneCommands(CLI::App& app);

}  // namespace flowseg::cli
