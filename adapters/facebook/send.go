package facebook

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

// ErrConversation means a reply's conversation is neither a post's comments nor a
// Messenger conversation, so there is nowhere on the Page to post it.
var ErrConversation = errors.New("the conversation is neither a post (post:<id>) nor Messenger (dm:<PSID>)")

// ErrWindow means Messenger refused a reply outside its messaging window.
var ErrWindow = errors.New("outside Messenger's 24-hour messaging window")

// The Send API's refusal outside the messaging window: code 10, subcode 2018278, "(#10)
// This message is sent outside of allowed window."
const (
	windowCode    = 10
	windowSubcode = 2018278
)

// Send posts a reply and returns the id Facebook gave it:
//   - in a post's conversation, a comment: under the comment answered (under its top-level
//     comment when that is a reply, as Facebook threads one level deep), or on the post
//     when the reply answers the post itself;
//   - a direct message (Kind dm) in a post's conversation is a private reply to the comment
//     or visitor post answered (recipient.comment_id or post_id; Meta takes one, within 7
//     days);
//   - in a Messenger conversation, a message through the Send API, its metadata the outbox
//     key, retried once with the HUMAN_AGENT tag where human_agent is set and Messenger
//     says the 24-hour window has closed.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	postID, isPost := strings.CutPrefix(out.Conversation, "post:")
	psid, isDM := strings.CutPrefix(out.Conversation, "dm:")
	switch {
	case isDM && psid != "":
		return a.sendMessenger(ctx, out, psid)
	case isPost && postID != "" && out.Kind == inbox.KindDM:
		return a.privateReply(ctx, out, postID)
	case isPost && postID != "":
		return a.sendComment(ctx, out, postID)
	}
	return "", adapters.Permanent(fmt.Errorf("facebook %s: reply in %q: %w", a.cfg.Account, out.Conversation, ErrConversation))
}

// target is where a public reply goes: the post itself when it answers the post (or
// nothing), else the comment answered, or its top-level comment when that is a reply.
func (a *Adapter) target(ctx context.Context, out inbox.Outgoing, postID string) (string, error) {
	if out.InReplyTo == "" || out.InReplyTo == postID {
		return postID, nil
	}
	var c comment
	if err := a.graph.Get(ctx, "/"+url.PathEscape(out.InReplyTo), url.Values{"fields": {"id,parent{id}"}}, &c); err != nil {
		return "", err
	}
	if c.Parent != nil && c.Parent.ID != "" && c.Parent.ID != postID {
		return c.Parent.ID, nil
	}
	return out.InReplyTo, nil
}

// sendComment posts a comment as the Page: POST /{object-id}/comments message=….
func (a *Adapter) sendComment(ctx context.Context, out inbox.Outgoing, postID string) (string, error) {
	what := fmt.Sprintf("facebook %s: comment on %s", a.cfg.Account, postID)
	target, err := a.target(ctx, out, postID)
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := a.graph.PostForm(ctx, "/"+url.PathEscape(target)+"/comments", url.Values{"message": {out.Text}}, &created); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if created.ID == "" {
		// Posted or not, it cannot be told: failing for a person to check beats a retry
		// that could post it twice.
		return "", adapters.Permanent(fmt.Errorf("%s: Graph answered without the comment's id; check the post before sending again", what))
	}
	return created.ID, nil
}

// sendBody is the Send API's request.
type sendBody struct {
	Recipient     map[string]string `json:"recipient"`
	MessagingType string            `json:"messaging_type,omitempty"`
	Tag           string            `json:"tag,omitempty"`
	Message       sendMessage       `json:"message"`
}

type sendMessage struct {
	Text     string `json:"text"`
	Metadata string `json:"metadata,omitempty"`
}

// sent is the Send API's answer.
type sent struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// sendMessenger answers a Messenger conversation: POST /{page-id}/messages.
func (a *Adapter) sendMessenger(ctx context.Context, out inbox.Outgoing, psid string) (string, error) {
	what := fmt.Sprintf("facebook %s: Messenger reply to %s", a.cfg.Account, psid)
	body := sendBody{Recipient: map[string]string{"id": psid}, MessagingType: "RESPONSE",
		Message: sendMessage{Text: out.Text, Metadata: out.Key}}
	id, err := a.post(ctx, body)
	if isWindow(err) && a.opts.HumanAgent {
		// A person answering within 7 days may use the HUMAN_AGENT tag, where Meta granted
		// it to the app: one more try, not a loop.
		body.MessagingType, body.Tag = "MESSAGE_TAG", "HUMAN_AGENT"
		id, err = a.post(ctx, body)
	}
	if isWindow(err) {
		also := ""
		if a.opts.HumanAgent {
			also = " (and past the 7 days of the HUMAN_AGENT tag)"
		}
		return "", adapters.Permanent(fmt.Errorf("%s: %w%s: %w", what, ErrWindow, also, err))
	}
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	return id, nil
}

// privateReply answers a commenter (or a visitor post's author) in Messenger:
// POST /{page-id}/messages with recipient.comment_id (post_id). Meta takes one per comment.
func (a *Adapter) privateReply(ctx context.Context, out inbox.Outgoing, postID string) (string, error) {
	what := fmt.Sprintf("facebook %s: private reply to %s", a.cfg.Account, out.InReplyTo)
	recipient := map[string]string{"comment_id": out.InReplyTo}
	switch out.InReplyTo {
	case "":
		return "", adapters.Permanent(fmt.Errorf("facebook %s: a private reply needs the comment it answers", a.cfg.Account))
	case postID:
		recipient = map[string]string{"post_id": postID}
	}
	id, err := a.post(ctx, sendBody{Recipient: recipient, Message: sendMessage{Text: out.Text}})
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	return id, nil
}

// post sends one Send API request and returns the message id.
func (a *Adapter) post(ctx context.Context, body sendBody) (string, error) {
	var r sent
	if err := a.graph.PostJSON(ctx, "/"+a.cfg.ID+"/messages", body, &r); err != nil {
		return "", err
	}
	if r.MessageID == "" {
		// As for a comment: a retry could send it twice.
		return "", adapters.Permanent(errors.New("the Send API answered without a message_id; check the conversation before sending again"))
	}
	return r.MessageID, nil
}

// isWindow says whether Meta refused a message for the messaging window.
func isWindow(err error) bool {
	var ge *meta.GraphError
	return errors.As(err, &ge) && ge.Code == windowCode &&
		(ge.Subcode == windowSubcode || strings.Contains(ge.Message, "outside of allowed window"))
}
