-- 0014: store reviews (Google Play, App Store) carry stars, the app version reviewed and
-- the review's language. Every other message leaves them NULL, which SQLite does not
-- even store at the end of a row. A conversation's rating is its latest inbound review's
-- (an edited review is a newer message), kept beside the queue columns so that
-- `rating<=2` tests the conversation row alone.
ALTER TABLE messages ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE messages ADD COLUMN app_version TEXT;
ALTER TABLE messages ADD COLUMN language TEXT;
ALTER TABLE conversations ADD COLUMN rating INTEGER;
