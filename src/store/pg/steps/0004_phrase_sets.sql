-- The phrase rules' matches that loads keep for sampling cover every division: reading them would
-- tell a division head which complaints of other divisions match, and changing them would steer
-- an executive's draw. Only those who see every division (who are also those who import) read or
-- write them.
ALTER TABLE phrase_rule_sets ENABLE ROW LEVEL SECURITY;
CREATE POLICY phrase_rule_sets_whole_store ON phrase_rule_sets FOR ALL
    USING ((SELECT signoff_sees_all()))
    WITH CHECK ((SELECT signoff_sees_all()));
