#include "flowseg/review/session_events.h"

#include <algorithm>

namespace flowseg::review {

int SessionEvents::subscribe(Observer observer) {
    m_observers.emplace_back(m_next, std::move(observer));
    return m_next++;
}

void SessionEvents::unsubscribe(int handle) {
    std::erase_if(m_observers, [handle](const auto& entry) { return entry.first == handle; });
}

void SessionEvents::notify(Changes changes) const {
    if (changes.empty()) return;
    const auto observers = m_observers;  // an observer may unsubscribe
    for (const auto& [handle, observer] : observers) observer(changes);
}

void SessionEvents::say(std::string text, bool error, Changes changes) {
    m_message = {std::move(text), error};
    notify(changes | Change::Message);
}

}  // namespace flowseg::review
