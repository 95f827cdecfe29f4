-- Name search by words (issue 22). `members.search_key LIKE '%q%'` behind a trigram index could
-- not be selective for "thi lan": the middle name "Thị" is in nearly every name, so every match
-- was found, fetched and sorted before the first page. Each member's folded name is now also
-- kept as its words (tokens), in the members' order, so a search walks the members holding its
-- rarest word in name order and stops after a page. `search_key LIKE` still decides what
-- matches (members/search.rs): the words only choose where to look.

-- The words that occur in names, with roughly how many members hold each (refreshed by the
-- server's housekeeping; NULL for a word seen since, which is rare by definition). Used to
-- expand a query word to the tokens it can match and to pick the rarest.
CREATE TABLE name_tokens (
    token   text COLLATE "C" PRIMARY KEY,
    members integer
);
CREATE INDEX name_tokens_trigram ON name_tokens USING gin (token gin_trgm_ops);

-- One row per (word, member), in name order within a word, with the whole folded name in the
-- index so that a walk checks the match on the index alone and reads only the members it keeps.
CREATE TABLE member_name_tokens (
    token      text COLLATE "C" NOT NULL,
    sort_key   text COLLATE "C" NOT NULL,
    member_id  uuid NOT NULL,
    search_key text NOT NULL,
    PRIMARY KEY (token, sort_key, member_id) INCLUDE (search_key)
);
CREATE INDEX member_name_tokens_member ON member_name_tokens (member_id);

-- Kept by statement-level triggers with transition tables: a bulk insert writes its members'
-- words in one statement, and an update that changes neither a name nor its order (most of them:
-- contacts, status, moves) touches nothing.
CREATE FUNCTION member_tokens_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- In token order, so that two writers adding the same new words never wait on each
        -- other in opposite orders.
        INSERT INTO name_tokens (token)
        SELECT DISTINCT t FROM new_members m, unnest(string_to_array(m.search_key, ' ')) t
        WHERE t <> '' ORDER BY t
        ON CONFLICT DO NOTHING;
        INSERT INTO member_name_tokens (token, sort_key, member_id, search_key)
        SELECT DISTINCT t, m.sort_key, m.id, m.search_key FROM new_members m, unnest(string_to_array(m.search_key, ' ')) t
        WHERE t <> '';
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only members whose folded name or name order changed (a temporary table here would
        -- write to the catalog on every update of a member: the join is repeated instead).
        DELETE FROM member_name_tokens t USING old_members o JOIN new_members n ON n.id = o.id
        WHERE t.member_id = o.id AND (o.search_key, o.sort_key) IS DISTINCT FROM (n.search_key, n.sort_key);
        INSERT INTO name_tokens (token)
        SELECT DISTINCT t FROM old_members o JOIN new_members n ON n.id = o.id,
             unnest(string_to_array(n.search_key, ' ')) t
        WHERE t <> '' AND (o.search_key, o.sort_key) IS DISTINCT FROM (n.search_key, n.sort_key) ORDER BY t
        ON CONFLICT DO NOTHING;
        INSERT INTO member_name_tokens (token, sort_key, member_id, search_key)
        SELECT DISTINCT t, n.sort_key, n.id, n.search_key FROM old_members o JOIN new_members n ON n.id = o.id,
             unnest(string_to_array(n.search_key, ' ')) t
        WHERE t <> '' AND (o.search_key, o.sort_key) IS DISTINCT FROM (n.search_key, n.sort_key);
    ELSE
        DELETE FROM member_name_tokens t USING old_members o WHERE t.member_id = o.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER members_tokens_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION member_tokens_sync();
CREATE TRIGGER members_tokens_update AFTER UPDATE ON members
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION member_tokens_sync();
CREATE TRIGGER members_tokens_delete AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_members FOR EACH STATEMENT EXECUTE FUNCTION member_tokens_sync();

-- The members already there.
INSERT INTO name_tokens (token)
SELECT DISTINCT t FROM members m, unnest(string_to_array(m.search_key, ' ')) t WHERE t <> '';
INSERT INTO member_name_tokens (token, sort_key, member_id, search_key)
SELECT DISTINCT t, m.sort_key, m.id, m.search_key FROM members m, unnest(string_to_array(m.search_key, ' ')) t WHERE t <> '';
UPDATE name_tokens n SET members = c.members
FROM (SELECT token, count(*)::int AS members FROM member_name_tokens GROUP BY token) c
WHERE c.token = n.token;
