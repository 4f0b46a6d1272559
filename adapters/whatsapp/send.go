package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// MaxText is the longest text body WhatsApp takes, in characters.
const MaxText = 4096

// Codes of Meta's WhatsApp errors that a person should read in plain words.
const (
	codeOutsideWindow = 131047 // "Re-engagement message": 24 hours since the customer last wrote
	codeUndeliverable = 131026 // not a WhatsApp user, old app, or has not accepted the terms
)

// ErrNoRecipient means a reply names no customer to write to.
var ErrNoRecipient = errors.New("a reply needs the customer's WhatsApp number (a wa:<number> conversation)")

// message is the Cloud API's text message.
type message struct {
	Product       string `json:"messaging_product"`
	RecipientType string `json:"recipient_type"`
	To            string `json:"to"`
	Type          string `json:"type"`
	Text          struct {
		PreviewURL bool   `json:"preview_url"`
		Body       string `json:"body"`
	} `json:"text"`
}

// Send writes to the customer of the wa:<number> conversation and returns the message's
// wamid, which WhatsApp's status webhooks name later (a "failed" status settles the
// reply as failed).
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	what := fmt.Sprintf("whatsapp %s: send", a.cfg.Account)
	to := recipient(out)
	if to == "" {
		return "", adapters.Permanent(fmt.Errorf("%s: %w", what, ErrNoRecipient))
	}
	if n := len([]rune(out.Text)); n > MaxText {
		return "", adapters.Permanent(fmt.Errorf("%s: the reply is %d characters; WhatsApp takes at most %d", what, n, MaxText))
	}
	m := message{Product: "whatsapp", RecipientType: "individual", To: to, Type: "text"}
	m.Text.Body = out.Text
	m.Text.PreviewURL = strings.Contains(out.Text, "https://")
	var sent struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	err := a.graph.PostJSON(ctx, "/"+url.PathEscape(a.cfg.ID)+"/messages", m, &sent)
	if err != nil {
		return "", httpx.Wrap(what+" to "+to, explain(err))
	}
	if len(sent.Messages) == 0 || sent.Messages[0].ID == "" {
		// Accepted, but no id came back: it may have gone out, and cannot be looked up.
		return "", &adapters.Error{Err: fmt.Errorf("%s to %s: WhatsApp returned no message id", what, to), MaybeSent: true}
	}
	return sent.Messages[0].ID, nil
}

// recipient is the customer's number: the conversation's wa:<number>, else the author
// answered.
func recipient(out inbox.Outgoing) string {
	if n, ok := strings.CutPrefix(out.Conversation, "wa:"); ok && n != "" {
		return n
	}
	if out.To != nil {
		return out.To.ID
	}
	return ""
}

// explain puts the errors people meet in plain words before Meta's own.
func explain(err error) error {
	var ge *meta.GraphError
	if !errors.As(err, &ge) {
		return err
	}
	var why string
	switch ge.Code {
	case codeOutsideWindow:
		why = "outside WhatsApp's 24-hour customer service window: the customer last wrote more than 24 hours ago, and only an approved template can be sent now"
	case codeUndeliverable:
		why = "WhatsApp cannot deliver to this number (not on WhatsApp, an old app, or new terms not accepted)"
	default:
		return err
	}
	return httpx.Wrap(why, err)
}
