#pragma once
// The real LIDC-IDRI-0004 demo study (resources/demo-lidc: its CT and its four
// readers' outlines as one DICOM SEG), where the window and the command line
// find it: installed under the prefix, or staged by the build in the same
// layout (build/share/flowseg), beside the program.

#include <string>

namespace flowseg::review {

struct LidcDemo {
    std::string folder;   ///< <appDir>/../share/flowseg/demo-lidc
    std::string ct;       ///< its CT series folder
    std::string readers;  ///< the readers' DICOM SEG
};

/// The demo beside the program in `appDir`. Throws std::runtime_error naming the
/// folder looked in when it is not installed there.
[[nodiscard]] LidcDemo findLidcDemo(const std::string& appDir);

}  // namespace flowseg::review
