package x

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/enginetest"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/internal/teadrive"
	"github.com/triage-inbox/triage/ui"
)

// desk is the fake API, an inbox on a temporary database on the fake's clock, the real
// sync engine with the real adapter, and the UI's model on the same inbox; the engine's
// log is kept, to look for secrets in it.
type desk struct {
	t   *testing.T
	f   *fake
	a   *Adapter
	svc *inbox.Service
	eng *engine.Engine
	m   *ui.Model
	ctx context.Context
	dir string // the database's folder
	log *bytes.Buffer
}

func newDesk(t *testing.T, extra map[string]any) *desk {
	t.Helper()
	d := &desk{t: t, ctx: context.Background(), f: newFake(t), dir: t.TempDir()}
	d.a = newAdapter(t, d.f, extra)
	bench := enginetest.New(t, d.f.clock, engine.Account{Name: "acme-x", Channel: "x", Handle: d.a.Handle(), Adapter: d.a})
	d.svc, d.eng, d.log = bench.Svc, bench.Eng, bench.Log
	return d
}

// once runs the engine once, a minute after the last; wantErr is a text the error must
// hold, or "" for none.
func (d *desk) once(wantErr string) {
	d.t.Helper()
	d.f.wait(time.Minute)
	err := d.eng.Once(d.ctx)
	if (wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), wantErr)) {
		d.t.Fatalf("Once = %v, want error %q", err, wantErr)
	}
	if err != nil {
		noSecret(d.t, err.Error())
	}
}

func (d *desk) thread(conv string) (int64, inbox.Thread) {
	d.t.Helper()
	id, err := d.svc.ConversationID(d.ctx, "x", "@acme", conv)
	if err != nil {
		d.t.Fatalf("conversation %s: %v", conv, err)
	}
	th, err := d.svc.Thread(d.ctx, id, 20)
	if err != nil {
		d.t.Fatal(err)
	}
	return id, th
}

// openUI starts the UI's model on the desk's inbox.
func openUI(t *testing.T, svc *inbox.Service) *screen {
	c := &ui.Common{Ctx: context.Background(), Inbox: svc, Styles: ui.NewStyles(true), Keys: ui.DefaultKeyMap(), Now: svc.Now, Width: 120, Height: 35}
	s := &screen{t: t, m: ui.New(c)}
	s.run(s.m.Init())
	return s
}

type screen struct {
	t *testing.T
	m *ui.Model
}

func (s *screen) run(cmd tea.Cmd) {
	s.t.Helper()
	teadrive.Run(s.t, cmd, func(msg tea.Msg) tea.Cmd { _, c := s.m.Update(msg); return c }, nil)
}

func (s *screen) keys(ks ...string) {
	s.t.Helper()
	for _, k := range ks {
		msg := teadrive.Press(k)
		s.run(func() tea.Msg { return msg })
	}
}

// paste puts text in the composer as one message (the draft's save runs once).
func (s *screen) paste(text string) {
	s.t.Helper()
	s.run(func() tea.Msg { return tea.PasteMsg{Content: text} })
}

func (s *screen) text() string { return ansi.Strip(s.m.View().Content) }

// A mention arrives by sync; the reply the person types in the UI (enter, r, text,
// ctrl+s) is posted once, in reply to that mention (in_reply_to_tweet_id); the next
// syncs post nothing more, and the thread shows the reply once, by maria. Neither the
// database nor the log holds a token.
func TestEngineXReplyTypedInTheUI(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false})
	root := d.f.tweet(ana, "@acme does the blender ship to Porto?", "")
	d.once("")
	s := openUI(t, d.svc)
	s.keys("enter", "r")
	s.paste("Yes, within 3 days.")
	s.keys("ctrl+s")
	d.once("")
	d.once("")
	posts := d.f.callsTo("POST", "/2/tweets")
	if len(posts) != 1 || posts[0].Body["text"] != "Yes, within 3 days." ||
		posts[0].Body["reply"].(map[string]any)["in_reply_to_tweet_id"] != root {
		t.Fatalf("posts %+v, want one in reply to %s", posts, root)
	}
	out, err := d.svc.DB().Outbox(d.ctx)
	sent := d.f.posted()
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || len(sent) != 1 || out[0].RemoteID != sent[0].id {
		t.Fatalf("outbox %+v (%v), posted %+v", out, err, sent)
	}
	_, th := d.thread("x:" + root)
	if len(th.Messages) != 2 || th.Messages[1].Direction != "out" || th.Messages[1].Agent != "maria" {
		t.Errorf("thread %+v, want the mention and maria's reply", th.Messages)
	}
	noSecret(t, d.log.String())
	noSecretOnDisk(t, d.dir, d.f)
}

// noSecretOnDisk fails when a file of the database's folder holds a refresh or access
// token: they live in the state folder only.
func noSecretOnDisk(t *testing.T, dir string, f *fake) {
	t.Helper()
	f.mu.Lock()
	secrets := append([]string{f.refresh}, f.used...)
	f.mu.Unlock()
	filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range append(secrets, "x-at-") {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a token (%s…)", path, s[:5])
			}
		}
		return nil
	})
}

// The composer warns that a link costs more on X, on an X conversation only.
func TestComposerWarnsOfALinkOnX(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false})
	d.f.tweet(ana, "@acme where do I track my parcel?", "")
	d.once("")
	s := openUI(t, d.svc)
	s.keys("enter", "r")
	s.paste("Here: https://acme.test/track")
	if !strings.Contains(s.text(), inbox.XLinkWarning) {
		t.Errorf("the composer on X does not warn of the link:\n%s", s.text())
	}

	other := inboxtest.Open(t, inboxtest.SendAtOnce(t), time.Now)
	if _, err := other.IngestMessages(context.Background(), inbox.Message{Channel: "mastodon", Account: "@acme@m.example", ID: "1",
		Conversation: "1", Kind: inbox.KindMention, Author: &inbox.Author{ID: "9", Handle: "@ana"}, Text: "where do I track my parcel?",
		CreatedAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s = openUI(t, other)
	s.keys("enter", "r")
	s.paste("Here: https://acme.test/track")
	if strings.Contains(s.text(), inbox.XLinkWarning) || !strings.Contains(s.text(), "https://acme.test/track") {
		t.Errorf("the composer on Mastodon warns of X's cost, or shows no reply:\n%s", s.text())
	}
}

// The answer to a post is lost (a 500 after the post was made): the engine asks the
// checker before trying again, which finds it; it is posted once and settled as sent.
func TestEngineXLostAnswerPostedOnce(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false})
	root := d.f.tweet(ana, "@acme where is my order?", "")
	d.once("")
	conv, _ := d.thread("x:" + root)
	if _, err := d.svc.Reply(d.ctx, conv, "It ships today."); err != nil {
		t.Fatal(err)
	}
	d.f.loseNext = 1
	d.once("Internal Server Error")
	for range 3 {
		d.f.wait(time.Hour) // past the retry's backoff
		d.once("")
	}
	out, _ := d.svc.DB().Outbox(d.ctx)
	sent := d.f.posted()
	if len(sent) != 1 || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != sent[0].id {
		t.Fatalf("outbox %+v, posted %+v: want one post, sent", out, sent)
	}
}

// A DM arrives; the reply goes to its DM conversation and comes back in dm_events as the
// same message (stored once); a DM the brand writes in the X app counts as an answer.
func TestEngineXDMEchoStoredOnce(t *testing.T) {
	d := newDesk(t, nil)
	d.f.dm("conv-5", ana, "hi, my code does not work")
	d.once("")
	conv, _ := d.thread("dm:conv-5")
	if _, err := d.svc.Reply(d.ctx, conv, "Sorry! Which code?"); err != nil {
		t.Fatal(err)
	}
	d.once("")
	d.once("")
	if c := d.f.callsTo("POST", "/2/dm_conversations/conv-5/messages"); len(c) != 1 {
		t.Fatalf("%d DMs sent, want 1", len(c))
	}
	d.f.dm("conv-5", userID, "Also: try restarting the app.") // from the X app
	d.once("")
	_, th := d.thread("dm:conv-5")
	var got []string
	for _, m := range th.Messages {
		got = append(got, string(m.Direction)+" "+m.Agent+": "+m.Text)
	}
	want := []string{"in : hi, my code does not work", "out maria: Sorry! Which code?", "out " + NativeAgent + ": Also: try restarting the app."}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("thread\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The reads cap reached: the account's state says until when, in UTC.
func TestEngineXReadsCapShown(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false, "max_reads_per_day": int64(5)})
	for i := range 6 {
		d.f.tweet(ana, "@acme q"+string(rune('a'+i)), "")
	}
	d.once("")
	d.once("reads capped until 00:00 UTC")
	if s := d.eng.States()[0]; !strings.Contains(s.Err, "reads capped until 00:00 UTC") {
		t.Errorf("state %+v, want the cap's reason", s)
	}
}

// A reply from triage that names the account itself comes back in the mentions: it is
// the same message (the id X gave), by maria, stored once; a post the brand makes in the
// X app in the same thread counts as an answer by (native app).
func TestEngineXMentionEchoStoredOnce(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false})
	root := d.f.tweet(ana, "@acme is the store open on Sunday?", "")
	d.once("")
	conv, _ := d.thread("x:" + root)
	if _, err := d.svc.Reply(d.ctx, conv, "Yes, 10 to 4: see the hours on @acme's profile."); err != nil {
		t.Fatal(err)
	}
	d.once("")
	d.once("")
	d.f.tweet(userID, "@ana and @acme's café too!", root)
	d.once("")
	_, th := d.thread("x:" + root)
	var got []string
	for _, m := range th.Messages {
		got = append(got, string(m.Direction)+" "+m.Agent)
	}
	if strings.Join(got, ",") != "in ,out maria,out "+NativeAgent {
		t.Errorf("thread %v, want the mention, maria's reply once, the app's answer", got)
	}
	if n := len(d.f.posted()); n != 2 {
		t.Errorf("%d posts, want maria's and the app's", n)
	}
}

// A crash while sending: the reply is left "sending", posted or not. At the next start
// the engine asks the checker: the one X has is settled as sent with its id, never
// posted again; the one X has not is sent, once.
func TestEngineXCrashWhileSending(t *testing.T) {
	d := newDesk(t, map[string]any{"dms": false})
	posted := d.f.tweet(ana, "@acme is it waterproof?", "")
	lost := d.f.tweet(ben, "@acme what colours?", "")
	d.once("")
	c1, _ := d.thread("x:" + posted)
	c2, _ := d.thread("x:" + lost)
	for _, c := range []struct {
		conv int64
		text string
	}{{c1, "Yes, to 30 m."}, {c2, "Red and teal."}} {
		sent, err := d.svc.Reply(d.ctx, c.conv, c.text)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := d.svc.DB().Outbox(d.ctx)
		for _, o := range out {
			if o.MessageID == sent.MessageID {
				if err := d.svc.ClaimOutbox(d.ctx, o.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// X made the first before the crash (as X keeps it: the @name before the text).
	made := d.f.tweet(userID, "@ana Yes, to 30 m.", posted)
	d.eng = engine.New(d.svc, []engine.Account{{Name: "acme-x", Channel: "x", Handle: d.a.Handle(), Adapter: d.a}},
		engine.Options{Log: slog.New(slog.NewTextHandler(d.log, nil))})
	d.once("")
	d.once("")
	out, _ := d.svc.DB().Outbox(d.ctx)
	remote := map[int64]string{}
	for _, o := range out {
		if o.Status != inbox.OutboxSent {
			t.Errorf("outbox %+v, want sent", o)
		}
		remote[o.ConversationID] = o.RemoteID
	}
	if remote[c1] != made {
		t.Errorf("the reply X had is settled as %q, want %s", remote[c1], made)
	}
	if p := d.f.callsTo("POST", "/2/tweets"); len(p) != 1 || p[0].Body["text"] != "Red and teal." {
		t.Errorf("posts %+v, want only the one X did not have", p)
	}
}
