-- Schema version 4: model versions. The model the review window samples with is
-- the active one (at most one); a fine-tune's new version becomes active only
-- when it beats its parent on the validation lesions, or when a user promotes
-- it, and any version can be made active again (rollback). What a version was
-- trained on and how it scored live in its training job and metrics.
ALTER TABLE model ADD COLUMN active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1));
ALTER TABLE model ADD COLUMN label TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX model_one_active ON model(active) WHERE active = 1;
