// Test helper: saves two different tiny checkpoints to one path, alternately, for
// ever, printing "saved <checksum>" after each. The checkpoint test kills it with
// SIGKILL at random moments and checks that the path always holds a whole model.
#include <torch/torch.h>
#include <cstdio>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/velocity_unet.h"

using namespace flowseg::engine;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: checkpoint_writer PATH\n");
        return 2;
    }
    Checkpoint versions[2];
    for (int i = 0; i < 2; ++i) {
        VelocityUNet net(VelocityUNetOptions::preset("tiny"));
        net->initialize(at::detail::createCPUGenerator(static_cast<std::uint64_t>(i) + 1));
        versions[i].network = net->options();
        versions[i].weights = namedTensors(*net);
        versions[i].step = i;
    }
    for (long n = 0;; ++n) {
        const auto sum = saveCheckpoint(versions[n % 2], argv[1]);
        std::printf("saved %s\n", sum.c_str());
        std::fflush(stdout);
    }
}
