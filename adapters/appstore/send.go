package appstore

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

// reviewOf is the review a reply answers: from the conversation key "as:<review>", else
// the message answered ("<review>@<version>").
func reviewOf(out inbox.Outgoing) string {
	if id, ok := strings.CutPrefix(out.Conversation, "as:"); ok && id != "" {
		return id
	}
	id, _, _ := strings.Cut(out.InReplyTo, "@")
	return id
}

// responseDoc is a customerReviewResponses document, as created or read.
type responseDoc struct {
	Data resource `json:"data"`
}

// Send creates the review's response, or replaces the one there (POST
// /v1/customerReviewResponses), so sending again never makes a second. The id returned
// is Apple's id for the response and a hash of its text, the id Fetch gives it. Apple
// then reviews the response (state PENDING_PUBLISH) before the App Store shows it
// (PUBLISHED); the reply counts as sent from here on.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	id := reviewOf(out)
	if id == "" {
		return "", adapters.Permanent(fmt.Errorf("appstore %s: %w", a.name, ErrNoReview))
	}
	what := fmt.Sprintf("appstore %s: respond to review %s", a.name, id)
	body := map[string]any{"data": map[string]any{
		"type":          "customerReviewResponses",
		"attributes":    map[string]any{"responseBody": out.Text},
		"relationships": map[string]any{"review": map[string]any{"data": map[string]any{"type": "customerReviews", "id": id}}},
	}}
	var created responseDoc
	if err := a.call(ctx, http.MethodPost, "/v1/customerReviewResponses", body, &created); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if created.Data.ID == "" {
		return "", &adapters.Error{Err: fmt.Errorf("%s: Apple returned no response id", what), MaybeSent: true}
	}
	return responseID(created.Data.ID, cmp(created.Data.Attributes.ResponseBody, out.Text)), nil
}

// Sent reports whether the review's response is already this one (GET
// /v1/customerReviews/{id}/response): the same text, whitespace aside. A review with no
// response answers 404.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	id := reviewOf(out)
	if id == "" {
		return "", false, adapters.Permanent(fmt.Errorf("appstore %s: %w", a.name, ErrNoReview))
	}
	var doc responseDoc
	err := a.call(ctx, http.MethodGet, "/v1/customerReviews/"+url.PathEscape(id)+"/response", nil, &doc)
	var ae *adapters.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, httpx.Wrap(fmt.Sprintf("appstore %s: look for the response to review %s", a.name, id), err)
	}
	if body := doc.Data.Attributes.ResponseBody; doc.Data.ID != "" && sameText(body) == sameText(out.Text) {
		return responseID(doc.Data.ID, body), true, nil
	}
	return "", false, nil
}
