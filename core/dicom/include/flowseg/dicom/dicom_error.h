#pragma once

#include <stdexcept>
#include <string>

namespace flowseg::dicom {

/// A DICOM file or series that cannot be used; the message names the file and why.
class DicomError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace flowseg::dicom
