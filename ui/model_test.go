package ui

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// app drives the root model as the Bubble Tea runtime would: each message goes through
// Update and every command it leads to is run until nothing is left.
type app struct {
	t *testing.T
	c *Common
	m *Model
}

// newApp starts the root model on c in a w×h window and loads the first page.
func newApp(t *testing.T, c *Common, w, h int) *app {
	t.Helper()
	a := &app{t: t, c: c, m: New(c)}
	steadyCursor(&a.m.search)
	a.send(tea.WindowSizeMsg{Width: w, Height: h})
	a.run(a.m.Init())
	return a
}

// update is the runtime's call to Update. Drafts are written after 1ms instead of the
// person-sized debounce, so a test does not sleep 400ms per key.
func (a *app) update(msg tea.Msg) tea.Cmd {
	_, cmd := a.m.Update(msg)
	switch o := a.m.overlay.(type) {
	case *composer:
		o.saveDelay = time.Millisecond
	case *selectPrompt:
		steadyCursor(&o.input)
	}
	return cmd
}

// steadyCursor stops a text input's cursor blinking, as the composer's and the dialogs'
// cursors never do: a blink is a timer message that asks for the next one, for ever,
// which runCmd would follow.
func steadyCursor(in *textinput.Model) {
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
}

func (a *app) run(cmd tea.Cmd) { a.t.Helper(); runCmd(a.t, cmd, a.update) }

// send delivers messages one by one, each with everything it leads to.
func (a *app) send(msgs ...tea.Msg) *app {
	a.t.Helper()
	for _, msg := range msgs {
		a.run(func() tea.Msg { return msg })
	}
	return a
}

// keys presses keys as help writes them ("j", "enter", "ctrl+s").
func (a *app) keys(ks ...string) *app {
	a.t.Helper()
	for _, k := range ks {
		a.send(press(k))
	}
	return a
}

func (a *app) typ(s string) *app { a.t.Helper(); return a.send(typeText(s)...) }

// screen is the whole screen as a person reads it.
func (a *app) screen() string { return plain(a.m.View().Content) }

// want fails unless the screen shows every text.
func (a *app) want(texts ...string) {
	a.t.Helper()
	s := a.screen()
	for _, text := range texts {
		if !strings.Contains(s, text) {
			a.t.Errorf("screen lacks %q:\n%s", text, s)
		}
	}
}

// row is the conversation under the cursor.
func (a *app) row() inbox.QueueRow {
	a.t.Helper()
	r, ok := a.m.queue.current()
	if !ok {
		a.t.Fatal("no row under the cursor")
	}
	return r
}

// moveTo moves the cursor down to conversation id.
func (a *app) moveTo(id int64) {
	a.t.Helper()
	for a.row().ID != id {
		if a.m.queue.cursor == len(a.m.queue.rows)-1 {
			a.t.Fatalf("conversation %d is not in %s", id, a.m.queue.currentView().Name)
		}
		a.keys("j")
	}
}

// thread reads a conversation from the inbox, not from the screen.
func (a *app) thread(id int64) inbox.Thread {
	a.t.Helper()
	th, err := a.c.Inbox.Thread(a.c.Ctx, id, 100)
	if err != nil {
		a.t.Fatal(err)
	}
	return th
}

func (a *app) wantState(id int64, want inbox.State) {
	a.t.Helper()
	if got := a.thread(id).Info.State; got != string(want) {
		a.t.Errorf("conversation %d is %s, want %s", id, got, want)
	}
}

func (a *app) wantStatus(sub string) {
	a.t.Helper()
	if !strings.Contains(a.m.status, sub) {
		a.t.Errorf("status %q, want it to say %q", a.m.status, sub)
	}
}

// lastOutbound is a conversation's newest reply; its ID is 0 when it has none.
func lastOutbound(th inbox.Thread) inbox.MessageRow {
	for i := len(th.Messages) - 1; i >= 0; i-- {
		if th.Messages[i].Direction == string(inbox.Out) {
			return th.Messages[i]
		}
	}
	return inbox.MessageRow{}
}

func TestAppCannedReplyThroughTheComposer(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	// The queue names the demo's customers, each cut to the column.
	for _, r := range a.m.queue.rows[:3] {
		name := []rune(Safe(cmp.Or(r.AuthorName, r.AuthorHandle)))
		a.want(string(name[:min(6, len(name))]))
	}
	first := a.row()
	a.keys("j")
	r := a.row()
	if r.ID == first.ID || a.m.queue.cursor != 1 {
		t.Fatalf("j: cursor %d on %d, want row 1", a.m.queue.cursor, r.ID)
	}
	a.keys("c")
	a.want("Canned reply for "+Safe(r.AuthorName), "thanks-praise")
	p, ok := a.m.overlay.(*cannedPicker)
	if !ok {
		t.Fatalf("c opened %T, want the canned picker", a.m.overlay)
	}
	_, i, _ := p.list.Selected()
	text, err := a.c.Inbox.RenderCanned(a.c.Ctx, r.ID, p.names[i])
	if err != nil {
		t.Fatal(err)
	}
	a.keys("enter")
	cp, ok := a.m.overlay.(*composer)
	if !ok {
		t.Fatalf("enter opened %T, want the composer:\n%s", a.m.overlay, a.screen())
	}
	if cp.ta.Value() != text {
		t.Fatalf("composer opened with %q, want %q", cp.ta.Value(), text)
	}
	a.want("Reply to", string([]rune(text)[:30]))
	a.keys("ctrl+s")
	if a.m.overlay != nil {
		t.Fatalf("composer still open after ctrl+s:\n%s", a.screen())
	}
	a.wantStatus("replied")
	out := lastOutbound(a.thread(r.ID))
	if out.Text != text {
		t.Fatalf("newest reply of %d = %q, want %q", r.ID, out.Text, text)
	}
	box, err := a.c.Inbox.DB().Outbox(a.c.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(box, func(e store.OutboxEntry) bool { return e.MessageID == out.ID && e.ConversationID == r.ID }) {
		t.Errorf("reply %d is not in the outbox: %+v", out.ID, box)
	}
}

func TestAppQuickCannedClosesAndMovesOn(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	first := a.row()
	next := a.m.queue.rows[1]
	a.keys("C")
	a.want("Quick canned reply")
	a.keys("enter")
	a.wantState(first.ID, inbox.StateDone)
	if lastOutbound(a.thread(first.ID)).ID == 0 {
		t.Error("quick canned reply sent nothing")
	}
	a.wantStatus("and closed")
	if a.row().ID != next.ID {
		t.Errorf("cursor on %d, want the next row %d", a.row().ID, next.ID)
	}
}

func TestAppTagEscalateSnooze(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	id := a.row().ID
	a.keys("t").typ("followup")
	a.want(`enter: create “followup” and tag`)
	a.keys("enter")
	if tags := a.thread(id).Info.Tags; !slices.Contains(tags, "followup") {
		t.Errorf("tags of %d = %v, want followup", id, tags)
	}
	a.wantStatus("tagged followup")

	id = a.row().ID
	prio := a.thread(id).Info.Priority
	a.keys("e")
	a.want("Escalate", "billing", "[unchanged]")
	a.keys("ctrl+s") // no reason chosen yet: nothing happens but a word of help
	a.want("choose a reason first")
	a.keys("b", "ctrl+s")
	th := a.thread(id)
	if len(th.Escalations) == 0 || th.Escalations[len(th.Escalations)-1].Reason != "billing" {
		t.Errorf("escalations of %d = %+v, want one for billing", id, th.Escalations)
	}
	a.wantState(id, inbox.StateEscalated)
	if got := a.thread(id).Info.Priority; got != prio {
		t.Errorf("escalating changed the priority from %d to %d", prio, got)
	}

	id = a.row().ID
	a.keys("s")
	a.want("Snooze", "1 hour")
	a.keys("enter")
	th = a.thread(id)
	if th.Info.State != string(inbox.StateSnoozed) || th.Info.SnoozeUntil != testNow.Add(time.Hour).UnixMilli() {
		t.Errorf("conversation %d: %s until %d, want snoozed for an hour", id, th.Info.State, th.Info.SnoozeUntil)
	}
}

func TestAppDoneAndUndo(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("j")
	r, next := a.row(), a.m.queue.rows[2]
	a.keys("d")
	a.wantState(r.ID, inbox.StateDone)
	a.wantStatus("done")
	if a.row().ID != next.ID {
		t.Errorf("after d the cursor is on %d, want the next row %d", a.row().ID, next.ID)
	}
	a.keys("u")
	a.wantState(r.ID, inbox.State(r.State))
	a.wantStatus("undid")
	a.want(r.AuthorName)
}

func TestAppViewsAndSearch(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("5")
	if a.m.queue.currentView().Name != "Escalated" || !strings.HasPrefix(a.screen(), "triage › Escalated") {
		t.Fatalf("5 did not show Escalated:\n%s", a.screen())
	}
	if len(a.m.queue.rows) == 0 {
		t.Error("the demo has no escalated conversation to show")
	}
	for _, r := range a.m.queue.rows {
		if r.State != string(inbox.StateEscalated) {
			t.Errorf("Escalated view lists %d in state %s", r.ID, r.State)
		}
	}

	a.keys("v")
	a.want("Views", "Open refunds", "enter: show it")
	a.typ("All").keys("enter")
	if a.m.overlay != nil || a.m.queue.currentView().Name != "All" {
		t.Fatalf("view picker: view %q, overlay %T", a.m.queue.currentView().Name, a.m.overlay)
	}
	a.want("triage › All")

	a.keys("/").typ("chan:x").keys("enter")
	if len(a.m.queue.rows) == 0 {
		t.Fatal("chan:x lists nothing in All")
	}
	for _, r := range a.m.queue.rows {
		if r.Channel != "x" {
			t.Errorf("chan:x lists %d on %s", r.ID, r.Channel)
		}
	}
	a.want("triage › All", "/chan:x")

	a.keys("/", "esc", "/").typ("chanel:x")
	_, err := inbox.ParseQueryLive("chanel:x")
	var qe *inbox.QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("chanel:x parses with %v", err)
	}
	a.want("/ chanel:x  " + qe.Msg)
	if !strings.Contains(a.m.View().Content, a.c.Styles.Underline.Render("chanel")) {
		t.Errorf("the bad term is not underlined in the footer")
	}
}

func TestAppBulkSelection(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	one, two := a.m.queue.rows[0].ID, a.m.queue.rows[1].ID
	a.keys("space", "space")
	a.want("2 selected")
	a.keys(";")
	a.want("the next action applies to the 2 selected")
	a.keys("d")
	a.wantState(one, inbox.StateDone)
	a.wantState(two, inbox.StateDone)
	a.wantStatus("done on 2 conversations")
	if len(a.m.queue.selected) != 0 {
		t.Errorf("selection kept after the action: %v", a.m.queue.selected)
	}

	a.keys("T").typ("chan:email").keys("enter")
	var want []int64
	for _, r := range a.m.queue.rows {
		if r.Channel == "email" {
			want = append(want, r.ID)
		}
	}
	got := a.m.queue.targets(true)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("T chan:email selected %v, want %v", got, want)
	}
	a.wantStatus("matching \"chan:email\"")
}

func TestAppStatsHelpQuit(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("S")
	a.want("triage › Response times", "Stats · Last 7 days", "Oldest unanswered")
	a.keys("esc")
	if a.m.screen != screenQueue {
		t.Fatalf("esc from stats went to screen %d", a.m.screen)
	}
	a.want("triage › Inbox")

	a.keys("?")
	s := a.screen()
	for _, group := range a.c.Keys.FullHelp() {
		for _, b := range group {
			h := b.Help()
			if !regexp.MustCompile(regexp.QuoteMeta(h.Key) + ` +` + regexp.QuoteMeta(h.Desc)).MatchString(s) {
				t.Errorf("help does not list %q %q:\n%s", h.Key, h.Desc, s)
			}
		}
	}
	a.keys("esc")

	if cmd := a.update(press("q")); cmd == nil || !isQuit(cmd()) {
		t.Error("q did not quit")
	}
}

func TestAppQuitAsksWhileAReplyIsUnsaved(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	a.keys("r")
	for _, msg := range typeText("half a thought") {
		a.update(msg) // typed faster than the draft is written: nothing saved yet
	}
	if cmd := a.update(press("ctrl+c")); cmd != nil {
		t.Fatalf("ctrl+c with an unsaved reply returned %T", cmd())
	}
	a.want("not saved yet. Quit anyway? (y/n)")
	if cmd := a.update(press("n")); cmd != nil || a.m.confirmQuit {
		t.Fatal("n did not cancel quitting")
	}
	if _, ok := a.m.overlay.(*composer); !ok {
		t.Fatal("the composer closed after n")
	}
	a.update(press("ctrl+c"))
	if cmd := a.update(press("y")); cmd == nil || !isQuit(cmd()) {
		t.Error("y did not quit")
	}
}

func isQuit(msg tea.Msg) bool { _, ok := msg.(tea.QuitMsg); return ok }

// openDemoFile opens the inbox in a database file with the demo config, as main does
// each time triage starts; seed fills it with the demo first.
func openDemoFile(t *testing.T, path string, seed bool) (*Common, func()) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := inbox.ParseConfig("demo", demo.ConfigTOML())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	svc, err := inbox.New(ctx, db, cfg, inbox.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if seed {
		if _, err := demo.Seed(ctx, svc, 1, testNow); err != nil {
			t.Fatal(err)
		}
	}
	return &Common{Ctx: ctx, Inbox: svc, Styles: NewStyles(true), Keys: DefaultKeyMap(), Now: now, Width: 120, Height: 35},
		func() { db.Close() }
}

func TestAppChangesSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "triage.db")
	c, closeDB := openDemoFile(t, path, true)
	a := newApp(t, c, 120, 35)
	a.moveToUnsigned() // the reply reads back as typed
	id, who := a.row().ID, cmp.Or(a.row().AuthorName, a.row().AuthorHandle)
	reply := "Thanks for waiting, it is sorted"
	a.keys("enter", "r").typ(reply).keys("ctrl+s")
	a.keys("t").typ("followup").keys("enter", "d")
	a.wantState(id, inbox.StateDone)
	closeDB()

	c2, closeDB2 := openDemoFile(t, path, false)
	defer closeDB2()
	b := newApp(t, c2, 120, 35)
	for _, r := range b.m.queue.rows {
		if r.ID == id {
			t.Errorf("the closed conversation %d is still in the Inbox after a restart", id)
		}
	}
	th := b.thread(id)
	if th.Info.State != string(inbox.StateDone) || !slices.Contains(th.Info.Tags, "followup") || lastOutbound(th).Text != reply {
		t.Fatalf("after a restart %d is %s with tags %v and reply %q", id, th.Info.State, th.Info.Tags, lastOutbound(th).Text)
	}
	b.keys("8")
	name := []rune(who)
	b.want("triage › Done", string(name[:min(12, len(name))])) // the name is cut to its column
	b.moveTo(id)
	b.keys("enter")
	b.want("\ndone · ", "#followup", reply) // the conversation's header starts with its state
}
