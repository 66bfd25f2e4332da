// The "site" test in small: a model fine-tuned through the store on a
// site whose readers outline wider moves its samples toward them (fine_tune_fixture.h).

#include <gtest/gtest.h>

#include "fine_tune_fixture.h"

using namespace flowseg;
using flowseg::test::FineTune;

namespace {

double meanSampleArea(std::shared_ptr<const engine::Model> model,
                      const std::vector<common::MultiRaterCase>& cases) {
    const engine::Sampler sampler(std::move(model));
    auto options = engine::SamplingOptions::fastDefault();
    options.samples = 8;
    double area = 0;
    int n = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        options.seed = 100 + i;
        for (const auto& m : sampler.sample(cases[i].image, options).masks)
            area += static_cast<double>(m.area()), ++n;
    }
    return area / n;
}

double meanExpertArea(const std::vector<common::MultiRaterCase>& cases) {
    double area = 0;
    int n = 0;
    for (const auto& c : cases)
        for (const auto& m : c.experts) area += static_cast<double>(m.area()), ++n;
    return area / n;
}

}  // namespace

// The "site" test in small (its LIDC version: tools/site-experiment.sh,
// docs/BENCHMARKS.md): a model that learned synthetic lesions meets a site whose
// readers outline 1 px wider (at 32 px), is fine-tuned through the store on that
// site's cases, and its samples on the site's held-out cases grow most of the
// way toward the site's readers, with a lower GED there.
TEST_F(FineTune, ASiteThatOutlinesWiderPullsTheSamplesTowardItsReaders) {
    std::vector<common::MultiRaterCase> pretraining;
    for (int i = 0; i < 64; ++i)
        pretraining.push_back(engine::generateSyntheticCase({32, 3, 11}, i).data);
    engine::TrainingOptions o;
    o.preset = "tiny";
    o.iterations = 400;
    o.batchSize = 16;
    o.learningRate = 3e-3;
    o.lrDecayStart = 300;
    o.seed = 3;
    o.device = "cpu";
    o.checkpointPath = (folder / "pretrained.fsm").string();
    engine::Trainer(pretraining, o).run();

    std::vector<common::MultiRaterCase> site;
    for (int i = 0; i < 48; ++i) {
        auto c =
            engine::generateSyntheticCase({32, 3, 12}, i).data;  // lesions the model has not seen
        c.id = "SITE" + std::to_string(i % 8) + "_case-" + std::to_string(i);  // eight patients
        for (auto& m : c.experts) m = imaging::growMask(m, 1);
        site.push_back(std::move(c));
    }
    {
        auto database = db::Database::open(store);
        review::CaseImportOptions import;
        import.dicomFolder = (folder / "cases").string();
        const auto imported = review::importCases(database, site, import);
        EXPECT_EQ(imported.cases + static_cast<int>(imported.skipped.size()), 48);
        EXPECT_LE(imported.skipped.size(), 2U);  // a faint lesion no reader marked
    }
    auto options = tinyOptions(150);
    options.learningRate = 1e-3;
    options.batchSize = 16;
    options.validationSamples = 8;
    const auto result = review::runFineTune(store, o.checkpointPath, options);
    ASSERT_NE(result.outcome, review::FineTuneResult::Outcome::Cancelled);

    auto database = db::Database::open(store);
    const auto held = review::fineTuneCases(database, 32, options).validation;
    ASSERT_GE(held.size(), 10U);  // two of the eight patients
    const double readers = meanExpertArea(held);
    const double before = meanSampleArea(engine::Model::load(o.checkpointPath, "cpu"), held);
    const double after = meanSampleArea(engine::Model::load(result.checkpoint, "cpu"), held);
    EXPECT_LT(std::abs(after - readers), 0.5 * std::abs(before - readers))
        << "site readers " << readers << " px, samples before " << before << ", after " << after;
    EXPECT_LT(result.ged, result.parentGed);
    // Whether the gate promotes it is the paired test's call over the 12 held-out
    // lesions (M 8 makes each lesion's GED noisy; measured: mean improvement
    // 0.018, p 0.35, kept). It follows its test either way.
    EXPECT_EQ(result.outcome == review::FineTuneResult::Outcome::Promoted, result.pValue <= 0.05)
        << result.gate;
    EXPECT_NE(result.gate.find("held-out lesions"), std::string::npos) << result.gate;
    std::printf(
        "site readers %.1f px; samples before %.1f, after %.1f; GED %.4f -> %.4f; gate: %s\n",
        readers, before, after, result.parentGed, result.ged, result.gate.c_str());
}
