-- The checks on PostgreSQL: imports and refreshes by those who see every division keep them
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
