#include "flowseg/review/undo_stack.h"

namespace flowseg::review {

void UndoStack::push(Edit edit) {
    m_edits.resize(m_index);
    if (edit.redo) edit.redo();
    m_edits.push_back(std::move(edit));
    m_index = m_edits.size();
    changed();
}

void UndoStack::undo() {
    if (!canUndo()) return;
    --m_index;
    if (m_edits[m_index].undo) m_edits[m_index].undo();
    changed();
}

void UndoStack::redo() {
    if (!canRedo()) return;
    if (m_edits[m_index].redo) m_edits[m_index].redo();
    ++m_index;
    changed();
}

void UndoStack::clear() {
    m_edits.clear();
    m_index = 0;
    changed();
}

std::string UndoStack::undoText() const {
    return canUndo() ? m_edits[m_index - 1].text : std::string();
}
std::string UndoStack::redoText() const {
    return canRedo() ? m_edits[m_index].text : std::string();
}

void UndoStack::changed() const {
    if (m_changed) m_changed();
}

}  // namespace flowseg::review
