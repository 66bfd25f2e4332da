// Test helper: saves annotation versions in a loop and prints "committed <id>"
// after each save returns, until it is killed. Used by the SIGKILL crash test.

#include <cstdio>
#include <string>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: crash_writer DB EXPERT\n");
        return 2;
    }
    using namespace flowseg::db;
    try {
        auto db = Database::open(argv[1], OpenMode::Create);
        StudyRepository studies(db);
        const auto study = studies.upsertStudy({0, "1.2.3.4", "P1", "Crash^Test", "20261127", ""});
        const auto series = studies.upsertSeries({0, study, "1.2.3.4.5", "CT", "", ""});
        LesionRepository lesions(db);
        auto existing = lesions.ofSeries(series);
        const auto lesion = existing.empty() ? lesions.create({0,
                                                               series,
                                                               "nodule",
                                                               3,
                                                               3,
                                                               {40, 40, 48, 48},
                                                               ReviewState::InProgress,
                                                               "",
                                                               ""})
                                             : existing.front().id;
        const auto expert = ExpertRepository(db).findOrCreate(argv[2]);
        AnnotationRepository annotations(db);
        flowseg::common::Mask mask(128, 128);
        for (long i = 0;; ++i) {
            // A different outline each time: a growing square.
            const int side = 5 + static_cast<int>(i % 60);
            for (int y = 0; y < 128; ++y)
                for (int x = 0; x < 128; ++x)
                    mask.at(y, x) = (x >= 30 && x < 30 + side && y >= 30 && y < 30 + side) ? 1 : 0;
            const auto saved = annotations.save(lesion, expert.id, 3, mask);
            std::printf("committed %lld\n", static_cast<long long>(saved.id));
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crash_writer: %s\n", e.what());
        return 1;
    }
}
