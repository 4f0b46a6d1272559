package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/triage-inbox/triage/inbox"
)

// channelMod stands in for main's wiring of channel adapters: it allows what a channel
// would declare and records what was asked.
type channelMod struct{ done []string }

func (m *channelMod) Actions(channel, account string) []string {
	if channel == "instagram" {
		return []string{"hide", "spam", "block"}
	}
	return nil
}

func (m *channelMod) Moderate(ctx context.Context, channel, account, action, messageID string) error {
	m.done = append(m.done, channel+" "+action+" "+messageID)
	return nil
}

func TestModerateOffersOnlyWhatTheChannelAllows(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 2)
	mod := &channelMod{}
	c.Mod = mod
	m := New(c)
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	runCmd(t, m.Init(), update)
	for _, k := range []string{"m", "j", "enter"} {
		runCmd(t, func() tea.Msg { return press(k) }, update)
	}
	if len(mod.done) != 1 || mod.done[0] != "instagram spam 0" {
		t.Fatalf("moderation asked = %v, want spam on message 0", mod.done)
	}
	if n, _ := c.Inbox.Count(c.Ctx, inbox.View{Name: "Spam", States: []inbox.State{inbox.StateSpam}}, "", false); n != 1 {
		t.Errorf("spam on the channel did not mark the conversation spam here")
	}
	// Without moderation the key does nothing and help does not show it.
	c2 := emptyCommon(t, "")
	manyConversations(t, c2, 1)
	m2 := New(c2)
	up2 := func(msg tea.Msg) tea.Cmd { _, cmd := m2.Update(msg); return cmd }
	runCmd(t, m2.Init(), up2)
	runCmd(t, func() tea.Msg { return press("m") }, up2)
	if m2.overlay != nil {
		t.Error("m opened a dialog with no channel able to moderate")
	}
	runCmd(t, func() tea.Msg { return press("?") }, up2)
	if strings.Contains(plain(m2.render()), "moderate") {
		t.Error("help shows the moderation key where it does nothing")
	}
}

// Hiding a comment through triage marks it in the thread at once, as the channel's own
// news of it would; unhiding takes the mark away.
func TestHideMarksTheThread(t *testing.T) {
	c := emptyCommon(t, "")
	manyConversations(t, c, 1)
	mod := &channelMod{}
	c.Mod = mod
	a := newApp(t, c, 120, 35)
	a.keys("enter", "m")
	a.want("Moderate on Instagram")
	a.keys("enter") // hide, the first action
	if len(mod.done) != 1 || !strings.HasPrefix(mod.done[0], "instagram hide ") {
		t.Fatalf("moderation asked = %v, want a hide", mod.done)
	}
	a.want("hidden on Instagram")
}
