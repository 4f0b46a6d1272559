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
		ID        string            `json:"id"`
		Time      flexInt           `json:"time"`
		Changes   []change          `json:"changes"`
		Messaging []messaging       `json:"messaging"`
		Standby   []json.RawMessage `json:"standby"`
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
			Attachments []struct {
				Type string `json:"type"`
			} `json:"attachments"`
		} `json:"message"`
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

// DecodeWebhook turns one verified delivery into messages, in the conventions every Meta
// poller follows too (see the package's README section): channel instagram, facebook
// or whatsapp; account the IG user id, page id or phone number id; comments threaded by
// media:<id> or post:<id>, DMs by dm:<customer id> or wa:<from>; an echo of the account's
// own message is outbound, by NativeAgent. skipped names each shape it does not handle
// (edits, removals, standby, statuses, …); an error is a body that is not Meta's JSON.
func DecodeWebhook(body []byte) (msgs []inbox.Message, skipped []string, err error) {
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, nil, fmt.Errorf("bad JSON: %w", err)
	}
	if d.Object == "" {
		return nil, nil, errors.New(`bad delivery: no "object"`)
	}
	for _, e := range d.Entry {
		for _, c := range e.Changes {
			m, skip := decodeChange(d.Object, e, c)
			msgs = append(msgs, m...)
			skipped = append(skipped, skip...)
		}
		for _, ev := range e.Messaging {
			m, skip := decodeMessaging(d.Object, e, ev)
			msgs = append(msgs, m...)
			skipped = append(skipped, skip...)
		}
		if len(e.Standby) > 0 {
			skipped = append(skipped, fmt.Sprintf("%s standby (%d events)", d.Object, len(e.Standby)))
		}
	}
	return msgs, skipped, nil
}

// decodeChange reads one entry.changes[] element.
func decodeChange(object string, e entry, c change) ([]inbox.Message, []string) {
	shape := object + "/" + c.Field
	var (
		m   []inbox.Message
		err error
		why string
	)
	switch {
	case object == "instagram" && (c.Field == "comments" || c.Field == "live_comments"):
		m, why, err = instagramComment(e, c.Value)
	case object == "instagram" && c.Field == "messages":
		var ev messaging
		if err = json.Unmarshal(c.Value, &ev); err == nil {
			return decodeMessaging(object, e, ev)
		}
	case object == "page" && c.Field == "feed":
		m, why, err = pageFeed(e, c.Value)
	case object == "whatsapp_business_account" && c.Field == "messages":
		m, why, err = whatsappMessages(c.Value)
	default:
		why = "not handled"
	}
	var skipped []string
	if err != nil {
		skipped = append(skipped, shape+": "+err.Error())
	} else if why != "" {
		skipped = append(skipped, shape+": "+why)
	}
	return m, skipped
}

// decodeMessaging reads one Messenger-style event: an Instagram or Page DM.
func decodeMessaging(object string, e entry, ev messaging) ([]inbox.Message, []string) {
	channel := map[string]string{"instagram": ChannelInstagram, "page": ChannelFacebook}[object]
	switch {
	case channel == "":
		return nil, []string{object + "/messaging: not handled"}
	case ev.Message == nil:
		return nil, []string{object + "/messaging: not a message (read, reaction, postback, …)"}
	case ev.Message.Mid == "":
		return nil, []string{object + "/messaging: message without mid"}
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
	return []inbox.Message{m}, nil
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

// pageFeed reads a Page feed change; only a comment being added is a message yet.
func pageFeed(e entry, raw json.RawMessage) ([]inbox.Message, string, error) {
	var v struct {
		Item        string  `json:"item"`
		Verb        string  `json:"verb"`
		CommentID   string  `json:"comment_id"`
		PostID      string  `json:"post_id"`
		ParentID    string  `json:"parent_id"`
		From        idName  `json:"from"`
		Message     string  `json:"message"`
		CreatedTime flexInt `json:"created_time"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, "", err
	}
	if v.Item != "comment" || v.Verb != "add" {
		return nil, fmt.Sprintf("item %.30q verb %.30q not handled", v.Item, v.Verb), nil
	}
	if v.CommentID == "" || v.PostID == "" {
		return nil, "comment without comment_id or post_id", nil
	}
	m := inbox.Message{
		Channel: ChannelFacebook, Account: e.ID, ID: v.CommentID, Kind: inbox.KindComment,
		Conversation: "post:" + v.PostID, Text: v.Message, CreatedAt: firstTime(v.CreatedTime, e.Time),
	}
	// A top-level comment's parent is the post itself.
	if v.ParentID != "" && v.ParentID != v.PostID {
		m.InReplyTo = v.ParentID
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

// whatsappMessages reads a WhatsApp Business Account messages change: messages from
// customers; statuses of the business's own messages are skipped.
func whatsappMessages(raw json.RawMessage) ([]inbox.Message, string, error) {
	var v struct {
		Metadata struct {
			PhoneNumberID string `json:"phone_number_id"`
		} `json:"metadata"`
		Contacts []struct {
			Profile struct {
				Name string `json:"name"`
			} `json:"profile"`
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID        string  `json:"id"`
			From      string  `json:"from"`
			Timestamp flexInt `json:"timestamp"`
			Type      string  `json:"type"`
			Text      struct {
				Body string `json:"body"`
			} `json:"text"`
			Context struct {
				ID string `json:"id"`
			} `json:"context"`
		} `json:"messages"`
		Statuses []json.RawMessage `json:"statuses"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, "", err
	}
	var why string
	if len(v.Statuses) > 0 {
		why = fmt.Sprintf("%d statuses not handled", len(v.Statuses))
	}
	names := map[string]string{}
	for _, c := range v.Contacts {
		names[c.WaID] = c.Profile.Name
	}
	var msgs []inbox.Message
	for _, w := range v.Messages {
		text := w.Text.Body
		if text == "" && w.Type != "" && w.Type != "text" {
			text = "[" + w.Type + "]"
		}
		msgs = append(msgs, inbox.Message{
			Channel: ChannelWhatsApp, Account: v.Metadata.PhoneNumberID, ID: w.ID, Kind: inbox.KindDM,
			Conversation: "wa:" + w.From, Author: &inbox.Author{ID: w.From, Name: names[w.From]},
			Text: text, CreatedAt: firstTime(w.Timestamp), InReplyTo: w.Context.ID,
		})
	}
	if len(msgs) == 0 && why == "" {
		why = "no messages"
	}
	return msgs, why, nil
}
