-- The current schema (version 5) of an SQLite store in one piece, for reading and for a test that
-- checks the migrations in migrations/ produce exactly these tables and columns (the
-- PostgreSQL-only parts of the migrations, roles and row-level security, are not here).
-- The application itself applies migrations/*.sql in order; edit those, then this.
PRAGMA application_id = 1179407175; -- 0x464C5347 "FLSG"

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
CREATE INDEX annotation_by_lesion ON annotation(lesion_id, expert_id);

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
    source         TEXT NOT NULL DEFAULT 'manual'
                   CHECK (source IN ('manual', 'imported', 'accepted-sample')),
    UNIQUE (annotation_id, version)
);

-- An expert's saved work is never changed in place: a new version is added instead.
CREATE TRIGGER annotation_version_no_update BEFORE UPDATE ON annotation_version
BEGIN SELECT RAISE(ABORT, 'annotation versions are immutable; save a new version'); END;

CREATE TABLE training_job (
    id               INTEGER PRIMARY KEY,
    state            TEXT NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    progress         REAL NOT NULL DEFAULT 0,
    base_model_id    INTEGER REFERENCES model(id),
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
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    active           INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    label            TEXT NOT NULL DEFAULT ''
);
-- At most one active model: the one the review window samples with.
CREATE UNIQUE INDEX model_one_active ON model(active) WHERE active = 1;

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
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    coherent          INTEGER NOT NULL DEFAULT 0,  -- migration 6: one chain through the slices
    chains_end        INTEGER NOT NULL DEFAULT 0   -- migration 6: SamplingOptions::chainsEnd
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

-- Each expert's own review state of a lesion (blind review).
CREATE TABLE expert_review (
    lesion_id   INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    expert_id   INTEGER NOT NULL REFERENCES expert(id),
    state       TEXT NOT NULL DEFAULT 'in_progress'
                CHECK (state IN ('not_started', 'in_progress', 'completed', 'flagged')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (lesion_id, expert_id)
);

-- Agreement between experts and with the model's samples, as computed then.
CREATE TABLE agreement (
    id            INTEGER PRIMARY KEY,
    lesion_id     INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES sampling_run(id) ON DELETE SET NULL,
    metrics_json  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    computed_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agreement_by_lesion ON agreement(lesion_id);

-- The audit trail: who opened, changed, completed, exported or promoted what.
CREATE TABLE audit_event (
    id      INTEGER PRIMARY KEY,
    happened_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor   TEXT NOT NULL DEFAULT '',  -- the login on a server; the signed-in name on SQLite
    action  TEXT NOT NULL CHECK (action IN ('opened', 'changed', 'completed', 'reopened',
                                            'exported', 'promoted', 'account')),
    object  TEXT NOT NULL,             -- 'lesion 12', 'model 3', 'login reader_a'
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_by_object ON audit_event(object, id);

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TRIGGER audit_annotation AFTER INSERT ON annotation_version
BEGIN
    INSERT INTO audit_event (actor, action, object, detail)
    SELECT e.name, 'changed', 'lesion ' || a.lesion_id,
           'slice ' || a.slice || ', version ' || NEW.version || ', ' || NEW.source
    FROM annotation a JOIN expert e ON e.id = a.expert_id WHERE a.id = NEW.annotation_id;
END;
CREATE TRIGGER audit_review_insert AFTER INSERT ON expert_review WHEN NEW.state = 'completed'
BEGIN
    INSERT INTO audit_event (actor, action, object)
    SELECT name, 'completed', 'lesion ' || NEW.lesion_id FROM expert WHERE id = NEW.expert_id;
END;
CREATE TRIGGER audit_review_update AFTER UPDATE OF state ON expert_review
    WHEN NEW.state IS NOT OLD.state AND (NEW.state = 'completed' OR OLD.state = 'completed')
BEGIN
    INSERT INTO audit_event (actor, action, object)
    SELECT name, CASE NEW.state WHEN 'completed' THEN 'completed' ELSE 'reopened' END,
           'lesion ' || NEW.lesion_id FROM expert WHERE id = NEW.expert_id;
END;
CREATE TRIGGER audit_model_promoted AFTER UPDATE OF active ON model
    WHEN NEW.active = 1 AND OLD.active = 0
BEGIN
    INSERT INTO audit_event (action, object, detail)
    VALUES ('promoted', 'model ' || NEW.id, NEW.label);
END;

-- A nodule run's other slices (migration 6).
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

-- Model files by checksum (migration 6).
CREATE TABLE model_file (
    sha256    TEXT PRIMARY KEY,
    content   BLOB NOT NULL,
    bytes     INTEGER NOT NULL,
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

PRAGMA user_version = 6;
