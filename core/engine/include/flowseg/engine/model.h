#pragma once
// A trained velocity network ready for sampling: EMA weights, on one device.
// Torch-free header (pimpl) so that CLI and GUI code compile quickly.

#include <memory>
#include <string>

#include "flowseg/common/provenance.h"
#include "flowseg/engine/network_options.h"

namespace flowseg::engine {

struct Checkpoint;

class Model {
public:
    /// Loads a checkpoint file (see checkpoint.h) onto "cpu", "cuda" or "auto".
    /// Throws CheckpointError / DeviceError with a message fit for the user.
    static std::shared_ptr<Model> load(const std::string& path, const std::string& device = "auto");
    /// Builds a model from an in-memory checkpoint (uses its EMA weights when present).
    static std::shared_ptr<Model> fromCheckpoint(const Checkpoint& checkpoint,
                                                 const std::string& device = "auto");
    /// A freshly initialized network (for benchmarks of speed only).
    static std::shared_ptr<Model> untrained(const VelocityUNetOptions& options,
                                            const std::string& device = "auto",
                                            std::uint64_t seed = 0);
    ~Model();

    [[nodiscard]] const VelocityUNetOptions& options() const;
    [[nodiscard]] const common::TrainingProvenance& provenance() const;
    [[nodiscard]] const std::string& checksum() const;  ///< sha256 of the weights data
    [[nodiscard]] const std::string& source() const;    ///< file path or a description
    [[nodiscard]] const std::string& device() const;    ///< "cpu" or "cuda"
    [[nodiscard]] std::int64_t parameterCount() const;
    [[nodiscard]] double flopsPerImage() const;

    struct Impl;
    [[nodiscard]] Impl& impl() const { return *m_impl; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace flowseg::engine
