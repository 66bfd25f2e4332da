#include "flowseg/common/provenance.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include <chrono>
#include <ctime>

namespace flowseg::common {

std::string utcNow() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

std::string provenanceToJson(const TrainingProvenance& p) {
    return nlohmann::json{{"preset", p.preset},
                          {"dataset", p.dataset},
                          {"parent", p.parent},
                          {"device", p.device},
                          {"torch_version", p.torchVersion},
                          {"created_at", p.createdAt},
                          {"command", p.command},
                          {"seed", p.seed},
                          {"iterations", p.iterations},
                          {"batch_size", p.batchSize},
                          {"learning_rate", p.learningRate},
                          {"final_loss", p.finalLoss},
                          {"wall_seconds", p.wallSeconds}}
        .dump();
}

TrainingProvenance provenanceFromJson(const std::string& json) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object()) throw std::invalid_argument("training provenance is not a JSON object");
    TrainingProvenance p;
    p.preset = j.value("preset", "");
    p.dataset = j.value("dataset", "");
    p.parent = j.value("parent", "");
    p.device = j.value("device", "");
    p.torchVersion = j.value("torch_version", "");
    p.createdAt = j.value("created_at", "");
    p.command = j.value("command", "");
    p.seed = j.value("seed", std::uint64_t{0});
    p.iterations = j.value("iterations", std::int64_t{0});
    p.batchSize = j.value("batch_size", std::int64_t{0});
    p.learningRate = j.value("learning_rate", 0.0);
    p.finalLoss = j.value("final_loss", 0.0);
    p.wallSeconds = j.value("wall_seconds", 0.0);
    return p;
}

}  // namespace flowseg::common
