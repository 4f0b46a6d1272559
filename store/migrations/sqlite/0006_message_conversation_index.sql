-- 0006: which conversation a message belongs to, from an index 20 bytes a message wide.
-- Full-text search finds message ids and needs their conversations: read from the table,
-- each lookup lands on a page of whole messages (a few a page), so a common word at a
-- million messages read hundreds of megabytes. The index is written in id order, at its
-- end, so it costs ingest little.
CREATE INDEX msg_conv_of ON messages (id, conversation_id);
