#include "jpeg2000.h"

#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dctk.h>
#include <openjpeg.h>
#include <algorithm>
#include <cstring>
#include <memory>

#include "encapsulated.h"
#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

namespace {

struct MemoryStream {
    const std::uint8_t* data;
    OPJ_SIZE_T size;
    OPJ_SIZE_T offset = 0;
};

OPJ_SIZE_T readStream(void* buffer, OPJ_SIZE_T bytes, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    if (s->offset >= s->size) return static_cast<OPJ_SIZE_T>(-1);
    const OPJ_SIZE_T n = std::min(bytes, s->size - s->offset);
    std::memcpy(buffer, s->data + s->offset, n);
    s->offset += n;
    return n;
}

OPJ_OFF_T skipStream(OPJ_OFF_T bytes, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    const OPJ_OFF_T target = std::clamp<OPJ_OFF_T>(static_cast<OPJ_OFF_T>(s->offset) + bytes, 0,
                                                   static_cast<OPJ_OFF_T>(s->size));
    const OPJ_OFF_T moved = target - static_cast<OPJ_OFF_T>(s->offset);
    s->offset = static_cast<OPJ_SIZE_T>(target);
    return moved;
}

OPJ_BOOL seekStream(OPJ_OFF_T position, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    if (position < 0 || static_cast<OPJ_SIZE_T>(position) > s->size) return OPJ_FALSE;
    s->offset = static_cast<OPJ_SIZE_T>(position);
    return OPJ_TRUE;
}

void quiet(const char*, void*) {}

std::vector<std::int32_t> decodeCodestream(const std::vector<std::uint8_t>& bytes, int rows,
                                           int columns, const std::string& path) {
    const auto fail = [&](const std::string& why) {
        throw DicomError("cannot read DICOM '" + path + "': JPEG 2000 decoding failed: " + why);
    };
    if (bytes.size() < 12) fail("the frame is empty");
    static constexpr std::uint8_t kJp2Signature[] = {0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    const bool jp2 = std::memcmp(bytes.data(), kJp2Signature, sizeof kJp2Signature) == 0;
    std::unique_ptr<opj_codec_t, decltype(&opj_destroy_codec)> codec(
        opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K), opj_destroy_codec);
    opj_set_error_handler(codec.get(), quiet, nullptr);
    opj_set_warning_handler(codec.get(), quiet, nullptr);
    opj_set_info_handler(codec.get(), quiet, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters)) fail("decoder set-up");
    MemoryStream source{bytes.data(), bytes.size()};
    std::unique_ptr<opj_stream_t, decltype(&opj_stream_destroy)> stream(
        opj_stream_default_create(OPJ_TRUE), opj_stream_destroy);
    opj_stream_set_user_data(stream.get(), &source, nullptr);
    opj_stream_set_user_data_length(stream.get(), bytes.size());
    opj_stream_set_read_function(stream.get(), readStream);
    opj_stream_set_skip_function(stream.get(), skipStream);
    opj_stream_set_seek_function(stream.get(), seekStream);
    opj_image_t* raw = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &raw)) fail("corrupt header");
    std::unique_ptr<opj_image_t, decltype(&opj_image_destroy)> image(raw, opj_image_destroy);
    // Check what the codestream claims before decoding it: OpenJPEG allocates for
    // the size in its header (a corrupt one asked for 17 GB in the fuzzer).
    if (image->numcomps != 1) fail("colour JPEG 2000 is not supported for lesion review");
    const auto width = static_cast<std::uint64_t>(image->x1) - image->x0;
    const auto height = static_cast<std::uint64_t>(image->y1) - image->y0;
    if (image->x1 < image->x0 || image->y1 < image->y0 ||
        width != static_cast<std::uint64_t>(columns) || height != static_cast<std::uint64_t>(rows))
        fail("the codestream is " + std::to_string(width) + "x" + std::to_string(height) +
             " but the header says " + std::to_string(columns) + "x" + std::to_string(rows));
    if (!opj_decode(codec.get(), stream.get(), image.get()) ||
        !opj_end_decompress(codec.get(), stream.get()))
        fail("corrupt codestream");
    if (image->numcomps < 1 || !image->comps[0].data) fail("no image component");
    if (image->numcomps != 1) fail("colour JPEG 2000 is not supported for lesion review");
    const auto& c = image->comps[0];
    if (static_cast<int>(c.w) != columns || static_cast<int>(c.h) != rows)
        fail("the codestream is " + std::to_string(c.w) + "x" + std::to_string(c.h) +
             " but the header says " + std::to_string(columns) + "x" + std::to_string(rows));
    return {c.data, c.data + static_cast<size_t>(rows) * static_cast<size_t>(columns)};
}

}  // namespace

void decodeJpeg2000Frames(
    DcmDataset& data, const std::string& path, int frames, int rows, int columns,
    const std::function<void(int, const std::vector<std::int32_t>&)>& onFrame) {
    for (int f = 0; f < frames; ++f)
        onFrame(f, decodeCodestream(encapsulatedFrame(data, path, f, frames), rows, columns, path));
}

}  // namespace flowseg::dicom
