package facebook_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/facebook"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
)

const (
	pageID = "100000000000002"
	token  = "EAAGsecret-page-token-0123456789"
)

// now is the adapter's clock and the fake's: 2026-12-06 12:00 UTC.
func now() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }

func newAdapter(t *testing.T, f *metatest.Page, opts facebook.Options) *facebook.Adapter {
	t.Helper()
	a, err := adapters.NewAccount(0, map[string]any{"name": "facebook", "channel": "facebook", "page_id": pageID, "graph_url": f.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := meta.ParseAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	c := &meta.Client{BaseURL: cfg.GraphURL, Version: cfg.Version, Account: cfg.Account,
		Token: func(context.Context) (string, error) { return token, nil }, HTTP: &http.Client{Timeout: 5 * time.Second}}
	opts.Now = now
	return facebook.NewWithClient(cfg, c, opts)
}

func texts(ms []inbox.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return strings.Join(out, " | ")
}

// requests counts the requests the fake saw for a method and path.
func requests(f *metatest.Page, method, path string) int {
	return len(slices.DeleteFunc(f.Requests(), func(r metatest.Request) bool { return r.Method != method || r.Path != path }))
}
