// flowseg: command-line front end of the FlowSeg Review engine.
// Every failure ends as one line "flowseg: error: ..." on stderr: exit code 2 for
// a command line that does not parse, 1 for anything else that went wrong, 130
// for a run interrupted by Ctrl-C or SIGTERM after saving (train).

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli_support.h"
#include "commands.h"

int main(int argc, char** argv) {
    using namespace flowseg::cli;
    setCommandLine(argc, argv);
    CLI::App app{
        "FlowSeg Review engine: synthetic data, training, sampling, evaluation, benchmarks"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] { return versionText(); });
#ifdef FLOWSEG_HAVE_IMAGING
    addSynthCommand(app);
    addSampleCommand(app);
    addEvalCommand(app);
    addDistillCommand(app);
#endif
    addTrainCommand(app);
    addBenchCommand(app);
    addModelInfoCommand(app);
#ifdef FLOWSEG_HAVE_DB
    addDbCommand(app);
#endif
#ifdef FLOWSEG_HAVE_DICOM
    addDicomCommands(app);
    addPacsCommand(app);
#endif
#ifdef FLOWSEG_HAVE_FINETUNE
    addFineTuneCommands(app);
#endif
#ifdef FLOWSEG_HAVE_REPORT
    addReportCommand(app);
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "flowseg: error: " << e.what() << " (see flowseg --help)" << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::string message = e.what();
        // LibTorch errors carry a C++ backtrace after the first line; the user needs the first.
        if (const auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
        std::cerr << "flowseg: error: " << message << std::endl;
        return 1;
    }
    return 0;
}
