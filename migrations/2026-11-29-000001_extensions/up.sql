-- Extensions the domain relies on. All three are "trusted" since PostgreSQL 13, so the
-- database owner can create them without superuser rights.
--   unaccent: diacritics-insensitive search keys for Vietnamese names ("hoa" finds "Hòa").
--   pg_trgm:  trigram indexes behind substring search on those keys.
--   ltree:    materialised paths of the org-unit tree, so "everything under commune X"
--             is one indexed predicate instead of a recursive walk.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS ltree;
