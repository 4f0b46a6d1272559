package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
)

// commentID is what Instagram's comment ids look like: digits. A DM's id (a mid) is not
// one, and cannot be hidden or deleted through the Graph API.
var commentID = regexp.MustCompile(`^[0-9]{1,32}$`)

// Moderate hides (POST /{ig-comment-id} hide=true), unhides (hide=false) or deletes
// (DELETE /{ig-comment-id}) a comment on the account's media. A hidden comment stays for
// its author and their followers, and is hidden for everyone else.
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	if !commentID.MatchString(messageID) {
		return adapters.Permanent(fmt.Errorf("instagram %s: %s %q: only comments can be moderated on Instagram", a.cfg.Account, action, messageID))
	}
	what := fmt.Sprintf("instagram %s: %s comment %s", a.cfg.Account, action, messageID)
	var err error
	switch action {
	case "hide", "unhide":
		var ok struct {
			Success bool `json:"success"`
		}
		err = a.graph.PostForm(ctx, "/"+messageID, url.Values{"hide": {fmt.Sprint(action == "hide")}}, &ok)
		if err == nil && !ok.Success {
			err = adapters.Temporary(errors.New("Graph did not answer success"), 0)
		}
	case "delete":
		err = a.graph.Delete(ctx, "/"+messageID)
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w on Instagram", what, errors.ErrUnsupported))
	}
	return httpx.Wrap(what, err)
}
