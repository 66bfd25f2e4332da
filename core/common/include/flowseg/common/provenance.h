#pragma once
// Where a checkpoint came from: enough to reproduce it or to question it. Torch-free.

#include <cstdint>
#include <string>

namespace flowseg::common {

struct TrainingProvenance {
    std::string preset;   ///< network preset name, or "custom"
    std::string dataset;  ///< data folder or description
    std::string parent;   ///< sha256 of the checkpoint training started from, if any
    std::string device;   ///< cpu / cuda
    std::string torchVersion;
    std::string createdAt;  ///< ISO 8601 UTC
    std::string command;    ///< the command line that produced it
    std::uint64_t seed = 0;
    std::int64_t iterations = 0;
    std::int64_t batchSize = 0;
    double learningRate = 0;
    double finalLoss = 0;  ///< mean loss over the last logging window
    double wallSeconds = 0;
};

/// Current UTC time as ISO 8601.
std::string utcNow();

/// The provenance as a JSON object (the checkpoint header's "provenance").
std::string provenanceToJson(const TrainingProvenance& provenance);
/// Reads what provenanceToJson wrote; missing keys keep their defaults. Throws
/// std::invalid_argument for text that is not a JSON object.
TrainingProvenance provenanceFromJson(const std::string& json);

}  // namespace flowseg::common
