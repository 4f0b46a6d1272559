package ui

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/triage-inbox/triage/inbox"
)

// This file checks what the screens look like: golden screens of the demo inbox, every
// screen within the window at every size, and no outside text reaching the terminal.
//
// Golden screens are 120×35, dark styles, compared as plain text. Refresh them with:
//
//	go test ./ui -run Golden -update
//
// Each is also kept as testdata/screens/NAME.txt, which the README shows; the test fails
// when one of those differs from its golden file.

const goldenW, goldenH = 120, 35

// goldenDraft is a reply to an X conversation in the voice the brand has banned, and
// longer than X takes: the composer shows every warning and a red counter. It greets the
// customer by the first word of their name (%s).
const goldenDraft = "Hi %s, unfortunately the Finch dripper you received was damaged in transit. " +
	"As per our returns policy we kindly ask you to keep the broken one and send us a photo of the box. " +
	"We apologise for the inconvenience and a replacement will leave our warehouse today with tracking by email."

// program runs the root model as a real Bubble Tea program. Its filter counts the
// messages the program takes by type, so a step can wait for the answers it expects
// (a page, a count, a thread) as well as for text on the output: the output is drawn
// as the changes between frames, so text alone does not say a screen is complete.
type program struct {
	t    *testing.T
	tm   *teatest.TestModel
	mu   sync.Mutex
	seen map[reflect.Type]int
}

// startProgram runs the root model on c and waits for the Inbox view's first page.
func startProgram(t *testing.T, c *Common) *program {
	t.Helper()
	p := &program{t: t, seen: map[reflect.Type]int{}}
	filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
		p.mu.Lock()
		p.seen[reflect.TypeOf(msg)]++
		p.mu.Unlock()
		return msg
	}
	p.tm = teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(goldenW, goldenH),
		teatest.WithProgramOptions(tea.WithFilter(filter)))
	p.wait(shownName(t, c, inbox.BuiltinViews[0], nil), []tea.Msg{pageMsg, countMsg}, []int{0, 0})
	return p
}

// shownName is the start of the name of the first customer in a view's first page who is
// not among those of not (a page shown before): six characters, which even a narrow
// column keeps. A step waits for it to know the view is drawn, whatever the demo holds.
func shownName(t *testing.T, c *Common, view inbox.View, not []inbox.QueueRow) string {
	t.Helper()
	rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: view, Limit: goldenH})
	if err != nil {
		t.Fatal(err)
	}
	name := func(r inbox.QueueRow) string {
		n := []rune(Safe(cmp.Or(r.AuthorName, r.AuthorHandle)))
		return string(n[:min(6, len(n))])
	}
	for _, r := range rows {
		if !slices.ContainsFunc(not, func(o inbox.QueueRow) bool { return name(o) == name(r) }) {
			return name(r)
		}
	}
	t.Fatalf("no customer in %s to tell it is drawn", view.Name)
	return ""
}

// inboxPage is the Inbox view's first page, as the program opens on it.
func inboxPage(t *testing.T, c *Common) []inbox.QueueRow {
	t.Helper()
	rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.BuiltinViews[0], Limit: goldenH})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (p *program) count(kind tea.Msg) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[reflect.TypeOf(kind)]
}

// step presses keys, then waits until the output shows text and the program has taken
// one more message of each kind in answers. The text must be new on the screen and drawn
// only once the answers are in (not "Reply to …" over an earlier "Reply"), since only
// the cells that changed are written.
func (p *program) step(keys []string, text string, answers ...tea.Msg) {
	p.t.Helper()
	before := make([]int, len(answers))
	for i, a := range answers {
		before[i] = p.count(a)
	}
	for _, k := range keys {
		p.tm.Send(press(k))
	}
	p.wait(text, answers, before)
}

// wait waits until the output shows text and the program has taken more than before[i]
// messages of the kind of answers[i].
func (p *program) wait(text string, answers []tea.Msg, before []int) {
	p.t.Helper()
	teatest.WaitFor(p.t, p.tm.Output(), func(out []byte) bool {
		for i, a := range answers {
			if p.count(a) <= before[i] {
				return false
			}
		}
		return strings.Contains(ansi.Strip(string(out)), text)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// screen quits the program and returns its last screen as plain text, without the
// spaces that pad lines to the width.
func (p *program) screen() string {
	p.t.Helper()
	if err := p.tm.Quit(); err != nil {
		p.t.Fatal(err)
	}
	m := p.tm.FinalModel(p.t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// requireScreen compares a screen with its golden file and, when name is not "", keeps
// testdata/screens/NAME.txt equal to it.
func requireScreen(t *testing.T, name, screen string) {
	t.Helper()
	golden.RequireEqual(t, []byte(screen))
	if name == "" {
		return
	}
	path := filepath.Join("testdata", "screens", name+".txt")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(screen), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != screen {
		t.Errorf("%s differs from the golden screen (err %v); refresh with -update", path, err)
	}
}

var (
	pageMsg   = queueLoadedMsg{}
	countMsg  = queueCountMsg{}
	threadMsg = convThreadMsg{}
)

func TestGoldenQueueInbox(t *testing.T) {
	p := startProgram(t, demoCommon(t))
	requireScreen(t, "queue", p.screen())
}

func TestGoldenQueueAll(t *testing.T) {
	c := demoCommon(t)
	p := startProgram(t, c)
	p.step([]string{"v", "A", "l", "l", "enter"}, shownName(t, c, inbox.View{Name: "All"}, inboxPage(t, c)), chooseViewMsg{}, pageMsg, countMsg)
	requireScreen(t, "", p.screen())
}

func TestGoldenConversation(t *testing.T) {
	p := startProgram(t, demoCommon(t))
	p.step([]string{"j", "j", "j", "enter"}, "last contact", threadMsg, convHistoryMsg{})
	requireScreen(t, "conversation", p.screen())
}

func TestGoldenComposerWarnings(t *testing.T) {
	c := demoCommon(t)
	// A public post: an X DM takes 10,000 characters.
	rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Query: "chan:x -kind:dm", Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no X conversation in the demo: %v", err)
	}
	// The reply was written earlier and kept as a draft, so the screen does not depend
	// on when the composer's debounced save lands.
	first, _, _ := strings.Cut(cmp.Or(rows[0].AuthorName, rows[0].AuthorHandle), " ")
	if err := c.Inbox.SaveDraft(c.Ctx, rows[0].ID, fmt.Sprintf(goldenDraft, first)); err != nil {
		t.Fatal(err)
	}
	// The composer opens on that conversation, in the All view.
	all, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: goldenH})
	if err != nil {
		t.Fatal(err)
	}
	at := slices.IndexFunc(all, func(r inbox.QueueRow) bool { return r.ID == rows[0].ID })
	if at < 0 {
		t.Fatalf("the first public X conversation is not on the All view's first page")
	}
	p := startProgram(t, c)
	p.step([]string{"v", "A", "l", "l", "enter"}, shownName(t, c, inbox.View{Name: "All"}, inboxPage(t, c)), chooseViewMsg{}, pageMsg, countMsg)
	p.step(append(slices.Repeat([]string{"j"}, at), "r"), "characters on x", composerLoadedMsg{})
	requireScreen(t, "composer", p.screen())
}

func TestGoldenStats(t *testing.T) {
	p := startProgram(t, demoCommon(t))
	p.step([]string{"S"}, "Oldest unanswered", statsDataMsg{})
	requireScreen(t, "stats", p.screen())
}

// hostileName and hostileText try to reach the terminal: a title change, a screen
// clear, a colour, a hyperlink, leaving the alternate screen, a clipboard write.
const (
	hostileName = "\x1b]0;pwned\x07Mallory\x1b[2J\u202E"
	hostileText = "refund \x1b[31mNOW\x1b[0m \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[?1049l\x1bc\u009b2J\x9b2J\x1b]52;c;AAAA\x07 " +
		"日本語👨‍👩‍👧 a very long line that goes on and on well past the edge of any reasonable screen width"
)

// hostileInbox is the demo inbox with one X conversation whose author and text attack
// the terminal, urgent (it asks for a refund) and near the top of the Inbox view.
func hostileInbox(t *testing.T) (*Common, int64) {
	c := demoCommon(t)
	msg := inbox.Message{Channel: "x", Account: "@kettlebird", ID: "evil1", Conversation: "evil1", Kind: inbox.KindDM,
		Author: &inbox.Author{ID: "evil", Handle: "@m\x1b[8mallory", Name: hostileName}, Text: hostileText,
		URL: "https://x.example/\x1b]0;t\x07", CreatedAt: testNow.Add(-50 * time.Hour)}
	if _, err := c.Inbox.IngestMessages(c.Ctx, msg); err != nil {
		t.Fatal(err)
	}
	id, err := c.Inbox.ConversationID(c.Ctx, "x", "@kettlebird", "evil1")
	if err != nil {
		t.Fatal(err)
	}
	return c, id
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkScreen fails on a line wider than w, an escape byte that is not SGR styling, or
// any of also.
func checkScreen(t *testing.T, name string, content string, w int, also ...string) {
	t.Helper()
	for i, line := range strings.Split(content, "\n") {
		if lw := ansi.StringWidth(line); lw > w {
			t.Errorf("%s: line %d is %d wide: %q", name, i, lw, plain(line))
		}
	}
	rest := sgrRE.ReplaceAllString(content, "")
	for _, bad := range append([]string{"\x1b", "\x07", "\u009b", "\u009d"}, also...) { // ESC, BEL, C1 CSI and OSC
		if i := strings.Index(rest, bad); i >= 0 {
			t.Errorf("%s: %q reached the screen: %q", name, bad, rest[max(i-20, 0):min(i+20, len(rest))])
		}
	}
}

func TestScreensFitAndStayClean(t *testing.T) {
	c, evil := hostileInbox(t)
	sizes := [][2]int{{60, 15}, {80, 24}, {120, 35}, {200, 50}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		a := newApp(t, c, w, h)
		a.moveTo(evil)
		// What Safe leaves of hostileName must not show either: a bidi override, or the
		// rest of a sequence whose ESC alone was dropped.
		check := func(name string) {
			t.Helper()
			checkScreen(t, fmtSize(name, w, h), a.m.View().Content, w, "\u202e", "[2J")
		}
		check("queue")
		a.keys("enter")
		a.want("Mallory")
		check("conversation")
		a.keys("c", "enter") // a canned reply with the author's name filled in
		check("composer")
		a.keys("esc", "esc", "S")
		check("stats")
		a.keys("esc", "?")
		check("help")
		a.keys("esc", "/").send(tea.PasteMsg{Content: hostileName})
		checkScreen(t, fmtSize("search", w, h), a.m.View().Content, w)
	}
}

func fmtSize(name string, w, h int) string { return name + " at " + itoa(w) + "×" + itoa(h) }

func TestScreenAsksForALargerWindow(t *testing.T) {
	a := newApp(t, demoCommon(t), 120, 35)
	for _, size := range [][2]int{{59, 15}, {60, 14}, {20, 5}} {
		a.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if words := strings.Join(strings.Fields(a.screen()), " "); !strings.Contains(words, "make the window larger") {
			t.Errorf("%d×%d: no request for a larger window:\n%s", size[0], size[1], a.screen())
		}
		checkScreen(t, fmtSize("small", size[0], size[1]), a.m.View().Content, size[0])
	}
	a.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	if strings.Contains(a.screen(), "larger") {
		t.Errorf("60×15 is large enough:\n%s", a.screen())
	}
}
