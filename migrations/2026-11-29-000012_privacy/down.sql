DROP TABLE member_erasures;
DROP TABLE member_consents;
