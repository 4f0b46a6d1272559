package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/store"
)

// CheckReply returns the brand-voice warnings for a reply on a conversation's channel.
func (s *Service) CheckReply(ctx context.Context, convID int64, text string) ([]Warning, error) {
	c, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	return s.voice.CheckAs(c.Channel, Kind(c.Kind), text), nil
}

// Voice is the brand voice the service checks replies against.
func (s *Service) Voice() *Voice { return s.voice }

// Sent says what queuing a reply did.
type Sent struct {
	MessageID int64
	Warnings  []Warning // the voice warnings the person chose to send past
	SendAt    time.Time // when it leaves the outbox; until then u takes it back
	// AwaitingApproval says the reply waits for a lead (the person's replies need
	// approval): it is not in the outbox and answers nothing yet; SendAt is zero.
	AwaitingApproval bool
}

// RefusedError is a reply that was not queued, and why: it is longer than the channel
// takes, or (with [voice] enforce = "block") it breaks the brand voice. The text is the
// caller's to keep.
type RefusedError struct {
	Reasons []string
}

func (e *RefusedError) Error() string { return "not sent: " + strings.Join(e.Reasons, "; ") }

// refusal says why text may not be sent on a channel, or nil: over the length limit
// always, any voice warning when the brand voice is enforced (a cost notice never).
func (s *Service) refusal(warnings []Warning) error {
	var reasons []string
	for _, w := range warnings {
		if w.Kind == WarnLength {
			reasons = append(reasons, w.Message+": the channel would refuse it")
		} else if s.cfg.Voice.Enforce == EnforceBlock && w.Kind != WarnCost {
			reasons = append(reasons, w.Message+` ([voice] enforce = "block")`)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &RefusedError{Reasons: reasons}
}

// Reply queues a reply: one transaction writes the outbound message to the conversation and
// to the outbox, links the inbound messages it answers (their response times, measured
// now), moves the conversation to waiting, clears the draft and records the audit event.
// The reply leaves the outbox after [outbox] send_delay; until then Undo takes it back. A
// reply the channel would refuse, or that breaks an enforced brand voice, is refused
// with a *RefusedError and nothing is written. A reply by someone whose replies need
// approval is written awaiting approval instead: no outbox, no answer (see approval.go).
func (s *Service) Reply(ctx context.Context, convID int64, text string) (Sent, error) {
	var sent Sent
	err := s.action(ctx, []int64{convID}, func(a *act, id int64) error {
		var err error
		sent, err = a.reply(id, text)
		return err
	})
	if err != nil {
		return Sent{}, fmt.Errorf("reply to conversation %d: %w", convID, err)
	}
	return sent, nil
}

// ReplyAndClose queues a reply and closes the conversation as one action, so one undo
// takes back both (the C key). A reply awaiting approval leaves the conversation waiting
// instead: closing it would close the customer's messages before anything answered them.
func (s *Service) ReplyAndClose(ctx context.Context, convID int64, text string) (Sent, error) {
	var sent Sent
	err := s.action(ctx, []int64{convID}, func(a *act, id int64) error {
		var err error
		if sent, err = a.reply(id, text); err != nil || sent.AwaitingApproval {
			return err
		}
		return a.setState(id, StateDone, 0)
	})
	if err != nil {
		return Sent{}, fmt.Errorf("reply to conversation %d: %w", convID, err)
	}
	return sent, nil
}

// reply is one reply inside an action.
func (a *act) reply(id int64, text string) (Sent, error) { return a.replyAs(id, text, "") }

// replyAs is a reply of a kind other than the conversation's ("" for the conversation's):
// a private reply to a comment is a DM. Every check and write is the same for both.
func (a *act) replyAs(id int64, text string, kind Kind) (Sent, error) {
	text = strings.TrimRight(text, " \t\n")
	if strings.TrimSpace(text) == "" {
		return Sent{}, errors.New("the reply is empty")
	}
	meta, err := a.tx.ConvMeta(a.ctx, id)
	if err != nil {
		return Sent{}, err
	}
	warnings := a.s.voice.CheckAs(meta.Channel, replyKind(Kind(meta.Kind), kind), text)
	if err := a.s.refusal(warnings); err != nil {
		return Sent{}, err
	}
	key, err := a.s.replyKey()
	if err != nil {
		return Sent{}, err
	}
	sendAt := a.at + a.s.sendDelay.Milliseconds()
	awaiting := a.s.NeedsApproval()
	msgID, err := a.tx.AddReply(a.ctx, store.Reply{ConversationID: id, Agent: a.s.agent, Text: text, At: a.at, SendAt: sendAt, Key: key,
		Kind: string(kind), AwaitingApproval: awaiting})
	if err != nil {
		return Sent{}, err
	}
	// The audit's from names a reply of another kind ("dm": a private reply), so the log
	// tells it from a public one; undo treats both alike.
	if err := a.audit("reply", id, string(kind), firstWords(text, 60), msgID); err != nil {
		return Sent{}, err
	}
	if awaiting {
		if err := a.audit(auditAwaiting, id, "", OutboxAwaitingApproval, msgID); err != nil {
			return Sent{}, err
		}
	}
	if err := a.tx.SaveDraft(a.ctx, id, a.s.agent, "", a.at); err != nil {
		return Sent{}, err
	}
	if err := a.setState(id, StateWaiting, 0); err != nil {
		return Sent{}, err
	}
	if awaiting {
		return Sent{MessageID: msgID, Warnings: warnings, AwaitingApproval: true}, nil
	}
	return Sent{MessageID: msgID, Warnings: warnings, SendAt: fromMS(sendAt)}, nil
}

// replyKey is the idempotency key of a new reply: random, unless the service was given a
// source of keys (Keyed).
func (s *Service) replyKey() (string, error) {
	if s.keys != nil {
		return s.keys(), nil
	}
	return newKey()
}

// Keyed returns the service with replies keyed by next instead of at random: the demo's
// seeded history must be the same inbox every time. Keys must never repeat.
func (s *Service) Keyed(next func() string) *Service {
	c := *s
	c.keys = next
	return &c
}

// newKey makes the idempotency key that follows a reply from the outbox to the channel.
func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make reply key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// SaveDraft keeps what the agent is writing; an empty text deletes the draft. Each
// agent has their own draft of a conversation.
func (s *Service) SaveDraft(ctx context.Context, convID int64, text string) error {
	return s.db.SaveDraft(ctx, convID, s.agent, text, ms(s.now()))
}

// Draft returns the agent's saved draft of a conversation.
func (s *Service) Draft(ctx context.Context, convID int64) (string, error) {
	return s.db.Draft(ctx, convID, s.agent)
}

// CannedReply is a canned reply as people pick it.
type CannedReply = store.Canned

// CannedReplies lists the canned replies.
func (s *Service) CannedReplies(ctx context.Context) ([]CannedReply, error) {
	return s.db.CannedReplies(ctx)
}

// SaveCanned creates or replaces a canned reply, after checking its template. The team
// shares canned replies, so only an admin may change them.
func (s *Service) SaveCanned(ctx context.Context, c CannedReply) error {
	if err := s.mayEditShared("change canned replies"); err != nil {
		return err
	}
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("a canned reply needs a name")
	}
	if _, err := TemplateVariables(c.Body); err != nil {
		return fmt.Errorf("canned reply %q: %w", c.Name, err)
	}
	for ch, b := range c.Variants {
		if _, err := TemplateVariables(b); err != nil {
			return fmt.Errorf("canned reply %q, variant %s: %w", c.Name, ch, err)
		}
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SaveCanned(ctx, c, ms(s.now())) })
}

// Rendered is a canned reply filled in for one conversation.
type Rendered struct {
	Text    string
	Missing []string // variables with no value here: the text has holes a person must fill
}

// Warning says what is missing in words, or "" when nothing is.
func (r Rendered) Warning() string {
	if len(r.Missing) == 0 {
		return ""
	}
	names := make([]string, len(r.Missing))
	for i, n := range r.Missing {
		names[i] = "{" + n + "}"
	}
	return "no value for " + strings.Join(names, ", ") + " in this conversation: check the text before sending"
}

// RenderCanned fills a canned reply for a conversation: its channel's variant, with the
// author's name and handle, the channel, the agent, the brand and the ticket reference.
func (s *Service) RenderCanned(ctx context.Context, convID int64, name string) (string, error) {
	r, err := s.RenderCannedFor(ctx, convID, name)
	return r.Text, err
}

// RenderCannedFor is RenderCanned with what the conversation lacks for it, and the
// brand's sign-off added on the channels that want one.
func (s *Service) RenderCannedFor(ctx context.Context, convID int64, name string) (Rendered, error) {
	all, err := s.db.CannedReplies(ctx)
	if err != nil {
		return Rendered{}, err
	}
	var c *CannedReply
	for i := range all {
		if all[i].Name == name {
			c = &all[i]
		}
	}
	if c == nil {
		return Rendered{}, fmt.Errorf("no canned reply named %q", name)
	}
	vars, err := s.vars(ctx, convID)
	if err != nil {
		return Rendered{}, err
	}
	conv, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return Rendered{}, err
	}
	text, missing, err := RenderTemplateMissing(PickVariant(c.Body, c.Variants, conv.Channel), vars)
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Text: s.voice.WithSignoff(conv.Channel, text), Missing: missing}, nil
}

// NewReplyText is what a new reply on a conversation's channel starts as: the brand's
// sign-off where one is wanted, below room to write; "" elsewhere.
func (s *Service) NewReplyText(channel string) string {
	if !s.voice.needsSignoff(channel) {
		return ""
	}
	return "\n\n" + s.voice.signoff
}

// vars are a conversation's template variables.
func (s *Service) vars(ctx context.Context, convID int64) (Vars, error) {
	c, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return Vars{}, err
	}
	v := Vars{Name: firstName(c.AuthorName), Handle: c.AuthorHandle, Channel: ChannelLabel(c.Channel), Agent: s.agent, Brand: s.cfg.Voice.Brand}
	escs, err := s.db.Escalations(ctx, convID)
	if err != nil {
		return Vars{}, err
	}
	for _, e := range escs {
		if e.Status == "cancelled" {
			continue
		}
		if e.ExternalRef != "" {
			v.Ticket = e.ExternalRef
		} else {
			v.Ticket = "#" + itoa(e.ID)
		}
	}
	return v, nil
}

// firstName is how a reply greets someone: "Ana Ruiz" -> "Ana".
func firstName(full string) string {
	f := strings.Fields(full)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

var channelLabels = map[string]string{
	"x": "X", "instagram": "Instagram", "facebook": "Facebook", "reddit": "Reddit", "mastodon": "Mastodon",
	"bluesky": "Bluesky", "email": "email", "tiktok": "TikTok", "youtube": "YouTube", "linkedin": "LinkedIn",
	"whatsapp": "WhatsApp", "telegram": "Telegram", "googleplay": "Google Play", "appstore": "App Store",
}

// ChannelLabel is a channel's name as people write it.
func ChannelLabel(ch string) string {
	if l, ok := channelLabels[ch]; ok {
		return l
	}
	return ch
}

// Bulk says what a canned reply sent to many conversations did.
type Bulk struct {
	Sent    []int64  // the conversations answered (and closed, when asked)
	Skipped []string // the others, each as "who: why", to be answered one by one
}

// ReplyCannedToEach sends a canned reply, filled in for each conversation, to every one
// of ids as one action (one undo), closing each when close is set. A conversation whose
// reply would have a hole in it ({ticket} never escalated) or that the channel would
// refuse is skipped and named, never sent unread.
func (s *Service) ReplyCannedToEach(ctx context.Context, name string, ids []int64, close bool) (Bulk, error) {
	var b Bulk
	ready := map[int64]string{}
	for _, id := range ids {
		r, err := s.RenderCannedFor(ctx, id, name)
		if err != nil {
			return Bulk{}, err
		}
		c, err := s.db.Conversation(ctx, id)
		if err != nil {
			return Bulk{}, err
		}
		why := r.Warning()
		if why == "" {
			if err := s.refusal(s.voice.CheckAs(c.Channel, Kind(c.Kind), r.Text)); err != nil {
				why = err.Error()
			}
		}
		if why != "" {
			b.Skipped = append(b.Skipped, CustomerName(c)+": "+why)
			continue
		}
		ready[id] = r.Text
	}
	err := s.actTx(ctx, func(a *act) error {
		b.Sent = b.Sent[:0]
		if err := a.tx.LockConversations(a.ctx, ids); err != nil {
			return err
		}
		for _, id := range ids {
			text, ok := ready[id]
			if !ok {
				continue
			}
			sent, err := a.reply(id, text)
			if err != nil {
				return err
			}
			if close && !sent.AwaitingApproval { // as ReplyAndClose: never close before an answer
				if err := a.setState(id, StateDone, 0); err != nil {
					return err
				}
			}
			b.Sent = append(b.Sent, id)
		}
		return nil
	})
	if err != nil {
		return Bulk{}, fmt.Errorf("canned reply %q to %d conversations: %w", name, len(ids), err)
	}
	return b, nil
}
