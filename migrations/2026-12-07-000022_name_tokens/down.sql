DROP TRIGGER members_tokens_insert ON members;
DROP TRIGGER members_tokens_update ON members;
DROP TRIGGER members_tokens_delete ON members;
DROP FUNCTION member_tokens_sync();
DROP TABLE member_name_tokens;
DROP TABLE name_tokens;
