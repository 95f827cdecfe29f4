-- GET /members?unit=…&limit=20: a branch's first page in Vietnamese order. Variable: path.
SELECT id, family_name, middle_name, given_name, sex, birth_date, birth_year, phone, address, occupation,
       education, joined_on, card_number, member_type, pioneer, status, unit_id, version, created_at, updated_at
FROM members WHERE unit_path <@ ':path'::ltree ORDER BY sort_key, id LIMIT 21;
