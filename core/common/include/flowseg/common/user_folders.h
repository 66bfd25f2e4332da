#pragma once
// This user's FlowSeg folders, as the XDG base directories put them.

#include <string>

namespace flowseg::common {

/// $XDG_CACHE_HOME/flowseg (default ~/.cache/flowseg; /tmp/.cache/flowseg without HOME).
std::string userCacheFolder();
/// $XDG_DATA_HOME/flowseg (default ~/.local/share/flowseg; /tmp/.local/share/flowseg without HOME).
std::string userDataFolder();

}  // namespace flowseg::common
