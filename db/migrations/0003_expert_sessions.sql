-- Schema version 3: multi-expert sessions. Each expert's own review state of a
-- lesion (blind review shows an expert only their own outline until they mark
-- the lesion completed), and the agreement computed between the experts and
-- with the model's samples, kept with the time it was computed.
CREATE TABLE expert_review (
    lesion_id   INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    expert_id   INTEGER NOT NULL REFERENCES expert(id),
    state       TEXT NOT NULL DEFAULT 'in_progress'
                CHECK (state IN ('not_started', 'in_progress', 'completed', 'flagged')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (lesion_id, expert_id)
);

CREATE TABLE agreement (
    id            INTEGER PRIMARY KEY,
    lesion_id     INTEGER NOT NULL REFERENCES lesion(id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES sampling_run(id) ON DELETE SET NULL,
    metrics_json  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX agreement_by_lesion ON agreement(lesion_id);
