package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/teadrive"
	"github.com/triage-inbox/triage/store"
	"github.com/triage-inbox/triage/ui"
)

// metaDesk is a person at triage with one Meta account, through the real config loader,
// the adapters configuredAccounts builds, the sync engine and the UI's model.
type metaDesk struct {
	t   *testing.T
	ctx context.Context
	svc *inbox.Service
	eng *engine.Engine
	m   *ui.Model
}

func newMetaDesk(t *testing.T, account string) *metaDesk {
	t.Helper()
	ctx := context.Background()
	cfg, err := inbox.ParseConfig("config.toml", account+"\n[outbox]\nsend_delay = \"0s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := inbox.New(ctx, db, cfg, inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	accts, err := configuredAccounts(ctx, svc.Config())
	if err != nil {
		t.Fatal(err)
	}
	d := &metaDesk{t: t, ctx: ctx, svc: svc, eng: engine.New(svc, accts, engine.Options{})}
	d.sync()
	c := &ui.Common{Ctx: ctx, Inbox: svc, Styles: ui.NewStyles(true), Keys: ui.DefaultKeyMap(), Now: svc.Now, Width: 120, Height: 35}
	d.m = ui.New(c)
	d.run(d.m.Init())
	return d
}

func (d *metaDesk) sync() {
	d.t.Helper()
	if err := d.eng.Once(d.ctx); err != nil {
		d.t.Fatal(err)
	}
}

func (d *metaDesk) run(cmd tea.Cmd) {
	d.t.Helper()
	teadrive.Run(d.t, cmd, func(msg tea.Msg) tea.Cmd { _, c := d.m.Update(msg); return c }, nil)
}

// keys presses keys as help writes them.
func (d *metaDesk) keys(ks ...string) {
	d.t.Helper()
	for _, k := range ks {
		msg := teadrive.Press(k)
		d.run(func() tea.Msg { return msg })
	}
}

// typ pastes text into the composer: one message, so the draft's save debounce (a real
// timer here) runs once rather than after every key.
func (d *metaDesk) typ(s string) {
	d.t.Helper()
	d.run(func() tea.Msg { return tea.PasteMsg{Content: s} })
}

func (d *metaDesk) screen() string { return ansi.Strip(d.m.View().Content) }

// A comment arrives by sync; the reply the person types in the UI (open, r, text,
// ctrl+s) is posted once, under the right parent: the top-level comment of the latest
// comment, where Instagram and Facebook thread replies; a second sync posts nothing and
// the reply shows once in the thread.
func TestMetaReplyTypedInTheUI(t *testing.T) {
	ago := func(d time.Duration) string { return time.Now().UTC().Add(-d).Format("2006-01-02T15:04:05-0700") }
	t.Run("instagram", func(t *testing.T) {
		f := metatest.New(t, "17841400000000001", "IGQVJ-ui-e2e-token")
		post := f.AddMedia("winter blend", ago(5*time.Hour))
		top := f.AddComment(post, "", "maria.r", "does it ship to Porto?", ago(2*time.Hour))
		under := f.AddComment(post, top, "joao.p", "same question!", ago(time.Hour))
		t.Setenv("TRIAGE_TEST_IG_TOKEN", "IGQVJ-ui-e2e-token")
		d := newMetaDesk(t, "[[account]]\nname = \"instagram\"\nchannel = \"instagram\"\nig_user_id = \"17841400000000001\"\n"+
			"token_env = \"TRIAGE_TEST_IG_TOKEN\"\ngraph_url = \""+f.URL+"\"\npoll_dms = false\npoll_mentions = false\n")
		d.keys("enter", "r")
		d.typ("Yes, from Monday!")
		d.keys("ctrl+s")
		d.sync()
		d.sync()
		rs := f.Replies()
		if len(rs) != 1 || rs[0].Message != "Yes, from Monday!" || rs[0].CommentID != top {
			t.Fatalf("replies %+v, want one under %s", rs, top)
		}
		posted := 0
		for _, r := range f.Requests() {
			if r.Method == "POST" {
				posted++
				if r.Path != "/"+under+"/replies" {
					t.Errorf("posted to %s, want the latest comment's replies (/%s/replies)", r.Path, under)
				}
			}
		}
		if posted != 1 {
			t.Errorf("%d POSTs, want 1", posted)
		}
		d.wantOnce("Yes, from Monday!")
	})
	t.Run("facebook", func(t *testing.T) {
		f := metatest.NewPage(t, "100000000000002", "EAAG-ui-e2e-token")
		f.Now = time.Now().UTC()
		post := f.AddPost("100000000000002", "Acme", "Holiday hours", ago(5*time.Hour))
		top := f.AddComment(post, "", "9001", "George P", "open on the 26th?", ago(2*time.Hour))
		f.AddComment(post, top, "9002", "Bea C", "and the 27th?", ago(time.Hour))
		t.Setenv("TRIAGE_TEST_FB_TOKEN", "EAAG-ui-e2e-token")
		d := newMetaDesk(t, "[[account]]\nname = \"facebook\"\nchannel = \"facebook\"\npage_id = \"100000000000002\"\n"+
			"token_env = \"TRIAGE_TEST_FB_TOKEN\"\ngraph_url = \""+f.URL+"\"\npoll_messenger = false\n")
		d.keys("enter", "r")
		d.typ("Both days, 9 to 2.")
		d.keys("ctrl+s")
		d.sync()
		d.sync()
		rs := f.Replies()
		if len(rs) != 1 || rs[0].Message != "Both days, 9 to 2." || rs[0].Target != top {
			t.Fatalf("replies %+v, want one posted under the top-level comment %s", rs, top)
		}
		d.wantOnce("Both days, 9 to 2.")
	})
}

// wantOnce fails unless the open conversation shows text exactly once, after a reload.
func (d *metaDesk) wantOnce(text string) {
	d.t.Helper()
	d.keys("esc", "6", "enter") // the conversation now waits on the customer
	if n := strings.Count(d.screen(), text); n != 1 {
		d.t.Errorf("the thread shows %q %d times:\n%s", text, n, d.screen())
	}
}
