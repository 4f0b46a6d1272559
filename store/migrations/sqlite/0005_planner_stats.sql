-- 0005: tell SQLite's planner how selective each messages index is. Without statistics
-- it takes "direction = 'in'" on the wide msg_created (0004) for as narrow as
-- "conversation_id = ?" on msg_conv, and a query about one conversation walked every
-- inbound message of the inbox. Hand-written rows of sqlite_stat1 are a documented way to
-- guide it: for each index, the rows it covers, then the rows one value of each leading
-- column prefix matches on average. The figures describe an inbox of a million messages
-- in threads of a few messages; only their ratios matter. ANALYZE sqlite_schema creates
-- the table without analysing anything; a later ANALYZE replaces these rows with
-- measured ones, which is as good.
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE tbl = 'messages';
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('messages', 'msg_created',     '1000000 500000 2 2 2 2 2 2 2 2 1 1'),
    ('messages', 'msg_all_created', '1000000 1'),
    ('messages', 'msg_conv',        '1000000 4 1'),
    ('messages', 'msg_contact',     '1000000 8'),
    ('messages', 'msg_answered_by', '1000000 2'),
    ('messages', 'msg_unanswered',  '30000 1 1'),
    ('messages', 'sqlite_autoindex_messages_1', '1000000 150000 150000 1');
