#pragma once
// Options of the velocity network. Only <torch/arg.h> (a tiny macro header) is
// included, so this stays cheap for the CLI and GUI to include.

#include <torch/arg.h>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowseg::engine {

/// Architecture of the guided-diffusion style UNet that predicts the velocity field.
struct VelocityUNetOptions {
    TORCH_ARG(int64_t, image_size) = 128;    ///< side of the square crop
    TORCH_ARG(int64_t, image_channels) = 1;  ///< C channels of the condition X
    TORCH_ARG(int64_t, mask_channels) = 1;   ///< channels of x_t and of the velocity
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
    /// Pixels per side folded into channels at the input (pixel unshuffle) and
    /// unfolded at the output (pixel shuffle): the UNet runs at image_size /
    /// patch_size while reading and writing every pixel of the crop. 1 = none.
    /// attention_resolutions name the sides of the UNet's own feature maps.
    TORCH_ARG(int64_t, patch_size) = 1;
    /// Adds a(t) * x_t to the velocity, pixel by pixel, with the gain a(t) a
    /// zero-initialized linear map of the time embedding. The optimal velocity
    /// (E[S|x_t] - x_t) / (1 - t) is linear in each pixel's own x_t; with
    /// patches that term would otherwise have to pass every pixel's noise
    /// through the low-resolution UNet.
    TORCH_ARG(bool, pixel_skip) = false;
    /// What the condition X holds: "slice" (the crop alone, image_channels C) or
    /// "volume" (volume.h: the crop, its two neighbouring slices, and the same
    /// sample's mask on the neighbour already sampled with its presence flag;
    /// image_channels 5). The checkpoint says which, so the sampler builds the
    /// input the network was trained on.
    TORCH_ARG(std::string, input) = "slice";
    /// 0: a network of the flow itself (a teacher). K > 0: a distilled student
    /// (distill.h) that also reads the guidance weight w and a step length d,
    /// and predicts the average guided velocity over [t, t + d] (d = 0: the
    /// guided velocity itself, one branch for two); its default sampling is K
    /// jumps of length 1 / K.
    TORCH_ARG(int64_t, student_steps) = 0;

public:
    /// "paper" (25.4M parameters; DESIGN.md: about 23M), "small" (a 2-core CPU preset) or "tiny"
    /// (tests).
    static VelocityUNetOptions preset(std::string_view name);
    static std::vector<std::string> presetNames();

    /// Side of the UNet's first feature map: image_size / patch_size.
    [[nodiscard]] int64_t internalSize() const { return image_size_ / patch_size_; }
    /// True for a network that samples a nodule slice by slice (input "volume").
    [[nodiscard]] bool isVolume() const { return input_ == "volume"; }
    /// True for a distilled student (student_steps > 0).
    [[nodiscard]] bool isStudent() const { return student_steps_ > 0; }

    /// Throws InvalidInput when the options cannot describe a working network.
    void validate() const;
    [[nodiscard]] std::string toJson() const;
    static VelocityUNetOptions fromJson(const std::string& json);
    bool operator==(const VelocityUNetOptions& other) const;
};

}  // namespace flowseg::engine
