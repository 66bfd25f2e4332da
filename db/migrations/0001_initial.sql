-- Schema version 1: studies, series, image references, lesions, experts,
-- versioned annotations, models, training jobs, sampling runs, reports.
-- @sqlite
PRAGMA application_id = 1179407175; -- 0x464C5347 "FLSG"
-- @end

CREATE TABLE study (
    id            INTEGER PRIMARY KEY,
    study_uid     TEXT NOT NULL UNIQUE,
    patient_id    TEXT NOT NULL DEFAULT '',
    patient_name  TEXT NOT NULL DEFAULT '',
    study_date    TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE series (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    series_uid    TEXT NOT NULL UNIQUE,
    modality      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    source_path   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX series_by_study ON series(study_id);

-- References only: pixels stay in the DICOM files.
CREATE TABLE image_ref (
    id              INTEGER PRIMARY KEY,
    series_id       INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    sop_uid         TEXT NOT NULL UNIQUE,
    instance_number INTEGER,
    slice_position  REAL,
    file_path       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX image_ref_by_series ON image_ref(series_id);

CREATE TABLE lesion (
    id            INTEGER PRIMARY KEY,
    series_id     INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    first_slice   INTEGER NOT NULL,
    last_slice    INTEGER NOT NULL,
    box_x         INTEGER NOT NULL,
    box_y         INTEGER NOT NULL,
    box_width     INTEGER NOT NULL CHECK (box_width > 0),
    box_height    INTEGER NOT NULL CHECK (box_height > 0),
    review_state  TEXT NOT NULL DEFAULT 'not_started'
                  CHECK (review_state IN ('not_started', 'in_progress', 'completed', 'flagged')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (last_slice >= first_slice)
);
CREATE INDEX lesion_by_series ON lesion(series_id);

CREATE TABLE expert (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    role  TEXT NOT NULL DEFAULT 'radiologist'
);

-- One annotation per lesion, expert and slice; its content lives in versions.
CREATE TABLE annotation (
    id          INTEGER PRIMARY KEY,
    lesion_id   INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    expert_id   INTEGER NOT NULL REFERENCES expert(id),
    slice       INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (lesion_id, expert_id, slice)
);

CREATE TABLE annotation_version (
    id             INTEGER PRIMARY KEY,
    annotation_id  INTEGER NOT NULL REFERENCES annotation(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CHECK (version >= 1),
    width          INTEGER NOT NULL CHECK (width > 0),
    height         INTEGER NOT NULL CHECK (height > 0),
    mask           BLOB NOT NULL,      -- zlib-compressed bytes, one per pixel, 0 or 1
    mask_sha256    TEXT NOT NULL,      -- of the uncompressed bytes
    area           INTEGER NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (annotation_id, version)
);

-- An expert's saved work is never changed in place: a new version is added instead.
-- @sqlite
CREATE TRIGGER annotation_version_no_update BEFORE UPDATE ON annotation_version
BEGIN SELECT RAISE(ABORT, 'annotation versions are immutable; save a new version'); END;
-- @end
-- @postgres
CREATE FUNCTION flowseg_immutable_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'annotation versions are immutable; save a new version'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER annotation_version_no_update BEFORE UPDATE ON annotation_version
    FOR EACH ROW EXECUTE FUNCTION flowseg_immutable_version();
-- @end

CREATE TABLE training_job (
    id               INTEGER PRIMARY KEY,
    state            TEXT NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    progress         REAL NOT NULL DEFAULT 0,
    base_model_id    INTEGER
-- @sqlite
                     REFERENCES model(id)
-- @end
    ,
    parameters_json  TEXT NOT NULL DEFAULT '{}',
    metrics_json     TEXT NOT NULL DEFAULT '{}',
    log              TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at      TEXT
);

CREATE TABLE model (
    id               INTEGER PRIMARY KEY,
    path             TEXT NOT NULL,
    sha256           TEXT NOT NULL UNIQUE,
    preset           TEXT NOT NULL DEFAULT '',
    parent_id        INTEGER REFERENCES model(id),
    training_job_id  INTEGER REFERENCES training_job(id),
    metrics_json     TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- @postgres
-- PostgreSQL checks a reference when it is declared: this one, once model exists.
ALTER TABLE training_job ADD FOREIGN KEY (base_model_id) REFERENCES model(id);
-- @end

CREATE TABLE sampling_run (
    id                INTEGER PRIMARY KEY,
    lesion_id         INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    model_id          INTEGER NOT NULL REFERENCES model(id),
    slice             INTEGER NOT NULL,
    solver            TEXT NOT NULL,
    steps             INTEGER NOT NULL,
    guidance          REAL NOT NULL,
    samples           INTEGER NOT NULL CHECK (samples >= 1),
    seed              INTEGER NOT NULL,
    duration_seconds  REAL NOT NULL,
    device            TEXT NOT NULL,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Sample masks and uncertainty maps of a run, compressed.
CREATE TABLE sampling_output (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES sampling_run(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('sample', 'probability', 'variance', 'entropy')),
    sample_index  INTEGER NOT NULL DEFAULT 0,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    encoding      TEXT NOT NULL CHECK (encoding IN ('mask-u8-zlib', 'f32le-zlib')),
    data          BLOB NOT NULL,
    UNIQUE (run_id, kind, sample_index)
);

CREATE TABLE report (
    id          INTEGER PRIMARY KEY,
    lesion_id   INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    file_path   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created_by  INTEGER REFERENCES expert(id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
