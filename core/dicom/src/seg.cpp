#include "flowseg/dicom/seg.h"

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/pixel_decoder.h"

namespace flowseg::dicom {

namespace {

void require(const OFCondition& status, const std::string& what) {
    if (status.bad()) throw DicomError(what + ": " + status.text());
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", v);
    return text;
}

std::string sopClassOf(const std::string& file) {
    DcmFileFormat f;
    OFString uid;
    if (f.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 0, ERM_autoDetect).good())
        f.getDataset()->findAndGetOFString(DCM_SOPClassUID, uid);
    return uid.empty() ? UID_CTImageStorage : uid.c_str();
}

using SegmentationPtr = std::unique_ptr<DcmSegmentation>;

// Patient, study and frame of reference come from the source images; geometry
// that all frames share goes in the shared functional groups.
void prepare(DcmSegmentation& seg, const Series& series, const std::string& description) {
    if (series.files.empty())
        throw DicomError("the series was not loaded from DICOM files; it cannot be referenced");
    require(seg.importFromSourceImage(series.files.front().c_str()),
            "reading the source image " + series.files.front());
    seg.getSeries().setSeriesDescription(description.c_str());
    seg.getSeries().setSeriesNumber("9001");
    const auto& g = series.geometry;
    FGPixelMeasures measures;
    measures.setPixelSpacing((number(g.rowSpacing) + "\\" + number(g.columnSpacing)).c_str());
    measures.setSliceThickness(number(g.sliceSpacing).c_str());
    require(seg.addForAllFrames(measures), "pixel measures");
    FGPlaneOrientationPatient orientation;
    orientation.setImageOrientationPatient(
        number(g.rowDirection[0]).c_str(), number(g.rowDirection[1]).c_str(),
        number(g.rowDirection[2]).c_str(), number(g.columnDirection[0]).c_str(),
        number(g.columnDirection[1]).c_str(), number(g.columnDirection[2]).c_str());
    require(seg.addForAllFrames(orientation), "plane orientation");
    auto& dims = seg.getDimensions();
    const char* organization = "1.2.826.0.1.3680043.8.498.1";  // fixed: one organization per object
    require(dims.addDimensionIndex(DCM_ReferencedSegmentNumber, organization,
                                   DCM_SegmentIdentificationSequence, "segment"),
            "dimension index");
    require(dims.addDimensionIndex(DCM_ImagePositionPatient, organization,
                                   DCM_PlanePositionSequence, "position"),
            "dimension index");
    IODReferences references;
    const std::string sopClass = sopClassOf(series.files.front());
    for (const auto& sop : series.sopUids)
        references.add(new IODImageReference(series.patientId.c_str(), series.studyUid.c_str(),
                                             series.seriesUid.c_str(), sop.c_str(),
                                             sopClass.c_str()));
    seg.getCommonInstanceReference().addReferences(references, series.studyUid.c_str());
}

void addFrame(DcmSegmentation& seg, const Series& series, int slice, Uint16 segmentNumber,
              std::vector<Uint8>& pixels) {
    if (slice < 0 || slice >= series.depth)
        throw DicomError("slice " + std::to_string(slice) + " is outside the series (0.." +
                         std::to_string(series.depth - 1) + ")");
    const auto& g = series.geometry;
    const double along =
        series.slicePositions[static_cast<size_t>(slice)] - series.slicePositions.front();
    FGPlanePosPatient position;
    position.setImagePositionPatient(number(g.origin[0] + along * g.normal[0]).c_str(),
                                     number(g.origin[1] + along * g.normal[1]).c_str(),
                                     number(g.origin[2] + along * g.normal[2]).c_str());
    FGFrameContent content;
    content.setDimensionIndexValues(segmentNumber, 0);
    content.setDimensionIndexValues(static_cast<Uint32>(slice + 1), 1);
    FGSegmentation segmentation;
    segmentation.setReferencedSegmentNumber(segmentNumber);
    OFVector<ImageSOPInstanceReferenceMacro> sources(1);
    sources[0].setReferencedSOPClassUID(
        sopClassOf(series.files[static_cast<size_t>(slice)]).c_str());
    sources[0].setReferencedSOPInstanceUID(series.sopUids[static_cast<size_t>(slice)].c_str());
    std::unique_ptr<FGDerivationImage> derivation(
        DcmSegmentation::createDerivationImageFG(sources, "Segmentation of the source slice"));
    if (!derivation) throw DicomError("cannot reference source slice " + std::to_string(slice));
    OFVector<FGBase*> groups{&position, &content, &segmentation, derivation.get()};
    require(seg.addFrame(pixels.data(), segmentNumber, groups), "adding a frame");
}

Uint16 addSegment(DcmSegmentation& seg, const std::string& label, bool fractional) {
    DcmSegment* segment = nullptr;
    const CodeSequenceMacro category("49755003", "SCT", "Morphologically Altered Structure");
    const CodeSequenceMacro type("27925004", "SCT", "Nodule");
    require(DcmSegment::create(segment, label.c_str(), category, type,
                               fractional ? DcmSegTypes::SAT_AUTOMATIC : DcmSegTypes::SAT_MANUAL,
                               fractional ? "FlowSeg flow matching" : ""),
            "creating segment '" + label + "'");
    Uint16 number = 0;
    const OFCondition added = seg.addSegment(segment, number);
    if (added.bad()) {
        delete segment;
        require(added, "adding segment '" + label + "'");
    }
    return number;
}

void save(DcmSegmentation& seg, const std::string& path) {
    require(seg.saveFile(path.c_str(), EXS_LittleEndianExplicit),
            "cannot write DICOM SEG '" + path + "'");
}

}  // namespace

void writeBinarySeg(const std::string& path, const Series& series,
                    const std::vector<BinarySegment>& segments,
                    const std::string& seriesDescription) {
    registerCodecs();
    if (segments.empty()) throw DicomError("a SEG needs at least one segment");
    IODGeneralEquipmentModule::EquipmentInfo equipment("FlowSeg Review", "FlowSeg", "1", "0.1.0");
    ContentIdentificationMacro content("1", "FLOWSEG_MASKS", "Expert and consensus masks",
                                       "FlowSeg");
    DcmSegmentation* raw = nullptr;
    require(DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(series.height),
                                                      static_cast<Uint16>(series.width), equipment,
                                                      content),
            "creating a SEG");
    SegmentationPtr seg(raw);
    prepare(*seg, series, seriesDescription);
    for (const auto& segment : segments) {
        const Uint16 number = addSegment(*seg, segment.label, false);
        for (const auto& [slice, mask] : segment.slices) {
            if (mask.width != series.width || mask.height != series.height)
                throw DicomError("the mask of '" + segment.label + "' on slice " +
                                 std::to_string(slice) + " does not have the series' size");
            std::vector<Uint8> pixels(mask.pixels.begin(), mask.pixels.end());
            addFrame(*seg, series, slice, number, pixels);
        }
    }
    save(*seg, path);
}

void writeFractionalSeg(const std::string& path, const Series& series, const std::string& label,
                        const std::map<int, common::ImageF>& slices,
                        const std::string& seriesDescription) {
    registerCodecs();
    IODGeneralEquipmentModule::EquipmentInfo equipment("FlowSeg Review", "FlowSeg", "1", "0.1.0");
    ContentIdentificationMacro content("1", "FLOWSEG_UNCERT", "Uncertainty of the sampled masks",
                                       "FlowSeg");
    DcmSegmentation* raw = nullptr;
    require(DcmSegmentation::createFractionalSegmentation(
                raw, static_cast<Uint16>(series.height), static_cast<Uint16>(series.width),
                DcmSegTypes::SFT_PROBABILITY, 255, equipment, content),
            "creating a fractional SEG");
    SegmentationPtr seg(raw);
    prepare(*seg, series, seriesDescription);
    const Uint16 number = addSegment(*seg, label, true);
    for (const auto& [slice, image] : slices) {
        if (image.width != series.width || image.height != series.height)
            throw DicomError("the map on slice " + std::to_string(slice) +
                             " does not have the series' size");
        std::vector<Uint8> pixels(image.pixels.size());
        for (size_t i = 0; i < pixels.size(); ++i)
            pixels[i] =
                static_cast<Uint8>(std::lround(std::clamp(image.pixels[i], 0.0F, 1.0F) * 255.0F));
        addFrame(*seg, series, slice, number, pixels);
    }
    save(*seg, path);
}

ReadSeg readSeg(const std::string& path) {
    registerCodecs();
    DcmSegmentation* raw = nullptr;
    const OFCondition loaded = DcmSegmentation::loadFile(path.c_str(), raw);
    SegmentationPtr seg(raw);
    if (loaded.bad() || !seg)
        throw DicomError("cannot read DICOM SEG '" + path + "': " + loaded.text());
    ReadSeg out;
    out.fractional = seg->getSegmentationType() == DcmSegTypes::ST_FRACTIONAL;
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).good()) {
        Uint16 value = 0;
        file.getDataset()->findAndGetUint16(DCM_Rows, value);
        out.rows = value;
        file.getDataset()->findAndGetUint16(DCM_Columns, value);
        out.columns = value;
        DcmItem* referenced = nullptr;
        if (file.getDataset()
                ->findAndGetSequenceItem(DCM_ReferencedSeriesSequence, referenced, 0)
                .good() &&
            referenced) {
            OFString uid;
            referenced->findAndGetOFString(DCM_SeriesInstanceUID, uid);
            out.referencedSeriesUid = uid.c_str();
        }
    }
    if (out.rows <= 0 || out.columns <= 0)
        throw DicomError("cannot read DICOM SEG '" + path + "': no Rows/Columns");
    const size_t segments = seg->getNumberOfSegments();
    for (size_t n = 1; n <= segments; ++n) {
        ReadSegment s;
        s.number = static_cast<int>(n);
        if (auto* segment = seg->getSegment(n)) {
            OFString label;
            segment->getSegmentLabel(label);
            s.label = label.c_str();
        }
        out.segments.push_back(std::move(s));
    }
    const size_t pixelsPerFrame = static_cast<size_t>(out.rows) * static_cast<size_t>(out.columns);
    auto& groups = seg->getFunctionalGroups();
    for (size_t f = 0; f < seg->getNumberOfFrames(); ++f) {
        OFBool perFrame = OFFalse;
        auto* segmentGroup = dynamic_cast<FGSegmentation*>(
            groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_SEGMENTATION, perFrame));
        auto* derivation = dynamic_cast<FGDerivationImage*>(
            groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_DERIVATIONIMAGE, perFrame));
        const DcmIODTypes::Frame* frame = seg->getFrame(f);
        if (!segmentGroup || !derivation || !frame || !frame->pixData)
            throw DicomError("cannot read DICOM SEG '" + path + "': frame " +
                             std::to_string(f + 1) +
                             " lacks its segment or source-image reference");
        Uint16 number = 0;
        segmentGroup->getReferencedSegmentNumber(number);
        if (number < 1 || number > out.segments.size())
            throw DicomError("cannot read DICOM SEG '" + path + "': frame " +
                             std::to_string(f + 1) + " refers to segment " +
                             std::to_string(number) + " which does not exist");
        std::string sop;
        auto& items = derivation->getDerivationImageItems();
        if (!items.empty() && !items.front()->getSourceImageItems().empty()) {
            OFString uid;
            items.front()
                ->getSourceImageItems()
                .front()
                ->getImageSOPInstanceReference()
                .getReferencedSOPInstanceUID(uid);
            sop = uid.c_str();
        }
        auto& target = out.segments[number - 1];
        if (out.fractional) {
            common::ImageF image(out.rows, out.columns);
            for (size_t i = 0; i < pixelsPerFrame && i < frame->length; ++i)
                image.pixels[i] = static_cast<float>(frame->pixData[i]) / 255.0F;
            target.fractions[sop] = std::move(image);
        } else {
            // Binary frames come unpacked from dcmseg when read: one byte per pixel.
            common::Mask mask(out.rows, out.columns);
            if (frame->length >= pixelsPerFrame) {
                for (size_t i = 0; i < pixelsPerFrame; ++i)
                    mask.pixels[i] = frame->pixData[i] ? 1 : 0;
            } else {
                for (size_t i = 0; i < pixelsPerFrame; ++i)
                    mask.pixels[i] = (frame->pixData[i / 8] >> (i % 8)) & 1;
            }
            target.masks[sop] = std::move(mask);
        }
    }
    return out;
}

}  // namespace flowseg::dicom
