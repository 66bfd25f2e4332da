#include "flowseg/ui/scene_builder.h"

#include <iterator>

#include <spdlog/spdlog.h>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

float heatmapMaximum(review::Heatmap heatmap) {
    return heatmap == review::Heatmap::Variance ? 0.25F : 1.0F;  // entropy in bits, p: both up to 1
}

namespace {

const engine::ImageF* mapOf(const engine::UncertaintyMaps& maps, review::Heatmap heatmap) {
    switch (heatmap) {
    case review::Heatmap::Variance: return &maps.variance;
    case review::Heatmap::Entropy: return &maps.entropy;
    case review::Heatmap::Probability: return &maps.probability;
    case review::Heatmap::None: break;
    }
    return nullptr;
}

void addResultLayers(OverlayScene& scene, const review::LesionResult& landed, const review::Layers& layers) {
    const auto& result = landed.result;
    if (const auto* map = mapOf(result.maps, layers.heatmap))
        scene.heatmap = renderHeatmap(*map, heatmapMaximum(layers.heatmap), layers.opacity);
    if (layers.sampleContours)
        for (const auto& mask : result.masks) scene.cropContours.push_back({maskContour(mask), QColor(0, 230, 255, 120), 1.0});
    if (layers.majority) {
        const auto& p = result.maps.probability;
        engine::Mask majority(p.height, p.width);
        for (size_t i = 0; i < majority.size(); ++i) majority.pixels[i] = p.pixels[i] >= 0.5F;
        scene.cropContours.push_back({maskContour(majority), QColor(255, 220, 0), 2.0});
    }
    if (layers.selectedSample >= 0 && layers.selectedSample < static_cast<int>(result.masks.size()))
        scene.cropContours.push_back(
            {maskContour(result.masks[static_cast<size_t>(layers.selectedSample)]), QColor(60, 255, 90), 2.5});
}

void addExpertLayers(OverlayScene& scene, const review::ReviewSession& session, int slice) {
    static const QColor palette[] = {QColor(255, 90, 90), QColor(255, 150, 40), QColor(200, 100, 255),
                                     QColor(255, 120, 200)};
    try {
        size_t index = 0;
        for (const auto& a : db::AnnotationRepository(*session.reader()).latestForLesion(session.lesionId())) {
            if (a.slice != slice) continue;
            scene.sliceContours.push_back({maskContour(a.mask), palette[index++ % std::size(palette)], 1.5});
        }
    } catch (const std::exception& e) {
        logger("store")->warn("cannot read the lesion's annotations: {}", e.what());
    }
}

}  // namespace

OverlayScene buildScene(const review::ReviewSession& session, int slice, const engine::ImageF& livePreview,
                        const TrajectoryPlayer& player) {
    OverlayScene scene;
    const auto& box = session.box();
    if (!box.empty() && box.slice == slice)
        scene.roi = QRectF(box.box.x, box.box.y, box.box.width, box.box.height);
    const auto* landed = session.result();
    const auto& layers = session.layers();
    if (landed && landed->crop.slice == slice) {
        const auto& crop = landed->crop;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        if (player.isShownOnSlice()) scene.trajectory = renderHeatmap(player.currentState(), 1.0F, layers.opacity);
        else addResultLayers(scene, *landed, layers);
    } else if (const auto* running = session.runningCrop();
               running && !livePreview.empty() && running->slice == slice) {
        // While a run goes on: the mean ODE state, masks forming from noise.
        scene.cropRect = QRectF(running->originX, running->originY, running->span, running->span);
        scene.cropPixels = running->image.width;
        scene.trajectory = renderHeatmap(livePreview, 1.0F, layers.opacity);
    }
    if (session.reader() && session.lesionId() != 0 && layers.experts) addExpertLayers(scene, session, slice);
    return scene;
}

}  // namespace flowseg::ui
