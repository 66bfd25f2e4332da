#include "flowseg/common/types.h"

namespace flowseg::common {

long Mask::area() const {
    long count = 0;
    for (auto v : pixels) count += v != 0;
    return count;
}

}  // namespace flowseg::common
