-- Schema version 5: an append-only audit trail on both backends, and on
-- PostgreSQL the department's accounts: four roles, and blind review that the
-- server enforces with row-level security (a reader reads only their own
-- outlines of a lesion until they have completed it; an adjudicator or an
-- administrator reads every outline at any time). An expert's login is the
-- expert's name in the expert table.
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

-- Who computed an agreement (it can be read back by them; see the policy below).
-- @sqlite
ALTER TABLE agreement ADD COLUMN computed_by TEXT NOT NULL DEFAULT '';
-- @end
-- @postgres
ALTER TABLE agreement ADD COLUMN computed_by TEXT NOT NULL DEFAULT session_user;
-- @end

-- @sqlite
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
-- @end

-- @postgres
-- Who acted is the login, whatever the client says.
CREATE FUNCTION flowseg_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := session_user;
    NEW.happened_at := strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    RETURN NEW;
END $$;
CREATE TRIGGER audit_event_stamp BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION flowseg_audit_stamp();
CREATE FUNCTION flowseg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION flowseg_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION flowseg_append_only();

CREATE FUNCTION flowseg_audit_annotation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_event (action, object, detail)
    SELECT 'changed', 'lesion ' || a.lesion_id,
           'expert ' || e.name || ', slice ' || a.slice || ', version ' || NEW.version ||
           ', ' || NEW.source
    FROM annotation a JOIN expert e ON e.id = a.expert_id WHERE a.id = NEW.annotation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_annotation AFTER INSERT ON annotation_version
    FOR EACH ROW EXECUTE FUNCTION flowseg_audit_annotation();
CREATE FUNCTION flowseg_audit_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'completed' AND (TG_OP = 'INSERT' OR OLD.state <> 'completed') THEN
        INSERT INTO audit_event (action, object, detail)
        SELECT 'completed', 'lesion ' || NEW.lesion_id, 'expert ' || name
        FROM expert WHERE id = NEW.expert_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.state = 'completed' AND NEW.state <> 'completed' THEN
        INSERT INTO audit_event (action, object, detail)
        SELECT 'reopened', 'lesion ' || NEW.lesion_id, 'expert ' || name
        FROM expert WHERE id = NEW.expert_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_review AFTER INSERT OR UPDATE ON expert_review
    FOR EACH ROW EXECUTE FUNCTION flowseg_audit_review();
CREATE FUNCTION flowseg_audit_model() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active = 1 AND OLD.active = 0 THEN
        INSERT INTO audit_event (action, object, detail)
        VALUES ('promoted', 'model ' || NEW.id, NEW.label);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_model AFTER UPDATE OF active ON model
    FOR EACH ROW EXECUTE FUNCTION flowseg_audit_model();

-- The roles (cluster-wide: one set serves every FlowSeg store on the server).
DO $$
DECLARE r TEXT;
BEGIN
    FOREACH r IN ARRAY ARRAY['flowseg_reader', 'flowseg_adjudicator', 'flowseg_steward',
                             'flowseg_admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END $$;
GRANT flowseg_reader TO flowseg_adjudicator, flowseg_steward, flowseg_admin;

GRANT SELECT, INSERT, UPDATE ON study, series, image_ref, lesion, expert, annotation,
    expert_review TO flowseg_reader;
GRANT SELECT, INSERT ON annotation_version, agreement, sampling_run, sampling_output, report
    TO flowseg_reader;
GRANT SELECT ON model, training_job TO flowseg_reader;
GRANT INSERT ON audit_event TO flowseg_reader;
GRANT INSERT, UPDATE ON model, training_job TO flowseg_steward;
GRANT SELECT, INSERT, UPDATE, DELETE ON study, series, image_ref, lesion, expert, annotation,
    expert_review, agreement, sampling_run, sampling_output, report, model, training_job
    TO flowseg_admin;
GRANT SELECT ON audit_event TO flowseg_admin, flowseg_steward;

-- Whose outlines a login may read.
CREATE FUNCTION flowseg_sees_all() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'flowseg_adjudicator', 'MEMBER')
        OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER')
$$;
CREATE FUNCTION flowseg_is_me(BIGINT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM expert WHERE id = $1 AND name = current_user)
$$;
CREATE FUNCTION flowseg_completed(BIGINT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM expert_review r JOIN expert e ON e.id = r.expert_id
                   WHERE r.lesion_id = $1 AND e.name = current_user AND r.state = 'completed')
$$;

ALTER TABLE annotation ENABLE ROW LEVEL SECURITY;
CREATE POLICY annotation_read ON annotation FOR SELECT
    USING (flowseg_sees_all() OR flowseg_is_me(expert_id) OR flowseg_completed(lesion_id));
CREATE POLICY annotation_insert ON annotation FOR INSERT
    WITH CHECK (flowseg_is_me(expert_id) OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));
CREATE POLICY annotation_update ON annotation FOR UPDATE
    USING (flowseg_is_me(expert_id) OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));
CREATE POLICY annotation_delete ON annotation FOR DELETE
    USING (pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));

-- A version is visible and writable where its annotation row is.
ALTER TABLE annotation_version ENABLE ROW LEVEL SECURITY;
CREATE POLICY version_read ON annotation_version FOR SELECT
    USING (EXISTS (SELECT 1 FROM annotation a WHERE a.id = annotation_id));
CREATE POLICY version_insert ON annotation_version FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM annotation a WHERE a.id = annotation_id
                        AND (flowseg_is_me(a.expert_id)
                             OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER'))));
CREATE POLICY version_delete ON annotation_version FOR DELETE
    USING (pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));

-- Each expert sets only their own review state.
ALTER TABLE expert_review ENABLE ROW LEVEL SECURITY;
CREATE POLICY review_read ON expert_review FOR SELECT USING (true);
CREATE POLICY review_write ON expert_review FOR INSERT
    WITH CHECK (flowseg_is_me(expert_id) OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));
CREATE POLICY review_update ON expert_review FOR UPDATE
    USING (flowseg_is_me(expert_id) OR pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));
CREATE POLICY review_delete ON expert_review FOR DELETE
    USING (pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));

-- The agreement between the experts tells about the others' outlines.
ALTER TABLE agreement ENABLE ROW LEVEL SECURITY;
CREATE POLICY agreement_read ON agreement FOR SELECT
    USING (flowseg_sees_all() OR flowseg_completed(lesion_id) OR computed_by = current_user);
CREATE POLICY agreement_write ON agreement FOR INSERT WITH CHECK (computed_by = current_user);
CREATE POLICY agreement_delete ON agreement FOR DELETE
    USING (pg_has_role(current_user, 'flowseg_admin', 'MEMBER'));
-- @end
