#pragma once
// Named undo points for the review session (ITK-SNAP's idea, in plain C++ so the
// session's rules are tested without a window): each edit knows how to apply and
// revert itself; the stack keeps the order and what the menu calls them.

#include <functional>
#include <string>
#include <vector>

namespace flowseg::review {

/// One undo step: `redo` applies the edit, `undo` reverts it; both must leave the
/// session as it was before the other ran.
struct Edit {
    std::string text;  ///< "Mark lesion", "Brush stroke", ...
    std::function<void()> undo;
    std::function<void()> redo;
};

class UndoStack {
public:
    /// Applies `edit` (redo) and records it; anything undone before is dropped.
    void push(Edit edit);
    void undo();  ///< no-op when there is nothing to undo
    void redo();  ///< no-op when there is nothing to redo
    /// Forgets every step (a new series, another lesion from the browser).
    void clear();

    [[nodiscard]] bool canUndo() const { return m_index > 0; }
    [[nodiscard]] bool canRedo() const { return m_index < m_edits.size(); }
    [[nodiscard]] std::string undoText() const;  ///< "" when none
    [[nodiscard]] std::string redoText() const;
    [[nodiscard]] int count() const { return static_cast<int>(m_edits.size()); }
    [[nodiscard]] int index() const { return static_cast<int>(m_index); }

    /// Called after every change of the stack (push, undo, redo, clear).
    void setChangedCallback(std::function<void()> callback) { m_changed = std::move(callback); }

private:
    void changed() const;

    std::vector<Edit> m_edits;
    size_t m_index = 0;  // edits [0, m_index) are applied
    std::function<void()> m_changed;
};

}  // namespace flowseg::review
