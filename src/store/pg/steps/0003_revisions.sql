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
