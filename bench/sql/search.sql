-- GET /members?q=…: diacritics-free name search, first page. Variable: q (already folded).
-- Sorted by an expression, as members/queries.rs does, so that the trigram index finds the
-- matches (the name-order index would be walked row by row).
SELECT id, family_name, middle_name, given_name, sex, birth_date, birth_year, phone, address, occupation,
       education, joined_on, card_number, member_type, pioneer, status, unit_id, version, created_at, updated_at
FROM members WHERE search_key LIKE '%:q%' ORDER BY sort_key || '', id LIMIT 21;
