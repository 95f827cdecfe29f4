-- GET /members?q=…: a two-word name search, first page, as members/search.rs runs it (three
-- statements). Variables: first, last (the query's words, folded).
-- 1. The vocabulary words each condition allows (the server picks the rarest; here `last`).
SELECT p.i::int4 AS position, n.token, n.members
FROM unnest(ARRAY['%:first', ':last%']) WITH ORDINALITY AS p(pattern, i)
JOIN name_tokens n ON n.token LIKE p.pattern;
-- 2. Each word's first page of matches in name order, then the first page of their union.
SELECT array_agg(id) AS ids FROM (
  SELECT DISTINCT c.id, c.sort_key
  FROM unnest(ARRAY(SELECT token FROM name_tokens WHERE token LIKE ':last%')) AS w(token)
  CROSS JOIN LATERAL (
      SELECT t.member_id AS id, t.sort_key FROM member_name_tokens t JOIN members m ON m.id = t.member_id
      WHERE t.token = w.token AND strpos(t.search_key, ':first :last') > 0
        AND m.unit_path <@ ARRAY['00000000000070008000000000000001']::ltree[]
      ORDER BY t.sort_key, t.member_id LIMIT 21) c
  ORDER BY c.sort_key, c.id LIMIT 21) page \gset
-- 3. Those members, in order.
SELECT id, family_name, middle_name, given_name, sex, birth_date, birth_year, phone, address, occupation,
       education, joined_on, card_number, member_type, pioneer, status, unit_id, version, created_at, updated_at
FROM members WHERE id = ANY(':ids'::uuid[]) AND search_key LIKE '%:first :last%'
ORDER BY sort_key, id LIMIT 21;
