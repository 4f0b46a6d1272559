package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// IngestCounts says what an ingest did.
type IngestCounts struct {
	New      int // stored for the first time
	Present  int // already stored: ingest is idempotent
	Reopened int // conversations an inbound message reopened
}

// Batch ingests messages inside one transaction.
type Batch struct {
	s      *Service
	tx     *store.Tx
	ctx    context.Context
	Counts IngestCounts
	dry    map[string]bool // a dry run: the messages it counted as new; nothing is stored
}

// Ingest runs fn with a Batch in one transaction. The batch is committed when fn returns
// nil, and rolled back when it returns an error or when dryRun is set (the counts still
// say what would have happened).
//
// A dry run reads one snapshot of the database and writes nothing: it takes no write
// lock, so it neither waits for another triage that is writing nor makes one wait. It
// counts a message new when neither the database nor the run has it yet.
func (s *Service) Ingest(ctx context.Context, dryRun bool, fn func(b *Batch) error) (IngestCounts, error) {
	var counts IngestCounts
	if dryRun {
		err := s.db.ReadTx(ctx, func(tx *store.Tx) error {
			b := &Batch{s: s, tx: tx, ctx: ctx, dry: map[string]bool{}}
			err := fn(b)
			counts = b.Counts
			return err
		})
		return counts, err
	}
	err := s.db.IngestTx(ctx, func(tx *store.Tx) error {
		b := &Batch{s: s, tx: tx, ctx: ctx}
		if err := fn(b); err != nil {
			return err
		}
		counts = b.Counts
		return nil
	})
	return counts, err
}

// BulkLoad tells the batch that many messages follow. Into an inbox with no messages yet
// they are loaded with the secondary indexes built once at the end (see store.BulkLoad);
// otherwise nothing changes.
func (b *Batch) BulkLoad() error {
	if b.dry != nil {
		return nil
	}
	_, err := b.tx.BulkLoad(b.ctx)
	return err
}

// IngestMessages stores messages in one transaction; convenient for adapters and tests.
func (s *Service) IngestMessages(ctx context.Context, msgs ...Message) (IngestCounts, error) {
	return s.Ingest(ctx, false, func(b *Batch) error {
		ps := make([]Prepared, len(msgs))
		for i, m := range msgs {
			ps[i] = s.Prepare(m)
		}
		if err := b.Prefetch(ps); err != nil {
			return err
		}
		for _, p := range ps {
			if _, err := b.AddPrepared(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// Add normalizes, checks and stores one message. It reports whether it was new.
func (b *Batch) Add(m Message) (bool, error) {
	return b.AddPrepared(b.s.Prepare(m))
}

// Prepared is a message normalized, checked and scored (sentiment, rules, SLA), ready
// for a Batch. Preparing needs no database, so an import prepares the next messages on
// another core while the batch stores the previous ones.
type Prepared struct {
	msg Message
	nm  store.NewMessage
	err error // a *FieldError when the message is invalid
}

// Route names the conversation of a message as far as it is known before the database
// is read: its key, or for a reply threaded by its parent, the account and the parent.
// Writers side by side share the work by it (webhook.GroupCommit).
func (p Prepared) Route() string {
	m := p.msg
	if m.Conversation == "" && m.InReplyTo != "" {
		return m.Channel + "\x00" + m.Account + "\x00re:" + m.InReplyTo
	}
	return m.Channel + "\x00" + m.Account + "\x00" + ownConversationKey(m)
}

// Err is why the message cannot be stored (a *FieldError), or nil.
func (p Prepared) Err() error { return p.err }

// Prepare normalizes, checks and scores a message. It is safe to call from several
// goroutines at once.
func (s *Service) Prepare(m Message) Prepared {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return Prepared{msg: m, err: err}
	}
	if now := s.now(); m.CreatedAt.After(now) && m.Restore == nil {
		// Dated after the moment it is stored: the sender's clock runs fast. It counts
		// from now, so that a reply sent at once answers it (README: Response times).
		// A line of an export (Restore) keeps the time the exporting triage stored:
		// moving an inbox to a host whose clock is a little behind changes nothing.
		m.CreatedAt = now
	}
	return Prepared{msg: m, nm: s.score(m)}
}

// AddPrepared threads and stores a prepared message. It reports whether it was new.
func (b *Batch) AddPrepared(p Prepared) (bool, error) {
	if p.err != nil {
		return false, p.err
	}
	if b.dry != nil {
		return b.countDry(p.nm)
	}
	nm := p.nm
	key, orphan, err := b.s.conversationKey(b.ctx, b.tx, p.msg)
	if err != nil {
		return false, err
	}
	nm.ConvKey, nm.Orphan = key, orphan
	res, err := b.tx.Ingest(b.ctx, nm)
	if err != nil {
		return false, err
	}
	if !res.New {
		b.Counts.Present++
		return false, nil
	}
	b.Counts.New++
	if r := p.msg.Restore; r != nil {
		if err := b.restoreConversation(res.ConversationID, r); err != nil {
			return false, err
		}
		if m := r.marks(); !m.Empty() {
			if err := b.tx.RestoreMarks(b.ctx, res.MessageID, m); err != nil {
				return false, err
			}
		}
	}
	if res.Reopened {
		b.Counts.Reopened++
	}
	return true, nil
}

// Prefetch asks the store at once what storing these messages will ask of each (whether
// it is there, its author, its conversation), so that a batch costs a few statements
// fewer a message: see store.Tx.Prefetch. A message threaded by its parent is left out.
func (b *Batch) Prefetch(ps []Prepared) error {
	if b.dry != nil {
		return nil
	}
	var nms []store.NewMessage
	for _, p := range ps {
		if p.err != nil {
			continue
		}
		nm := p.nm
		if p.msg.Conversation != "" || p.msg.InReplyTo == "" {
			nm.ConvKey, _, _ = b.s.conversationKey(b.ctx, nil, p.msg) // needs no database without a parent
		}
		nms = append(nms, nm)
	}
	return b.tx.Prefetch(b.ctx, nms)
}

// countDry counts a message of a dry run as new or present without storing it.
func (b *Batch) countDry(nm store.NewMessage) (bool, error) {
	key := nm.Channel + "\x00" + nm.Account + "\x00" + nm.ExtID
	present := b.dry[key]
	if !present {
		var err error
		if present, err = b.tx.MessageExists(b.ctx, nm.Channel, nm.Account, nm.ExtID); err != nil {
			return false, err
		}
	}
	if present {
		b.Counts.Present++
		return false, nil
	}
	b.dry[key] = true
	b.Counts.New++
	return true, nil
}

// score applies sentiment, rules and the SLA to a message; threading needs the
// database and happens in AddPrepared.
func (s *Service) score(m Message) store.NewMessage {
	nm := store.NewMessage{
		Channel: m.Channel, Account: m.Account, ExtID: m.ID, Kind: string(m.Kind), Direction: string(m.Direction),
		Agent: m.Agent, Text: m.Text, Subject: m.Subject, URL: m.URL, InReplyTo: m.InReplyTo, CreatedAt: ms(m.CreatedAt),
		Priority: int(PriorityNormal), Rating: m.Rating, AppVersion: m.AppVersion, Language: m.Language,
	}
	if m.Author != nil {
		nm.AuthorID, nm.AuthorHandle, nm.AuthorName = m.Author.ID, m.Author.Handle, m.Author.Name
	}
	rs := m.Restore
	if m.Direction == In {
		var score float64
		if rs != nil && rs.Sentiment != nil {
			score = *rs.Sentiment
		} else {
			score = s.sentiment.Score(m.Text)
		}
		prio := PriorityNormal
		if rs != nil && rs.Priority != nil {
			// A line of an export was triaged already: its priority and spam verdict stand,
			// and the rules (which may differ here) are not applied again.
			prio = *rs.Priority
			nm.Spam = rs.Spam != nil && *rs.Spam
		} else {
			in := RuleInput{Channel: m.Channel, Kind: string(m.Kind), Text: m.Text, Sentiment: score}
			if m.Author != nil {
				in.AuthorHandle, in.AuthorName = m.Author.Handle, m.Author.Name
			}
			r := s.rules.Apply(in)
			prio, nm.Spam, nm.Tags = r.Priority, r.Spam, r.Tags
			if rs != nil && rs.Spam != nil {
				nm.Spam = *rs.Spam
			}
		}
		nm.Sentiment, nm.Priority = score, int(prio)
		nm.DueAt = ms(s.dueAt(m.Channel, prio, m.CreatedAt))
		if rs != nil {
			nm.ClosedAt = msOrZero(rs.ClosedAt)
		}
	} else if rs != nil {
		nm.OutboxStatus = rs.OutboxStatus
	}
	return nm
}

// conversationKey threads a message: its own conversation key if the channel gave one;
// else a reply joins its parent's conversation, a DM joins dm:<author id>, and anything
// else starts its own. A reply whose parent is not stored yet is an orphan: it starts
// msg:<its id> and moves into its parent's conversation when the parent arrives (see
// store/ingest_merge.go), so the order messages arrive in does not matter.
func (s *Service) conversationKey(ctx context.Context, tx *store.Tx, m Message) (key string, orphan bool, err error) {
	if m.Conversation != "" {
		return m.Conversation, false, nil
	}
	if m.InReplyTo != "" {
		key, err := tx.ConversationKeyOf(ctx, m.Channel, m.Account, m.InReplyTo)
		if err != nil {
			return "", false, err
		}
		if key != "" {
			return key, false, nil
		}
		return "msg:" + m.ID, true, nil
	}
	return ownConversationKey(m), false, nil
}

// ownConversationKey is the key of a message that is not threaded by a parent.
func ownConversationKey(m Message) string {
	if m.Conversation != "" {
		return m.Conversation
	}
	if m.Kind == KindDM && m.Direction == In && m.Author != nil {
		id := m.Author.ID
		if id == "" {
			id = m.Author.Handle
		}
		return "dm:" + id
	}
	return "msg:" + m.ID
}

// channelNameAliases maps the names people use to the channel names triage stores.
var channelNameAliases = map[string]string{
	"twitter": "x", "ig": "instagram", "fb": "facebook", "mail": "email", "bsky": "bluesky",
	"yt": "youtube", "tg": "telegram", "play": "googleplay", "google-play": "googleplay", "app-store": "appstore",
}

// NormalizeChannel lowercases a channel name and resolves common aliases.
func NormalizeChannel(ch string) string {
	ch = strings.ToLower(strings.TrimSpace(ch))
	if a, ok := channelNameAliases[ch]; ok {
		return a
	}
	return ch
}

// Normalize fills defaults: direction in, lowercase channel, UTC time.
func (m *Message) Normalize() {
	m.Channel = NormalizeChannel(m.Channel)
	if m.Direction == "" {
		m.Direction = In
	}
	m.Kind = Kind(strings.ToLower(string(m.Kind)))
	m.CreatedAt = m.CreatedAt.UTC()
}

// FieldError is a problem with one field of a message.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "field \"" + e.Field + "\": " + e.Msg }

// Validate checks the required fields of a normalized message.
func (m *Message) Validate() error {
	switch {
	case m.Channel == "":
		return &FieldError{"channel", "required"}
	case m.ID == "":
		return &FieldError{"id", "required"}
	case m.Kind == "":
		return &FieldError{"kind", "required"}
	}
	if _, err := ParseKind(string(m.Kind)); err != nil {
		return &FieldError{"kind", err.Error()}
	}
	if m.Direction != In && m.Direction != Out {
		return &FieldError{"direction", `want "in" or "out", got "` + string(m.Direction) + `"`}
	}
	if strings.TrimSpace(m.Text) == "" {
		return &FieldError{"text", "required"}
	}
	if m.CreatedAt.IsZero() {
		return &FieldError{"created_at", "required (RFC 3339, e.g. 2026-11-20T10:00:00Z)"}
	}
	if m.Direction == In && (m.Author == nil || (m.Author.ID == "" && m.Author.Handle == "")) {
		return &FieldError{"author", "required for inbound messages, with an id or a handle"}
	}
	switch {
	case m.Rating < 0 || m.Rating > 5:
		return &FieldError{"rating", fmt.Sprintf("want 1 to 5 stars, got %d", m.Rating)}
	case m.Rating != 0 && (m.Kind != KindReview || m.Direction != In):
		return &FieldError{"rating", `only an inbound review has stars (kind "review", direction "in")`}
	}
	return nil
}
