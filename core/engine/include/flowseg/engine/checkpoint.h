#pragma once
// Checkpoint files that travel between LibTorch versions and devices.
//
// Layout (all integers little-endian):
//   8 bytes  magic "FLOWSEG\x01"
//   8 bytes  header length H (uint64)
//   H bytes  UTF-8 JSON: format, format_version, network options, provenance,
//            training step, tensor table [{name, dtype "f32", shape, offset, bytes}],
//            data_bytes, data_sha256
//   data     raw float32 tensors back to back, offsets relative to the data start.
// The same idea as safetensors, plus a checksum over the data.

#include <torch/nn/module.h>
#include <torch/types.h>
#include <map>
#include <string>

#include "flowseg/common/provenance.h"
#include "flowseg/engine/network_options.h"

namespace flowseg::engine {

namespace torch_nn = torch::nn;

using NamedTensors = std::map<std::string, torch::Tensor>;

struct Checkpoint {
    VelocityUNetOptions network;
    common::TrainingProvenance provenance;
    NamedTensors weights;    ///< the trained parameters
    NamedTensors ema;        ///< exponential moving average of them (used for sampling)
    NamedTensors optimizer;  ///< AdamW moments, "<param>/exp_avg" and "<param>/exp_avg_sq"
    /// A distilled student's teacher (its EMA weights; the network is `network`
    /// with student_steps 0), so that the full sampler stays at hand.
    NamedTensors teacher;
    std::int64_t step = 0;  ///< optimizer steps taken so far (for resuming)
    std::string sha256;     ///< checksum of the data section (set by save and load)
};

inline constexpr int kCheckpointFormatVersion = 1;

/// Writes atomically (temporary file, then rename). Returns the data checksum.
/// Throws CheckpointError when a tensor is not finite or the file cannot be written.
std::string saveCheckpoint(const Checkpoint& checkpoint, const std::string& path);

/// Reads and verifies a checkpoint; every failure is a CheckpointError naming the
/// file and what is wrong (missing, truncated, foreign format, checksum, NaN, ...).
Checkpoint loadCheckpoint(const std::string& path);

/// The same network for crops `factor` times larger: the UNet keeps its weights
/// and runs at the old side, the crop is folded into it by pixel unshuffle
/// (patch_size = factor). Initialized so that it computes exactly what the old
/// network computes on the crop box-averaged by `factor`, with its velocity
/// replicated back, whenever the noisy mask is constant on each factor x factor
/// block; fine-tuning at the new size then learns the detail within the blocks.
/// Weights and EMA are widened, optimizer state and step are dropped. Throws
/// InvalidInput for a factor below 2 or a network that already has patches.
Checkpoint widenToPatch(const Checkpoint& source, std::int64_t factor);
/// A slice model (input "slice", one condition channel) as a volume model
/// (input "volume", volume.h): the input convolution gains the four new
/// condition channels with zero weights, so the widened network computes
/// exactly what the slice model did until it is trained. Optimizer state and
/// step are dropped. Throws InvalidInput for anything but a one-channel slice model.
Checkpoint widenToVolume(const Checkpoint& source);

/// Parameters and buffers of a module, detached and on the CPU, by name.
NamedTensors namedTensors(const torch::nn::Module& module);
/// Copies `tensors` into the module's parameters; names and shapes must match exactly.
void assignNamedTensors(torch::nn::Module& module, const NamedTensors& tensors,
                        const std::string& what);

}  // namespace flowseg::engine
