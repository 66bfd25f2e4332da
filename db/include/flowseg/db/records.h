#pragma once
// Plain rows of the annotation store (no SQL, no Qt).

#include <cstdint>
#include <optional>
#include <string>

#include "flowseg/common/types.h"

namespace flowseg::db {

using RowId = std::int64_t;

/// Review states as in 3D Slicer's segment review.
enum class ReviewState { NotStarted, InProgress, Completed, Flagged };
std::string toString(ReviewState state);  ///< "not_started", ...
ReviewState parseReviewState(const std::string& text);
std::string displayName(ReviewState state);  ///< "Not started", ...

struct StudyRecord {
    RowId id = 0;
    std::string studyUid;
    std::string patientId;
    std::string patientName;
    std::string studyDate;
    std::string description;
};

struct SeriesRecord {
    RowId id = 0;
    RowId studyId = 0;
    std::string seriesUid;
    std::string modality;
    std::string description;
    std::string sourcePath;
};

struct ImageRefRecord {
    RowId id = 0;
    RowId seriesId = 0;
    std::string sopUid;
    std::optional<std::int64_t> instanceNumber;
    std::optional<double> slicePosition;
    std::string filePath;
};

struct BoundingBox {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

struct LesionRecord {
    RowId id = 0;
    RowId seriesId = 0;
    std::string label;
    int firstSlice = 0;
    int lastSlice = 0;
    BoundingBox box;
    ReviewState state = ReviewState::NotStarted;
    std::string createdAt;
    std::string updatedAt;
};

struct ExpertRecord {
    RowId id = 0;
    std::string name;
    std::string role = "radiologist";
};

/// Where an annotation version came from.
enum class AnnotationSource { Manual, Imported, AcceptedSample };
std::string toString(AnnotationSource source);
AnnotationSource parseAnnotationSource(const std::string& text);

struct AnnotationVersionRecord {
    RowId id = 0;
    RowId annotationId = 0;
    RowId lesionId = 0;
    RowId expertId = 0;
    int slice = 0;
    int version = 0;
    common::Mask mask;
    std::string maskSha256;
    long area = 0;
    AnnotationSource source = AnnotationSource::Manual;
    std::string note;
    std::string createdAt;
};

struct ModelRecord {
    RowId id = 0;
    std::string path;
    std::string sha256;
    std::string preset;
    std::optional<RowId> parentId;
    std::optional<RowId> trainingJobId;
    std::string metricsJson = "{}";
    std::string createdAt;
    bool active = false;  ///< the one the review window samples with
    std::string label;    ///< e.g. "fine-tune 3 of shipped"
};

enum class JobState { Queued, Running, Completed, Failed, Cancelled };
std::string toString(JobState state);
JobState parseJobState(const std::string& text);

struct TrainingJobRecord {
    RowId id = 0;
    JobState state = JobState::Queued;
    double progress = 0;
    std::optional<RowId> baseModelId;
    std::string parametersJson = "{}";
    std::string metricsJson = "{}";
    std::string log;
    std::string createdAt;
    std::optional<std::string> finishedAt;
};

struct SamplingRunRecord {
    RowId id = 0;
    RowId lesionId = 0;
    RowId modelId = 0;
    int slice = 0;
    std::string solver;
    int steps = 0;
    double guidance = 0;
    int samples = 0;
    std::int64_t seed = 0;
    double durationSeconds = 0;
    std::string device;
    std::string createdAt;
    /// A nodule run whose sample k is one chain through its slices (a volume
    /// model); false for one slice or slices sampled each on its own.
    bool coherent = false;
    /// Its chains ended where they first marked nothing (SamplingOptions::chainsEnd).
    bool chainsEnd = false;
};

struct ReportRecord {
    RowId id = 0;
    RowId lesionId = 0;
    std::string filePath;
    std::string sha256;
    std::optional<RowId> createdBy;
    std::string createdAt;
};

}  // namespace flowseg::db
