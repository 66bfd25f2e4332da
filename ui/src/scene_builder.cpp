#include "flowseg/ui/scene_builder.h"

#include <algorithm>
#include <iterator>

#include "flowseg/review/geometry.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

namespace {

const common::ImageF* mapOf(const engine::UncertaintyMaps& maps, review::Heatmap heatmap) {
    switch (heatmap) {
        case review::Heatmap::Variance:
            return &maps.variance;
        case review::Heatmap::Entropy:
            return &maps.entropy;
        case review::Heatmap::Probability:
            return &maps.probability;
        case review::Heatmap::None:
            break;
    }
    return nullptr;
}

void addResultLayers(render::OverlayScene& scene, const engine::SamplingResult& result,
                     const review::Layers& layers) {
    if (const auto* map = mapOf(result.maps, layers.heatmap))
        scene.heatmap =
            render::renderHeatmap(*map, render::heatmapMaximum(layers.heatmap), layers.opacity);
    if (layers.sampleContours)
        for (const auto& mask : result.masks)
            scene.cropContours.push_back(
                {render::maskContour(mask), QColor(0, 230, 255, 120), 1.0});
    if (layers.majority) {
        const auto& p = result.maps.probability;
        common::Mask majority(p.height, p.width);
        for (size_t i = 0; i < majority.size(); ++i) majority.pixels[i] = p.pixels[i] >= 0.5F;
        scene.cropContours.push_back({render::maskContour(majority), QColor(255, 220, 0), 2.0});
    }
    if (layers.selectedSample >= 0 && layers.selectedSample < static_cast<int>(result.masks.size()))
        scene.cropContours.push_back(
            {render::maskContour(result.masks[static_cast<size_t>(layers.selectedSample)]),
             QColor(60, 255, 90), 2.5});
}

void addExpertLayers(render::OverlayScene& scene, const review::ReviewSession& session, int slice) {
    // Colours follow the expert's place among all of the lesion's experts, so they
    // do not change when another one is hidden.
    const auto all = session.outlines().layers();
    for (const auto* layer : session.shownLayers()) {
        const auto it = layer->slices.find(slice);
        if (it == layer->slices.end() || it->second.area() == 0) continue;
        const auto index =
            static_cast<size_t>(std::find(all.begin(), all.end(), layer) - all.begin());
        const bool own = layer->expert.name == session.expert().name;
        scene.sliceContours.push_back(
            {render::maskContour(it->second), render::expertColour(index), own ? 2.5 : 1.5});
    }
}

void addConsensusLayers(render::OverlayScene& scene, const review::Layers& layers,
                        const review::LesionAgreement& agreement, int slice) {
    if (layers.majorityConsensus)
        if (const auto it = agreement.majority.find(slice); it != agreement.majority.end())
            scene.sliceContours.push_back(
                {render::maskContour(it->second), QColor(255, 255, 255), 2.0});
    if (layers.stapleConsensus)
        if (const auto it = agreement.staple.find(slice); it != agreement.staple.end())
            scene.sliceContours.push_back(
                {render::maskContour(it->second), QColor(120, 255, 255), 2.0});
}

void addCalipers(render::OverlayScene& scene, const review::ReviewSession& session, int slice) {
    const auto* own = session.ownOutline(slice);
    if (!own || own->area() == 0 || !session.series()) return;
    const auto m = review::measureOutline(*own, review::spacingOf(*session.series()));
    const QString unit = session.series()->geometry.hasSpacing ? QStringLiteral("mm")
                                                               : QStringLiteral("mm (nominal)");
    for (const auto& c : {m.longest, m.perpendicular})
        scene.calipers.push_back({QLineF(c.x0, c.y0, c.x1, c.y1),
                                  QStringLiteral("%1 %2").arg(c.mm, 0, 'f', 1).arg(unit),
                                  QColor(255, 255, 160)});
}

}  // namespace

render::OverlayScene buildScene(const review::ReviewSession& session, int slice,
                                const common::ImageF& livePreview, const TrajectoryPlayer& player,
                                const review::LesionAgreement& agreement) {
    render::OverlayScene scene;
    const auto& box = session.box();
    if (!box.empty() && box.slice == slice)
        scene.roi = QRectF(box.box.x, box.box.y, box.box.width, box.box.height);
    const auto* landed = session.result();
    const auto& layers = session.layers();
    // The samples on this slice: a nodule's on each slice it spans (sample k of one
    // chain on every slice), a key-slice run's on its slice (also when its slices
    // are not known, as for a result without them).
    const review::SliceSamples* here = landed ? landed->onSlice(slice) : nullptr;
    if (landed && (here || landed->crop.slice == slice)) {
        const auto& crop = here ? here->crop : landed->crop;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        if (player.isShownOnSlice() && slice == landed->crop.slice)
            scene.trajectory = render::renderHeatmap(player.currentState(), 1.0F, layers.opacity);
        else
            addResultLayers(scene, here ? here->result : landed->result, layers);
    } else if (const auto* running = session.runningCrop();
               running && !livePreview.empty() && running->slice == slice) {
        // While a run goes on: the mean ODE state, masks forming from noise.
        scene.cropRect = QRectF(running->originX, running->originY, running->span, running->span);
        scene.cropPixels = running->image.width;
        scene.trajectory = render::renderHeatmap(livePreview, 1.0F, layers.opacity);
    }
    if (layers.experts) addExpertLayers(scene, session, slice);
    if (session.seesOthers()) addConsensusLayers(scene, layers, agreement, slice);
    if (layers.calipers) addCalipers(scene, session, slice);
    return scene;
}

}  // namespace flowseg::ui
