// libFuzzer target: the DICOM file loader (pixel decoding and series assembly)
// must return or throw DicomError on any input, never crash or hang.

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <string>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/series.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    static const std::string path = "/tmp/flowseg_fuzz_" + std::to_string(::getpid()) + ".dcm";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        (void)flowseg::dicom::decodePixels(path);
    } catch (const flowseg::dicom::DicomError&) {
    }
    (void)flowseg::dicom::loadFiles(
        {path});  // reports problems in `skipped`, never throws for a bad file
    return 0;
}
