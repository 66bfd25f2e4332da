#pragma once
// LIDC-IDRI reader annotations (the XML that comes with each LIDC series):
// readingSession -> unblindedReadNodule -> roi -> edgeMap, matched to slices by
// imageSOP_UID, turned into one mask per reader, nodule and slice.

#include <map>
#include <string>
#include <vector>

#include "flowseg/common/types.h"

namespace flowseg::dicom {

struct LidcRoi {
    std::string sopUid;
    double z = 0;
    bool inclusion = true;
    std::vector<std::pair<int, int>> edge;  ///< (x, y) pixel coordinates of the outline
};

struct LidcNodule {
    std::string id;
    std::vector<LidcRoi> rois;
};

struct LidcReading {
    std::string readerId;  ///< servicingRadiologistID, or "reader <k>" when absent
    std::vector<LidcNodule> nodules;
};

struct LidcDocument {
    std::string studyUid;
    std::string seriesUid;
    std::vector<LidcReading> readings;
};

/// Parses an LIDC XML file. Throws DicomError with the file name on malformed XML.
LidcDocument parseLidcXml(const std::string& path);
LidcDocument parseLidcXmlText(const std::string& xml, const std::string& source = "LIDC XML");

/// Masks of one nodule of one reader: SOP Instance UID -> mask (width x height).
/// Each inclusion ROI's outline is filled with its boundary; exclusion ROIs are
/// holes cut out of it (LIDC Toolbox / pylidc convention).
std::map<std::string, common::Mask> noduleMasks(const LidcNodule& nodule, int width, int height);

}  // namespace flowseg::dicom
