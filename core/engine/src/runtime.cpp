#include "flowseg/engine/runtime.h"

#include <link.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <chrono>
#include <thread>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

int configureThreads(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    return at::get_num_threads();
}

namespace {
int collectLibrary(dl_phdr_info* info, size_t, void* data) {
    auto* found = static_cast<std::string*>(data);
    const std::string name = info->dlpi_name ? info->dlpi_name : "";
    if (name.find("blas") != std::string::npos || name.find("mkl") != std::string::npos) {
        if (!found->empty()) *found += ";";
        *found += name;
    }
    return 0;
}
}  // namespace

std::string blasLibrary() {
    std::string libraries;
    dl_iterate_phdr(collectLibrary, &libraries);
    // Debian resolves libblas.so.3 through alternatives; the real file tells which one.
    std::string resolved;
    size_t start = 0;
    while (start < libraries.size()) {
        const size_t end = std::min(libraries.find(';', start), libraries.size());
        const std::string path = libraries.substr(start, end - start);
        char buffer[4096];
        const char* real = realpath(path.c_str(), buffer);
        if (!resolved.empty()) resolved.push_back(';');
        resolved.append(real ? real : path.c_str());
        start = end + 1;
    }
    if (resolved.find("openblas") != std::string::npos) {
        if (resolved.find("pthread") != std::string::npos) return "openblas-pthread";
        if (resolved.find("openmp") != std::string::npos) return "openblas-openmp";
        return "openblas";
    }
    if (resolved.find("mkl") != std::string::npos) return "mkl";
    if (resolved.find("blis") != std::string::npos) return "blis";
    if (resolved.find("libblas") != std::string::npos)
        return "reference BLAS (slow: install libopenblas0-pthread)";
    return "built-in (no shared BLAS loaded)";
}

bool cudaAvailable() { return torch::cuda::is_available(); }

std::string resolveDevice(const std::string& requested) {
    if (requested == "cpu") return "cpu";
    if (requested == "auto") return cudaAvailable() ? "cuda" : "cpu";
    if (requested == "cuda") {
        if (!cudaAvailable())
            throw DeviceError(
                "CUDA was requested but no CUDA device is available to this LibTorch build; "
                "choose the device cpu (or auto, which falls back to it)");
        return "cuda";
    }
    throw InvalidInput("unknown device '" + requested + "' (choose cpu, cuda or auto)");
}

double measureMatmulGflops(const std::string& device, int n, double seconds) {
    torch::NoGradGuard noGrad;
    const auto options =
        torch::TensorOptions().dtype(torch::kFloat32).device(resolveDevice(device));
    const auto a = torch::randn({n, n}, options);
    const auto b = torch::randn({n, n}, options);
    auto c = torch::matmul(a, b);  // warm-up
    const auto synchronize = [&] {
        (void)c.sum().item<float>();  // forces completion on any device
    };
    synchronize();
    int iterations = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        c = torch::matmul(a, b);
        ++iterations;
        if (iterations % 4 == 0 || device == "cpu") synchronize();
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < seconds);
    synchronize();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return 2.0 * n * static_cast<double>(n) * n * iterations / elapsed / 1e9;
}

std::string torchVersion() { return TORCH_VERSION; }

}  // namespace flowseg::engine
