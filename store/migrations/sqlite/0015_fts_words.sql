-- 0015: nothing changes on SQLite. PostgreSQL gains fts_words, the words of each
-- conversation in a B-tree, for search as you type (see migrations/postgres/0015): FTS5
-- already reads its matches in conversation order (0008) and stops at a limit.
SELECT 1;
