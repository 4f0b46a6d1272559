package googleplay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// ErrNoReview means a reply names no review to answer.
var ErrNoReview = errors.New("a reply needs the review it answers")

// reviewOf is the review a reply answers: from the conversation key "gp:<review>", else
// the message answered ("<review>@<time>").
func reviewOf(out inbox.Outgoing) string {
	if id, ok := strings.CutPrefix(out.Conversation, "gp:"); ok && id != "" {
		return id
	}
	id, _, _ := strings.Cut(out.InReplyTo, "@")
	return id
}

func (a *Adapter) reviewPath(id string) string {
	return "/androidpublisher/v3/applications/" + url.PathEscape(a.pkg) + "/reviews/" + url.PathEscape(id)
}

// Send sets the developer's reply to the review (reviews.reply): it creates the reply, or
// replaces the one there, so sending again never makes a second. The id returned is the
// one the reply bears when Fetch lists it (see replyID), from the text Play applied
// (Play strips HTML tags).
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	id := reviewOf(out)
	if id == "" {
		return "", adapters.Permanent(fmt.Errorf("googleplay %s: %w", a.name, ErrNoReview))
	}
	what := fmt.Sprintf("googleplay %s: reply to review %s", a.name, id)
	var res struct {
		Result struct {
			ReplyText  string    `json:"replyText"`
			LastEdited timestamp `json:"lastEdited"`
		} `json:"result"`
	}
	body := map[string]string{"replyText": out.Text}
	if err := a.call(ctx, http.MethodPost, a.reviewPath(id)+":reply", nil, body, &res); err != nil {
		return "", httpx.Wrap(what, err)
	}
	return replyID(id, cmp(res.Result.ReplyText, out.Text)), nil
}

// Sent reports whether the review's reply is already this one (reviews.get): the same
// text, whitespace aside.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	id := reviewOf(out)
	if id == "" {
		return "", false, adapters.Permanent(fmt.Errorf("googleplay %s: %w", a.name, ErrNoReview))
	}
	var r review
	if err := a.call(ctx, http.MethodGet, a.reviewPath(id), nil, nil, &r); err != nil {
		return "", false, httpx.Wrap(fmt.Sprintf("googleplay %s: look for the reply to review %s", a.name, id), err)
	}
	for _, c := range r.Comments {
		if d := c.DeveloperComment; d != nil && sameText(d.Text) == sameText(out.Text) {
			return replyID(id, d.Text), true, nil
		}
	}
	return "", false, nil
}
