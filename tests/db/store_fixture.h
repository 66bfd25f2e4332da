#pragma once
// What the store tests hang their data on, on either backend.

#include "flowseg/common/types.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"

namespace flowseg::test {

class StoreFixture {
protected:
    // A study, series, lesion and expert to hang annotations on.
    struct Fixture {
        db::RowId series = 0, lesion = 0, expert = 0;
    };
    static Fixture populate(db::Database& db, const std::string& expertName = "Dr A") {
        db::StudyRepository studies(db);
        Fixture f;
        const auto study =
            studies.upsertStudy({0, "1.2.840.1", "P1", "Doe^Jane", "20260101", "chest"});
        f.series = studies.upsertSeries({0, study, "1.2.840.1.1", "CT", "lung", "/data"});
        studies.upsertImage({0, f.series, "1.2.840.1.1.1", 1, -120.5, "/data/1.dcm"});
        db::LesionRecord lesion;
        lesion.seriesId = f.series;
        lesion.label = "nodule 1";
        lesion.firstSlice = lesion.lastSlice = 3;
        lesion.box = {10, 12, 30, 30};
        f.lesion = db::LesionRepository(db).create(lesion);
        f.expert = db::ExpertRepository(db).findOrCreate(expertName).id;
        return f;
    }
    static common::Mask squareMask(int side) {
        common::Mask m(32, 32);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) m.at(y, x) = 1;
        return m;
    }
};

}  // namespace flowseg::test
