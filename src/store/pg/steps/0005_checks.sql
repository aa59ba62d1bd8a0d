-- The checks on PostgreSQL, and reading what hangs off a complaint at the speed the pack needs.

-- The checks: imports and refreshes by those who see every division keep them
-- (`store::pg::checks`). A canned group's text is a reply sent to customers of some divisions:
-- a division head reads the groups that reached their own divisions' customers only, and no
-- one but those who see every division writes the groups or the record of refreshes.
ALTER TABLE canned_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY canned_groups_read ON canned_groups FOR SELECT
    USING ((SELECT signoff_sees_all())
           OR EXISTS (SELECT 1 FROM canned_daily d WHERE d.group_id = canned_groups.id));
CREATE POLICY canned_groups_write ON canned_groups FOR ALL
    USING ((SELECT signoff_sees_all()))
    WITH CHECK ((SELECT signoff_sees_all()));

ALTER TABLE check_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY check_runs_read ON check_runs FOR SELECT
    USING ((SELECT signoff_my_role()) IS NOT NULL);
CREATE POLICY check_runs_write ON check_runs FOR INSERT
    WITH CHECK ((SELECT signoff_sees_all()));

ALTER TABLE check_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY check_state_read ON check_state FOR SELECT
    USING ((SELECT signoff_my_role()) IS NOT NULL);
CREATE POLICY check_state_write ON check_state FOR ALL
    USING ((SELECT signoff_sees_all()))
    WITH CHECK ((SELECT signoff_sees_all()));

-- Derived rows, replaced whole by each refresh: as on SQLite they name their complaint without a
-- foreign key (complaints are never deleted), which would look up a parent for every row written.
ALTER TABLE complaint_flags DROP CONSTRAINT complaint_flags_complaint_id_fkey;
ALTER TABLE check_seen DROP CONSTRAINT check_seen_complaint_id_fkey;

-- The newest history row the checks had seen when last refreshed: a response a division head
-- revised since then is judged again by the next refresh, which whoever sees every division runs
-- before reading the flags.
ALTER TABLE check_state ADD COLUMN history_seen BIGINT NOT NULL DEFAULT 0;

-- What hangs off a complaint is read where the complaint may be read. Asking
-- signoff_sees_complaint row by row cost three function calls a row, even for those who see
-- every division (1.5 s to list the complaints of a year's samples): they now pass on one answer
-- per statement, and the question itself is one statement. A policy that a policy of the same
-- table reads through a subquery may not have one itself: the retraction check of the
-- decisions' insert policy asks a function instead, as the other checks do.
CREATE FUNCTION signoff_my_decision(d BIGINT) RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT EXISTS (SELECT 1 FROM public.decisions x
                         WHERE x.id = d AND x.actor = session_user) $$;
ALTER POLICY decisions_insert ON decisions WITH CHECK (
    actor = session_user
    AND (
        ((SELECT signoff_my_role()) = 'executive'
            AND kind IN ('approve', 'push_back', 'retract'))
        OR ((SELECT signoff_my_role()) = 'division_head'
            AND kind IN ('revise', 'corrective_action', 'dispute', 'retract')
            AND signoff_sees_complaint(complaint_id))
    )
    AND (kind <> 'retract' OR signoff_my_decision(retracts))
);
CREATE OR REPLACE FUNCTION signoff_sees_complaint(c BIGINT) RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT EXISTS (SELECT 1 FROM public.complaints x
                             JOIN public.signoff_people p ON p.login = session_user
                         WHERE x.id = c
                           AND (p.role IN ('executive', 'admin')
                                OR (p.role = 'division_head'
                                    AND x.division = ANY (p.divisions)))) $$;
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'complaint_history', 'customer_complaints',
                             'canned_members', 'reply_members', 'decisions', 'cars',
                             'car_events', 'sample_items']
    LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING ((SELECT signoff_sees_all()) OR '
                       'signoff_sees_complaint(complaint_id))', t || '_read', t);
    END LOOP;
END $$;

-- How many records of a chain (decisions or CAR steps) the caller may read: counted with one
-- join rather than by her right to each record, for the pack of a division head.
CREATE FUNCTION signoff_records_seen(chain TEXT) RETURNS BIGINT
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE n BIGINT; everything BOOLEAN; mine TEXT[];
BEGIN
    SELECT role IN ('executive', 'admin'), divisions INTO everything, mine
    FROM public.signoff_people WHERE login = session_user;
    IF everything IS NULL THEN
        RETURN 0;
    END IF;
    IF chain = 'decisions' THEN
        SELECT count(*) INTO n FROM public.decisions d JOIN public.complaints c
            ON c.id = d.complaint_id WHERE everything OR c.division = ANY (mine);
    ELSIF chain = 'car_events' THEN
        SELECT count(*) INTO n FROM public.car_events e JOIN public.complaints c
            ON c.id = e.complaint_id WHERE everything OR c.division = ANY (mine);
    ELSE
        RAISE EXCEPTION 'no chain named %', chain;
    END IF;
    RETURN n;
END $$;
