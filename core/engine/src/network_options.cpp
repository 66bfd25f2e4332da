#include "flowseg/engine/network_options.h"

#include <nlohmann/json.hpp>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

VelocityUNetOptions VelocityUNetOptions::preset(std::string_view name) {
    if (name == "paper") return VelocityUNetOptions{};
    if (name == "small") {
        // Sized for a 2-core CPU: 16 channels at full resolution (where most of
        // the work is), one residual block per level, attention only in the
        // 32x32 middle. See docs/ENGINE.md for its measured cost.
        return VelocityUNetOptions{}
            .base_channels(16)
            .channel_multipliers({1, 2, 4})
            .res_blocks(1)
            .attention_resolutions({})
            .middle_attention(true)
            .head_channels(32)
            .dropout(0.0)
            .time_embedding_dim(64)
            .groups(8);
    }
    if (name == "tiny") {
        // For tests only: trains in seconds, quality is not a goal.
        return VelocityUNetOptions{}
            .image_size(32)
            .base_channels(8)
            .channel_multipliers({1, 2})
            .res_blocks(1)
            .attention_resolutions({})
            .middle_attention(true)
            .head_channels(8)
            .dropout(0.0)
            .time_embedding_dim(32)
            .groups(4);
    }
    throw InvalidInput("unknown network preset '" + std::string(name) +
                       "' (choose paper, small or tiny)");
}

std::vector<std::string> VelocityUNetOptions::presetNames() { return {"paper", "small", "tiny"}; }

void VelocityUNetOptions::validate() const {
    const auto fail = [](const std::string& why) {
        throw InvalidInput("invalid network options: " + why);
    };
    if (image_size_ < 8) fail("image_size must be at least 8");
    if (image_channels_ < 1 || mask_channels_ < 1) fail("channel counts must be positive");
    if (base_channels_ < 1 || channel_multipliers_.empty()) fail("no channels");
    for (auto m : channel_multipliers_)
        if (m < 1) fail("channel multipliers must be positive");
    if (patch_size_ < 1) fail("patch_size must be at least 1");
    if (image_size_ % patch_size_ != 0) fail("image_size must be divisible by patch_size");
    const int64_t levels = static_cast<int64_t>(channel_multipliers_.size());
    if (internalSize() % (int64_t{1} << (levels - 1)) != 0)
        fail(patch_size_ == 1 ? "image_size must be divisible by 2^(levels-1)"
                              : "image_size / patch_size must be divisible by 2^(levels-1)");
    if (res_blocks_ < 1) fail("res_blocks must be at least 1");
    if (head_channels_ < 1) fail("head_channels must be positive");
    if (dropout_ < 0 || dropout_ >= 1) fail("dropout must be in [0, 1)");
    if (time_embedding_dim_ < 2 || groups_ < 1) fail("time_embedding_dim/groups too small");
    if (student_steps_ < 0 || student_steps_ > 64) fail("student_steps must be in [0, 64]");
    if (input_ != "slice" && input_ != "volume") fail("input must be \"slice\" or \"volume\"");
    if (input_ == "volume" && image_channels_ != 5)
        fail(
            "a volume network reads 5 condition channels (slice, two neighbours, neighbour mask, "
            "its flag)");
}

std::string VelocityUNetOptions::toJson() const {
    auto j = nlohmann::json{{"image_size", image_size_},
                            {"image_channels", image_channels_},
                            {"mask_channels", mask_channels_},
                            {"base_channels", base_channels_},
                            {"channel_multipliers", channel_multipliers_},
                            {"res_blocks", res_blocks_},
                            {"attention_resolutions", attention_resolutions_},
                            {"middle_attention", middle_attention_},
                            {"head_channels", head_channels_},
                            {"dropout", dropout_},
                            {"time_embedding_dim", time_embedding_dim_},
                            {"groups", groups_}};
    // Written only when used, so networks without it keep their exact header.
    if (patch_size_ != 1) j["patch_size"] = patch_size_;
    if (pixel_skip_) j["pixel_skip"] = true;
    if (input_ != "slice") j["input"] = input_;
    if (student_steps_ > 0) j["student_steps"] = student_steps_;
    return j.dump();
}

VelocityUNetOptions VelocityUNetOptions::fromJson(const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        VelocityUNetOptions o;
        o.image_size(j.at("image_size").get<int64_t>())
            .image_channels(j.at("image_channels").get<int64_t>())
            .mask_channels(j.at("mask_channels").get<int64_t>())
            .base_channels(j.at("base_channels").get<int64_t>())
            .channel_multipliers(j.at("channel_multipliers").get<std::vector<int64_t>>())
            .res_blocks(j.at("res_blocks").get<int64_t>())
            .attention_resolutions(j.at("attention_resolutions").get<std::vector<int64_t>>())
            .middle_attention(j.at("middle_attention").get<bool>())
            .head_channels(j.at("head_channels").get<int64_t>())
            .dropout(j.at("dropout").get<double>())
            .time_embedding_dim(j.at("time_embedding_dim").get<int64_t>())
            .groups(j.at("groups").get<int64_t>())
            .patch_size(j.value("patch_size", int64_t{1}))
            .pixel_skip(j.value("pixel_skip", false))
            .input(j.value("input", std::string("slice")))
            .student_steps(j.value("student_steps", int64_t{0}));
        o.validate();
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw InvalidInput(std::string("network options are not valid JSON: ") + e.what());
    }
}

bool VelocityUNetOptions::operator==(const VelocityUNetOptions& other) const {
    return toJson() == other.toJson();
}

}  // namespace flowseg::engine
