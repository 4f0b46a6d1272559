package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// ErrOutsideWindow is Meta's refusal of a DM sent more than 24 hours after the customer's
// last message (7 days with the HUMAN_AGENT tag).
var ErrOutsideWindow = errors.New("outside Instagram's 24-hour messaging window")

// ErrNoRecipient means a DM in a conversation that names no one to write to.
var ErrNoRecipient = errors.New("a direct message goes to a DM conversation (dm:<id>), or privately to a commenter (media:<id>, answering a comment)")

// The Send API's refusals on the window, as Instagram (2534022) and Messenger (2018278)
// answer them, both with code 10.
const (
	codeWindow             = 10
	subcodeWindowInstagram = 2534022
	subcodeWindowMessenger = 2018278
)

// sendBody is the Send API's JSON body, POST /me/messages.
type sendBody struct {
	Recipient struct {
		ID        string `json:"id,omitempty"`
		CommentID string `json:"comment_id,omitempty"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type,omitempty"`
	Tag           string `json:"tag,omitempty"`
	Message       struct {
		Text string `json:"text"`
	} `json:"message"`
}

// sendDM sends a DM to the customer of a dm:<id> conversation ({"recipient":{"id":…}}),
// or, in a media:<id> conversation, a private reply to the commenter of out.InReplyTo
// ({"recipient":{"comment_id":…}}: once per comment, within 7 days). Outside the
// 24-hour window Meta refuses a DM; with human_agent it is sent again once with the
// HUMAN_AGENT tag, which Meta allows for 7 days.
func (a *Adapter) sendDM(ctx context.Context, out inbox.Outgoing) (string, error) {
	var body sendBody
	body.Message.Text = out.Text
	private := false
	switch key := out.Conversation; {
	case strings.HasPrefix(key, "dm:") && len(key) > len("dm:"):
		body.Recipient.ID = strings.TrimPrefix(key, "dm:")
	case strings.HasPrefix(key, "media:") && out.InReplyTo != "":
		body.Recipient.CommentID, private = out.InReplyTo, true
	default:
		return "", adapters.Permanent(fmt.Errorf("instagram %s: conversation %q: %w", a.cfg.Account, key, ErrNoRecipient))
	}
	what := fmt.Sprintf("instagram %s: send a DM to %s", a.cfg.Account, body.Recipient.ID)
	if private {
		what = fmt.Sprintf("instagram %s: reply privately to comment %s", a.cfg.Account, out.InReplyTo)
	}
	id, err := a.postMessage(ctx, body)
	switch {
	case err == nil:
		return id, nil
	case private && graphCode(err) == codeWindow:
		return "", permanent(err, "%s: Instagram allows one private reply per comment, within 7 days of it", what)
	case outsideWindow(err) && a.opts.HumanAgent:
		body.MessagingType, body.Tag = "MESSAGE_TAG", "HUMAN_AGENT"
		id, err = a.postMessage(ctx, body)
		if outsideWindow(err) {
			return "", permanent(err, "%s: %w, and past the 7 days of the HUMAN_AGENT tag", what, ErrOutsideWindow)
		}
		if err != nil {
			return "", httpx.Wrap(what+" with the HUMAN_AGENT tag", err)
		}
		return id, nil
	case outsideWindow(err):
		return "", permanent(err, "%s: %w (the customer last wrote more than 24 hours ago; with Meta's Human Agent feature, human_agent = true allows 7 days)", what, ErrOutsideWindow)
	}
	return "", httpx.Wrap(what, err)
}

// postMessage posts one Send API body and returns the message's id.
func (a *Adapter) postMessage(ctx context.Context, body sendBody) (string, error) {
	var sent struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := a.graph.PostJSON(ctx, "/me/messages", body, &sent); err != nil {
		return "", err
	}
	if sent.MessageID == "" {
		return "", adapters.Temporary(errors.New("Graph returned no message_id"), 0)
	}
	return sent.MessageID, nil
}

// graphCode is the Graph error code in err, or 0.
func graphCode(err error) int {
	var ge *meta.GraphError
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// outsideWindow says whether err is Meta's refusal outside the messaging window.
func outsideWindow(err error) bool {
	var ge *meta.GraphError
	return errors.As(err, &ge) && ge.Code == codeWindow &&
		(ge.Subcode == subcodeWindowInstagram || ge.Subcode == subcodeWindowMessenger ||
			strings.Contains(ge.Message, "outside of allowed window"))
}

// permanent is err, said plainly (what, then Meta's own words), and marked Permanent.
func permanent(err error, format string, args ...any) error {
	out := &adapters.Error{Permanent: true}
	var ge *meta.GraphError
	if errors.As(err, &ge) {
		err, out.Status = ge, ge.Status
	}
	out.Err = fmt.Errorf(format+": %w", append(args, err)...)
	return out
}

// sentDM looks for a DM or private reply already sent: in the customer's conversation,
// among the messages Meta details (the 20 most recent), one from the account with the
// same text, not older than the customer's message it answers when that is among them.
// The limit: the same text sent to the same person after that message by other means (a
// colleague in Instagram's app) is taken for this one.
func (a *Adapter) sentDM(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	what := fmt.Sprintf("instagram %s: look for a DM already sent", a.cfg.Account)
	customer, err := a.dmCustomer(ctx, out)
	if err != nil || customer == "" {
		return "", false, httpx.Wrap(what, err)
	}
	convs, err := meta.List[conversationRef](ctx, a.graph, "/me/conversations",
		url.Values{"platform": {"instagram"}, "user_id": {customer}, "fields": {"id"}}, "", 1)
	if err != nil {
		return "", false, httpx.Wrap(what, err)
	}
	for _, c := range convs.Items {
		msgs, err := meta.List[dmMessage](ctx, a.graph, "/"+url.PathEscape(c.ID)+"/messages",
			url.Values{"fields": {messageFields}, "limit": {"20"}}, "", 1)
		if err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		var since time.Time
		for _, m := range msgs.Items {
			if m.ID == out.InReplyTo {
				since, _ = parseGraphTime(m.CreatedTime)
			}
		}
		for _, m := range msgs.Items {
			t, err := parseGraphTime(m.CreatedTime)
			if err == nil && m.From.ID == a.cfg.ID && !t.Before(since) && strings.TrimSpace(m.Message) == strings.TrimSpace(out.Text) {
				return m.ID, true, nil
			}
		}
	}
	return "", false, nil
}

// dmCustomer is who a DM goes to: the customer of a dm: conversation, or the author of
// the comment a private reply answers.
func (a *Adapter) dmCustomer(ctx context.Context, out inbox.Outgoing) (string, error) {
	if id, ok := strings.CutPrefix(out.Conversation, "dm:"); ok {
		return id, nil
	}
	if out.InReplyTo == "" {
		return "", nil
	}
	if out.To != nil && out.To.ID != "" {
		return out.To.ID, nil
	}
	var c comment
	if err := a.graph.Get(ctx, "/"+url.PathEscape(out.InReplyTo), url.Values{"fields": {"id,from"}}, &c); err != nil {
		return "", err
	}
	return c.From.ID, nil
}
