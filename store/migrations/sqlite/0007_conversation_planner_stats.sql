-- 0007: planner statistics for the conversations indexes, as 0005 did for messages.
-- Without them SQLite takes "needs_action = 1" (half the conversations) for narrow, and
-- counted a search with no match by walking the Inbox's index instead of the (empty)
-- list of matching conversations. The figures describe 350,000 conversations.
DELETE FROM sqlite_stat1 WHERE tbl = 'conversations';
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('conversations', 'conv_queue_all',    '350000 3 2 1 1'),
    ('conversations', 'conv_queue_action', '350000 175000 60000 2 1 1'),
    ('conversations', 'conv_queue_state',  '350000 50000 17000 2 1 1'),
    ('conversations', 'conv_assignee',     '350000 90000 20000'),
    ('conversations', 'conv_contact',      '350000 3'),
    ('conversations', 'conv_snooze',       '1000 2'),
    ('conversations', 'sqlite_autoindex_conversations_1', '350000 50000 1');
