package facebook_test

import (
	"context"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/facebook"
)

// New reads the account's keys and its token, and names the key that is wrong.
func TestNewReadsTheAccount(t *testing.T) {
	t.Setenv("FB_PAGE_TOKEN", token)
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "facebook", "channel": "facebook", "page_id": pageID, "token_env": "FB_PAGE_TOKEN"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		extra   map[string]any
		wantErr string
	}{
		{map[string]any{"watch_posts": int64(25), "human_agent": true}, ""},
		{map[string]any{"watch_posts": int64(0)}, "watch_posts: 0 is not between 1 and 100"},
		{map[string]any{"watch_posts": "ten"}, "watch_posts: want a number"},
		{map[string]any{"human_agent": "yes"}, "human_agent: want true or false"},
		{map[string]any{"poll_messenger": "no"}, "poll_messenger: want true or false"},
		{map[string]any{"poll_messenger": false}, ""},
		{map[string]any{"token_env": "NO_SUCH_FB_TOKEN"}, "NO_SUCH_FB_TOKEN"},
	} {
		acct, err := adapters.NewAccount(0, base(c.extra))
		if err != nil {
			t.Fatal(err)
		}
		a, err := facebook.New(context.Background(), acct)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%v: %v", c.extra, err)
		case c.wantErr == "" && a.(*facebook.Adapter).Handle() != pageID:
			t.Errorf("%v: handle %q", c.extra, a.(*facebook.Adapter).Handle())
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%v: %v, want %q", c.extra, err, c.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("token in error: %v", err)
		}
	}
}
