package inbox

// Outgoing is a reply leaving the outbox for its channel: what an adapter needs to post it
// in the right place.
type Outgoing struct {
	OutboxID     int64
	MessageID    int64
	Key          string // idempotency key: the same key never posts twice where the channel allows
	Channel      string
	Account      string // our account on the channel
	Conversation string // the conversation key (a post, a DM thread, an email thread's root Message-ID)
	Kind         Kind
	Text         string
	InReplyTo    string  // the channel's id of the message answered: the latest inbound before the reply
	To           *Author // who is answered
	Subject      string  // email: the subject of the message answered
	Quote        string  // email: the text of the message answered, to quote
	Attempts     int
}
