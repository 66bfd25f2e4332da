#pragma once
// Every expert's outlines of one lesion (the newest version of each slice), each
// expert's own review state, and which of them an expert may see: in blind
// review only their own until they mark the lesion completed; in open review
// every expert's, each with a visibility toggle. Plain C++.

#include <map>
#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/db/records.h"

namespace flowseg::db {
class Database;
}

namespace flowseg::review {

enum class ReviewMode { Blind, Open };

struct ExpertLayer {
    db::ExpertRecord expert;
    db::ReviewState state = db::ReviewState::NotStarted;  ///< this expert's own state of the lesion
    std::map<int, common::Mask> slices;                   ///< slice -> the newest outline
    bool visible = true;                                  ///< the open-review toggle
    [[nodiscard]] bool empty() const;                     ///< no outline with a pixel in it
};

class ExpertOutlines {
public:
    /// Reads lesion `lesionId`'s newest outlines, its experts and their states.
    void load(db::Database& reader, db::RowId lesionId);
    void clear();
    [[nodiscard]] db::RowId lesionId() const { return m_lesionId; }

    /// Every expert with an outline or a state for this lesion, by name (stable colours).
    [[nodiscard]] std::vector<const ExpertLayer*> layers() const;
    /// The layer of `expertName` (created empty when it has none yet).
    ExpertLayer& layer(const db::ExpertRecord& expert);
    [[nodiscard]] const ExpertLayer* find(const std::string& expertName) const;
    /// `expertName`'s outline on `slice`, or null.
    [[nodiscard]] const common::Mask* outline(const std::string& expertName, int slice) const;

    /// The layers `viewer` may see: in blind review their own, and everyone's
    /// once they have completed the lesion; in open review every visible layer.
    [[nodiscard]] std::vector<const ExpertLayer*> shownTo(const std::string& viewer,
                                                          ReviewMode mode) const;
    /// The lesion's key slice: where the experts' outlines together are largest
    /// (the lowest such slice on a tie); -1 when they have none.
    [[nodiscard]] int keySlice() const;
    /// Hides or shows an expert's layer in open review.
    void setVisible(const std::string& expertName, bool visible);

private:
    db::RowId m_lesionId = 0;
    std::map<std::string, ExpertLayer> m_layers;  // by expert name
};

}  // namespace flowseg::review
