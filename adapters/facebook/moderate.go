package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// Moderate hides or unhides a comment (POST /{comment-id} is_hidden=true|false: hidden
// from everyone but its author and their friends) or deletes it (DELETE /{comment-id}).
// Facebook has no spam, mute, block or report through the Page's API.
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("facebook %s: %s %s", a.cfg.Account, action, messageID)
	if messageID == "" {
		return adapters.Permanent(fmt.Errorf("%s: no comment id", what))
	}
	path := "/" + url.PathEscape(messageID)
	var err error
	switch action {
	case "hide", "unhide":
		err = a.graph.PostForm(ctx, path, url.Values{"is_hidden": {fmt.Sprint(action == "hide")}}, nil)
	case "delete":
		err = a.graph.Delete(ctx, path)
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
	}
	return httpx.Wrap(what, err)
}
