#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/volume.h"

#include <fcntl.h>
#include <torch/torch.h>
#include <unistd.h>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flowseg/common/sha256.h"
#include "flowseg/engine/error.h"

namespace flowseg::engine {

static_assert(std::endian::native == std::endian::little,
              "checkpoint I/O assumes a little-endian host");

namespace {

constexpr char kMagic[8] = {'F', 'L', 'O', 'W', 'S', 'E', 'G', '\x01'};
constexpr std::uint64_t kMaxHeaderBytes = 64ULL << 20;

struct TensorEntry {
    std::string name;
    torch::Tensor tensor;  // contiguous float32 on the CPU
};

void appendGroup(std::vector<TensorEntry>& out, const std::string& prefix,
                 const NamedTensors& tensors, const std::string& path) {
    for (const auto& [name, tensor] : tensors) {
        auto cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        if (!torch::isfinite(cpu).all().item<bool>())
            throw CheckpointError("refusing to save '" + path + "': tensor '" + prefix + name +
                                  "' holds NaN or infinite values (training diverged?)");
        out.push_back({prefix + name, cpu});
    }
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw CheckpointError("cannot load model '" + path + "': " + what);
}

}  // namespace

std::string saveCheckpoint(const Checkpoint& checkpoint, const std::string& path) {
    std::vector<TensorEntry> entries;
    appendGroup(entries, "model/", checkpoint.weights, path);
    appendGroup(entries, "ema/", checkpoint.ema, path);
    appendGroup(entries, "optimizer/", checkpoint.optimizer, path);
    appendGroup(entries, "teacher/", checkpoint.teacher, path);

    common::Sha256 hash;
    nlohmann::json table = nlohmann::json::array();
    std::uint64_t offset = 0;
    for (const auto& e : entries) {
        const std::uint64_t bytes = static_cast<std::uint64_t>(e.tensor.numel()) * sizeof(float);
        table.push_back({{"name", e.name},
                         {"dtype", "f32"},
                         {"shape", e.tensor.sizes().vec()},
                         {"offset", offset},
                         {"bytes", bytes}});
        hash.update(e.tensor.data_ptr<float>(), bytes);
        offset += bytes;
    }
    const std::string checksum = hash.hexDigest();
    const nlohmann::json header{
        {"format", "flowseg-checkpoint"},
        {"format_version", kCheckpointFormatVersion},
        {"network", nlohmann::json::parse(checkpoint.network.toJson())},
        {"provenance", nlohmann::json::parse(common::provenanceToJson(checkpoint.provenance))},
        {"step", checkpoint.step},
        {"tensors", table},
        {"data_bytes", offset},
        {"data_sha256", checksum}};
    const std::string headerText = header.dump();

    const std::filesystem::path target(path);
    if (target.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(target.parent_path(), ec);
    }
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw CheckpointError("cannot write model '" + path + "': cannot create the file");
        const std::uint64_t headerBytes = headerText.size();
        out.write(kMagic, sizeof kMagic);
        out.write(reinterpret_cast<const char*>(&headerBytes), sizeof headerBytes);
        out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
        for (const auto& e : entries)
            out.write(reinterpret_cast<const char*>(e.tensor.data_ptr<float>()),
                      static_cast<std::streamsize>(e.tensor.numel() * sizeof(float)));
        out.flush();
        if (!out) {
            std::filesystem::remove(temporary);
            throw CheckpointError("cannot write model '" + path + "': write failed (disk full?)");
        }
    }
    // Write, check, then rename: the file under `path` is always a whole model,
    // whatever happens during the write (a full disk, a kill).
    const int fd = ::open(temporary.c_str(), O_RDONLY);
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    try {
        if (!synced) throw CheckpointError("the file could not be flushed to disk");
        if (loadCheckpoint(temporary).sha256 != checksum)
            throw CheckpointError("it reads back with another checksum");
    } catch (const CheckpointError& e) {
        std::filesystem::remove(temporary);
        throw CheckpointError("cannot write model '" + path +
                              "': the written copy does not check out (" + e.what() + ")");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) throw CheckpointError("cannot write model '" + path + "': " + ec.message());
    return checksum;
}

Checkpoint loadCheckpoint(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) fail(path, "it is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "the file cannot be opened (permissions?)");
    const auto fileSize = std::filesystem::file_size(path, ec);
    char magic[8] = {};
    in.read(magic, sizeof magic);
    if (in.gcount() != sizeof magic || std::memcmp(magic, kMagic, sizeof magic) != 0) {
        if (in.gcount() >= 2 && magic[0] == 'P' && magic[1] == 'K')
            fail(path, "this is a LibTorch/PyTorch archive, not a FlowSeg checkpoint");
        fail(path, "not a FlowSeg checkpoint (wrong magic bytes)");
    }
    std::uint64_t headerBytes = 0;
    in.read(reinterpret_cast<char*>(&headerBytes), sizeof headerBytes);
    if (!in || headerBytes > kMaxHeaderBytes || 16 + headerBytes > fileSize)
        fail(path, "the file is truncated or its header length is corrupt");
    std::string headerText(headerBytes, '\0');
    in.read(headerText.data(), static_cast<std::streamsize>(headerBytes));

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText);
    } catch (const nlohmann::json::exception&) {
        fail(path, "the header is not valid JSON (corrupt file)");
    }
    Checkpoint checkpoint;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    try {
        if (header.at("format") != "flowseg-checkpoint") fail(path, "not a FlowSeg checkpoint");
        const int version = header.at("format_version").get<int>();
        if (version > kCheckpointFormatVersion)
            fail(path, "written by a newer FlowSeg (format " + std::to_string(version) +
                           "); update the application");
        checkpoint.network = VelocityUNetOptions::fromJson(header.at("network").dump());
        checkpoint.provenance = common::provenanceFromJson(header.at("provenance").dump());
        checkpoint.step = header.at("step").get<std::int64_t>();
        const auto dataBytes = header.at("data_bytes").get<std::uint64_t>();
        if (16 + headerBytes + dataBytes != fileSize)
            fail(path, "the file is truncated or has trailing bytes (expected " +
                           std::to_string(16 + headerBytes + dataBytes) + " bytes, found " +
                           std::to_string(fileSize) + ")");
        std::vector<char> data(dataBytes);
        in.read(data.data(), static_cast<std::streamsize>(dataBytes));
        if (static_cast<std::uint64_t>(in.gcount()) != dataBytes)
            fail(path, "the file is truncated");
        if (common::sha256Hex(data.data(), data.size()) !=
            header.at("data_sha256").get<std::string>())
            fail(path, "checksum mismatch: the file is corrupt");
        checkpoint.sha256 = header.at("data_sha256").get<std::string>();
        for (const auto& entry : header.at("tensors")) {
            const auto name = entry.at("name").get<std::string>();
            if (entry.at("dtype") != "f32") fail(path, "tensor '" + name + "' is not float32");
            const auto shape = entry.at("shape").get<std::vector<int64_t>>();
            const auto offset = entry.at("offset").get<std::uint64_t>();
            const auto bytes = entry.at("bytes").get<std::uint64_t>();
            std::uint64_t elements = 1;
            for (auto s : shape) {
                if (s < 0) fail(path, "tensor '" + name + "' has a negative dimension");
                elements *= static_cast<std::uint64_t>(s);
            }
            if (elements * sizeof(float) != bytes || offset + bytes > dataBytes)
                fail(path, "tensor '" + name + "' does not fit the data section");
            auto tensor = torch::empty(shape, torch::kFloat32);
            std::memcpy(tensor.data_ptr<float>(), data.data() + offset, bytes);
            if (!torch::isfinite(tensor).all().item<bool>())
                fail(path, "tensor '" + name + "' holds NaN or infinite values");
            tensors.emplace_back(name, tensor);
        }
    } catch (const nlohmann::json::exception& e) {
        fail(path, std::string("malformed header: ") + e.what());
    } catch (const InvalidInput& e) {
        fail(path, e.what());
    }
    for (auto& [name, tensor] : tensors) {
        const auto slash = name.find('/');
        const auto group = name.substr(0, slash);
        const auto key = name.substr(slash + 1);
        if (group == "model")
            checkpoint.weights[key] = tensor;
        else if (group == "ema")
            checkpoint.ema[key] = tensor;
        else if (group == "optimizer")
            checkpoint.optimizer[key] = tensor;
        else if (group == "teacher")
            checkpoint.teacher[key] = tensor;
        else
            fail(path, "unknown tensor group '" + group + "'");
    }
    if (checkpoint.weights.empty()) fail(path, "it holds no model weights");
    return checkpoint;
}

namespace {

// The checkpoint of a wider network: `widen` applied to the weights and the EMA;
// provenance and checksum stay the source's (what it was trained from), the
// optimizer state and step are dropped.
template <typename Widen>
Checkpoint widened(const Checkpoint& source, const VelocityUNetOptions& network,
                   const Widen& widen) {
    Checkpoint out;
    out.network = network;
    out.weights = widen(source.weights);
    if (!source.ema.empty()) out.ema = widen(source.ema);
    out.provenance = source.provenance;
    out.sha256 = source.sha256;
    return out;
}

}  // namespace

Checkpoint widenToPatch(const Checkpoint& source, std::int64_t factor) {
    if (factor < 2) throw InvalidInput("widening needs a factor of at least 2");
    if (source.network.patch_size() != 1)
        throw InvalidInput(
            "the network already folds " + std::to_string(source.network.patch_size()) +
            " pixels per side into channels; only a network without patches can be widened");
    auto network = source.network;
    network.image_size(source.network.image_size() * factor).patch_size(factor).pixel_skip(true);
    network.validate();
    const int64_t area = factor * factor;
    const auto widen = [&](const NamedTensors& tensors) {
        NamedTensors t = tensors;
        const auto find = [&](const std::string& name) -> torch::Tensor& {
            const auto it = t.find(name);
            if (it == t.end())
                throw InvalidInput("cannot widen: the checkpoint has no '" + name + "'");
            return it->second;
        };
        // pixel_unshuffle puts pixel (i, j) of channel c's block in channel
        // c * area + i * factor + j, so each old input channel becomes `area`
        // adjacent ones; averaging them is the box average.
        auto& input = find("input_conv.weight");
        input = input.repeat_interleave(area, 1) / static_cast<double>(area);
        // pixel_shuffle reads output channel c * area + i * factor + j into
        // pixel (i, j) of channel c's block: repeating each channel replicates.
        auto& output = find("output_conv.weight");
        output = output.repeat_interleave(area, 0);
        if (const auto bias = t.find("output_conv.bias"); bias != t.end())
            bias->second = bias->second.repeat_interleave(area, 0);
        // The per-pixel skip starts at zero gain, so it changes nothing until trained.
        if (!t.count("pixel_skip.weight")) {
            const auto embedding = find("time2.weight").size(0);  // [embedding, embedding]
            t["pixel_skip.weight"] = torch::zeros({source.network.mask_channels(), embedding});
            t["pixel_skip.bias"] = torch::zeros({source.network.mask_channels()});
        }
        return t;
    };
    return widened(source, network, widen);
}

NamedTensors namedTensors(const torch::nn::Module& module) {
    NamedTensors out;
    for (const auto& item : module.named_parameters(true))
        out[item.key()] = item.value().detach().to(torch::kCPU).clone();
    for (const auto& item : module.named_buffers(true))
        out[item.key()] = item.value().detach().to(torch::kCPU).clone();
    return out;
}

void assignNamedTensors(torch::nn::Module& module, const NamedTensors& tensors,
                        const std::string& what) {
    torch::NoGradGuard noGrad;
    size_t matched = 0;
    const auto assign = [&](const std::string& name, torch::Tensor& target) {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw CheckpointError(what + ": missing tensor '" + name + "' for this network");
        if (it->second.sizes() != target.sizes())
            throw CheckpointError(what + ": tensor '" + name + "' has the wrong shape");
        target.copy_(it->second);
        ++matched;
    };
    for (auto& item : module.named_parameters(true)) assign(item.key(), item.value());
    for (auto& item : module.named_buffers(true)) assign(item.key(), item.value());
    if (matched != tensors.size())
        throw CheckpointError(what + ": the file holds tensors this network does not have");
}

Checkpoint widenToVolume(const Checkpoint& source) {
    if (source.network.isVolume()) throw InvalidInput("the checkpoint is a volume model already");
    if (source.network.image_channels() != 1)
        throw InvalidInput(
            "only a one-channel slice model can become a volume model (this one reads " +
            std::to_string(source.network.image_channels()) + " channels)");
    auto network = source.network;
    network.input("volume").image_channels(kVolumeChannels);
    network.validate();
    const int64_t area = source.network.patch_size() * source.network.patch_size();
    const auto widen = [&](const NamedTensors& tensors) {
        NamedTensors t = tensors;
        const auto it = t.find("input_conv.weight");
        if (it == t.end())
            throw InvalidInput("cannot widen: the checkpoint has no 'input_conv.weight'");
        // The input is cat(x_t, X) folded by pixel unshuffle: channel c's pixels
        // are input channels c * area ... c * area + area - 1, so the new
        // condition channels 1..4 are appended after the old ones.
        auto& weight = it->second;
        const auto extra = torch::zeros(
            {weight.size(0), (kVolumeChannels - 1) * area, weight.size(2), weight.size(3)},
            weight.options());
        weight = torch::cat({weight, extra}, 1).contiguous();
        return t;
    };
    return widened(source, network, widen);
}

}  // namespace flowseg::engine
