// Folder datasets and the patient split that train and eval read them through.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "flowseg/engine/model_input.h"
#include "flowseg/imaging/folder_dataset.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/imaging/patient_split.h"

using namespace flowseg;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("flowseg_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

common::MultiRaterCase smallCase(const std::string& id, int seed) {
    common::MultiRaterCase c{id, common::ImageF(16, 16), {}};
    for (size_t i = 0; i < c.image.pixels.size(); ++i)
        c.image.pixels[i] =
            static_cast<float>((i * 7 + static_cast<size_t>(seed) * 13) % 256) / 255.0F;
    for (int k = 0; k < 3; ++k) {
        common::Mask m(16, 16);
        for (int y = 4; y < 8 + k + seed % 3; ++y)
            for (int x = 4; x < 9; ++x) m.at(y, x) = 1;
        c.experts.push_back(m);
    }
    return c;
}

std::vector<std::string> lines(const fs::path& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST(PatientSplit, CaseIdsNameTheirPatientAndNodule) {
    EXPECT_EQ(imaging::patientOfCase("LIDC-IDRI-0004_nodule-0_slice-2"), "LIDC-IDRI-0004");
    EXPECT_EQ(imaging::noduleOfCase("LIDC-IDRI-0004_nodule-0_slice-2"), "LIDC-IDRI-0004_nodule-0");
    EXPECT_EQ(imaging::patientOfCase("case7"), "case7");
    EXPECT_NE(imaging::caseHash("a"), imaging::caseHash("b"));
    EXPECT_EQ(imaging::caseHash("LIDC-IDRI-0004_nodule-0_slice-2"),
              imaging::caseHash("LIDC-IDRI-0004_nodule-0_slice-2"));
}

TEST(PatientSplit, PartsOneSlicePerNoduleAndClearErrors) {
    const auto dir = scratch("split");
    std::ofstream(dir / "split.tsv") << "# comment\nP1\ttrain\nP2\tval\nP3\tval\n";
    const auto split = imaging::PatientSplit::load((dir / "split.tsv").string());
    EXPECT_EQ(split.parts(), (std::vector<std::string>{"train", "val"}));
    const std::vector<std::string> ids = {"P1_nodule-0_slice-0", "P2_nodule-0_slice-0",
                                          "P2_nodule-0_slice-1", "P2_nodule-1_slice-0",
                                          "P3_nodule-0_slice-4"};
    EXPECT_EQ(imaging::casesOfPart(ids, split, "train"),
              (std::vector<std::string>{"P1_nodule-0_slice-0"}));
    EXPECT_EQ(imaging::casesOfPart(ids, split, "val").size(), 4U);
    const auto one = imaging::casesOfPart(ids, split, "val", true);
    ASSERT_EQ(one.size(), 3U);  // three nodules
    std::set<std::string> nodules;
    for (const auto& id : one) nodules.insert(imaging::noduleOfCase(id));
    EXPECT_EQ(nodules.size(), 3U);
    EXPECT_TRUE(std::is_sorted(one.begin(), one.end(), [](const auto& a, const auto& b) {
        return imaging::caseHash(a) < imaging::caseHash(b);
    }));
    EXPECT_THROW((void)imaging::casesOfPart(ids, split, "test"), imaging::ImageIoError);
    EXPECT_THROW((void)imaging::casesOfPart({"P9_nodule-0_slice-0"}, split, "val"),
                 imaging::ImageIoError);
    std::ofstream(dir / "twice.tsv") << "P1\ttrain\nP1\tval\n";
    try {
        (void)imaging::PatientSplit::load((dir / "twice.tsv").string());
        ADD_FAILURE() << "a patient in two parts was accepted";
    } catch (const imaging::ImageIoError& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
    std::ofstream(dir / "bad.tsv") << "P1 train\n";
    EXPECT_THROW((void)imaging::PatientSplit::load((dir / "bad.tsv").string()),
                 imaging::ImageIoError);
    EXPECT_THROW((void)imaging::PatientSplit::load((dir / "missing.tsv").string()),
                 imaging::ImageIoError);
    fs::remove_all(dir);
}

TEST(PatientSplit, TheRepositorysLidcSplitKeepsEveryPatientInOnePart) {
    // models/lidc-split.tsv against the real data set's case list, where present:
    // every case's patient is listed, the parts share no patient, and together
    // they hold every case.
    const fs::path source = FLOWSEG_SOURCE_DIR;
    const auto split = imaging::PatientSplit::load((source / "models" / "lidc-split.tsv").string());
    std::map<std::string, int> perPart;
    for (const auto& [patient, part] : split.patients()) ++perPart[part];
    EXPECT_EQ(perPart.size(), 3U);
    EXPECT_GT(perPart["train"], 7 * (perPart["val"] + perPart["test"]) / 2);
    const auto table = source / ".." / "shared" / "data" / "lidc-crops" / "cases.tsv";
    if (!fs::exists(table)) GTEST_SKIP() << "no ../shared/data/lidc-crops";
    std::vector<std::string> ids;
    for (const auto& line : lines(table))
        if (line.rfind("LIDC-IDRI-", 0) == 0) ids.push_back(line.substr(0, line.find('\t')));
    ASSERT_EQ(ids.size(), 13718U);
    std::map<std::string, std::string> partOfPatient;
    size_t total = 0;
    for (const auto& part : {"train", "val", "test"}) {
        const auto cases = imaging::casesOfPart(ids, split, part);
        total += cases.size();
        for (const auto& id : cases) {
            const auto [it, added] = partOfPatient.emplace(imaging::patientOfCase(id), part);
            EXPECT_EQ(it->second, part) << imaging::patientOfCase(id) << " is in two parts";
        }
    }
    EXPECT_EQ(total, ids.size());
    EXPECT_EQ(partOfPatient.size(), 767U);
}

TEST(FolderDataset, SeveralThreadsLoadTheSameCasesAndLeaveStderrAlone) {
    // Decoding silences libpng's stderr for the call; with several threads the
    // first one in and the last one out must leave the process's stderr as it was
    // (it was once left pointing at /dev/null, and training logs went silent).
    const auto dir = scratch("folder");
    std::vector<std::string> names;
    for (int i = 0; i < 48; ++i) {
        const auto c =
            smallCase("P" + std::to_string(i % 6) + "_nodule-0_slice-" + std::to_string(i), i);
        imaging::writeFolderCase(dir.string(), c);
        names.push_back(c.id);
    }
    struct stat before {};
    ASSERT_EQ(::fstat(STDERR_FILENO, &before), 0);
    const auto one = imaging::loadFolderCases(dir.string(), names, 1);
    for (int round = 0; round < 5; ++round) {
        const auto four = imaging::loadFolderCases(dir.string(), names, 4);
        ASSERT_EQ(four.size(), one.size());
        for (size_t i = 0; i < one.size(); ++i) {
            EXPECT_EQ(four[i].data.id, one[i].data.id);
            EXPECT_EQ(four[i].data.image.pixels, one[i].data.image.pixels);
            EXPECT_EQ(four[i].data.experts, one[i].data.experts);
        }
        struct stat after {};
        ASSERT_EQ(::fstat(STDERR_FILENO, &after), 0);
        EXPECT_EQ(after.st_ino, before.st_ino) << "stderr no longer points where it did";
        EXPECT_EQ(after.st_dev, before.st_dev);
    }
    EXPECT_EQ(imaging::listCaseFolders(dir.string()).size(), 48U);
    // A broken case among many is reported by name, whatever thread read it.
    std::ofstream(dir / names[30] / "image.png") << "not a png";
    try {
        (void)imaging::loadFolderCases(dir.string(), names, 4);
        ADD_FAILURE() << "a corrupt image was accepted";
    } catch (const imaging::ImageIoError& e) {
        EXPECT_NE(std::string(e.what()).find(names[30]), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

TEST(FolderDataset, TheRealTrainingCropsAreAlreadyInTheModelsInputConvention) {
    // The LIDC crops were made as normalizeCrop makes the window's crops (HU
    // min -> 0, max -> 255): read from their PNGs they come back unchanged, so
    // training, evaluation and the window feed the network the same thing.
    const fs::path shard = fs::path(FLOWSEG_SOURCE_DIR) / ".." / "shared" / "data" / "lidc-crops" /
                           "lidc-crops-0001-0128.tar.gz";
    if (!fs::exists(shard)) GTEST_SKIP() << "no ../shared/data/lidc-crops";
    const auto dir = scratch("lidc_shard");
    ASSERT_EQ(std::system(("tar -xzf '" + shard.string() + "' -C '" + dir.string() + "'").c_str()),
              0);
    const auto cases =
        imaging::loadFolderCases(dir.string(), imaging::listCaseFolders(dir.string()), 2);
    ASSERT_GT(cases.size(), 1000U);
    size_t changed = 0;
    for (const auto& c : cases) {
        EXPECT_EQ(c.data.experts.size(), 4U) << c.data.id;
        if (engine::normalizeCrop(c.data.image).pixels != c.data.image.pixels) ++changed;
    }
    EXPECT_EQ(changed, 0U) << "of " << cases.size() << " crops";
    fs::remove_all(dir);
}
