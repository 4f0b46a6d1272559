-- 0014: store reviews carry stars, the app version reviewed and the review's language;
-- a conversation's rating is its latest inbound review's (see the SQLite migration).
-- Nullable columns without a default: adding them rewrites no row.
ALTER TABLE messages ADD COLUMN rating integer CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE messages ADD COLUMN app_version text;
ALTER TABLE messages ADD COLUMN language text;
ALTER TABLE conversations ADD COLUMN rating integer;
