#include "flowseg/db/records.h"

#include <array>
#include <stdexcept>

#include "flowseg/db/database.h"

namespace flowseg::db {

namespace {

template <typename Enum, size_t N>
Enum parseName(const std::array<const char*, N>& names, const std::string& text, const char* what) {
    for (size_t i = 0; i < N; ++i)
        if (text == names[i]) return static_cast<Enum>(i);
    throw DatabaseError(DatabaseError::Kind::Corrupt,
                        std::string("unknown ") + what + " '" + text + "'");
}

constexpr std::array<const char*, 4> kReviewStates{"not_started", "in_progress", "completed",
                                                   "flagged"};
constexpr std::array<const char*, 4> kReviewNames{"Not started", "In progress", "Completed",
                                                  "Flagged"};
constexpr std::array<const char*, 3> kSources{"manual", "imported", "accepted-sample"};
constexpr std::array<const char*, 5> kJobStates{"queued", "running", "completed", "failed",
                                                "cancelled"};

}  // namespace

std::string toString(ReviewState state) { return kReviewStates[static_cast<size_t>(state)]; }
std::string displayName(ReviewState state) { return kReviewNames[static_cast<size_t>(state)]; }
ReviewState parseReviewState(const std::string& text) {
    return parseName<ReviewState>(kReviewStates, text, "review state");
}
std::string toString(AnnotationSource source) { return kSources[static_cast<size_t>(source)]; }
AnnotationSource parseAnnotationSource(const std::string& text) {
    return parseName<AnnotationSource>(kSources, text, "annotation source");
}
std::string toString(JobState state) { return kJobStates[static_cast<size_t>(state)]; }
JobState parseJobState(const std::string& text) {
    return parseName<JobState>(kJobStates, text, "job state");
}

}  // namespace flowseg::db
