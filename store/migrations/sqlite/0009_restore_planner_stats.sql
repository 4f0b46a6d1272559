-- 0009: put back the planner statistics of 0005 and 0007 where a first import lost them.
-- A bulk load (store/bulk.go) drops the secondary indexes and builds them again, and
-- until now DROP INDEX took their sqlite_stat1 rows with it: every inbox whose first
-- messages came from `triage import` ran without them, so a search with no match walked
-- the Inbox's index (13 ms at a million instead of 0.5) and refreshing a conversation
-- could walk every inbound message. Rows that are there (hand-written or measured by
-- ANALYZE) stay as they are.
ANALYZE sqlite_schema;
WITH want (tbl, idx, stat) AS (VALUES
    ('messages', 'msg_created',     '1000000 500000 2 2 2 2 2 2 2 2 1 1'),
    ('messages', 'msg_all_created', '1000000 1'),
    ('messages', 'msg_conv',        '1000000 4 1'),
    ('messages', 'msg_contact',     '1000000 8'),
    ('messages', 'msg_answered_by', '1000000 2'),
    ('messages', 'msg_unanswered',  '30000 1 1'),
    ('conversations', 'conv_queue_all',    '350000 3 2 1 1'),
    ('conversations', 'conv_queue_action', '350000 175000 60000 2 1 1'),
    ('conversations', 'conv_queue_state',  '350000 50000 17000 2 1 1'),
    ('conversations', 'conv_assignee',     '350000 90000 20000'),
    ('conversations', 'conv_contact',      '350000 3'),
    ('conversations', 'conv_snooze',       '1000 2'))
INSERT INTO sqlite_stat1 (tbl, idx, stat)
    SELECT tbl, idx, stat FROM want
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.idx = want.idx)
      AND EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = want.idx);
