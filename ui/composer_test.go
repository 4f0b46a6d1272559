package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

const composerConfig = `
[voice]
banned = ["unfortunately"]
signoff = "— Acme"
signoff_channels = ["email"]
`

// composerInbox is an inbox with one X mention and one email, returned by channel.
func composerInbox(t *testing.T, authors ...string) (*Common, map[string]int64) {
	t.Helper()
	c := emptyCommon(t, composerConfig)
	name := "Ana Ruiz"
	if len(authors) > 0 {
		name = authors[0]
	}
	ctx := context.Background()
	_, err := c.Inbox.IngestMessages(ctx,
		inbox.Message{Channel: "x", Account: "@acme", ID: "x1", Conversation: "x1", Kind: inbox.KindMention,
			Author: &inbox.Author{ID: "u1", Handle: "@ana", Name: name}, Text: "@acme where is my order?", CreatedAt: testNow.Add(-time.Hour)},
		inbox.Message{Channel: "email", Account: "help@acme.test", ID: "<m1@bo.test>", Conversation: "<m1@bo.test>", Kind: inbox.KindEmail,
			Author: &inbox.Author{ID: "bo@bo.test", Handle: "bo@bo.test", Name: "Bo Lind"}, Text: "My refund?", CreatedAt: testNow.Add(-2 * time.Hour)},
	)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := c.Inbox.Queue(ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, r := range rows {
		ids[r.Channel] = r.ID
	}
	if ids["x"] == 0 || ids["email"] == 0 {
		t.Fatalf("conversations not found: %v", ids)
	}
	return c, ids
}

// composerRun opens a composer the way the root does and records what reaches the root.
type composerRun struct {
	t    *testing.T
	m    *composer
	got  []tea.Msg
	last tea.Cmd
}

func composerOpen(t *testing.T, c *Common, id int64, initial string) *composerRun {
	t.Helper()
	r := &composerRun{t: t, m: newComposer(c, id, initial)}
	r.m.saveDelay = time.Millisecond // the debounce is kept, only shorter
	r.run(r.m.Init())
	return r
}

// update is the composer's Update as the root calls it, recording each message.
func (r *composerRun) update(msg tea.Msg) tea.Cmd {
	r.got = append(r.got, msg)
	_, cmd := r.m.Update(msg)
	return cmd
}

// run follows a command to the end, as the runtime would.
func (r *composerRun) run(cmd tea.Cmd) { r.t.Helper(); runCmd(r.t, cmd, r.update) }

// keys sends key presses without running their commands, keeping the last one, as
// typing faster than the debounce does.
func (r *composerRun) keys(msgs ...tea.Msg) *composerRun {
	for _, msg := range msgs {
		_, r.last = r.m.Update(msg)
	}
	return r
}

// view is the dialog as a person reads it, without styling.
func (r *composerRun) view() string { return plain(r.m.View()) }

// received reports whether any message that reached the composer matches want.
func (r *composerRun) received(want func(tea.Msg) bool) bool {
	for _, msg := range r.got {
		if want(msg) {
			return true
		}
	}
	return false
}

// composerClosed matches the message that closes the dialog.
func composerClosed(msg tea.Msg) bool { _, ok := msg.(closeOverlayMsg); return ok }

// composerDraft reads a conversation's stored draft.
func composerDraft(t *testing.T, c *Common, id int64) string {
	t.Helper()
	d, err := c.Inbox.Draft(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestComposerWarnsAndCounts(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	text := "We are unfortunately out of stock"
	r.keys(typeText(text)...)
	v := r.view()
	for _, want := range []string{"Reply to Ana Ruiz on X", text, `banned phrase "unfortunately"`, "33/280"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	raw := r.m.View()
	if !strings.Contains(raw, c.Styles.Underline.Render("unfortunately")) {
		t.Errorf("banned phrase not underlined:\n%q", raw)
	}
	if !strings.Contains(raw, c.Styles.Faint.Render("33/280")) {
		t.Errorf("counter under the limit is not faint:\n%q", raw)
	}
}

func TestComposerOverLimit(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], strings.Repeat("a", 279))
	r.keys(typeText("bc")...)
	if v := r.view(); !strings.Contains(v, "281/280") || !strings.Contains(v, "281/280 characters on x") {
		t.Fatalf("no over-limit counter and warning:\n%s", v)
	}
	if raw := r.m.View(); !strings.Contains(raw, c.Styles.Overdue.Render("281/280")) {
		t.Errorf("counter over the limit is not red:\n%q", raw)
	}
}

func TestComposerEmailSignoff(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["email"], "")
	// A new email reply starts with the sign-off, the cursor above it.
	r.keys(typeText("Hi Bo, your refund is on its way.")...)
	v := r.view()
	if !strings.Contains(v, "Reply to Bo Lind on email") || strings.Contains(v, "missing sign-off") {
		t.Fatalf("the new reply did not start with the sign-off:\n%s", v)
	}
	if got := r.m.ta.Value(); got != "Hi Bo, your refund is on its way.\n\n— Acme" {
		t.Errorf("text = %q, want what was typed above the sign-off", got)
	}
	if regexp.MustCompile(`\d+/\d+`).MatchString(v) {
		t.Errorf("email has no length limit, yet a counter shows:\n%s", v)
	}
	// Taking the sign-off away is warned of.
	r.keys(press("down"), press("down"), press("end"))
	r.keys(press("backspace"), press("backspace"), press("backspace"), press("backspace"), press("backspace"), press("backspace"))
	if v := r.view(); !strings.Contains(v, `missing sign-off "— Acme"`) {
		t.Errorf("no warning once the sign-off is gone (%q):\n%s", r.m.ta.Value(), v)
	}
}

// A new reply that holds nothing but the sign-off is no draft: esc closes at once, and the
// queue marks no draft.
func TestComposerSignoffAloneIsNoDraft(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["email"], "")
	if r.m.unsaved() {
		t.Errorf("a new reply with only the sign-off counts as unsaved")
	}
	r.run(r.update(press("esc")))
	if !r.received(composerClosed) {
		t.Fatalf("esc did not close the composer")
	}
	if d := composerDraft(t, c, ids["email"]); d != "" {
		t.Errorf("draft = %q, want none", d)
	}
}

func TestComposerDraftKeptOnEsc(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText("Hello there")...)
	if !r.m.unsaved() {
		t.Fatal("typed text reported as saved before any write")
	}
	r.run(r.update(press("esc")))
	if !r.received(composerClosed) {
		t.Fatal("esc did not close the composer")
	}
	if d := composerDraft(t, c, ids["x"]); d != "Hello there" {
		t.Fatalf("draft = %q, want %q", d, "Hello there")
	}
	again := composerOpen(t, c, ids["x"], "")
	if v := again.view(); !strings.Contains(v, "Hello there") || !strings.Contains(v, "draft saved") {
		t.Errorf("reopened composer does not show the draft:\n%s", v)
	}
	if again.m.unsaved() {
		t.Error("a freshly loaded draft is reported unsaved")
	}
}

func TestComposerDebouncedSave(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText("a")...)
	first := r.last
	r.keys(typeText("b")...)
	r.run(first) // a stale tick: a later key superseded it
	if d := composerDraft(t, c, ids["x"]); d != "" {
		t.Fatalf("stale tick saved %q", d)
	}
	r.run(r.last)
	if d := composerDraft(t, c, ids["x"]); d != "ab" {
		t.Fatalf("draft = %q, want %q", d, "ab")
	}
	if r.m.unsaved() {
		t.Error("unsaved after the draft was written")
	}
}

func TestComposerSends(t *testing.T) {
	c, ids := composerInbox(t)
	id := ids["x"]
	r := composerOpen(t, c, id, "")
	r.keys(typeText("Sorry, unfortunately it is late")...)
	r.run(r.last) // the draft exists before sending, and must be gone after
	r.run(r.update(press("ctrl+s")))
	var act actionMsg
	if !r.received(func(msg tea.Msg) bool { a, ok := msg.(actionMsg); act = a; return ok }) || !r.received(composerClosed) {
		t.Fatalf("send did not report and close: %#v", r.got)
	}
	if act.What != "replied (1 voice warning)" || len(act.IDs) != 1 || act.IDs[0] != id || act.Err != nil {
		t.Errorf("action = %+v", act)
	}
	th, err := c.Inbox.Thread(context.Background(), id, 10)
	if err != nil {
		t.Fatal(err)
	}
	last := th.Messages[len(th.Messages)-1]
	if last.Direction != string(inbox.Out) || last.Text != "Sorry, unfortunately it is late" {
		t.Errorf("last message = %+v", last)
	}
	if d := composerDraft(t, c, id); d != "" {
		t.Errorf("draft left after sending: %q", d)
	}
	if r.m.unsaved() {
		t.Error("a sent reply is reported unsaved")
	}
}

// A draft write in flight delays esc and ctrl+s until it lands, so the last write is
// always the latest text (or the reply, which clears the draft).
func TestComposerWritesInOrder(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	r.keys(typeText("ab")...)
	inFlight := r.update(draftTickMsg{owner: r.m, seq: r.m.seq})
	r.keys(typeText("c")...)
	if cmd := r.update(press("esc")); cmd != nil {
		t.Fatal("esc wrote while another write was in flight")
	}
	r.run(inFlight)
	if d := composerDraft(t, c, ids["x"]); d != "abc" || !r.received(composerClosed) {
		t.Fatalf("draft = %q, closed = %v; want the latest text, then close", d, r.received(composerClosed))
	}

	r = composerOpen(t, c, ids["email"], "")
	r.keys(typeText("Done. — Acme")...)
	inFlight = r.update(draftTickMsg{owner: r.m, seq: r.m.seq})
	if cmd := r.update(press("ctrl+s")); cmd != nil {
		t.Fatal("ctrl+s sent while a draft write was in flight")
	}
	r.run(inFlight)
	if d := composerDraft(t, c, ids["email"]); d != "" || !r.received(composerClosed) {
		t.Fatalf("draft after sending = %q, closed = %v", d, r.received(composerClosed))
	}
}

func TestComposerSendEmptyAndFailed(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	if cmd := r.update(press("ctrl+s")); cmd != nil {
		t.Fatal("an empty reply started a command")
	}
	if v := r.view(); !strings.Contains(v, "reply is empty") {
		t.Errorf("no error for an empty reply:\n%s", v)
	}
	r.keys(typeText("Almost there")...)
	if r.update(press("ctrl+s")) == nil {
		t.Fatal("ctrl+s did not send")
	}
	// The inbox refusing the reply: the composer stays, with the error and the text.
	if cmd := r.update(replySentMsg{owner: r.m, err: errors.New("disk full")}); r.received(composerClosed) || cmd == nil {
		t.Fatal("a failed send closed the composer or dropped the draft write")
	}
	if v := r.view(); !strings.Contains(v, "disk full") || !strings.Contains(v, "Almost there") {
		t.Errorf("failed send lost the error or the text:\n%s", v)
	}
}

func TestComposerCannedKeepsDraft(t *testing.T) {
	c, ids := composerInbox(t)
	id := ids["x"]
	if err := c.Inbox.SaveDraft(context.Background(), id, "My own words"); err != nil {
		t.Fatal(err)
	}
	r := composerOpen(t, c, id, "Hi Ana, we are on it.")
	if got, want := r.m.ta.Value(), "My own words\n\nHi Ana, we are on it."; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
	if v := r.view(); !strings.Contains(v, draftKeptNote) {
		t.Errorf("no note about the kept draft:\n%s", v)
	}
	fresh := composerOpen(t, c, ids["email"], "Hello Bo")
	if got := fresh.m.ta.Value(); got != "Hello Bo" || strings.Contains(fresh.view(), draftKeptNote) {
		t.Errorf("canned text without a draft = %q", got)
	}
}

// composerSGR matches the styling sequences lipgloss writes; anything else with ESC is foreign.
var composerSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

func TestComposerHostileAuthor(t *testing.T) {
	c, ids := composerInbox(t, "Mallory\x1b]52;c;cm0gLXJm\x07\x1b[2J\u202eevil\x9b31m")
	r := composerOpen(t, c, ids["x"], "")
	if !strings.Contains(r.m.info.AuthorName, "\x1b]52") {
		t.Fatalf("the inbox cleaned the name already, so this tests nothing: %q", r.m.info.AuthorName)
	}
	raw := r.m.View()
	rest := composerSGR.ReplaceAllString(raw, "")
	if strings.ContainsAny(rest, "\x1b\x07\u202e\u009b") {
		t.Fatalf("view carries control characters from the author's name: %q", rest)
	}
	if !strings.Contains(rest, "Mallory") {
		t.Errorf("name missing from title: %q", rest)
	}
}

func TestComposerFits(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {120, 35}, {100, 30}} {
		w, h := size[0], size[1]
		c, ids := composerInbox(t, "Anastasia Konstantinopoulou-Villanueva de la Cruz y Montenegro")
		c.Width, c.Height = w, h
		if err := c.Inbox.SaveDraft(context.Background(), ids["x"], "Thanks for your patience!"); err != nil {
			t.Fatal(err)
		}
		r := composerOpen(t, c, ids["x"], "Hi Ana, unfortunately the parcel is delayed.")
		r.keys(typeText(" " + strings.Repeat("We will unfortunately need a few more days. ", 7))...)
		r.m.err = errors.New(strings.Repeat("a very long error ", 10))
		r.m.layout()
		raw := r.m.View()
		lines := strings.Split(raw, "\n")
		if len(lines) > h {
			t.Errorf("%d×%d: %d lines", w, h, len(lines))
		}
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("%d×%d: line %d is %d wide: %q", w, h, i, lw, ansi.Strip(l))
			}
		}
		v := plain(raw)
		for _, want := range []string{"Reply to", "on X", "/280", "unfortunately", "ctrl+s send"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d×%d: view lacks %q:\n%s", w, h, want, v)
			}
		}
		t.Logf("%d×%d:\n%s", w, h, v)
	}
}

func TestComposerShortHelp(t *testing.T) {
	c, ids := composerInbox(t)
	r := composerOpen(t, c, ids["x"], "")
	help := r.m.ShortHelp()
	if len(help) != 3 || help[0].Help().Key != "ctrl+s" || help[1].Help().Key != "ctrl+e" || help[2].Help().Key != "esc" {
		t.Errorf("short help = %v", help)
	}
}

// Keys typed after r but before the conversation has been read (a fast typist, a slow
// database) are kept and land in the text once it is there, not dropped.
func TestComposerKeepsWhatIsTypedBeforeItLoads(t *testing.T) {
	c, ids := composerInbox(t)
	m := newComposer(c, ids["x"], "")
	load := m.Init()
	for _, k := range typeText("It ships") {
		m.Update(k)
	}
	if m.ta.Value() != "" {
		t.Fatalf("text before the conversation is read: %q", m.ta.Value())
	}
	m.Update(load()) // the conversation read, after the keys
	if got := m.ta.Value(); !strings.HasPrefix(got, "It ships") {
		t.Errorf("text once read: %q, want it to start with what was typed", got)
	}
	if !m.unsaved() {
		t.Error("what was typed early is not due to be kept as the draft")
	}
}
