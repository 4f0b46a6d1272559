-- 0015: the words of each conversation, in a B-tree, for search as you type.
--
-- The GIN index of messages_fts answers "which messages have this word" only as a bitmap:
-- every match costs a visit to messages_fts to learn its conversation (the key), and a
-- bitmap cannot stop at a limit. At a million messages "refund" has 70,000 matches, and
-- counting its conversations up to 1,000 read them all (191 ms), where FTS5 reads its
-- index in key order and stops. fts_words holds one row per word and conversation that
-- has it in some message: the conversations of a word are a range of its primary key, in
-- conversation order, read from the index alone (store/dialect_postgres.go).
--
-- Words are the lexemes of messages_fts.tsv (triage_tsvector), compared byte by byte
-- (COLLATE "C") so that the words of a prefix are one range of the index whatever the
-- database's collation.
CREATE TABLE fts_words (
    word text COLLATE "C" NOT NULL,
    conv bigint NOT NULL
);
-- The words of the messages already indexed, in key order; the primary key is built
-- after, by one sort (a million messages: 13.7 million pairs). Nothing else sees the
-- table before this migration commits.
INSERT INTO fts_words (word, conv)
    SELECT DISTINCT w, f.rowid >> 32 FROM messages_fts f, unnest(tsvector_to_array(f.tsv)) AS w ORDER BY 1, 2;
ALTER TABLE fts_words ADD PRIMARY KEY (word, conv);
-- Search picks the rarest of its words by the planner's statistics of this column
-- (triage_text_plan): keep the thousand most common words, not the hundred.
ALTER TABLE fts_words ALTER COLUMN word SET STATISTICS 1000;

-- Triggers keep fts_words in step with messages_fts in the same transaction, whatever
-- writes it: live ingest, the bulk load's batches, a merge moving a conversation's
-- messages, an edit, a reply taken back. A statement's rows are handled at once.
CREATE FUNCTION triage_fts_words_add() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fts_words (word, conv)
        SELECT DISTINCT w, n.rowid >> 32 FROM new_rows n, unnest(tsvector_to_array(n.tsv)) AS w
        ORDER BY 1, 2 -- one order for every writer, so two never wait on each other crosswise
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- A word leaves a conversation when no message of it left has the word. A writer adding a
-- message to the conversation at the same time holds a key-share lock on its row (the
-- foreign key of messages) until it commits, and its words are not yet visible here: the
-- row lock below waits for it, so a pair it relied on is not taken away under it.
CREATE FUNCTION triage_fts_words_drop() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations
        WHERE id IN (SELECT o.rowid >> 32 FROM old_rows o) ORDER BY id FOR UPDATE;
    DELETE FROM fts_words p
        USING (SELECT DISTINCT w, o.rowid >> 32 AS conv FROM old_rows o, unnest(tsvector_to_array(o.tsv)) AS w) g
        WHERE p.word = g.w AND p.conv = g.conv
        AND NOT EXISTS (SELECT 1 FROM messages_fts f
            WHERE f.rowid BETWEEN g.conv << 32 AND (g.conv << 32) + 4294967295
            AND g.w = ANY (tsvector_to_array(f.tsv)));
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_fts_words_add AFTER INSERT ON messages_fts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triage_fts_words_add();
CREATE TRIGGER messages_fts_words_drop AFTER DELETE ON messages_fts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION triage_fts_words_drop();
-- Nothing updates messages_fts today (a row is deleted and inserted anew); should
-- something, the words follow.
CREATE FUNCTION triage_fts_words_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations
        WHERE id IN (SELECT o.rowid >> 32 FROM old_rows o) ORDER BY id FOR UPDATE;
    DELETE FROM fts_words p
        USING (SELECT DISTINCT w, o.rowid >> 32 AS conv FROM old_rows o, unnest(tsvector_to_array(o.tsv)) AS w) g
        WHERE p.word = g.w AND p.conv = g.conv
        AND NOT EXISTS (SELECT 1 FROM messages_fts f
            WHERE f.rowid BETWEEN g.conv << 32 AND (g.conv << 32) + 4294967295
            AND g.w = ANY (tsvector_to_array(f.tsv)));
    INSERT INTO fts_words (word, conv)
        SELECT DISTINCT w, n.rowid >> 32 FROM new_rows n, unnest(tsvector_to_array(n.tsv)) AS w
        ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_fts_words_update AFTER UPDATE ON messages_fts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triage_fts_words_update();

ANALYZE fts_words;

-- triage_text_plan reads a query of triage_tsquery's (see 0013) and says how to find its
-- conversations through fts_words. Every message that matches has each word of each
-- line (the last word of a '*' line as a prefix), so the conversations that match are
-- among those of any one of them: words gives the rarest one's words (a prefix's every
-- word, up to 200; a prefix of more is never chosen), est how many conversations have it
-- (from the planner's statistics of fts_words: an estimate, which picks plans and never
-- rows), and exact whether having it is the whole match (one word, or one prefix, and no
-- phrase), so that nothing needs reading the messages; others the other words every
-- match has (of a prefix, only one that has a single word), rarest first, each a look into
-- fts_words that spares reading the messages of a conversation that lacks it, and
-- other_est the estimate of the first of them; gin whether the GIN index counts it
-- faster (two rare words seldom together); and tsq the query as
-- triage_tsquery makes it, made once. A query with no word gives empty
-- words: no conversation, as triage_tsquery's empty query matches no message; one of
-- prefixes of too many words gives NULL: the pairs cannot narrow it.
CREATE FUNCTION triage_text_plan(q text, OUT words text[], OUT est double precision, OUT exact boolean, OUT others text[],
    OUT tsq tsquery, OUT other_est double precision, OUT gin boolean)
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    t record;
    ws text[];
    e double precision;
    n int := 0;
    mcv text[];
    freqs real[];
    rows double precision;
    other double precision;
    oest double precision[];
BEGIN
    SELECT CAST(CAST(s.most_common_vals AS text) AS text[]), s.most_common_freqs, greatest(c.reltuples, 0)
        INTO mcv, freqs, rows
        FROM pg_stats s JOIN pg_class c ON c.oid = to_regclass('fts_words')
        WHERE s.schemaname = current_schema() AND s.tablename = 'fts_words' AND s.attname = 'word';
    -- A word the statistics do not name has at most as many conversations as the least
    -- common one they do.
    other := coalesce(freqs[array_length(freqs, 1)] * rows, 0);
    FOR t IN
        SELECT x.w, left(u.line, 1) = '*' AND x.i = x.last AS prefix
        FROM unnest(string_to_array(q, E'\n')) AS u (line),
            LATERAL (SELECT w, i, count(*) OVER () AS last
                FROM unnest(string_to_array(triage_words(substr(u.line, 2)), ' ')) WITH ORDINALITY AS a (w, i)
                WHERE w <> '') AS x
    LOOP
        n := n + 1;
        IF t.prefix THEN
            -- The words of the prefix, one step down the index each.
            WITH RECURSIVE r (w) AS (
                SELECT min(word) FROM fts_words WHERE word >= t.w AND word < t.w || chr(1114111)
                UNION ALL
                SELECT (SELECT min(word) FROM fts_words WHERE word > r.w AND word < t.w || chr(1114111))
                FROM r WHERE r.w IS NOT NULL)
            SELECT array_agg(w) INTO ws FROM (SELECT w FROM r WHERE w IS NOT NULL LIMIT 201) AS k;
            IF coalesce(array_length(ws, 1), 0) > 200 THEN
                CONTINUE;
            END IF;
            ws := coalesce(ws, '{}');
        ELSE
            ws := ARRAY[t.w];
        END IF;
        SELECT coalesce(sum(CASE WHEN array_position(mcv, x) IS NOT NULL THEN freqs[array_position(mcv, x)] * rows
            ELSE other END), 0) INTO e FROM unnest(ws) AS x;
        IF words IS NULL OR e < est THEN
            IF cardinality(words) = 1 THEN
                others := others || words;
                oest := oest || est;
            END IF;
            words := ws;
            est := e;
        ELSIF cardinality(ws) = 1 THEN
            others := others || ws;
            oest := oest || e;
        END IF;
    END LOOP;
    SELECT coalesce(array_agg(x.w ORDER BY x.e), '{}'), min(x.e) INTO others, other_est
        FROM unnest(others, oest) AS x (w, e);
    tsq := triage_tsquery(q);
    -- Two words each in few conversations, and seldom together (taken for independent):
    -- for a count the GIN index intersects their short lists of messages at once, cheaper
    -- than testing each conversation of the rarer ("kettle broke": 16,000 and 29,000
    -- conversations, 2,000 messages with both). A page still walks the view.
    gin := est < 30000 AND other_est < 60000
        AND est * other_est < 5000 * greatest((SELECT reltuples FROM pg_class WHERE oid = to_regclass('conversations')), 1);
    gin := coalesce(gin, false);
    exact := n = 1 AND strpos(q, E'\n') = 0;
    IF n = 0 THEN
        words := '{}';
        est := 0;
    ELSIF words IS NULL THEN
        -- Only prefixes of too many words: no pair narrows the search, NULL words say so
        -- and the messages are read (see ftsConversation).
        est := 'Infinity';
        exact := false;
    END IF;
END
$$;
