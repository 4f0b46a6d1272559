package mastodon

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

// ErrNoParent means a reply names no status to answer.
var ErrNoParent = errors.New("a reply needs the id of the status it answers")

// Send posts a reply to out.InReplyTo and returns the new status's id.
//
// It first reads the status answered (GET /api/v1/statuses/:id): for its visibility,
// which the reply keeps (a reply to a followers-only post stays followers-only; a direct
// message is answered directly), and for its author, whom the reply mentions at the start
// unless the text already does, since on Mastodon only those mentioned are notified. A
// reply whose Kind is dm is direct whatever it answers. The post carries out.Key as its
// Idempotency-Key, so a retry within the hour never posts twice.
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	what := fmt.Sprintf("mastodon %s: reply to %s", a.handle, out.InReplyTo)
	if out.InReplyTo == "" {
		return "", adapters.Permanent(fmt.Errorf("mastodon %s: %w", a.handle, ErrNoParent))
	}
	parent, err := a.getStatus(ctx, out.InReplyTo)
	if err != nil {
		return "", httpx.Wrap(what, err)
	}
	vis := parent.Visibility
	if out.Kind == inbox.KindDM || vis == "" {
		vis = "direct"
	}
	body := map[string]any{
		"status":         a.withMention(out.Text, parent.Account.Acct),
		"in_reply_to_id": out.InReplyTo,
		"visibility":     vis,
	}
	var created status
	if _, err := a.call(ctx, http.MethodPost, "/api/v1/statuses", nil, body, out.Key, &created); err != nil {
		return "", httpx.Wrap(what, err)
	}
	if created.ID == "" {
		return "", adapters.Temporary(fmt.Errorf("%s: the server returned no status id", what), 0)
	}
	return created.ID, nil
}

// withMention starts text with "@acct " unless it already mentions acct or acct is the
// account itself. A local account may be written "@bob" or "@bob@mastodon.example".
func (a *Adapter) withMention(text, acct string) string {
	full := a.qualify(acct)
	if full == "" || strings.EqualFold(full, a.handle) {
		return text
	}
	forms := []string{full}
	if user, domain, _ := strings.Cut(full[1:], "@"); strings.EqualFold(domain, a.host) {
		forms = append(forms, "@"+user)
	}
	for _, f := range forms {
		if mentions(text, f) {
			return text
		}
	}
	return forms[len(forms)-1] + " " + text
}

// mentions reports whether text names handle ("@bob" or "@bob@host") as a whole word:
// "@bob" is found in "thanks @bob." but not in "@bobby", "@bob@other.example" or
// "me@bob.example".
func mentions(text, handle string) bool {
	lt, lh := strings.ToLower(text), strings.ToLower(handle)
	for i := 0; i < len(lt); {
		j := strings.Index(lt[i:], lh)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(lh)
		before := start == 0 || !(wordChar(lt[start-1]) || strings.ContainsRune(".-@", rune(lt[start-1])))
		after := end == len(lt) || !(wordChar(lt[end]) || lt[end] == '@' ||
			(strings.ContainsRune(".-", rune(lt[end])) && end+1 < len(lt) && wordChar(lt[end+1])))
		if before && after {
			return true
		}
		i = start + 1
	}
	return false
}

func wordChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// Moderate applies "mute", "block", "report" or "spam" (a report in the spam category)
// to the author of the status messageID. The account is read from the status; a report
// names the status too.
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("mastodon %s: %s %s", a.handle, action, messageID)
	switch action {
	case "mute", "block", "report", "spam":
	default:
		return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
	}
	st, err := a.getStatus(ctx, messageID)
	if err != nil {
		return httpx.Wrap(what, err)
	}
	if st.Account.ID == "" {
		return adapters.Permanent(fmt.Errorf("%s: the status names no account", what))
	}
	switch action {
	case "mute", "block":
		_, err = a.call(ctx, http.MethodPost, "/api/v1/accounts/"+url.PathEscape(st.Account.ID)+"/"+action, nil, nil, "", nil)
	default:
		category := "other"
		if action == "spam" {
			category = "spam"
		}
		body := map[string]any{"account_id": st.Account.ID, "status_ids": []string{messageID}, "category": category}
		_, err = a.call(ctx, http.MethodPost, "/api/v1/reports", nil, body, "", nil)
	}
	return httpx.Wrap(what, err)
}
