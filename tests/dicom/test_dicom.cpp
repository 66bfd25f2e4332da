// DICOM decoding and series loading on the real files Debian's python3-pydicom
// ships, and on series we write ourselves. Tests that need those files skip
// cleanly when python3-pydicom is not installed.

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpeg/djrploss.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/dcmjpls/djrparam.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"

using namespace flowseg::dicom;
namespace fs = std::filesystem;

namespace {

const fs::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

#define REQUIRE_PYDICOM() \
    if (!fs::exists(kPydicom / "MR_small.dcm")) GTEST_SKIP() << "python3-pydicom files absent"

std::string file(const std::string& name) { return (kPydicom / name).string(); }

fs::path tempDir(const std::string& name) {
    const auto dir =
        fs::temp_directory_path() / ("flowseg_dicom_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Re-encodes a file with one of DCMTK's encoders.
std::string reencode(const std::string& source, const std::string& target, E_TransferSyntax syntax,
                     const DcmRepresentationParameter* parameters) {
    static const bool registered = [] {
        DJEncoderRegistration::registerCodecs();
        DJLSEncoderRegistration::registerCodecs();
        return true;
    }();
    (void)registered;
    DcmFileFormat f;
    EXPECT_TRUE(f.loadFile(source.c_str()).good());
    const OFCondition chosen = f.getDataset()->chooseRepresentation(syntax, parameters);
    EXPECT_TRUE(chosen.good()) << target << ": " << chosen.text();
    EXPECT_TRUE(f.getDataset()->canWriteXfer(syntax)) << target;
    const OFCondition saved = f.saveFile(target.c_str(), syntax);
    EXPECT_TRUE(saved.good()) << target << ": " << saved.text();
    return target;
}

}  // namespace

TEST(PixelDecoder, LosslessVariantsOfOneImageDecodeIdentically) {
    REQUIRE_PYDICOM();
    const auto reference = decodePixels(file("MR_small.dcm"));
    ASSERT_EQ(reference.rows, 64);
    ASSERT_EQ(reference.values.size(), 64U * 64U);
    for (const auto* name : {"MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                             "MR_small_implicit.dcm", "MR_small_jp2klossless.dcm",
                             "MR_small_jpeg_ls_lossless.dcm", "MR_small_padded.dcm"}) {
        const auto decoded = decodePixels(file(name));
        EXPECT_EQ(decoded.values, reference.values)
            << name << " (" << decoded.transferSyntax.name << ")";
        EXPECT_EQ(pixelSha256(decoded.values), pixelSha256(reference.values)) << name;
    }
}

TEST(PixelDecoder, MultiFrame32BitDoseInEverySyntaxDecodesIdentically) {
    REQUIRE_PYDICOM();
    const auto reference = decodePixels(file("rtdose.dcm"));
    EXPECT_EQ(reference.frames, 15);
    // Big endian 32-bit samples (a bug before: halves of each sample were swapped).
    for (const auto* name : {"rtdose_rle.dcm", "rtdose_expb.dcm"})
        EXPECT_EQ(decodePixels(file(name)).values, reference.values) << name;
    // Frames of a classic multi-frame step along the normal by GridFrameOffsetVector.
    const auto load = loadFiles({file("rtdose.dcm")});
    ASSERT_EQ(load.series.size(), 1U);
    EXPECT_EQ(load.series[0].depth, 15);
    EXPECT_DOUBLE_EQ(load.series[0].geometry.sliceSpacing, 5.0);
    EXPECT_TRUE(load.series[0].warnings.empty()) << load.series[0].warnings.front();
}

TEST(PixelDecoder, JpegLosslessAndNearLosslessRoundTripsOfARealCt) {
    REQUIRE_PYDICOM();
    const auto dir = tempDir("reencode");
    const auto original = decodePixels(file("CT_small.dcm"));
    EXPECT_EQ(original.modality, "CT");
    // Rescale is applied by us: CT_small stores raw values with an intercept.
    const auto [lo, hi] = std::minmax_element(original.values.begin(), original.values.end());
    EXPECT_LT(*lo, -500.0F);
    EXPECT_GT(*hi, 500.0F);

    DJ_RPLossless lossless;
    const auto jpegLossless = decodePixels(reencode(
        file("CT_small.dcm"), (dir / "jpll.dcm").string(), EXS_JPEGProcess14SV1, &lossless));
    EXPECT_EQ(jpegLossless.values, original.values);
    const auto rle = decodePixels(reencode(file("CT_small.dcm"), (dir / "deflate.dcm").string(),
                                           EXS_DeflatedLittleEndianExplicit, nullptr));
    EXPECT_EQ(rle.values, original.values);

    // JPEG-LS near-lossless guarantees |error| <= NEAR on every stored value
    // (DCMTK encodes it for unsigned data only, so the MR image is used).
    // MR_small is labelled signed but all its values are positive: relabel it unsigned.
    const auto unsignedMr = (dir / "mr_unsigned.dcm").string();
    {
        DcmFileFormat f;
        ASSERT_TRUE(f.loadFile(file("MR_small.dcm").c_str()).good());
        f.getDataset()->putAndInsertUint16(DCM_PixelRepresentation, 0);
        ASSERT_TRUE(f.saveFile(unsignedMr.c_str(), EXS_LittleEndianExplicit).good());
    }
    const auto mr = decodePixels(unsignedMr);
    EXPECT_EQ(mr.values, decodePixels(file("MR_small.dcm")).values);
    DJLSRepresentationParameter nearLossless(2, OFFalse);  // NEAR = 2, not the lossless process
    const auto jls = decodePixels(
        reencode(unsignedMr, (dir / "jls.dcm").string(), EXS_JPEGLSLossy, &nearLossless));
    EXPECT_TRUE(jls.transferSyntax.lossy);
    float worst = 0;
    for (size_t i = 0; i < mr.values.size(); ++i)
        worst = std::max(worst, std::abs(jls.values[i] - mr.values[i]));
    EXPECT_LE(worst, 2.0F) << "JPEG-LS NEAR=2";
    EXPECT_GT(worst, 0.0F) << "the lossy file should not be identical";
}

TEST(PixelDecoder, LossyFilesDecodeWithinTolerance) {
    REQUIRE_PYDICOM();
    // JPEG-lossy.dcm and JPGExtended.dcm hold the same 12-bit NM image.
    const auto lossy = decodePixels(file("JPEG-lossy.dcm"));
    EXPECT_TRUE(lossy.transferSyntax.lossy);
    EXPECT_EQ(lossy.rows, 1024);
    EXPECT_EQ(lossy.values, decodePixels(file("JPGExtended.dcm")).values);
    // The lossy JPEG 2000 version of that image (see the bound below).
    const auto j2k = decodePixels(file("JPEG2000.dcm"));
    ASSERT_EQ(j2k.values.size(), lossy.values.size());
    double sum = 0;
    for (size_t i = 0; i < j2k.values.size(); ++i) sum += std::abs(j2k.values[i] - lossy.values[i]);
    const double meanError = sum / static_cast<double>(j2k.values.size());
    const auto [lo, hi] = std::minmax_element(lossy.values.begin(), lossy.values.end());
    const double correlation = [&] {
        const double n = static_cast<double>(j2k.values.size());
        double ma = 0, mb = 0;
        for (size_t i = 0; i < j2k.values.size(); ++i) {
            ma += j2k.values[i] / n;
            mb += lossy.values[i] / n;
        }
        double cov = 0, va = 0, vb = 0;
        for (size_t i = 0; i < j2k.values.size(); ++i) {
            cov += (j2k.values[i] - ma) * (lossy.values[i] - mb);
            va += (j2k.values[i] - ma) * (j2k.values[i] - ma);
            vb += (lossy.values[i] - mb) * (lossy.values[i] - mb);
        }
        return cov / std::sqrt(va * vb);
    }();
    std::printf(
        "JPEG2000.dcm vs JPGExtended.dcm: mean |difference| %.3f over a range of %.0f, correlation "
        "%.5f\n",
        meanError, static_cast<double>(*hi - *lo), correlation);
    // That file was compressed 2097:1 (LossyImageCompressionRatio), so only a
    // loose agreement is expected; the bounded checks are the re-encodings above.
    EXPECT_GE(correlation, 0.9);
    EXPECT_LE(meanError, 0.025 * (*hi - *lo));
    // Deflate and JPEG 2000 CT also decode.
    EXPECT_EQ(decodePixels(file("image_dfl.dcm")).rows, 512);
    EXPECT_EQ(decodePixels(file("693_J2KI.dcm")).modality, "CT");
}

TEST(PixelDecoder, MalformedAndUnsupportedFilesGiveClearErrors) {
    REQUIRE_PYDICOM();
    const auto expectError = [](const std::string& path, const std::string& mentions) {
        try {
            (void)decodePixels(path);
            ADD_FAILURE() << path << " was accepted";
        } catch (const DicomError& e) {
            EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
        }
    };
    expectError(file("MR_truncated.dcm"), "truncated");
    expectError(file("SC_rgb_rle.dcm"), "colour");
    expectError(file("rtplan.dcm"), "no pixel data");
    expectError(file("README.txt"), "not DICOM");
    expectError(file("nonexistent.dcm"), "no such file");

    // The same JPEG 2000 file relabelled as HTJ2K, which we cannot decode: named in the error.
    const auto dir = tempDir("htj2k");
    std::ifstream in(file("MR_small_jp2klossless.dcm"), std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    const std::string oldUid = "1.2.840.10008.1.2.4.90";
    const std::string newUid = std::string("1.2.840.10008.1.2.4.201") + '\0';
    const auto at = bytes.find(oldUid);
    ASSERT_NE(at, std::string::npos);
    ASSERT_LT(at, 400U);  // inside the meta header
    ASSERT_EQ(static_cast<unsigned char>(bytes[at - 2]), oldUid.size());
    bytes[at - 2] = static_cast<char>(newUid.size());
    bytes.replace(at, oldUid.size(), newUid);
    std::uint32_t groupLength = 0;
    std::memcpy(&groupLength, bytes.data() + 140,
                4);  // (0002,0000) after preamble, DICM, tag, VR, length
    groupLength += 2;
    std::memcpy(bytes.data() + 140, &groupLength, 4);
    std::ofstream((dir / "htj2k.dcm").string(), std::ios::binary) << bytes;
    expectError((dir / "htj2k.dcm").string(), "1.2.840.10008.1.2.4.201");
}

TEST(PixelDecoder, CorruptRleSegmentsFoundByTheFuzzerAreErrorsNotCrashes) {
    // Both inputs crashed DCMTK 3.6.7's RLE decoder (SEGV in DcmRLEDecoder::decompress);
    // RLE now goes through our bounds-checked decoder.
    for (const auto* name : {"fuzz_rle_segment_1.dcm", "fuzz_rle_segment_2.dcm"}) {
        const std::string path = std::string(FLOWSEG_TEST_DATA) + "/" + name;
        try {
            (void)decodePixels(path);
        } catch (const DicomError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
        const auto load = loadFiles({path});
        EXPECT_EQ(load.series.size() + load.skipped.size(), 1U);
    }
}

TEST(PixelDecoder, AJpeg2000HeaderThatClaimsAHugeImageIsRefusedBeforeDecoding) {
    // Found by the fuzzer: OpenJPEG allocated 17 GB for the size in this codestream's
    // header. The header is now checked against Rows/Columns first.
    const std::string path = std::string(FLOWSEG_TEST_DATA) + "/fuzz_j2k_header_claims_17gb.dcm";
    try {
        (void)decodePixels(path);
        ADD_FAILURE() << "decoded a corrupt JPEG 2000 file";
    } catch (const DicomError& e) {
        EXPECT_NE(std::string(e.what()).find("JPEG 2000"), std::string::npos) << e.what();
    }
    const auto load = loadFiles({path});
    EXPECT_TRUE(load.series.empty());
    EXPECT_EQ(load.skipped.size(), 1U);
}

TEST(PixelDecoder, TruncatedAtAnyPointNeverCrashes) {
    REQUIRE_PYDICOM();
    const auto dir = tempDir("cuts");
    for (const auto* name :
         {"CT_small.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "JPEG-lossy.dcm"}) {
        std::ifstream in(file(name), std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        int errors = 0;
        for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
            const auto path = (dir / "cut.dcm").string();
            std::ofstream(path, std::ios::binary | std::ios::trunc)
                .write(bytes.data(), static_cast<std::streamsize>(cut));
            try {
                (void)decodePixels(path);
            } catch (const DicomError&) {
                ++errors;
            }
        }
        EXPECT_GT(errors, 90) << name << ": truncated copies should be refused";
    }
}

TEST(SeriesLoader, OrdersSlicesByPositionNotByNameOrInstanceNumber) {
    auto volume = SeriesToWrite{};
    volume.width = 8;
    volume.height = 6;
    volume.depth = 7;
    volume.geometry.sliceSpacing = 2.5;
    volume.geometry.rowSpacing = 0.8;
    volume.geometry.columnSpacing = 0.9;
    // Feet-first: the normal points down, so the position order differs from z order reversed.
    volume.geometry.rowDirection = {1, 0, 0};
    volume.geometry.columnDirection = {0, 1, 0};
    volume.geometry.normal = {0, 0, 1};
    volume.hu.resize(8 * 6 * 7);
    for (size_t i = 0; i < volume.hu.size(); ++i)
        volume.hu[i] = static_cast<float>(i / 48) * 100.0F - 500.0F;
    volume.instanceNumbers = {5, 3, 7, 1, 2, 6, 4};  // shuffled
    volume.fileNamePattern = "img_%03d.dcm";
    const auto dir = tempDir("order");
    const auto paths = writeSeries(dir.string(), volume);
    // Rename so that file-name order is reversed too.
    for (size_t k = 0; k < paths.size(); ++k)
        fs::rename(paths[k], dir / ("z" + std::to_string(9 - k) + ".dcm"));
    const auto load = loadFolder(dir.string());
    ASSERT_EQ(load.series.size(), 1U);
    const auto& s = load.series.front();
    EXPECT_EQ(s.depth, 7);
    EXPECT_DOUBLE_EQ(s.geometry.sliceSpacing, 2.5);
    EXPECT_DOUBLE_EQ(s.geometry.rowSpacing, 0.8);
    for (int z = 0; z < 7; ++z)
        EXPECT_FLOAT_EQ(s.at(z, 2, 3), z * 100.0F - 500.0F) << "slice " << z;
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_EQ(s.windows.front().name, "LUNG");
}

TEST(SeriesLoader, EnhancedMultiFrameUsesItsFunctionalGroups) {
    // An enhanced multi-frame object: geometry and rescale live in the shared and
    // per-frame functional groups, not at the top level; frames stored out of order.
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    d.putAndInsertString(DCM_SOPClassUID, UID_EnhancedCTImageStorage);
    d.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5.6.1");
    d.putAndInsertString(DCM_StudyInstanceUID, "1.2.3.4.5");
    d.putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.4.5.6");
    d.putAndInsertString(DCM_Modality, "CT");
    d.putAndInsertString(DCM_NumberOfFrames, "3");
    d.putAndInsertString(DCM_SamplesPerPixel, "1");
    d.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    d.putAndInsertUint16(DCM_Rows, 2);
    d.putAndInsertUint16(DCM_Columns, 2);
    d.putAndInsertUint16(DCM_BitsAllocated, 16);
    d.putAndInsertUint16(DCM_BitsStored, 12);
    d.putAndInsertUint16(DCM_HighBit, 11);
    d.putAndInsertUint16(DCM_PixelRepresentation, 0);
    DcmItem* shared = nullptr;
    ASSERT_TRUE(d.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good());
    DcmItem* item = nullptr;
    shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, item, 0);
    item->putAndInsertString(DCM_PixelSpacing, "0.5\\0.6");
    shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, item, 0);
    item->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    shared->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, item, 0);
    item->putAndInsertString(DCM_RescaleSlope, "2");
    item->putAndInsertString(DCM_RescaleIntercept, "-1000");
    const double z[3] = {20.0, 10.0, 15.0};  // stored out of order
    for (int f = 0; f < 3; ++f) {
        DcmItem* frame = nullptr;
        ASSERT_TRUE(
            d.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, f).good());
        frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, item, 0);
        item->putAndInsertString(DCM_ImagePositionPatient,
                                 ("0\\0\\" + std::to_string(z[f])).c_str());
    }
    // Frame f holds the stored value 100 * (f + 1) in every pixel.
    const Uint16 pixels[12] = {100, 100, 100, 100, 200, 200, 200, 200, 300, 300, 300, 300};
    d.putAndInsertUint16Array(DCM_PixelData, pixels, 12);
    const auto dir = tempDir("enhanced");
    const auto path = (dir / "enhanced.dcm").string();
    ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());

    const auto load = loadFiles({path});
    ASSERT_EQ(load.series.size(), 1U) << (load.skipped.empty() ? "" : load.skipped[0].reason);
    const auto& s = load.series[0];
    EXPECT_EQ(s.depth, 3);
    EXPECT_DOUBLE_EQ(s.geometry.rowSpacing, 0.5);
    EXPECT_DOUBLE_EQ(s.geometry.columnSpacing, 0.6);
    EXPECT_DOUBLE_EQ(s.geometry.sliceSpacing, 5.0);
    // Sorted by position: z = 10 (stored 200), 15 (300), 20 (100); HU = 2 * stored - 1000.
    EXPECT_FLOAT_EQ(s.at(0, 0, 0), -600.0F);
    EXPECT_FLOAT_EQ(s.at(1, 1, 1), -400.0F);
    EXPECT_FLOAT_EQ(s.at(2, 0, 1), -800.0F);
    EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();
}

TEST(SeriesLoader, WarnsAboutGapsAndTilt) {
    auto volume = SeriesToWrite{};
    volume.width = volume.height = 4;
    volume.depth = 5;
    volume.hu.assign(16 * 5, 0.0F);
    const auto dir = tempDir("gap");
    auto paths = writeSeries(dir.string(), volume);
    fs::remove(paths[2]);  // a missing slice
    auto load = loadFolder(dir.string());
    ASSERT_EQ(load.series.size(), 1U);
    EXPECT_EQ(load.series[0].depth, 4);
    ASSERT_FALSE(load.series[0].warnings.empty());
    EXPECT_NE(load.series[0].warnings[0].find("missing slices"), std::string::npos)
        << load.series[0].warnings[0];

    // Positions that step sideways as well as along the normal: a tilted gantry.
    auto tilted = volume;
    tilted.geometry.normal = {0, 0.26, 0.97};  // positions move along this, orientation says axial
    const auto tiltDir = tempDir("tilt");
    writeSeries(tiltDir.string(), tilted);
    load = loadFolder(tiltDir.string());
    ASSERT_EQ(load.series.size(), 1U);
    const auto& w = load.series[0].warnings;
    EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](const std::string& x) {
        return x.find("tilt") != std::string::npos;
    }));
}

TEST(SeriesLoader, DicomdirTreesLoadAndTheIndexIsSkipped) {
    REQUIRE_PYDICOM();
    const auto load = loadFolder((kPydicom / "dicomdirtests").string());
    EXPECT_GE(load.series.size(), 5U);
    const auto skippedIndex = std::count_if(
        load.skipped.begin(), load.skipped.end(),
        [](const SkippedFile& s) { return s.reason.find("DICOMDIR") != std::string::npos; });
    EXPECT_GE(skippedIndex, 1);
    // The 5-slice CT series is ordered and has its spacing.
    const auto ct = std::find_if(load.series.begin(), load.series.end(),
                                 [](const Series& s) { return s.depth == 5; });
    ASSERT_NE(ct, load.series.end());
    EXPECT_NEAR(ct->geometry.sliceSpacing, 2.5, 1e-6);
    EXPECT_TRUE(std::is_sorted(ct->slicePositions.begin(), ct->slicePositions.end()));
}

TEST(SeriesLoader, DemoStudyRoundTripsThroughDicom) {
    const auto demo = demoChestCt(3);
    const auto dir = tempDir("demo");
    writeSeries(dir.string(), demo);
    const auto load = loadFolder(dir.string());
    ASSERT_EQ(load.series.size(), 1U);
    const auto& s = load.series[0];
    ASSERT_EQ(s.values.size(), demo.hu.size());
    for (size_t i = 0; i < s.values.size(); i += 997)
        ASSERT_FLOAT_EQ(s.values[i], std::round(demo.hu[i] + 1024.0F) - 1024.0F) << i;
    EXPECT_EQ(s.modality, "CT");
    EXPECT_TRUE(s.warnings.empty());
}
