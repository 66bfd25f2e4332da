#include "flowseg/engine/volume_sampler.h"

#include <algorithm>
#include <chrono>

#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_input.h"
#include "flowseg/engine/uncertainty.h"
#include "flowseg/engine/volume.h"
#include "seed_mix.h"

namespace flowseg::engine {

std::uint64_t volumeSliceSeed(std::uint64_t seed, int offset) {
    if (offset == 0) return seed;
    return splitmix64(seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(offset + 1000));
}

std::vector<Mask> VolumeSamplingResult::chain(int k) const {
    std::vector<Mask> masks;
    for (const auto& slice : slices) masks.push_back(slice.masks.at(static_cast<size_t>(k)));
    return masks;
}

std::vector<std::vector<Mask>> VolumeSamplingResult::chains() const {
    std::vector<std::vector<Mask>> all;
    const size_t m = slices.empty() ? 0 : slices.front().masks.size();
    for (size_t k = 0; k < m; ++k) all.push_back(chain(static_cast<int>(k)));
    return all;
}

namespace {

/// Keeps the pieces (4-connected) of `mask` that touch `prior` grown by `reach`
/// pixels; true when it removed any.
bool keepConnected(Mask& mask, const Mask& prior, int reach) {
    const int h = mask.height;
    const int w = mask.width;
    std::vector<std::uint8_t> near(mask.pixels.size(), 0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            if (!prior.at(y, x)) continue;
            for (int dy = -reach; dy <= reach; ++dy)
                for (int dx = -reach; dx <= reach; ++dx) {
                    const int yy = y + dy;
                    const int xx = x + dx;
                    if (yy >= 0 && xx >= 0 && yy < h && xx < w)
                        near[static_cast<size_t>(yy) * w + xx] = 1;
                }
        }
    std::vector<int> label(mask.pixels.size(), -1);
    std::vector<int> stack;
    bool removed = false;
    for (size_t start = 0; start < mask.pixels.size(); ++start) {
        if (!mask.pixels[start] || label[start] >= 0) continue;
        std::vector<int> piece;
        bool touches = false;
        stack.assign(1, static_cast<int>(start));
        label[start] = 1;
        while (!stack.empty()) {
            const int i = stack.back();
            stack.pop_back();
            piece.push_back(i);
            touches = touches || near[static_cast<size_t>(i)];
            const int y = i / w;
            const int x = i % w;
            const int next[4][2] = {{y - 1, x}, {y + 1, x}, {y, x - 1}, {y, x + 1}};
            for (const auto& n : next) {
                if (n[0] < 0 || n[1] < 0 || n[0] >= h || n[1] >= w) continue;
                const auto j = static_cast<size_t>(n[0]) * w + n[1];
                if (mask.pixels[j] && label[j] < 0) {
                    label[j] = 1;
                    stack.push_back(static_cast<int>(j));
                }
            }
        }
        if (!touches) {
            for (const int i : piece) mask.pixels[static_cast<size_t>(i)] = 0;
            removed = true;
        }
    }
    return removed;
}

}  // namespace

void applyVolumeEndRules(SamplingResult& out, const std::vector<Mask>& prior,
                         const SamplingOptions& options) {
    if (!options.chainsEnd && options.minSliceArea <= 0 && options.connectReach < 0) return;
    bool changed = false;
    for (size_t k = 0; k < out.masks.size() && k < prior.size(); ++k) {
        auto& mask = out.masks[k];
        const long area = mask.area();
        if (area == 0) continue;
        if ((options.chainsEnd && prior[k].area() == 0) || area < options.minSliceArea) {
            std::fill(mask.pixels.begin(), mask.pixels.end(), 0);
            changed = true;
            continue;
        }
        if (options.connectReach >= 0 && prior[k].area() > 0 && prior[k].width == mask.width &&
            prior[k].height == mask.height)
            changed = keepConnected(mask, prior[k], options.connectReach) || changed;
    }
    if (changed) out.maps = uncertaintyMaps(out.masks);
}

VolumeSampler::VolumeSampler(std::shared_ptr<const Model> model)
    : m_model(model), m_sampler(std::move(model)) {}

VolumeSamplingResult VolumeSampler::sample(const std::vector<ImageF>& crops, int keySlice,
                                           const SamplingOptions& options,
                                           const SamplingCallbacks& callbacks,
                                           const VolumeGrowth& growth) const {
    int n = static_cast<int>(crops.size());
    if (n == 0) throw InvalidInput("a nodule needs at least one slice to sample");
    if (keySlice < 0 || keySlice >= n)
        throw InvalidInput("the key slice " + std::to_string(keySlice) +
                           " is not one of the nodule's " + std::to_string(n) + " slices");
    const auto start = std::chrono::steady_clock::now();
    std::vector<ImageF> normalized;
    for (const auto& crop : crops) normalized.push_back(normalizeCrop(crop));

    VolumeSamplingResult result;
    result.keySlice = keySlice;
    result.coherent = m_model->options().isVolume();
    result.slices.resize(static_cast<size_t>(n));
    const int stepsPerSlice = options.solver == Solver::DormandPrince ? 0 : options.steps;
    int done = 0;
    // Whether the stack grows past its end on `side`: a sample marks the end slice,
    // the limit allows it, and the series has a slice there.
    const auto grow = [&](int side) {
        if (!growth.next || n >= growth.maxSlices) return false;
        const auto& end = result.slices[static_cast<size_t>(side > 0 ? n - 1 : 0)];
        bool marked = false;
        for (const auto& mask : end.masks) marked = marked || mask.area() > 0;
        if (!marked) return false;
        auto crop = growth.next(side);
        if (!crop) return false;
        auto input = normalizeCrop(*crop);
        if (input.width != normalized.front().width || input.height != normalized.front().height)
            throw InvalidInput("a grown slice's crop differs in size from the nodule's");
        if (side > 0) {
            normalized.push_back(std::move(input));
            result.slices.emplace_back();
            ++result.addedAbove;
        } else {
            normalized.insert(normalized.begin(), std::move(input));
            result.slices.insert(result.slices.begin(), SamplingResult{});
            ++result.addedBelow;
            ++keySlice;
        }
        ++n;
        return true;
    };
    const auto sampleSlice = [&](int index, int behind) {
        SamplingOptions o = options;
        o.seed = volumeSliceSeed(options.seed, index - keySlice);
        SamplingCallbacks c;
        c.cancelled = callbacks.cancelled;
        if (callbacks.progress)
            c.progress = [&](const SamplingProgress& p) {
                callbacks.progress({done * stepsPerSlice + p.step, n * stepsPerSlice, p.t});
            };
        if (index == keySlice)
            c.trajectory = callbacks.trajectory;
        else
            o.trajectoryEvery = 0;
        auto& out = result.slices[static_cast<size_t>(index)];
        if (!result.coherent) {
            out = m_sampler.sampleConditioned({{normalized[static_cast<size_t>(index)]}}, o, c);
        } else if (behind < 0) {
            out = m_sampler.sampleConditioned({volumeCondition(normalized, index, -1, nullptr)}, o,
                                              c);
        } else {
            const auto& prior = result.slices[static_cast<size_t>(behind)].masks;
            std::vector<std::vector<ImageF>> conditions;
            for (const auto& mask : prior)
                conditions.push_back(volumeCondition(normalized, index, behind, &mask));
            out = m_sampler.sampleConditioned(conditions, o, c);
            applyVolumeEndRules(out, prior, options);
        }
        result.networkPasses += out.networkPasses;
        ++done;
    };
    sampleSlice(keySlice, -1);
    for (int j = keySlice + 1;; ++j) {
        if (j >= n && !grow(+1)) break;
        sampleSlice(j, j - 1);
    }
    for (int j = keySlice - 1;; --j) {
        if (j < 0) {
            if (!grow(-1)) break;
            j = 0;  // the grown slice; the others moved up by one
        }
        sampleSlice(j, j + 1);
    }
    result.keySlice = keySlice;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace flowseg::engine
