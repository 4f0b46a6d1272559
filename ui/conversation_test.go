package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// convOpen makes the screen of conversation id at w×h and runs its load.
func convOpen(t *testing.T, c *Common, id int64, w, h int) *conversationScreen {
	t.Helper()
	s := newConversation(c, id)
	s.SetSize(w, h)
	runCmd(t, s.Init(), func(msg tea.Msg) tea.Cmd {
		var cmd tea.Cmd
		s, cmd = s.Update(msg)
		return cmd
	})
	return s
}

// send passes messages to the screen and runs what they lead to.
func (s *conversationScreen) send(t *testing.T, msgs ...tea.Msg) {
	t.Helper()
	for _, m := range msgs {
		runCmd(t, func() tea.Msg { return m }, func(msg tea.Msg) tea.Cmd {
			var cmd tea.Cmd
			s, cmd = s.Update(msg)
			return cmd
		})
	}
}

// convFind returns the first conversation of the demo's "All" view whose thread
// satisfies ok.
func convFind(t *testing.T, c *Common, ok func(inbox.Thread) bool) int64 {
	t.Helper()
	rows, err := c.Inbox.Queue(c.Ctx, inbox.QueuePage{View: inbox.View{Name: "All"}, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		th, err := c.Inbox.Thread(c.Ctx, r.ID, threadLimit)
		if err != nil {
			t.Fatal(err)
		}
		if ok(th) {
			return r.ID
		}
	}
	t.Fatal("no conversation fits")
	return 0
}

// convAnswered is a thread with an inbound message answered by a reply from triage.
func convAnswered(th inbox.Thread) bool {
	for _, m := range th.Messages {
		if m.Direction == "in" && m.AnsweredAgent != "" && th.Info.ContactID != 0 {
			return true
		}
	}
	return false
}

// convSGR matches the styling the screen itself writes; any other escape is a leak.
var convSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// convCheck fails when the view is taller or wider than w×h, or holds any escape
// sequence other than SGR styling, a BEL or a bidi control.
func convCheck(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d×%d: view has %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%d×%d: line %d is %d wide: %q", w, h, i, n, ansi.Strip(l))
		}
	}
	rest := convSGR.ReplaceAllString(view, "")
	if strings.ContainsAny(rest, "\x1b\x07\u009b\u009d\u202e\u202d\u2066\u2067") {
		t.Errorf("%d×%d: view leaks a control character: %q", w, h, rest)
	}
}

// convFirstLine is the start of a message as the screen shows its first line.
func convFirstLine(text string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(SafeText(text)), "\n")
	if r := []rune(l); len(r) > 24 {
		l = string(r[:24])
	}
	return strings.TrimSpace(l)
}

func TestConversationShowsThread(t *testing.T) {
	c := demoCommon(t)
	id := convFind(t, c, convAnswered)
	if err := c.Inbox.AddNote(c.Ctx, id, "Called her back, parcel is at the depot"); err != nil {
		t.Fatal(err)
	}
	th, err := c.Inbox.Thread(c.Ctx, id, threadLimit)
	if err != nil {
		t.Fatal(err)
	}

	// Tall enough to see everything.
	s := convOpen(t, c, id, 120, 400)
	view := plain(s.View())
	convCheck(t, s.View(), 120, 400)
	for _, want := range []string{Safe(th.Info.AuthorName), Safe(th.Info.Channel), th.Info.State, "Kettlebird",
		"note by maria", "Called her back, parcel is at the depot", "Other conversations"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	for _, m := range th.Messages {
		if !strings.Contains(view, convFirstLine(m.Text)) {
			t.Errorf("view lacks message %q:\n%s", convFirstLine(m.Text), view)
		}
	}
	if !regexp.MustCompile(`answered \S+( \S+)? later by \w+'s reply`).MatchString(view) {
		t.Errorf("view explains no response time:\n%s", view)
	}
	// The note was written last, so it comes after every message.
	if last := convFirstLine(th.Messages[len(th.Messages)-1].Text); strings.Index(view, last) > strings.Index(view, "note by maria") {
		t.Errorf("note is not in time order:\n%s", view)
	}

	// At the usual size the screen opens on the newest entry: the note.
	s = convOpen(t, c, id, 120, 35)
	if v := plain(s.View()); !strings.Contains(v, "Called her back") {
		t.Errorf("newest entry not visible when opened:\n%s", v)
	}

	// A reply written in triage shows as the brand's and the agent's, pending until sent.
	if _, err := c.Inbox.Reply(c.Ctx, id, "On its way today, tracking to follow"); err != nil {
		t.Fatal(err)
	}
	s.send(t, func() tea.Msg { return s.Reload()() }())
	v := plain(s.View())
	if !strings.Contains(v, "On its way today") || !regexp.MustCompile(`◂ Kettlebird · maria · just now \d\d:\d\d · pending`).MatchString(v) {
		t.Errorf("pending reply not shown at the bottom:\n%s", v)
	}
	t.Logf("120×35:\n%s", v)
}

func TestConversationItemsInTimeOrder(t *testing.T) {
	s := &conversationScreen{thread: inbox.Thread{
		Messages: []inbox.MessageRow{{ID: 1, CreatedAt: 100}, {ID: 2, CreatedAt: 300}},
		Notes:    []inbox.Note{{ID: 9, CreatedAt: 200}},
	}}
	got := s.items()
	if len(got) != 3 || got[0].msg.ID != 1 || got[1].note.ID != 9 || got[2].msg.ID != 2 {
		t.Errorf("items = %+v, want message 1, note 9, message 2", got)
	}
}

func TestConversationScrolls(t *testing.T) {
	c := demoCommon(t)
	id := convFind(t, c, func(th inbox.Thread) bool { return len(th.Messages) >= 3 })
	s := convOpen(t, c, id, 80, 15)
	if s.maxOffset() == 0 {
		t.Fatal("thread fits on the screen; the test needs one that scrolls")
	}
	bottom := s.View()
	if s.offset != s.maxOffset() {
		t.Errorf("opened at line %d, want the bottom %d", s.offset, s.maxOffset())
	}
	s.send(t, press("k"))
	if s.offset != s.maxOffset()-1 || s.View() == bottom {
		t.Errorf("k: offset %d, want %d and a changed view", s.offset, s.maxOffset()-1)
	}
	s.send(t, press("j"))
	if s.View() != bottom {
		t.Error("j did not come back down")
	}
	s.send(t, press("ctrl+u"))
	if want := max(s.maxOffset()-s.bodyHeight()/2, 0); s.offset != want {
		t.Errorf("ctrl+u: offset %d, want %d", s.offset, want)
	}
	s.send(t, press("ctrl+d"), press("ctrl+d"))
	if s.offset != s.maxOffset() {
		t.Errorf("ctrl+d twice: offset %d, want the bottom %d", s.offset, s.maxOffset())
	}
	s.send(t, press("g"))
	th, _ := c.Inbox.Thread(c.Ctx, id, threadLimit)
	top := plain(s.View())
	if s.offset != 0 || !strings.Contains(top, Safe(th.Info.AuthorName)) {
		t.Errorf("g: offset %d, want 0 with the card on top:\n%s", s.offset, top)
	}
	s.send(t, press("G"))
	if s.View() != bottom {
		t.Error("G did not go to the bottom")
	}
	// The keys come from the key map: remapped keys scroll, old ones no longer do.
	keys := DefaultKeyMap()
	if err := keys.Remap(map[string]any{"up": "i"}); err != nil {
		t.Fatal(err)
	}
	c.Keys = keys
	s.send(t, press("k"))
	if s.offset != s.maxOffset() {
		t.Error("k still scrolls after remapping up to i")
	}
	s.send(t, press("i"))
	if s.offset != s.maxOffset()-1 {
		t.Error("i does not scroll up after remapping")
	}
	// Reloading keeps the place when scrolled up.
	s.send(t, press("g"))
	s.send(t, s.Reload()())
	if s.offset != 0 {
		t.Errorf("reload moved the view to line %d", s.offset)
	}
	convCheck(t, s.View(), 80, 15)
}

func TestConversationHostileMessage(t *testing.T) {
	c := demoCommon(t)
	long := strings.Repeat("W", 5000)
	evil := "hi \x1b[2J\x1b]52;c;AAAA\x07 \u202Egnp.exe\u202C see " + long + " bye\nsecond\x1b[31mline\x9b1m \u009b2J C1"
	_, err := c.Inbox.IngestMessages(c.Ctx, inbox.Message{Channel: "instagram", Account: "@kettlebird", ID: "evil-1",
		Conversation: "evil", Kind: inbox.KindDM, Text: evil, URL: "https://ex.ample/\x1b]8;;http://bad\x07x",
		Author:    &inbox.Author{ID: "evil", Handle: "@ev\x1b[5mil\u202E", Name: "Mal\x1b]0;title\x07lory \u2067x"},
		CreatedAt: testNow.Add(-90 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Inbox.DB().ConversationID(c.Ctx, "instagram", "@kettlebird", "evil")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.AddNote(c.Ctx, id, "pasted: \x1b]52;c;BBBB\x07 "+long); err != nil {
		t.Fatal(err)
	}
	if err := c.Inbox.Tag(c.Ctx, "x\x1b[2Jy", id); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{120, 35}, {60, 15}, {61, 15}, {100, 30}, {96, 20}, {40, 10}} {
		w, h := size[0], size[1]
		s := convOpen(t, c, id, w, h)
		convCheck(t, s.View(), w, h)
		for _, k := range []string{"g", "j", "ctrl+d", "ctrl+d", "G"} {
			s.send(t, press(k))
			convCheck(t, s.View(), w, h)
		}
		tall := convOpen(t, c, id, w, 2000)
		v := plain(tall.View())
		convCheck(t, tall.View(), w, 2000)
		if n := strings.Count(v, "W"); n < 10000 {
			t.Errorf("%d wide: %d of the two 5,000-character words shown, want all of them wrapped", w, n)
		}
		if !strings.Contains(v, "Mallory") || !strings.Contains(v, "gnp.exe") {
			t.Errorf("%d wide: sanitized author or text missing:\n%s", w, v)
		}
	}
}

func TestConversationFitsEverySize(t *testing.T) {
	c := demoCommon(t)
	// An escalated conversation with a long thread, a note and a reply in the outbox: every
	// part of the screen.
	id := convFind(t, c, func(th inbox.Thread) bool {
		return convAnswered(th) && len(th.Escalations) > 0 && len(th.Messages) >= 4
	})
	if err := c.Inbox.AddNote(c.Ctx, id, "Warehouse confirms the carafe batch had cracked bases; refund approved."); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Inbox.Reply(c.Ctx, id, "Your refund is on its way, Sean. Thanks for bearing with us."); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{60, 15}, {72, 20}, {95, 24}, {96, 24}, {100, 30}, {120, 35}, {200, 60}} {
		w, h := size[0], size[1]
		s := convOpen(t, c, id, w, h)
		view := s.View()
		convCheck(t, view, w, h)
		if n := len(strings.Split(view, "\n")); n != h {
			t.Errorf("%d×%d: %d lines, want exactly %d", w, h, n, h)
		}
		if w == 100 {
			t.Logf("100×30:\n%s", plain(view))
			if !strings.Contains(plain(view), "escalated: ") || !strings.Contains(plain(view), "pending") {
				t.Errorf("100×30: no escalation or pending reply")
			}
		}
	}
	// Resizing re-lays the screen out.
	s := convOpen(t, c, id, 120, 35)
	s.SetSize(60, 15)
	convCheck(t, s.View(), 60, 15)
	if s.card != nil {
		t.Error("the card stays beside the thread at 60 columns")
	}
	if s.offset != s.maxOffset() {
		t.Errorf("resized at the bottom, now at line %d of %d", s.offset, s.maxOffset())
	}
}

func TestConversationMissing(t *testing.T) {
	c := demoCommon(t)
	s := convOpen(t, c, 987654, 60, 15)
	v := plain(s.View())
	if !strings.Contains(v, "987654") || !strings.Contains(v, "not found") {
		t.Errorf("missing conversation: %q", v)
	}
	convCheck(t, s.View(), 60, 15)
}
