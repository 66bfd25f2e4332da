-- Schema version 2: where an annotation version came from (drawn by hand,
-- imported from LIDC XML or DICOM SEG, or an accepted model sample), and an
-- index for the "latest version per expert" query the review window runs.
ALTER TABLE annotation_version ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
    CHECK (source IN ('manual', 'imported', 'accepted-sample'));
CREATE INDEX annotation_by_lesion ON annotation(lesion_id, expert_id);
