// Every kind of DICOM object we write passes an outside validator, dciodvfy
// (Debian's dicom3tools): the CT series (demo, and Secondary Capture where the
// spacing is unknown), binary and fractional SEG and the report as Encapsulated
// PDF, identified and de-identified. De-identification leaves no identifier of
// the source patient in any attribute, keys its pseudonyms with a private,
// per-installation secret and replaces UIDs consistently when asked.

#include <dcmtk/dcmdata/dctk.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "flowseg/common/installation_secret.h"
#include "flowseg/common/sha256.h"
#include "flowseg/dicom/deidentify.h"
#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/encapsulated_pdf.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series_writer.h"

using namespace flowseg::dicom;
namespace fs = std::filesystem;

namespace {

const char* kValidator = "/usr/bin/dciodvfy";

/// What a source hospital's CT carries about its patient: none of it may leave
/// in a de-identified object.
const std::vector<std::string> kIdentifiers = {"Roe^Jane",        "MRN-55501234",  "19610314",
                                               "ACC-778812",      "St Elsewhere",  "House^Gregory",
                                               "20250102",        "12 Elm Street", "Jane Roe-Smith",
                                               "Cardiology Wing", "CT-ROOM-7"};

/// dciodvfy's "Error" lines about `path` (its warnings are advice, not failures).
std::vector<std::string> validatorErrors(const std::string& path) {
    std::vector<std::string> errors;
    const std::string command = std::string(kValidator) + " '" + path + "' 2>&1";
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char line[4096];
        while (std::fgets(line, sizeof line, pipe) != nullptr)
            if (std::string(line).rfind("Error", 0) == 0) errors.emplace_back(line);
        ::pclose(pipe);
    }
    return errors;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& l : lines) all += l;
    return all;
}

/// Every value of every element, in sequences too, as text ("tag=value").
void collectValues(DcmItem& item, std::vector<std::string>& out) {
    for (unsigned long i = 0; i < item.card(); ++i) {
        DcmElement* e = item.getElement(i);
        if (e->ident() == EVR_SQ) {
            auto* sq = static_cast<DcmSequenceOfItems*>(e);
            for (unsigned long k = 0; k < sq->card(); ++k) collectValues(*sq->getItem(k), out);
            continue;
        }
        if (e->getTag() == DCM_PixelData || e->getTag() == DCM_EncapsulatedDocument) continue;
        OFString value;
        if (e->getOFStringArray(value).good())
            out.push_back(e->getTag().toString().c_str() + std::string("=") + value.c_str());
    }
}

std::vector<std::string> allValues(const std::string& path) {
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile(path.c_str()).good()) << path;
    std::vector<std::string> values;
    collectValues(*file.getMetaInfo(), values);
    collectValues(*file.getDataset(), values);
    return values;
}

std::string valueOf(const std::string& path, const DcmTagKey& tag) {
    DcmFileFormat file;
    OFString value;
    if (file.loadFile(path.c_str()).good())
        file.getDataset()->findAndGetOFString(tag, value, 0, true);
    return value.c_str();
}

class Validity : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("flowseg_validity_" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    /// A short demo CT as a hospital would send it: identifiers everywhere
    /// (patient, study, equipment, a sequence, a private tag).
    Series hospitalSeries(bool withSpacing = true) {
        auto demo = demoChestCt(3);
        demo.depth = 3;
        demo.hu.resize(static_cast<size_t>(demo.width) * demo.height * demo.depth);
        demo.patientName = "Roe^Jane";
        demo.patientId = "MRN-55501234";
        demo.studyDate = "20250102";
        demo.studyDescription = "CT chest for St Elsewhere";
        demo.writePixelSpacing = withSpacing;
        const auto folder = m_dir / (withSpacing ? "ct" : "sc");
        for (const auto& path : writeSeries(folder.string(), demo)) {
            DcmFileFormat file;
            EXPECT_TRUE(file.loadFile(path.c_str()).good());
            file.loadAllDataIntoMemory();  // it is written back to the same file
            DcmDataset& d = *file.getDataset();
            d.putAndInsertString(DCM_PatientBirthDate, "19610314");
            d.putAndInsertString(DCM_PatientSex, "F");
            d.putAndInsertString(DCM_AccessionNumber, "ACC-778812");
            d.putAndInsertString(DCM_InstitutionName, "St Elsewhere Hospital");
            d.putAndInsertString(DCM_InstitutionalDepartmentName, "Cardiology Wing");
            d.putAndInsertString(DCM_StationName, "CT-ROOM-7");
            d.putAndInsertString(DCM_ReferringPhysicianName, "House^Gregory");
            d.putAndInsertString(DCM_PatientAddress, "12 Elm Street");
            d.putAndInsertString(DCM_OtherPatientNames, "Jane Roe-Smith");
            DcmItem* other = nullptr;
            d.findOrCreateSequenceItem(DCM_OtherPatientIDsSequence, other, -2);
            other->putAndInsertString(DCM_PatientID, "MRN-55501234");
            other->putAndInsertString(DCM_TypeOfPatientID, "TEXT");
            d.putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "HOSPITAL PRIVATE");
            d.putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LO), "Roe^Jane");
            EXPECT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
        }
        auto load = loadFolder(folder.string());
        for (const auto& skipped : load.skipped)
            ADD_FAILURE() << skipped.path << ": " << skipped.reason;
        return std::move(load.series.at(0));
    }

    /// A SEG of each kind and the report document from `series`.
    std::vector<std::string> writeObjects(const Series& series, const std::string& prefix) {
        flowseg::common::Mask mask(series.height, series.width);
        for (int y = 100; y < 120; ++y)
            for (int x = 70; x < 90; ++x) mask.at(y, x) = 1;
        flowseg::common::ImageF fraction(series.height, series.width);
        for (int y = 100; y < 120; ++y)
            for (int x = 70; x < 90; ++x) fraction.at(y, x) = 0.25F * static_cast<float>(x % 4);
        const auto binary = (m_dir / (prefix + "binary.seg.dcm")).string();
        const auto fractional = (m_dir / (prefix + "fractional.seg.dcm")).string();
        const auto document = (m_dir / (prefix + "report.dcm")).string();
        writeBinarySeg(binary, series, {{"Reader 1", {{1, mask}}}, {"Reader 2", {{1, mask}}}});
        writeFractionalSeg(fractional, series, "Probability", {{1, fraction}});
        const auto pdf = (m_dir / "report.pdf").string();
        std::ofstream(pdf) << "%PDF-1.4\n% a report\n%%EOF\n";
        writeEncapsulatedPdf(document, pdf, series.files.front(), "FlowSeg uncertainty report");
        return {binary, fractional, document};
    }

    fs::path m_dir;
};

}  // namespace

TEST_F(Validity, TheCtSeriesWeWritePassTheValidator) {
    if (!fs::exists(kValidator))
        GTEST_SKIP() << "dciodvfy is not installed (tools/install-deps.sh installs dicom3tools)";
    for (const bool spacing : {true, false}) {
        const auto series = hospitalSeries(spacing);
        for (const auto& file : series.files) {
            const auto errors = validatorErrors(file);
            EXPECT_TRUE(errors.empty()) << file << "\n" << joined(errors);
        }
        EXPECT_EQ(valueOf(series.files.front(), DCM_SOPClassUID),
                  spacing ? UID_CTImageStorage : UID_SecondaryCaptureImageStorage);
        EXPECT_EQ(series.modality, "CT");
        EXPECT_EQ(series.geometry.hasSpacing, spacing);
    }
}

TEST_F(Validity, SegAndReportObjectsPassIdentifiedAndDeidentified) {
    if (!fs::exists(kValidator))
        GTEST_SKIP() << "dciodvfy is not installed (tools/install-deps.sh installs dicom3tools)";
    const auto series = hospitalSeries();
    std::vector<std::string> files = writeObjects(series, "identified-");
    for (const bool retain : {true, false}) {
        for (const auto& file : writeObjects(series, retain ? "retained-" : "replaced-")) {
            DeidentifyOptions options;
            options.pseudonym = "ANON-0123456789abcdef";
            options.retainUids = retain;
            options.uidKey = "one export's key";
            deidentifyFile(file, options);
            files.push_back(file);
        }
    }
    for (const auto& file : files) {
        const auto errors = validatorErrors(file);
        EXPECT_TRUE(errors.empty()) << file << "\n" << joined(errors);
    }
    // The document still holds the PDF, byte for byte.
    EXPECT_EQ(readEncapsulatedPdf(files[2]), "%PDF-1.4\n% a report\n%%EOF\n");
}

TEST_F(Validity, NoIdentifierOfTheSourcePatientSurvivesDeidentification) {
    const auto series = hospitalSeries();
    // The source carries them all, so the scan below can see them.
    std::string source;
    for (const auto& v : allValues(series.files.front())) source += v + "\n";
    for (const auto& id : kIdentifiers) ASSERT_NE(source.find(id), std::string::npos) << id;
    const auto files = writeObjects(series, "");
    for (const auto& file : files) {
        DeidentifyOptions options;
        options.pseudonym = "ANON-0123456789abcdef";
        deidentifyFile(file, options);
        const auto values = allValues(file);
        for (const auto& value : values)
            for (const auto& id : kIdentifiers)
                EXPECT_EQ(value.find(id), std::string::npos) << file << ": " << value;
        EXPECT_EQ(valueOf(file, DCM_PatientID), "ANON-0123456789abcdef");
        EXPECT_EQ(valueOf(file, DCM_PatientIdentityRemoved), "YES");
        EXPECT_LE(valueOf(file, DCM_DeidentificationMethod).size(), 64U);
        // The method as codes too: the basic profile and the Retain UIDs option.
        std::string all;
        for (const auto& v : values) all += v + "\n";
        EXPECT_NE(all.find("113100"), std::string::npos) << file;
        EXPECT_NE(all.find("113110"), std::string::npos) << file;
        // UIDs retained: the SEG still references the source study.
        EXPECT_EQ(valueOf(file, DCM_StudyInstanceUID), series.studyUid);
        for (const auto& v : values)
            EXPECT_NE(v.rfind("(0029,", 0), 0U) << "a private attribute survived: " << v;
    }
}

TEST_F(Validity, ReplacedUidsAreConsistentWithinOneExportAndNewAcrossExports) {
    const auto series = hospitalSeries();
    std::set<std::string> sourceUids{series.studyUid, series.seriesUid};
    sourceUids.insert(series.sopUids.begin(), series.sopUids.end());
    const auto exportWith = [&](const std::string& prefix, const std::string& key) {
        const auto files = writeObjects(series, prefix);
        for (const auto& file : files) {
            DeidentifyOptions options;
            options.pseudonym = "ANON-0123456789abcdef";
            options.retainUids = false;
            options.uidKey = key;
            deidentifyFile(file, options);
        }
        return files;
    };
    const auto first = exportWith("a-", "key of export A");
    const auto second = exportWith("b-", "key of export B");
    const std::regex uid(R"(2\.25\.[1-9][0-9]*)");
    for (const auto& file : first) {
        for (const auto& value : allValues(file))
            for (const auto& old : sourceUids)
                EXPECT_EQ(value.find(old), std::string::npos) << file << ": " << value;
        const auto study = valueOf(file, DCM_StudyInstanceUID);
        EXPECT_TRUE(std::regex_match(study, uid)) << study;
        EXPECT_LE(study.size(), 64U);
        EXPECT_EQ(study, replacementUid(series.studyUid, "key of export A"));
        // The file's meta header names the (new) instance it holds.
        DcmFileFormat f;
        ASSERT_TRUE(f.loadFile(file.c_str()).good());
        OFString meta, sop;
        f.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, meta);
        f.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sop);
        EXPECT_EQ(meta, sop);
    }
    // Both SEGs of one export reference the same (replaced) source slices.
    const auto segA = readSeg(first[0]);
    const auto fracA = readSeg(first[1]);
    EXPECT_EQ(segA.referencedSeriesUid, fracA.referencedSeriesUid);
    EXPECT_EQ(segA.referencedSeriesUid, replacementUid(series.seriesUid, "key of export A"));
    ASSERT_FALSE(segA.segments.empty());
    EXPECT_EQ(segA.segments[0].masks.begin()->first,
              replacementUid(series.sopUids[1], "key of export A"));
    // Another export, another key: nothing links the two.
    EXPECT_NE(valueOf(second[0], DCM_StudyInstanceUID), valueOf(first[0], DCM_StudyInstanceUID));
    EXPECT_THROW(deidentifyFile(first[0], {"ANON-x", false, ""}), DicomError)
        << "replacing UIDs without a key";
}

TEST(Pseudonym, KeyedByAPrivateSecretCreatedOnFirstUse) {
    // RFC 4231 test case 2.
    EXPECT_EQ(flowseg::common::hmacSha256Hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    const auto home = fs::temp_directory_path() / ("flowseg_secret_" + std::to_string(::getpid()));
    fs::remove_all(home);
    ::setenv("XDG_CONFIG_HOME", home.c_str(), 1);
    const auto path = flowseg::common::installationSecretPath();
    EXPECT_EQ(path, (home / "flowseg" / "pseudonym.key").string());
    EXPECT_FALSE(fs::exists(path));
    const auto secret = flowseg::common::installationSecret();
    EXPECT_EQ(secret.size(), 32U);
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U) << "readable by the user only";
    ASSERT_EQ(::stat((home / "flowseg").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0700U);
    EXPECT_EQ(flowseg::common::installationSecret(), secret) << "created once, then kept";
    const auto pseudonym = pseudonymOf("MRN-55501234", secret);
    EXPECT_TRUE(std::regex_match(pseudonym, std::regex("ANON-[0-9a-f]{16}"))) << pseudonym;
    EXPECT_EQ(pseudonymOf("MRN-55501234", secret), pseudonym) << "stable";
    EXPECT_NE(pseudonymOf("MRN-55501235", secret), pseudonym);
    // Without the secret a list of IDs does not find it: not the unkeyed hash.
    const std::string id = "MRN-55501234";
    EXPECT_EQ(pseudonym.find(flowseg::common::sha256Hex(id.data(), id.size()).substr(0, 8)),
              std::string::npos);
    EXPECT_NE(pseudonymOf("MRN-55501234", std::string(32, 'x')), pseudonym);
    // A key others can read is refused, and the message says how to fix it.
    ::chmod(path.c_str(), 0644);
    try {
        (void)flowseg::common::installationSecret();
        ADD_FAILURE() << "a world-readable key was used";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("chmod 600 " + path), std::string::npos) << e.what();
    }
    ::chmod(path.c_str(), 0600);
    std::ofstream(path, std::ios::trunc) << "short";
    EXPECT_THROW((void)flowseg::common::installationSecret(), std::runtime_error);
    fs::remove_all(home);
    ::unsetenv("XDG_CONFIG_HOME");
}
