-- 0002: the subject of email messages, for threading replies ("Re: …") and display.
ALTER TABLE messages ADD COLUMN subject TEXT NOT NULL DEFAULT '';
