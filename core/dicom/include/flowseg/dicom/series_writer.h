#pragma once
// Writes a CT volume as a DICOM series (one file per slice, Explicit VR Little
// Endian, int16 stored values with RescaleIntercept), e.g. the built-in demo study.

#include <string>
#include <vector>

#include "flowseg/dicom/series.h"

namespace flowseg::dicom {

struct SeriesToWrite {
    std::string patientId = "FLOWSEG-DEMO";
    std::string patientName = "Demo^Lung";
    std::string studyUid;   ///< generated when empty
    std::string seriesUid;  ///< generated when empty
    std::string studyDescription = "FlowSeg demo chest CT";
    std::string seriesDescription = "synthetic lung, ambiguous nodules";
    std::string studyDate = "20261127";
    int width = 0, height = 0, depth = 0;
    std::vector<float> hu;     ///< depth x height x width
    Geometry geometry;         ///< origin, directions, spacings
    double intercept = -1024;  ///< stored = round(HU - intercept)
    /// File name of slice k; default "slice_%03d.dcm".
    std::string fileNamePattern = "slice_%03d.dcm";
    /// Instance number of slice k (default k + 1); tests shuffle it.
    std::vector<int> instanceNumbers;
    /// SOP Instance UID of slice k (generated when empty), e.g. a real study's.
    std::vector<std::string> sopUids;
    /// False: no PixelSpacing is written (the source did not give it), and a
    /// reader of the series knows its millimetres are nominal. The files are
    /// then Secondary Capture images (modality CT), since a CT Image object
    /// must state its pixel spacing.
    bool writePixelSpacing = true;
    /// Deflated Explicit VR Little Endian instead of plain: files a third the size.
    bool deflate = false;
    std::string imageType = "ORIGINAL\\PRIMARY\\AXIAL";  ///< LOCALIZER for a scout
    int seriesNumber = 1;
    /// The Frame of Reference UID (generated when empty): series of one
    /// acquisition share it.
    std::string frameOfReferenceUid;
};

/// Returns the written paths, in slice order. Throws DicomError on failure.
std::vector<std::string> writeSeries(const std::string& folder, const SeriesToWrite& series);

/// The built-in demo: a small synthetic chest CT (256 x 256 x 40, 0.7 x 0.7 x 1.25 mm)
/// with three nodules of different ambiguity (solid, part-solid, ground glass).
SeriesToWrite demoChestCt(unsigned seed = 1);

/// Where the demo study's nodules sit (voxel indices), so that the review window's
/// demo can mark one and tests can check what it finds.
struct DemoNodule {
    int x = 0, y = 0, slice = 0;
    double radius = 0;    ///< voxels in the slice plane
    double softness = 0;  ///< edge width of the sigmoid, voxels
    double hu = 0;        ///< core density
    std::string kind;     ///< "solid", "part-solid", "ground glass"
};
std::vector<DemoNodule> demoNodules();

/// The demo's synthetic chest resampled to width x height x depth: the same
/// anatomy over the field of view and the z range, with the given (nominal)
/// spacings, its noise drawn per slice from `seed` (slices are drawn in parallel).
SeriesToWrite syntheticChestCt(int width, int height, int depth, double pixelMm, double sliceMm,
                               unsigned seed);

/// A full-size CT study of three series, as a scanner sends one, for the
/// loading benchmark: `folder`/thin (512 x 512 x 500, 0.7 mm pixels, 0.625 mm
/// slices), `folder`/thick (the same averaged to 5 mm: 62 slices) and
/// `folder`/scout (one coronal projection, ImageType LOCALIZER). One study, one
/// frame of reference. Returns the files written.
std::vector<std::string> writeFullSizeStudy(const std::string& folder, unsigned seed = 1);

}  // namespace flowseg::dicom
