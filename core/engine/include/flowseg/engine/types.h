#pragma once
// The engine's names for the common image and mask types (flowseg/common/types.h),
// so that engine code says ImageF, Mask and MultiRaterCase. Other layers include
// flowseg/common/types.h and say common::ImageF.

#include "flowseg/common/types.h"

namespace flowseg::engine {

using common::ImageF;
using common::Mask;
using common::MultiRaterCase;

}  // namespace flowseg::engine
