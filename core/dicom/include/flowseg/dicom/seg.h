#pragma once
// DICOM Segmentation objects (via DCMTK's dcmseg): a lesion's expert and consensus
// masks as a BINARY SEG, its uncertainty map as a FRACTIONAL SEG, both referencing
// the source series slice by slice, and reading such objects back.

#include <map>
#include <string>
#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/dicom/series.h"

namespace flowseg::dicom {

/// One segment: a label and its masks on some slices of the source series.
struct BinarySegment {
    std::string label;                   ///< e.g. "Reader 1", "Consensus"
    std::map<int, common::Mask> slices;  ///< slice index in the series -> full-slice mask
};

/// Writes a binary SEG with one segment per entry. `series` must have been loaded
/// from files (its SOP UIDs and first file are referenced). Throws DicomError.
void writeBinarySeg(const std::string& path, const Series& series,
                    const std::vector<BinarySegment>& segments,
                    const std::string& seriesDescription = "FlowSeg expert masks");

/// Writes a fractional (PROBABILITY) SEG of values in [0, 1] per slice, stored
/// with 255 as 100 %.
void writeFractionalSeg(const std::string& path, const Series& series, const std::string& label,
                        const std::map<int, common::ImageF>& slices,
                        const std::string& seriesDescription = "FlowSeg uncertainty");

struct ReadSegment {
    int number = 0;
    std::string label;
    /// Referenced source SOP Instance UID -> mask (binary SEG) ...
    std::map<std::string, common::Mask> masks;
    /// ... or -> fraction in [0, 1] (fractional SEG).
    std::map<std::string, common::ImageF> fractions;
};

struct ReadSeg {
    bool fractional = false;
    int rows = 0, columns = 0;
    std::string referencedSeriesUid;
    std::vector<ReadSegment> segments;
};

/// Reads a SEG written by us or by other tools. Throws DicomError.
ReadSeg readSeg(const std::string& path);

}  // namespace flowseg::dicom
