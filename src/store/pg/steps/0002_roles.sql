-- Who may do what, enforced by the server for every statement, whether it comes from signoff
-- or from psql. Who you are is the database login you connected as (session_user); what you
-- may do follows from your row in signoff_people, which `signoff people sync` writes from the
-- configuration's [[people]]. The tables belong to the login that ran the migrations (the
-- organisation's database owner), never to a person's everyday login, so no person can alter a
-- policy, a trigger or a table.

CREATE TABLE signoff_people (
    login     TEXT   PRIMARY KEY,
    name      TEXT   NOT NULL,
    title     TEXT   NOT NULL,
    role      TEXT   NOT NULL CHECK (role IN ('executive', 'division_head', 'admin')),
    divisions TEXT[] NOT NULL DEFAULT '{}'
);

-- The caller's role, or NULL for someone who is not among the people.
CREATE FUNCTION signoff_my_role() RETURNS TEXT
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT role FROM public.signoff_people WHERE login = session_user $$;

-- Whether the caller sees every division (executives and admins).
CREATE FUNCTION signoff_sees_all() RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT coalesce((SELECT role IN ('executive', 'admin') FROM public.signoff_people
                           WHERE login = session_user), false) $$;

-- The divisions a division head heads (empty for everyone else).
CREATE FUNCTION signoff_my_divisions() RETURNS TEXT[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT coalesce((SELECT divisions FROM public.signoff_people
                           WHERE login = session_user AND role = 'division_head'), '{}') $$;

-- Whether the caller may see this complaint (read with the owner's rights, so it works inside
-- the policies of other tables without recursion).
CREATE FUNCTION signoff_sees_complaint(c BIGINT) RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT EXISTS (SELECT 1 FROM public.complaints x WHERE x.id = c
                         AND (public.signoff_sees_all()
                              OR x.division = ANY (public.signoff_my_divisions()))) $$;

-- The decisions and CAR steps are the evidence: inserted, never changed or removed. No signoff
-- role is granted UPDATE or DELETE on them either; these triggers hold for the owner too.
CREATE FUNCTION signoff_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only('decisions');
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_append_only('decisions');
CREATE TRIGGER car_events_append_only BEFORE UPDATE OR DELETE ON car_events
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only('CAR steps');
CREATE TRIGGER car_events_no_truncate BEFORE TRUNCATE ON car_events
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_append_only('CAR steps');
CREATE TRIGGER cars_append_only BEFORE UPDATE OR DELETE ON cars
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only('CARs');
CREATE TRIGGER cars_no_truncate BEFORE TRUNCATE ON cars
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_append_only('CARs');
CREATE TRIGGER samples_append_only BEFORE UPDATE OR DELETE ON samples
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only('samples');
CREATE TRIGGER sample_items_append_only BEFORE UPDATE OR DELETE ON sample_items
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only('sample items');

-- Row-level security. Executives and admins see every division; a division head sees the
-- complaints of the divisions they head, and what hangs off those complaints.
ALTER TABLE complaints ENABLE ROW LEVEL SECURITY;
CREATE POLICY complaints_read ON complaints FOR SELECT
    USING ((SELECT signoff_sees_all()) OR division = ANY ((SELECT signoff_my_divisions())::TEXT[]));
CREATE POLICY complaints_import ON complaints FOR INSERT
    WITH CHECK ((SELECT signoff_my_role()) IN ('admin', 'executive'));
CREATE POLICY complaints_reimport ON complaints FOR UPDATE
    USING ((SELECT signoff_my_role()) IN ('admin', 'executive'));

-- Tables whose rows belong to one complaint: read where the complaint may be read; written by
-- those who import.
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'complaint_history', 'customer_complaints',
                             'canned_members', 'reply_members']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (signoff_sees_complaint(complaint_id))',
                       t || '_read', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL USING ((SELECT signoff_my_role()) IN (''admin'', ''executive'')) '
                       'WITH CHECK ((SELECT signoff_my_role()) IN (''admin'', ''executive''))',
                       t || '_import', t);
    END LOOP;
END $$;

-- Flags and per-division figures: read per division; written by whoever's action brought them
-- up to date (an import, an answer, a CAR step), for the divisions they may see.
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['complaint_flags', 'check_seen', 'check_daily', 'canned_daily',
                             'division_counts', 'rule_counts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL '
                       'USING ((SELECT signoff_sees_all()) OR division = ANY ((SELECT signoff_my_divisions())::TEXT[])) '
                       'WITH CHECK ((SELECT signoff_sees_all()) OR division = ANY ((SELECT signoff_my_divisions())::TEXT[]))',
                       t || '_division', t);
    END LOOP;
END $$;

ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY decisions_read ON decisions FOR SELECT
    USING (signoff_sees_complaint(complaint_id));
-- A decision is made by the person who connected: executives sign, push back and retract their
-- own; division heads answer push-backs on their own divisions and retract their own answers.
CREATE POLICY decisions_insert ON decisions FOR INSERT WITH CHECK (
    actor = session_user
    AND (
        ((SELECT signoff_my_role()) = 'executive'
            AND kind IN ('approve', 'push_back', 'retract'))
        OR ((SELECT signoff_my_role()) = 'division_head'
            AND kind IN ('revise', 'corrective_action', 'dispute', 'retract')
            AND signoff_sees_complaint(complaint_id))
    )
    AND (kind <> 'retract' OR retracts IN (SELECT id FROM decisions WHERE actor = session_user))
);

ALTER TABLE cars ENABLE ROW LEVEL SECURITY;
CREATE POLICY cars_read ON cars FOR SELECT USING (signoff_sees_complaint(complaint_id));
-- Opened by an executive, the owning division's head, or an import's rule.
CREATE POLICY cars_open ON cars FOR INSERT WITH CHECK (
    opened_by = session_user AND signoff_sees_complaint(complaint_id)
    AND (SELECT signoff_my_role()) IS NOT NULL
);

ALTER TABLE car_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY car_events_read ON car_events FOR SELECT USING (signoff_sees_complaint(complaint_id));
-- Steps are taken by executives and the owning division's head; an import's rule only opens.
CREATE POLICY car_events_insert ON car_events FOR INSERT WITH CHECK (
    actor = session_user AND signoff_sees_complaint(complaint_id)
    AND ((SELECT signoff_my_role()) IN ('executive', 'division_head')
         OR ((SELECT signoff_my_role()) = 'admin' AND step = 'open'))
);

ALTER TABLE samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY samples_read ON samples FOR SELECT USING ((SELECT signoff_my_role()) IS NOT NULL);
CREATE POLICY samples_draw ON samples FOR INSERT
    WITH CHECK (drawn_by = session_user AND (SELECT signoff_my_role()) = 'executive');

ALTER TABLE sample_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY sample_items_read ON sample_items FOR SELECT
    USING (signoff_sees_complaint(complaint_id));
CREATE POLICY sample_items_draw ON sample_items FOR INSERT WITH CHECK (
    (SELECT signoff_my_role()) = 'executive'
    AND sample_id IN (SELECT id FROM samples WHERE drawn_by = session_user)
);

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_read ON outbox FOR SELECT USING (
    (SELECT signoff_sees_all()) OR author = session_user
    OR (complaint_id IS NOT NULL AND signoff_sees_complaint(complaint_id))
);
CREATE POLICY outbox_queue ON outbox FOR INSERT
    WITH CHECK (author = session_user AND (SELECT signoff_my_role()) IS NOT NULL);
CREATE POLICY outbox_deliver ON outbox FOR UPDATE
    USING ((SELECT signoff_my_role()) IN ('executive', 'admin'));

ALTER TABLE notice_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY notice_log_all ON notice_log FOR ALL
    USING ((SELECT signoff_my_role()) IN ('executive', 'admin'))
    WITH CHECK ((SELECT signoff_my_role()) IN ('executive', 'admin'));

ALTER TABLE signoff_people ENABLE ROW LEVEL SECURITY;
CREATE POLICY signoff_people_read ON signoff_people FOR SELECT USING (true);

-- Full-text search with the GIN indexes. A search condition is not leakproof, so under
-- row-level security the planner may not use an index for it and would read every row; this
-- function searches with the owner's rights and applies the same visibility rule itself.
CREATE FUNCTION signoff_search(q TSQUERY) RETURNS SETOF BIGINT
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
        SELECT c.id FROM public.complaints c
        WHERE c.id IN (SELECT id FROM public.complaints WHERE search @@ q
                       UNION
                       SELECT complaint_id FROM public.messages WHERE search @@ q)
          AND (public.signoff_sees_all() OR c.division = ANY (public.signoff_my_divisions()))
    $$;

-- The decisions and the CAR steps are each one hash chain over the whole store. A division
-- head cannot read other divisions' records, yet must chain to the last of them: these give
-- the end of a chain (its id and hash; nothing of what it says) to anyone among the people.
CREATE FUNCTION signoff_chain_end(chain TEXT, OUT id BIGINT, OUT hash TEXT)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF public.signoff_my_role() IS NULL THEN
        RAISE EXCEPTION 'only the people of this store may append to its chains'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF chain = 'decisions' THEN
        SELECT d.id, d.hash INTO id, hash FROM public.decisions d ORDER BY d.id DESC LIMIT 1;
    ELSIF chain = 'car_events' THEN
        SELECT e.id, e.hash INTO id, hash FROM public.car_events e ORDER BY e.id DESC LIMIT 1;
    ELSE
        RAISE EXCEPTION 'no chain %', chain;
    END IF;
    hash := coalesce(hash, repeat('0', 64));
END $$;

-- Every record must link to the end of its chain as it stands when it is inserted: appends are
-- taken one at a time (an advisory lock per chain, held to the end of the transaction), and a
-- record whose prev_hash is not the last record's hash is refused, so the chain cannot fork,
-- whoever inserts and however. A writer takes the same lock before it reads the end to link to.
CREATE FUNCTION signoff_chain_link() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE last_id BIGINT; last_hash TEXT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('signoff chain ' || TG_TABLE_NAME));
    EXECUTE format('SELECT id, hash FROM public.%I ORDER BY id DESC LIMIT 1', TG_TABLE_NAME)
        INTO last_id, last_hash;
    IF NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'a record of % must link to the end of the chain (record %)',
            TG_TABLE_NAME, coalesce(last_id, 0)
            USING ERRCODE = 'serialization_failure';
    END IF;
    IF last_id IS NOT NULL AND NEW.id <= last_id THEN
        RAISE EXCEPTION 'a record of % must come after the end of the chain (record %)',
            TG_TABLE_NAME, last_id USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decisions_chain_link BEFORE INSERT ON decisions
    FOR EACH ROW EXECUTE FUNCTION signoff_chain_link();
CREATE TRIGGER car_events_chain_link BEFORE INSERT ON car_events
    FOR EACH ROW EXECUTE FUNCTION signoff_chain_link();

-- The complaints whose own words hold any of these phrases (a sampling rule's), through the
-- index on the complaint text, with the same visibility rule as a read.
CREATE FUNCTION signoff_phrase_matches(phrases TEXT[]) RETURNS SETOF BIGINT
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE q TSQUERY; p TEXT;
BEGIN
    FOREACH p IN ARRAY coalesce(phrases, '{}') LOOP
        IF btrim(p) <> '' THEN
            q := CASE WHEN q IS NULL THEN phraseto_tsquery('simple', p)
                      ELSE q || phraseto_tsquery('simple', p) END;
        END IF;
    END LOOP;
    IF q IS NULL THEN
        RETURN;
    END IF;
    -- Who may see what is asked once, not for each match.
    IF public.signoff_sees_all() THEN
        RETURN QUERY
            SELECT c.id FROM public.complaints c
            WHERE to_tsvector('simple', c.complaint_text) @@ q;
    ELSE
        RETURN QUERY
            SELECT c.id FROM public.complaints c
            WHERE to_tsvector('simple', c.complaint_text) @@ q
              AND c.division = ANY (public.signoff_my_divisions());
    END IF;
END $$;

-- A bulk load (a first import, or one as large as half the store) builds the search indexes
-- once at its end instead of growing them row by row, which costs several times the load
-- itself. Dropping and creating an index is the owner's right: this lends it to those who
-- import, for these indexes only, inside their import's transaction (a failed import restores
-- them with everything else).
CREATE FUNCTION signoff_search_indexes(present BOOLEAN) RETURNS VOID
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF coalesce(public.signoff_my_role(), '') NOT IN ('admin', 'executive') THEN
        RAISE EXCEPTION 'only those who import may rebuild the search indexes'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF present THEN
        CREATE INDEX IF NOT EXISTS complaints_search ON public.complaints USING GIN (search);
        CREATE INDEX IF NOT EXISTS complaints_text_search
            ON public.complaints USING GIN (to_tsvector('simple', complaint_text));
        CREATE INDEX IF NOT EXISTS messages_search ON public.messages USING GIN (search);
    ELSE
        DROP INDEX IF EXISTS public.complaints_search;
        DROP INDEX IF EXISTS public.complaints_text_search;
        DROP INDEX IF EXISTS public.messages_search;
    END IF;
END $$;
