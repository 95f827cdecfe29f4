-- GET /members/{id}: one member by primary key. Variable: id.
SELECT id, family_name, middle_name, given_name, sex, birth_date, birth_year, phone, address, occupation,
       education, joined_on, card_number, member_type, pioneer, status, unit_id, version, created_at, updated_at
FROM members WHERE id = ':id';
