#pragma once
// What the review session tells its observers: typed change flags (a set of
// Change values), the last message, and the observers themselves. The window
// subscribes once and redraws what a change names; a test collects them.

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace flowseg::review {

/// One kind of change, for observers.
enum class Change : unsigned {
    Series = 1U << 0,
    Lesions = 1U << 1,    ///< the stored lesions of the series (states, labels)
    Selection = 1U << 2,  ///< the current lesion or its box
    Result = 1U << 3,     ///< the current lesion's sampling result
    Layers = 1U << 4,
    Undo = 1U << 5,
    Expert = 1U << 6,
    Sampling = 1U << 7,  ///< a run started or ended
    Model = 1U << 8,
    Store = 1U << 9,
    Message = 1U << 10,
    Annotations = 1U << 11,  ///< experts' outlines, their states, the review mode
    Tools = 1U << 12,
};

/// A set of changes.
class Changes {
public:
    constexpr Changes() = default;
    constexpr Changes(Change change)  // NOLINT(google-explicit-constructor): a one-element set
        : m_bits(static_cast<unsigned>(change)) {}
    /// Every change (a first full refresh).
    [[nodiscard]] static constexpr Changes all() {
        Changes every;
        every.m_bits = ~0U;
        return every;
    }
    [[nodiscard]] constexpr bool has(Change change) const {
        return (m_bits & static_cast<unsigned>(change)) != 0;
    }
    /// Whether any change of `other` is in this set.
    [[nodiscard]] constexpr bool any(Changes other) const { return (m_bits & other.m_bits) != 0; }
    [[nodiscard]] constexpr bool empty() const { return m_bits == 0; }
    constexpr Changes& operator|=(Changes other) {
        m_bits |= other.m_bits;
        return *this;
    }
    friend constexpr Changes operator|(Changes a, Changes b) { return a |= b; }
    friend constexpr bool operator==(Changes a, Changes b) = default;

private:
    unsigned m_bits = 0;
};

constexpr Changes operator|(Change a, Change b) { return Changes(a) | Changes(b); }

struct SessionMessage {
    std::string text;
    bool error = false;
};

/// The observers and the last message. Each part of the session reports through
/// the one instance its session owns.
class SessionEvents {
public:
    using Observer = std::function<void(Changes)>;
    /// `observer` is called with every non-empty set of changes. Returns a handle.
    int subscribe(Observer observer);
    void unsubscribe(int handle);
    /// Tells every observer (an observer may unsubscribe while being told).
    void notify(Changes changes) const;
    /// Sets the message and tells the observers: `changes` plus Change::Message.
    void say(std::string text, bool error, Changes changes = {});
    [[nodiscard]] const SessionMessage& message() const { return m_message; }

private:
    std::vector<std::pair<int, Observer>> m_observers;
    int m_next = 1;
    SessionMessage m_message;
};

}  // namespace flowseg::review
