package ui

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// pickerConfig is the config of the picker and dialog tests: three agents, four
// escalation reasons and three canned replies with short bodies.
const pickerConfig = `
agent = "maria"
agents = ["maria", "dev", "sam"]

[escalation]
reasons = ["billing", "bug", "refund", "legal"]

[[canned]]
name = "where-is-my-order"
body = "Hi {name}, could you DM us your order number? ^{agent}"

[[canned]]
name = "refund-started"
body = "Hi {name}, your refund is on its way. ^{agent}"

[[canned]]
name = "thanks"
body = "Thank you, {name}!"
`

// overlayRun drives an overlay as the root model would: each message through Update and
// every command run to its end. What the overlay sends to the root (the action, the
// close, the chosen reply or view) is recorded instead of fed back.
type overlayRun struct {
	t    *testing.T
	ov   overlay
	sent []tea.Msg
}

func runOverlay(t *testing.T, ov overlay) *overlayRun {
	t.Helper()
	r := &overlayRun{t: t, ov: ov}
	r.run(ov.Init())
	return r
}

func (r *overlayRun) send(msgs ...tea.Msg) *overlayRun {
	r.t.Helper()
	for _, m := range msgs {
		_, cmd := r.ov.Update(m)
		r.run(cmd)
	}
	return r
}

func (r *overlayRun) keys(ks ...string) *overlayRun {
	r.t.Helper()
	for _, k := range ks {
		r.send(press(k))
	}
	return r
}

func (r *overlayRun) typ(s string) *overlayRun {
	r.t.Helper()
	return r.send(typeText(s)...)
}

func (r *overlayRun) run(cmd tea.Cmd) {
	r.t.Helper()
	runCmd(r.t, cmd, func(m tea.Msg) tea.Cmd {
		switch m.(type) {
		case actionMsg, closeOverlayMsg, cannedChosenMsg, chooseViewMsg:
			r.sent = append(r.sent, m)
			return nil
		}
		_, cmd := r.ov.Update(m)
		return cmd
	})
}

func (r *overlayRun) closed() bool {
	return slices.ContainsFunc(r.sent, func(m tea.Msg) bool { _, ok := m.(closeOverlayMsg); return ok })
}

// action is the one actionMsg sent to the root; the test fails without exactly one.
func (r *overlayRun) action() actionMsg {
	r.t.Helper()
	var acts []actionMsg
	for _, m := range r.sent {
		if a, ok := m.(actionMsg); ok {
			acts = append(acts, a)
		}
	}
	if len(acts) != 1 {
		r.t.Fatalf("want one actionMsg, got %v (view:\n%s)", r.sent, r.view())
	}
	return acts[0]
}

func (r *overlayRun) view() string { return plain(r.ov.View()) }

// pickerInbox is an empty inbox with pickerConfig and n conversations from Ana Ruiz, Ben
// Ode, …, returned in the order they were written.
func pickerInbox(t *testing.T, n int) (*Common, []int64) {
	t.Helper()
	c := emptyCommon(t, pickerConfig)
	names := []string{"Ana Ruiz", "Ben Ode", "Cai Lin"}
	var ids []int64
	for i := range n {
		key := fmt.Sprintf("c%d", i+1)
		m := inbox.Message{Channel: "instagram", Account: "@kettlebird", ID: "m" + key, Conversation: key, Kind: inbox.KindComment,
			Author: &inbox.Author{ID: "a" + key, Handle: "@" + key, Name: names[i%len(names)]}, Text: "where is my order?",
			CreatedAt: testNow.Add(-time.Duration(i+1) * time.Hour)}
		if _, err := c.Inbox.IngestMessages(c.Ctx, m); err != nil {
			t.Fatal(err)
		}
		id, err := c.Inbox.ConversationID(c.Ctx, "instagram", "@kettlebird", key)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return c, ids
}

func info(t *testing.T, c *Common, id int64) inbox.Thread {
	t.Helper()
	th, err := c.Inbox.Thread(context.Background(), id, 10)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestFuzzyListFiltersAndHighlights(t *testing.T) {
	c := emptyCommon(t, "")
	l := newFuzzyList(c, "filter")
	l.SetItems([]listItem{{Title: "refund"}, {Title: "shipping"}, {Title: "warranty"}, {Title: "ship-delay"}})
	l.SetSize(40, 5)
	for _, m := range typeText("shp") {
		l.Update(m)
	}
	var got []string
	for _, r := range l.rows {
		got = append(got, r.item.Title)
	}
	if !slices.Equal(got, []string{"shipping", "ship-delay"}) {
		t.Fatalf("rows for %q: %v", l.Query(), got)
	}
	if m := l.rows[0].matched; len(m) != 3 || m[0] != 0 || m[1] != 1 {
		t.Errorf("matched offsets %v, want s, h and a p", m)
	}
	v := l.View()
	if strings.Contains(plain(v), "refund") || !strings.Contains(plain(v), "2/4") {
		t.Errorf("view:\n%s", plain(v))
	}
	// The matched letters are styled apart from the rest: "hipping" is not one run.
	if strings.Contains(v, "hipping") {
		t.Errorf("matched characters are not highlighted: %q", v)
	}
}

func TestFuzzyListKeys(t *testing.T) {
	c := emptyCommon(t, "")
	l := newFuzzyList(c, "filter")
	var items []listItem
	for i := range 10 {
		items = append(items, listItem{Title: fmt.Sprintf("item-%d", i)})
	}
	l.SetItems(items)
	l.SetSize(30, 3)
	sel := func() string { it, _, _ := l.Selected(); return it.Title }

	for _, k := range []string{"j", "j", "down", "ctrl+n", "j"} {
		l.Update(press(k))
	}
	if sel() != "item-5" || l.Filtering() {
		t.Fatalf("after moving down five: %q (filtering %v)", sel(), l.Filtering())
	}
	if v := plain(l.View()); strings.Contains(v, "item-0") || !strings.Contains(v, "item-5") {
		t.Errorf("the list does not scroll to the cursor:\n%s", v)
	}
	l.Update(press("k"))
	l.Update(press("ctrl+p"))
	l.Update(press("up"))
	if sel() != "item-2" {
		t.Errorf("after moving up three: %q", sel())
	}
	// A letter other than j/k starts the filter; from then on j and k are letters.
	for _, m := range typeText("i9") {
		l.Update(m)
	}
	l.Update(press("k"))
	if l.Query() != "i9k" || len(l.rows) != 0 || !strings.Contains(plain(l.View()), "nothing matches") {
		t.Errorf("query %q, %d rows", l.Query(), len(l.rows))
	}
	// "/" starts the filter explicitly, for a query that begins with j or k.
	l2 := newFuzzyList(c, "filter")
	l2.SetItems([]listItem{{Title: "kyc"}, {Title: "billing"}})
	l2.Update(press("/"))
	l2.Update(press("k"))
	if l2.Query() != "k" || len(l2.rows) != 1 {
		t.Errorf("after / k: query %q, rows %d", l2.Query(), len(l2.rows))
	}
}

func TestCannedPickerPreviewsAndChooses(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newCannedPicker(c, ids[:1], "", true))
	v := r.view()
	for _, want := range []string{"where-is-my-order", "refund-started", "thanks", "3/3"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	r.typ("refund")
	v = r.view()
	if strings.Contains(v, "thanks") || !strings.Contains(v, "1/3") {
		t.Errorf("filter did not narrow:\n%s", v)
	}
	if !strings.Contains(v, "Hi Ana, your refund is on its way. ^maria") {
		t.Errorf("preview is not rendered for the conversation:\n%s", v)
	}
	r.keys("enter")
	var got cannedChosenMsg
	for _, m := range r.sent {
		if m, ok := m.(cannedChosenMsg); ok {
			got = m
		}
	}
	want := cannedChosenMsg{ConvID: ids[0], Name: "refund-started", Text: "Hi Ana, your refund is on its way. ^maria", Quick: true}
	if !reflect.DeepEqual(got, want) || !r.closed() {
		t.Errorf("chose %+v (closed %v), want %+v", got, r.closed(), want)
	}
}

func TestCannedPickerMatchesBodyWords(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newCannedPicker(c, ids[:1], "", false)).typ("order number")
	if _, i, ok := r.ov.(*cannedPicker).list.Selected(); !ok || r.ov.(*cannedPicker).names[i] != "where-is-my-order" {
		t.Errorf("body words did not find the reply:\n%s", r.view())
	}
	r.keys("esc")
	if !r.closed() || len(r.sent) != 1 {
		t.Errorf("esc sent %v", r.sent)
	}
}

func TestTagPicker(t *testing.T) {
	// Each case starts from two conversations: the first tagged refund, the second
	// refund and shipping.
	setup := func(t *testing.T) (*Common, []int64) {
		c, ids := pickerInbox(t, 2)
		if err := c.Inbox.Tag(c.Ctx, "shipping", ids[1]); err != nil {
			t.Fatal(err)
		}
		if err := c.Inbox.Tag(c.Ctx, "refund", ids...); err != nil {
			t.Fatal(err)
		}
		return c, ids
	}

	t.Run("tag", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids[:1], ""))
		v := r.view()
		if !strings.Contains(v, "✓ refund") || !strings.Contains(v, "2 · untag") || !strings.Contains(v, "shipping") {
			t.Errorf("tags are not listed with counts and marks:\n%s", v)
		}
		r.typ("ship")
		if !strings.Contains(r.view(), "enter: tag this conversation") {
			t.Errorf("status does not say what enter does:\n%s", r.view())
		}
		r.keys("enter")
		if a := r.action(); a.What != "tagged shipping" || !a.Advance || a.Err != nil || !r.closed() {
			t.Errorf("action %+v, closed %v", a, r.closed())
		}
		if tags := info(t, c, ids[0]).Info.Tags; !slices.Contains(tags, "shipping") {
			t.Errorf("tags %v", tags)
		}
	})
	t.Run("untag", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids[:1], "")).typ("refund")
		if !strings.Contains(r.view(), "enter: remove “refund”") {
			t.Errorf("status does not say it will untag:\n%s", r.view())
		}
		r.keys("enter")
		if a := r.action(); a.What != "untagged refund" || a.Advance {
			t.Errorf("action %+v", a)
		}
		if tags := info(t, c, ids[0]).Info.Tags; slices.Contains(tags, "refund") {
			t.Errorf("refund still on: %v", tags)
		}
	})
	t.Run("create", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids, "")).typ("Warranty")
		if v := r.view(); !strings.Contains(v, "+ create tag “warranty”") || !strings.Contains(v, "tag 2 conversations") {
			t.Errorf("no create row:\n%s", v)
		}
		r.keys("enter")
		if a := r.action(); a.What != "tagged warranty on 2 conversations" || len(a.IDs) != 2 {
			t.Errorf("action %+v", a)
		}
		for _, id := range ids {
			if tags := info(t, c, id).Info.Tags; !slices.Contains(tags, "warranty") {
				t.Errorf("conversation %d tags %v", id, tags)
			}
		}
	})
	t.Run("create row is offered, the match is highlighted", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids[:1], "")).typ("ship")
		if v := r.view(); !strings.Contains(v, "create tag “ship”") || !strings.Contains(v, "enter: tag this conversation") ||
			!strings.Contains(v, "“shipping”") {
			t.Errorf("view:\n%s", v)
		}
		r.keys("up") // onto the create row, the first
		if v := r.view(); !strings.Contains(v, "enter: create “ship” and tag") {
			t.Errorf("after up:\n%s", v)
		}
		r.keys("enter")
		if a := r.action(); a.What != "tagged ship" {
			t.Errorf("action %+v", a)
		}
	})
	t.Run("exact name offers no create", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids[:1], "")).typ("SHIPPING")
		if strings.Contains(r.view(), "create tag") {
			t.Errorf("create offered for an existing tag:\n%s", r.view())
		}
	})
	t.Run("error stays open", func(t *testing.T) {
		c, ids := setup(t)
		r := runOverlay(t, newTagPicker(c, ids[:1], "")).typ("two words").keys("enter")
		if r.closed() || len(r.sent) != 0 || !strings.Contains(r.view(), "use letters, digits") {
			t.Errorf("sent %v; view:\n%s", r.sent, r.view())
		}
		r.keys("esc")
		if !r.closed() {
			t.Error("esc does not close after an error")
		}
	})
}

func TestTagPickerSanitizesTags(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	if err := c.Inbox.Tag(context.Background(), "evil\x1b]0;pwned\x07\u202e", ids...); err != nil {
		t.Fatal(err)
	}
	r := runOverlay(t, newTagPicker(c, ids, ""))
	if v := r.ov.View(); strings.Contains(v, "\x1b]0;") || strings.Contains(v, "\u202e") || !strings.Contains(plain(v), "evil") {
		t.Errorf("tag not sanitized: %q", v)
	}
}

func TestAssignPicker(t *testing.T) {
	c, ids := pickerInbox(t, 2)
	r := runOverlay(t, newAssignPicker(c, ids, ""))
	if it, _, _ := r.ov.(*assignPicker).list.Selected(); it.Title != "maria" {
		t.Errorf("highlighted %q, want the current user", it.Title)
	}
	r.typ("dev").keys("enter")
	if a := r.action(); a.What != "assigned to dev on 2 conversations" || !a.Advance || !r.closed() {
		t.Errorf("action %+v", a)
	}
	for _, id := range ids {
		if got := info(t, c, id).Info.Assignee; got != "dev" {
			t.Errorf("conversation %d assignee %q", id, got)
		}
	}

	r = runOverlay(t, newAssignPicker(c, ids[:1], ""))
	if !strings.Contains(r.view(), "• dev") {
		t.Errorf("current assignee not marked:\n%s", r.view())
	}
	r.typ("unas").keys("enter")
	if a := r.action(); a.What != "unassigned" {
		t.Errorf("action %+v", a)
	}
	if got := info(t, c, ids[0]).Info.Assignee; got != "" {
		t.Errorf("assignee %q after unassign", got)
	}
}

func TestViewPicker(t *testing.T) {
	c := emptyCommon(t, pickerConfig+"\n[[view]]\nname = \"Refunds\"\nquery = \"tag:refund\"\n")
	r := runOverlay(t, newViewPicker(c, 2))
	v := r.view()
	if !strings.Contains(v, "• Urgent") || !strings.Contains(v, "Refunds") {
		t.Errorf("view:\n%s", v)
	}
	r.typ("escal").keys("enter")
	if len(r.sent) != 2 || r.sent[0] != (chooseViewMsg{Index: 4}) || !r.closed() {
		t.Errorf("sent %v", r.sent)
	}
	r = runOverlay(t, newViewPicker(c, 0)).keys("3")
	if len(r.sent) != 2 || r.sent[0] != (chooseViewMsg{Index: 2}) {
		t.Errorf("key 3 sent %v", r.sent)
	}
}
