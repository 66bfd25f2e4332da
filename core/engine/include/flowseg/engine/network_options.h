#pragma once
// Options of the velocity network. Only <torch/arg.h> (a tiny macro header) is
// included, so this stays cheap for the CLI and GUI to include.

#include <cstdint>
#include <string>
#include <string_view>
#include <torch/arg.h>
#include <vector>

namespace flowseg::engine {

/// Architecture of the guided-diffusion style UNet that predicts the velocity field.
struct VelocityUNetOptions {
    TORCH_ARG(int64_t, image_size) = 128;      ///< side of the square crop
    TORCH_ARG(int64_t, image_channels) = 1;    ///< C channels of the condition X
    TORCH_ARG(int64_t, mask_channels) = 1;     ///< channels of x_t and of the velocity
    TORCH_ARG(int64_t, base_channels) = 64;
    TORCH_ARG(std::vector<int64_t>, channel_multipliers) = std::vector<int64_t>{1, 2, 4, 4};
    TORCH_ARG(int64_t, res_blocks) = 2;  ///< residual blocks per level (encoder)
    /// Feature-map sides (in pixels) at which self-attention is applied.
    TORCH_ARG(std::vector<int64_t>, attention_resolutions) = std::vector<int64_t>{64};
    TORCH_ARG(bool, middle_attention) = true;
    TORCH_ARG(int64_t, head_channels) = 64;
    TORCH_ARG(double, dropout) = 0.1;
    TORCH_ARG(int64_t, time_embedding_dim) = 256;
    TORCH_ARG(int64_t, groups) = 32;  ///< GroupNorm groups (reduced where channels are fewer)

public:
    /// "paper" (25.4M parameters; DESIGN.md: about 23M), "small" (a 2-core CPU preset) or "tiny" (tests).
    static VelocityUNetOptions preset(std::string_view name);
    static std::vector<std::string> presetNames();

    /// Throws InvalidInput when the options cannot describe a working network.
    void validate() const;
    [[nodiscard]] std::string toJson() const;
    static VelocityUNetOptions fromJson(const std::string& json);
    bool operator==(const VelocityUNetOptions& other) const;
};

}  // namespace flowseg::engine
