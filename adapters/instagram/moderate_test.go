package instagram_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
)

// Hide, unhide and delete reach the comment as the Graph API documents them, and the
// comment is hidden, shown again, and gone; other actions, and a DM's id, are refused
// before any request.
func TestModerate(t *testing.T) {
	f := metatest.New(t, igUser, token)
	post := f.AddMedia("new beans", "2026-12-05T09:00:00+0000")
	spam := f.AddComment(post, "", "free.followers", "follow back!!", "2026-12-06T10:00:00+0000")
	a := newAdapterWith(t, f, instagram.DefaultOptions())
	ctx := context.Background()
	if c := a.Capabilities(); !c.Hide || !c.Unhide || !c.Delete || !c.Reply || !c.DM {
		t.Errorf("capabilities %+v", c)
	}

	for _, tc := range []struct {
		action, method, body string
		exists, hidden       bool
	}{
		{"hide", "POST", "hide=true", true, true},
		{"unhide", "POST", "hide=false", true, false},
		{"delete", "DELETE", "", false, false},
	} {
		if err := a.Moderate(ctx, tc.action, spam); err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		rs := f.Requests()
		last := rs[len(rs)-1]
		if last.Method != tc.method || last.Path != "/"+spam || last.Body != tc.body {
			t.Errorf("%s: %s %s %q, want %s /%s %q", tc.action, last.Method, last.Path, last.Body, tc.method, spam, tc.body)
		}
		if exists, hidden := f.Comment(spam); exists != tc.exists || hidden != tc.hidden {
			t.Errorf("after %s: exists=%v hidden=%v", tc.action, exists, hidden)
		}
	}

	n := len(f.Requests())
	var ae *adapters.Error
	if err := a.Moderate(ctx, "block", spam); !errors.As(err, &ae) || !ae.Permanent || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("block: %v", err)
	}
	if err := a.Moderate(ctx, "hide", "aWdfZAG1faXRlbToxOklHTWVzc2FnZA"); !errors.As(err, &ae) || !ae.Permanent ||
		!strings.Contains(err.Error(), "only comments") {
		t.Errorf("hide a DM: %v", err)
	}
	if len(f.Requests()) != n {
		t.Errorf("refused actions sent %d requests", len(f.Requests())-n)
	}
	// A comment gone already: Meta's refusal is permanent.
	if err := a.Moderate(ctx, "delete", spam); !errors.As(err, &ae) || !ae.Permanent {
		t.Errorf("delete again: %v", err)
	}
}
