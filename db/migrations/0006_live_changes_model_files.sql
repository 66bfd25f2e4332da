-- Schema version 6: the department's model files in the store, a nodule run's
-- samples on every slice it spans, and (on PostgreSQL) a notification on every
-- committed change a workstation shows, so that the others see it live.

-- A nodule run: its own slice's outputs stay in sampling_output; the other
-- slices' are here. `coherent`: sample k is one chain through the slices;
-- `chains_end`: a chain that marked nothing on a slice stayed empty beyond it
-- (SamplingOptions::chainsEnd; runs stored before this version let it restart).
ALTER TABLE sampling_run ADD COLUMN coherent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sampling_run ADD COLUMN chains_end INTEGER NOT NULL DEFAULT 0;
CREATE TABLE sampling_slice_output (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES sampling_run(id) ON DELETE CASCADE,
    slice         INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('sample', 'probability', 'variance', 'entropy')),
    sample_index  INTEGER NOT NULL DEFAULT 0,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    encoding      TEXT NOT NULL CHECK (encoding IN ('mask-u8-zlib', 'f32le-zlib')),
    data          BLOB NOT NULL,
    UNIQUE (run_id, slice, kind, sample_index)
);

-- A model version's checkpoint, by its checksum: every workstation reads the
-- version from here when it does not have the file (the path is the file on
-- the workstation that trained it).
CREATE TABLE model_file (
    sha256    TEXT PRIMARY KEY,
    content   BLOB NOT NULL,
    bytes     INTEGER NOT NULL,
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- @postgres
GRANT SELECT, INSERT ON sampling_slice_output TO flowseg_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON sampling_slice_output TO flowseg_admin;
-- Every login records the model its runs came from (with its file: any
-- workstation can then reproduce the run), never which one is active: that is
-- the steward's (UPDATE, granted in version 5).
GRANT INSERT (path, sha256, preset, parent_id, training_job_id, metrics_json, label) ON model
    TO flowseg_reader;
GRANT SELECT, INSERT ON model_file TO flowseg_reader;
GRANT SELECT, INSERT, DELETE ON model_file TO flowseg_admin;

-- 'table lesion series login' on the channel flowseg_changes, sent when the
-- transaction commits (never for one rolled back). Only ids: what a
-- workstation then reads is what row-level security lets its login read.
CREATE FUNCTION flowseg_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lesion_ref BIGINT := 0;
    series_ref BIGINT := 0;
BEGIN
    IF TG_TABLE_NAME = 'lesion' THEN
        lesion_ref := NEW.id;
        series_ref := NEW.series_id;
    ELSIF TG_TABLE_NAME = 'annotation_version' THEN
        SELECT a.lesion_id INTO lesion_ref FROM annotation a WHERE a.id = NEW.annotation_id;
    ELSIF TG_TABLE_NAME <> 'model' THEN
        lesion_ref := NEW.lesion_id;
    END IF;
    IF lesion_ref IS NOT NULL AND lesion_ref <> 0 AND series_ref = 0 THEN
        SELECT l.series_id INTO series_ref FROM lesion l WHERE l.id = lesion_ref;
    END IF;
    PERFORM pg_notify('flowseg_changes', TG_TABLE_NAME || ' ' || coalesce(lesion_ref, 0) || ' ' ||
                                         coalesce(series_ref, 0) || ' ' || session_user);
    RETURN NULL;
END $$;
CREATE TRIGGER notify_lesion AFTER INSERT OR UPDATE ON lesion
    FOR EACH ROW EXECUTE FUNCTION flowseg_notify_change();
CREATE TRIGGER notify_annotation AFTER INSERT ON annotation_version
    FOR EACH ROW EXECUTE FUNCTION flowseg_notify_change();
CREATE TRIGGER notify_review AFTER INSERT OR UPDATE ON expert_review
    FOR EACH ROW EXECUTE FUNCTION flowseg_notify_change();
CREATE TRIGGER notify_run AFTER INSERT ON sampling_run
    FOR EACH ROW EXECUTE FUNCTION flowseg_notify_change();
CREATE TRIGGER notify_model AFTER UPDATE OF active ON model
    FOR EACH ROW EXECUTE FUNCTION flowseg_notify_change();
-- @end
