-- A division head answers a push-back by revising the company's response. Nobody but an import
-- may change a complaint's text, so the revision is made by the server, from the decision that
-- records it: a 'revise' decision, once the row-level security has let it in, replaces the
-- response (a row that is its own thread) or adds the revised answer as the company's latest
-- message (a stored thread), keeping the text it replaces in complaint_history. The decision
-- was sealed over the thread as it reads after the revision; signoff checks that it does.
CREATE FUNCTION signoff_apply_revision() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE n INTEGER; last_channel TEXT; next_seq INTEGER;
BEGIN
    INSERT INTO public.complaint_history (complaint_id, replaced_at, cause, subject,
        complaint_text, response_text, responded_at, responder, content_hash, thread)
    SELECT c.id, NEW.at, 'revision', c.subject, c.complaint_text, c.response_text,
           c.responded_at, c.responder, c.content_hash,
           CASE WHEN c.message_count IS NULL THEN NULL ELSE
               (SELECT json_agg(json_build_object('author', m.author, 'name', m.name,
                                                  'at', m.at, 'channel', m.channel,
                                                  'text', m.text) ORDER BY m.seq)::text
                FROM public.messages m WHERE m.complaint_id = c.id) END
    FROM public.complaints c WHERE c.id = NEW.complaint_id;
    SELECT message_count INTO n FROM public.complaints WHERE id = NEW.complaint_id;
    IF n IS NULL THEN
        UPDATE public.complaints
        SET response_text = NEW.body, responded_at = NEW.at, responder = NEW.actor_name
        WHERE id = NEW.complaint_id;
    ELSE
        SELECT m.channel INTO last_channel FROM public.messages m
        WHERE m.complaint_id = NEW.complaint_id ORDER BY m.seq DESC LIMIT 1;
        SELECT coalesce(max(m.seq), 0) + 1 INTO next_seq FROM public.messages m
        WHERE m.complaint_id = NEW.complaint_id;
        INSERT INTO public.messages (complaint_id, seq, ext_id, author, name, at, channel, text)
        VALUES (NEW.complaint_id, next_seq, NULL, 'company', NEW.actor_name, NEW.at,
                last_channel, NEW.body);
        UPDATE public.complaints c
        SET response_text = (SELECT string_agg(m.text, E'\n\n' ORDER BY m.seq)
                             FROM public.messages m
                             WHERE m.complaint_id = c.id AND m.author = 'company'),
            message_count = n + 1,
            responded_at = coalesce(c.responded_at, NEW.at),
            responder = coalesce(c.responder, NEW.actor_name)
        WHERE c.id = NEW.complaint_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER decisions_revision AFTER INSERT ON decisions
    FOR EACH ROW WHEN (NEW.kind = 'revise') EXECUTE FUNCTION signoff_apply_revision();

-- Finding a complaint by the id people type (in any source), and a customer's other complaints,
-- newest first, without reading the whole table.
CREATE INDEX complaints_external_id ON complaints (external_id);
CREATE INDEX complaints_customer ON complaints (customer_key, received_at DESC, id DESC)
    WHERE customer_key IS NOT NULL;

-- The review screen's search: the newest complaints whose words (or whose messages' words) hold
-- the query, at most n of them, in the divisions the caller may see (and `scope`, when given).
-- A GIN index finds matches in no particular order, so the newest are looked for among the
-- newest complaints first, in windows that grow fourfold until n are found or the store ends:
-- a common word costs about what a rare one does.
CREATE FUNCTION signoff_search_newest(q TSQUERY, n INTEGER, scope TEXT[]) RETURNS SETOF BIGINT
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE top BIGINT; lo BIGINT; span BIGINT := 20000; found BIGINT[];
BEGIN
    SELECT max(c.id) INTO top FROM public.complaints c;
    IF top IS NULL OR n <= 0 THEN
        RETURN;
    END IF;
    LOOP
        lo := top - span;
        SELECT array_agg(x.id ORDER BY x.id DESC) INTO found FROM (
            SELECT c.id FROM public.complaints c
            WHERE c.id > lo
              AND c.id IN (SELECT m.id FROM public.complaints m WHERE m.search @@ q AND m.id > lo
                           UNION
                           SELECT t.complaint_id FROM public.messages t
                           WHERE t.search @@ q AND t.complaint_id > lo)
              AND (public.signoff_sees_all() OR c.division = ANY (public.signoff_my_divisions()))
              AND (scope IS NULL OR c.division = ANY (scope))
            ORDER BY c.id DESC LIMIT n) x;
        EXIT WHEN coalesce(array_length(found, 1), 0) >= n OR lo <= 0;
        span := span * 4;
    END LOOP;
    RETURN QUERY SELECT unnest(found);
END $$;
