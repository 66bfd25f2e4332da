#pragma once
// The lesion boxes under review in this session, stored or not yet, and which
// one is current. Each keeps its last sampling result of this session, so a box
// selected again comes back with its samples. Plain data and rules; the session
// decides when a box is added, made current or stored.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/db/records.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/nodule_sampling.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

/// The lesion box as drawn on a slice (slice pixel coordinates).
struct LesionBox {
    db::BoundingBox box;
    int slice = -1;
    [[nodiscard]] bool empty() const { return box.width <= 0 || box.height <= 0 || slice < 0; }
    bool operator==(const LesionBox& other) const {
        return slice == other.slice && box.x == other.box.x && box.y == other.box.y &&
               box.width == other.box.width && box.height == other.box.height;
    }
};

/// A finished sampling run of one lesion box.
struct LesionResult {
    LesionBox box;
    LesionCrop crop;
    engine::SamplingResult result;
    engine::SamplingOptions options;
    std::vector<engine::TrajectoryFrame> trajectory;
    /// The model the samples came from (a version swapped in during the run
    /// applies from the next run on), and its name as the store knows it.
    std::shared_ptr<const engine::Model> model;
    std::string modelLabel;
    /// Every slice's samples, the lowest slice first (the key slice's are `crop`
    /// and `result` too): the session fills it for every run, one slice for a
    /// key-slice run; empty for a run read back from the store.
    std::vector<SliceSamples> slices;
    bool coherent = false;  ///< sample k is one chain through `slices`

    /// The samples on `slice`, or null on a slice they do not reach.
    [[nodiscard]] const SliceSamples* onSlice(int slice) const;
    /// Every slice's samples (the key slice alone for a key-slice run).
    [[nodiscard]] std::vector<SliceSamples> allSlices() const;
};

/// One lesion box under review.
struct Draft {
    LesionBox box;
    db::RowId storeId = 0;  ///< 0 until stored
    /// Filled on the store's writer thread by the job that stores the lesion; read
    /// only there by the jobs queued after it (same thread, in order).
    std::shared_ptr<db::RowId> storeCell;
    std::optional<LesionResult> result;
    /// Stored, or its storing is queued.
    [[nodiscard]] bool stored() const { return storeId != 0 || storeCell != nullptr; }
};

class LesionDrafts {
public:
    using Key = std::uint64_t;  ///< 0 = none

    /// A new box (not current yet).
    Key add(const LesionBox& box, db::RowId storeId = 0);
    /// The box of stored lesion `storeId`, or 0.
    [[nodiscard]] Key findStored(db::RowId storeId) const;
    [[nodiscard]] bool contains(Key key) const { return m_drafts.count(key) != 0; }
    [[nodiscard]] Draft* find(Key key);
    [[nodiscard]] const Draft* find(Key key) const;

    [[nodiscard]] Key currentKey() const { return m_current; }
    /// Makes `key` current (0 or an unknown key: none). Returns whether it moved.
    bool setCurrent(Key key);
    [[nodiscard]] Draft* current() { return find(m_current); }
    [[nodiscard]] const Draft* current() const { return find(m_current); }
    /// The current box (empty when none), its store id (0), its result (null).
    [[nodiscard]] const LesionBox& box() const;
    [[nodiscard]] db::RowId lesionId() const;
    [[nodiscard]] const LesionResult* result() const;

    /// Ids of another store mean nothing in this one.
    void forgetStoreIds();
    /// A new series: no boxes, none current.
    void clear();

private:
    std::map<Key, Draft> m_drafts;
    Key m_current = 0;
    Key m_next = 1;
};

}  // namespace flowseg::review
