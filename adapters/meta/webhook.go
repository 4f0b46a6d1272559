package meta

// This file is the webhook side: what `triage serve` at /v1/hooks/meta makes of Meta's
// deliveries, in the conventions the pollers follow too.

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// The channels Meta's objects become.
const (
	ChannelInstagram = "instagram"
	ChannelFacebook  = "facebook"
	ChannelWhatsApp  = "whatsapp"
)

// WebhookSignatureHeader carries "sha256=<hex HMAC-SHA256 of the raw body>", keyed with
// the app secret.
const WebhookSignatureHeader = "X-Hub-Signature-256"

// NativeAgent is the agent of a message the account sent from Meta's own apps (an echo),
// not through triage.
const NativeAgent = "(native app)"

// maxChallenge bounds the hub.challenge echoed back; Meta's is a short number.
const maxChallenge = 256

// VerifySubscription answers Meta's subscription handshake (GET with hub.mode=subscribe,
// hub.verify_token and hub.challenge): the challenge when the token is token, else not ok.
// An empty token matches nothing.
func VerifySubscription(token string) func(url.Values) (string, bool) {
	return func(q url.Values) (string, bool) {
		got, challenge := q.Get("hub.verify_token"), q.Get("hub.challenge")
		if token == "" || q.Get("hub.mode") != "subscribe" || challenge == "" || len(challenge) > maxChallenge {
			return "", false
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			return "", false
		}
		return challenge, true
	}
}

// The wire format: one delivery is an object and its entries, each with changes (a
// field and its value) or messaging events.
type (
	delivery struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}
	entry struct {
		ID        string      `json:"id"`
		Time      flexInt     `json:"time"`
		Changes   []change    `json:"changes"`
		Messaging []messaging `json:"messaging"`
		Standby   []messaging `json:"standby"`
	}
	change struct {
		Field string          `json:"field"`
		Value json.RawMessage `json:"value"`
	}
	idName struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	messaging struct {
		Sender    idName  `json:"sender"`
		Recipient idName  `json:"recipient"`
		Timestamp flexInt `json:"timestamp"`
		Message   *struct {
			Mid         string `json:"mid"`
			Text        string `json:"text"`
			IsEcho      bool   `json:"is_echo"`
			IsDeleted   bool   `json:"is_deleted"` // unsent by its author (Instagram)
			Attachments []struct {
				Type string `json:"type"`
			} `json:"attachments"`
		} `json:"message"`
		MessageEdit *struct {
			Mid     string  `json:"mid"`
			Text    string  `json:"text"`
			NumEdit flexInt `json:"num_edit"`
		} `json:"message_edit"`
		Reaction json.RawMessage `json:"reaction"`
	}
)

// flexInt is a number Meta sends as a JSON number or as a string of digits.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want a whole number, got %.20s", s)
	}
	*f = flexInt(n)
	return nil
}

// unixTime reads Meta's times: seconds, or milliseconds (messaging timestamps).
func unixTime(n flexInt) time.Time {
	if n > 1e12 {
		return time.UnixMilli(int64(n)).UTC()
	}
	return time.Unix(int64(n), 0).UTC()
}

// firstTime is the first of ns that is set, as a time; zero when none is.
func firstTime(ns ...flexInt) time.Time {
	for _, n := range ns {
		if n > 0 {
			return unixTime(n)
		}
	}
	return time.Time{}
}

// DecodeWebhook turns one verified delivery into messages and updates, in the conventions
// every Meta poller follows too (see the package's README section): channel instagram,
// facebook or whatsapp; account the IG user id, page id or phone number id; comments and
// visitor posts threaded by media:<id> or post:<id>, DMs (standby ones too) by
// dm:<customer id> or wa:<from>; an echo of the account's own message is outbound, by
// NativeAgent. Edits, removals, hides and WhatsApp's failed statuses become updates of
// the message they name (see webhook_updates.go). Skipped names each shape it does not
// handle (reactions, reads, …); an error is a body that is not Meta's JSON.
func DecodeWebhook(body []byte) (Delivery, error) {
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return Delivery{}, fmt.Errorf("bad JSON: %w", err)
	}
	if d.Object == "" {
		return Delivery{}, errors.New(`bad delivery: no "object"`)
	}
	var out Delivery
	for _, e := range d.Entry {
		for _, c := range e.Changes {
			out.add(decodeChange(d.Object, e, c))
		}
		for _, ev := range e.Messaging {
			out.add(decodeMessaging(d.Object, "messaging", e, ev))
		}
		// Standby events are messages delivered while another app (a Page inbox, a
		// chatbot) has the thread: the customer wrote them all the same.
		for _, ev := range e.Standby {
			out.add(decodeMessaging(d.Object, "standby", e, ev))
		}
	}
	return out, nil
}

// decodeChange reads one entry.changes[] element.
func decodeChange(object string, e entry, c change) Delivery {
	shape := object + "/" + c.Field
	var (
		out Delivery
		err error
		why string
	)
	switch {
	case object == "instagram" && (c.Field == "comments" || c.Field == "live_comments"):
		out.Messages, why, err = instagramComment(e, c.Value)
	case object == "instagram" && c.Field == "mentions":
		out, why, err = instagramMention(e, c.Value)
	case object == "instagram" && c.Field == "messages":
		var ev messaging
		if err = json.Unmarshal(c.Value, &ev); err == nil {
			return decodeMessaging(object, "messages", e, ev)
		}
	case object == "page" && c.Field == "feed":
		out, why, err = pageFeed(e, c.Value)
	case object == "whatsapp_business_account" && c.Field == "messages":
		out, why, err = whatsappMessages(c.Value)
	default:
		why = "not handled"
	}
	if err != nil {
		out.Skipped = append(out.Skipped, shape+": "+err.Error())
	} else if why != "" {
		out.Skipped = append(out.Skipped, shape+": "+why)
	}
	return out
}

// decodeMessaging reads one Messenger-style event (field names where it came from:
// messaging, standby or the messages field): an Instagram or Page DM, its edit or its
// removal.
func decodeMessaging(object, field string, e entry, ev messaging) Delivery {
	shape := object + "/" + field
	channel := map[string]string{"instagram": ChannelInstagram, "page": ChannelFacebook}[object]
	switch {
	case channel == "":
		return skip(shape + ": not handled")
	case ev.MessageEdit != nil:
		return messageEdit(shape, channel, e, ev)
	case ev.Reaction != nil:
		return skip(shape + ": reaction (not stored)")
	case ev.Message == nil:
		return skip(shape + ": not a message (read, postback, referral, …)")
	case ev.Message.Mid == "":
		return skip(shape + ": message without mid")
	case ev.Message.IsDeleted:
		return Delivery{Updates: []inbox.Update{{Channel: channel, Account: e.ID, ID: ev.Message.Mid,
			At: firstTime(ev.Timestamp, e.Time), Removed: true}}}
	}
	msg := ev.Message
	text := msg.Text
	if text == "" && len(msg.Attachments) > 0 {
		types := make([]string, len(msg.Attachments))
		for i, a := range msg.Attachments {
			types[i] = a.Type
		}
		text = "[" + strings.Join(types, ", ") + "]"
	}
	account, customer := e.ID, ev.Sender.ID
	m := inbox.Message{
		Channel: channel, Account: account, ID: msg.Mid, Kind: inbox.KindDM,
		Text: text, CreatedAt: firstTime(ev.Timestamp, e.Time),
	}
	if msg.IsEcho || (account != "" && ev.Sender.ID == account) {
		customer = ev.Recipient.ID
		m.Direction, m.Agent = inbox.Out, NativeAgent
	} else {
		m.Author = &inbox.Author{ID: ev.Sender.ID}
	}
	m.Conversation = "dm:" + customer
	return Delivery{Messages: []inbox.Message{m}}
}

// instagramComment reads a comments (or live_comments) change.
func instagramComment(e entry, raw json.RawMessage) ([]inbox.Message, string, error) {
	var v struct {
		ID       string `json:"id"`
		Text     string `json:"text"`
		From     idName `json:"from"`
		ParentID string `json:"parent_id"`
		Media    struct {
			ID string `json:"id"`
		} `json:"media"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, "", err
	}
	if v.ID == "" || v.Media.ID == "" {
		return nil, "comment without id or media.id", nil
	}
	m := inbox.Message{
		Channel: ChannelInstagram, Account: e.ID, ID: v.ID, Kind: inbox.KindComment,
		Conversation: "media:" + v.Media.ID, InReplyTo: v.ParentID, Text: v.Text,
		CreatedAt: firstTime(e.Time),
	}
	setCommentAuthor(&m, v.From)
	return []inbox.Message{m}, "", nil
}

// setCommentAuthor makes a comment by the account itself outbound (an echo), and any
// other inbound from its author.
func setCommentAuthor(m *inbox.Message, from idName) {
	if from.ID != "" && from.ID == m.Account {
		m.Direction, m.Agent = inbox.Out, NativeAgent
		return
	}
	m.Author = &inbox.Author{ID: from.ID, Handle: from.Username, Name: from.Name}
}
