#include "functional_groups.h"

namespace flowseg::dicom {

namespace {

template <size_t N>
std::optional<std::array<double, N>> readDoubles(DcmItem* item, const DcmTagKey& tag) {
    if (!item) return std::nullopt;
    std::array<double, N> v{};
    for (size_t i = 0; i < N; ++i)
        if (item->findAndGetFloat64(tag, v[i], static_cast<unsigned long>(i)).bad()) return std::nullopt;
    return v;
}

template <size_t N>
std::optional<std::array<double, N>> fromGroupsOrTop(DcmItem& data, int frame, const DcmTagKey& sequence,
                                                     const DcmTagKey& tag) {
    if (auto v = readDoubles<N>(functionalGroupItem(data, frame, sequence), tag)) return v;
    return readDoubles<N>(&data, tag);
}

}  // namespace

DcmItem* functionalGroupItem(DcmItem& data, int frame, const DcmTagKey& sequence) {
    DcmItem* group = nullptr;
    if (data.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, group, frame).good() && group) {
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
    return fromGroupsOrTop<3>(data, frame, DCM_PlanePositionSequence, DCM_ImagePositionPatient);
}

std::optional<std::array<double, 6>> orientationForFrame(DcmItem& data, int frame) {
    return fromGroupsOrTop<6>(data, frame, DCM_PlaneOrientationSequence, DCM_ImageOrientationPatient);
}

std::optional<std::array<double, 2>> pixelSpacingForFrame(DcmItem& data, int frame) {
    return fromGroupsOrTop<2>(data, frame, DCM_PixelMeasuresSequence, DCM_PixelSpacing);
}

}  // namespace flowseg::dicom
