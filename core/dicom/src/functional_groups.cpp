#include "functional_groups.h"

namespace flowseg::dicom {

namespace {

template <size_t N>
std::optional<std::array<double, N>> readDoubles(DcmItem* item, const DcmTagKey& tag) {
    if (!item) return std::nullopt;
    std::array<double, N> v{};
    for (size_t i = 0; i < N; ++i)
        if (item->findAndGetFloat64(tag, v[i], static_cast<unsigned long>(i)).bad())
            return std::nullopt;
    return v;
}

template <size_t N>
std::optional<std::array<double, N>> fromGroupsOrTop(DcmItem& data, int frame,
                                                     const DcmTagKey& sequence,
                                                     const DcmTagKey& tag) {
    if (auto v = readDoubles<N>(functionalGroupItem(data, frame, sequence), tag)) return v;
    return readDoubles<N>(&data, tag);
}

}  // namespace

DcmItem* functionalGroupItem(DcmItem& data, int frame, const DcmTagKey& sequence) {
    DcmItem* group = nullptr;
    if (data.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, group, frame).good() &&
        group) {
        DcmItem* macro = nullptr;
        if (group->findAndGetSequenceItem(sequence, macro, 0).good() && macro) return macro;
    }
    if (data.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, group, 0).good() && group) {
        DcmItem* macro = nullptr;
        if (group->findAndGetSequenceItem(sequence, macro, 0).good() && macro) return macro;
    }
    return nullptr;
}

Rescale rescaleForFrame(DcmItem& data, int frame) {
    Rescale r;
    DcmItem* source = functionalGroupItem(data, frame, DCM_PixelValueTransformationSequence);
    if (!source) source = &data;
    Float64 value = 0;
    if (source->findAndGetFloat64(DCM_RescaleSlope, value).good() && value != 0.0) r.slope = value;
    if (source->findAndGetFloat64(DCM_RescaleIntercept, value).good()) r.intercept = value;
    return r;
}

std::optional<std::array<double, 3>> positionForFrame(DcmItem& data, int frame) {
    if (auto v = readDoubles<3>(functionalGroupItem(data, frame, DCM_PlanePositionSequence),
                                DCM_ImagePositionPatient))
        return v;
    auto position = readDoubles<3>(&data, DCM_ImagePositionPatient);
    const auto orientation = readDoubles<6>(&data, DCM_ImageOrientationPatient);
    if (!position || !orientation || frame == 0) return position;
    // Classic multi-frame: frames step along the normal by GridFrameOffsetVector
    // (RT dose, NM) or by SpacingBetweenSlices.
    double offset = 0;
    Float64 value = 0;
    if (data.findAndGetFloat64(DCM_GridFrameOffsetVector, value, static_cast<unsigned long>(frame))
            .good()) {
        Float64 first = 0;
        data.findAndGetFloat64(DCM_GridFrameOffsetVector, first, 0);
        offset = value - first;
    } else if (data.findAndGetFloat64(DCM_SpacingBetweenSlices, value).good()) {
        offset = value * frame;
    } else {
        return position;
    }
    const auto& o = *orientation;
    const std::array<double, 3> normal{o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                                       o[0] * o[4] - o[1] * o[3]};
    for (int i = 0; i < 3; ++i)
        (*position)[static_cast<size_t>(i)] += offset * normal[static_cast<size_t>(i)];
    return position;
}

std::optional<std::array<double, 6>> orientationForFrame(DcmItem& data, int frame) {
    return fromGroupsOrTop<6>(data, frame, DCM_PlaneOrientationSequence,
                              DCM_ImageOrientationPatient);
}

std::optional<std::array<double, 2>> pixelSpacingForFrame(DcmItem& data, int frame) {
    return fromGroupsOrTop<2>(data, frame, DCM_PixelMeasuresSequence, DCM_PixelSpacing);
}

}  // namespace flowseg::dicom
