#pragma once
// Process-wide compute set-up: threads, BLAS, devices. Torch-free header.

#include <string>

namespace flowseg::engine {

/// Debian's LibTorch starts with one intra-op thread; this sets it to `threads`
/// (0 = the number of cores). Returns the count in effect.
int configureThreads(int threads = 0);

/// Which BLAS library the process actually loaded (e.g. "openblas-pthread"), or
/// "reference BLAS (slow ...)" so that benchmarks can say what they ran on.
std::string blasLibrary();

/// "cpu", "cuda" or "auto" -> "cpu" / "cuda". Throws DeviceError for "cuda" without a
/// usable CUDA device and InvalidInput for anything else.
std::string resolveDevice(const std::string& requested);

/// Whether this LibTorch build can see a CUDA device.
bool cudaAvailable();

/// Achieved fp32 matmul GFLOP/s on `device` (square n x n products), so that other
/// timings can be read as a fraction of what the machine can do.
double measureMatmulGflops(const std::string& device, int n = 1024, double seconds = 1.0);

/// Version string of the LibTorch the engine was built against.
std::string torchVersion();

}  // namespace flowseg::engine
