#pragma once
// The `flowseg` command-line tests' shared fixture: one tiny data set and model
// per test process, the command run with its exit code, stdout and stderr, and
// the house rule for bad input (one "flowseg: error: ..." line, never a crash).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/checkpoint_fixtures.h"

namespace flowseg::test {

namespace fs = std::filesystem;

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

class Cli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = fs::temp_directory_path() / ("flowseg_cli_" + std::to_string(::getpid()));
        fs::remove_all(s_dir);
        fs::create_directories(s_dir);
        // One tiny data set and model shared by the tests (seconds on 2 cores).
        const auto synth = run("synth --out " + (s_dir / "data").string() +
                               " --cases 6 --size 32 --raters 3 --seed 4 --json");
        ASSERT_EQ(synth.exitCode, 0) << synth.err;
        const auto train =
            run("train --data " + (s_dir / "data").string() + " --out " + modelPath() +
                " --preset tiny --iters 20 --batch 4 --lr 3e-3 --seed 1 --device cpu --json");
        ASSERT_EQ(train.exitCode, 0) << train.err;
    }
    static void TearDownTestSuite() { fs::remove_all(s_dir); }

    static std::string modelPath() { return (s_dir / "tiny.fsm").string(); }
    static std::string path(const std::string& name) { return (s_dir / name).string(); }

    static RunResult run(const std::string& arguments) {
        const auto out = s_dir / "stdout.txt";
        const auto err = s_dir / "stderr.txt";
        const std::string command = std::string(FLOWSEG_BIN) + " " + arguments + " > " +
                                    out.string() + " 2> " + err.string() + " < /dev/null";
        const int status = std::system(command.c_str());
        RunResult r;
        r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = flowseg::test::readFileBytes(out.string());
        r.err = flowseg::test::readFileBytes(err.string());
        return r;
    }

    static void expectOneLineError(const RunResult& r, const std::string& mentions) {
        EXPECT_NE(r.exitCode, 0);
        EXPECT_LT(r.exitCode, 128) << "crashed with a signal";
        EXPECT_EQ(r.err.rfind("flowseg: error: ", 0), 0U) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
    }

    inline static fs::path s_dir;
};

/// What a shell command printed on stdout.
inline std::string commandOutput(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
        ::pclose(pipe);
    }
    return out;
}

}  // namespace flowseg::test
