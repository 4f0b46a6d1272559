package ui

import (
	"strings"
	"testing"
	"time"
)

// TestParseSnooze checks every form against times worked out by hand. testNow is
// Friday 20 November 2026, 15:30 UTC.
func TestParseSnooze(t *testing.T) {
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2h", day(20, 17, 30)},
		{"30m", day(20, 16, 0)},
		{"3d", day(23, 15, 30)},
		{"1w", day(27, 15, 30)},
		{"1h 30m", day(20, 17, 0)},
		{"17:30", day(20, 17, 30)}, // still ahead today
		{"9:00", day(21, 9, 0)},    // passed today, so tomorrow
		{"15:30", day(21, 15, 30)}, // now is not ahead
		{"2pm", day(21, 14, 0)},    // 14:00 has passed
		{"12am", day(21, 0, 0)},    // midnight
		{"12pm", day(21, 12, 0)},   // noon
		{"today 17:00", day(20, 17, 0)},
		{"tomorrow", day(21, 9, 0)}, // a day alone is 9:00
		{"tomorrow 14:00", day(21, 14, 0)},
		{"Tomorrow at 8:05am", day(21, 8, 5)},
		{"  tomorrow   14:00 ", day(21, 14, 0)},
		{"mon 9:00", day(23, 9, 0)},
		{"monday", day(23, 9, 0)},
		{"sun 18:00", day(22, 18, 0)},
		{"fri 16:00", day(20, 16, 0)},      // today is Friday and 16:00 is ahead
		{"fri 10:00", day(27, 10, 0)},      // today's has passed: next Friday
		{"next fri 16:00", day(27, 16, 0)}, // "next" never means today
		{"next mon", day(23, 9, 0)},
		{"next week", day(23, 9, 0)},
		{"next week 10:30", day(23, 10, 30)},
		{"2026-12-01 09:00", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"2026-12-01 9:00", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"2026-12-01", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"2027-01-04 17:00", time.Date(2027, 1, 4, 17, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseSnooze(tt.in, testNow)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseSnooze(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSnoozeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "when?"},
		{"   ", "when?"},
		{"soon", `"soon": not a time I know (try 2h`},
		{"2x", `unknown unit "x"`},
		{"1.5h", "whole numbers"},
		{"0m", "longer than that"},
		{"25:00", `"25:00": not a time of day`},
		{"9:7", "not a time of day"},
		{"13pm", "not a time of day"},
		{"tomorrow 9:60", "not a time of day"},
		{"today", "today at what time?"},
		{"today 9:00", "9:00 today has already passed"},
		{"2026-02-30 09:00", "no such date"},
		{"2026-01-01 09:00", "2026-01-01 09:00 has already passed"},
		{"mon 9:00 please", "too many words"},
		{"next", "not a time I know"},
		{"next soon", "next what?"},
	}
	for _, tt := range tests {
		_, err := parseSnooze(tt.in, testNow)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseSnooze(%q) error %v, want it to say %q", tt.in, err, tt.want)
		}
	}
}

// TestParseSnoozeKeepsWallClock: days are calendar days in the local zone, so the
// morning after the autumn clock change is still 9:00, 25 hours later.
func TestParseSnoozeKeepsWallClock(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	now := time.Date(2026, 10, 24, 9, 0, 0, 0, berlin) // Saturday; clocks go back on Sunday the 25th
	got, err := parseSnooze("tomorrow", now)
	if err != nil || !got.Equal(time.Date(2026, 10, 25, 9, 0, 0, 0, berlin)) || got.Sub(now) != 25*time.Hour {
		t.Errorf("tomorrow = %v (%v after), %v", got, got.Sub(now), err)
	}
	if got, _ := parseSnooze("1d", now); got.Sub(now) != 24*time.Hour {
		t.Errorf("1d is %v of elapsed time, want 24h", got.Sub(now))
	}
}

func TestSnoozeFormatWhen(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "Tue 09:00"},
		{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), "Tue 1 Dec 09:00"},
		{time.Date(2027, 1, 4, 17, 0, 0, 0, time.UTC), "Mon 4 Jan 2027 17:00"},
	} {
		if got := formatWhen(tt.at, testNow); got != tt.want {
			t.Errorf("formatWhen(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestSnoozeDialogChoice(t *testing.T) {
	c, ids := pickerInbox(t, 2)
	r := runOverlay(t, newSnoozeDialog(c, ids, ""))
	if v := r.view(); !strings.Contains(v, "Sat 09:00") || !strings.Contains(v, "Mon 09:00") || !strings.Contains(v, "Fri 16:30") {
		t.Errorf("choices do not show their times:\n%s", v)
	}
	r.keys("j", "j", "enter") // tomorrow 9:00
	if a := r.action(); a.What != "snoozed until Sat 09:00 on 2 conversations" || !a.Advance || len(a.IDs) != 2 || !r.closed() {
		t.Errorf("action %+v", a)
	}
	want := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC).UnixMilli()
	for _, id := range ids {
		if i := info(t, c, id).Info; i.State != "snoozed" || i.SnoozeUntil != want {
			t.Errorf("conversation %d: %s until %d, want until %d", id, i.State, i.SnoozeUntil, want)
		}
	}
}

func TestSnoozeDialogTyped(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	// Typing on the choices moves to the typed time; the status line shows what it means.
	r := runOverlay(t, newSnoozeDialog(c, ids, "")).typ("2026-12-01 08:15")
	if v := r.view(); !strings.Contains(v, "enter: snooze until Tue 1 Dec 08:15") {
		t.Errorf("typed time is not previewed:\n%s", v)
	}
	r.keys("enter")
	if a := r.action(); a.What != "snoozed until Tue 1 Dec 08:15" {
		t.Errorf("action %+v", a)
	}
	if i := info(t, c, ids[0]).Info; i.SnoozeUntil != time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("snoozed until %d", i.SnoozeUntil)
	}
}

func TestSnoozeDialogBadInput(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	r := runOverlay(t, newSnoozeDialog(c, ids, "")).typ("soon").keys("enter")
	if r.closed() || len(r.sent) != 0 || !strings.Contains(r.view(), `"soon": not a time I know`) {
		t.Errorf("sent %v, view:\n%s", r.sent, r.view())
	}
	if i := info(t, c, ids[0]).Info; i.State == "snoozed" {
		t.Error("snoozed on bad input")
	}
	// Fixing the input clears the error and snoozes.
	for range 4 {
		r.keys("backspace")
	}
	r.typ("mon 9:00").keys("enter")
	if a := r.action(); a.What != "snoozed until Mon 09:00" {
		t.Errorf("action %+v", a)
	}
	r = runOverlay(t, newSnoozeDialog(c, ids, "")).keys("esc")
	if !r.closed() || len(r.sent) != 1 {
		t.Errorf("esc sent %v", r.sent)
	}
}

func TestSnoozeDialogTabAndArrows(t *testing.T) {
	c, ids := pickerInbox(t, 1)
	d := newSnoozeDialog(c, ids, "")
	r := runOverlay(t, d).keys("tab")
	if !d.typing() {
		t.Fatal("tab does not go to the typed time")
	}
	r.typ("3d").keys("up") // from the typed time, up is the last choice
	if d.cursor != len(snoozeChoices)-1 {
		t.Errorf("up from the typed time: cursor %d", d.cursor)
	}
	r.keys("tab", "shift+tab") // to the typed time (kept) and back to the first choice
	if d.cursor != 0 || d.input.Value() != "3d" {
		t.Errorf("cursor %d, typed %q", d.cursor, d.input.Value())
	}
	r.keys("tab", "enter")
	if a := r.action(); a.What != "snoozed until Mon 15:30" {
		t.Errorf("action %+v", a)
	}
}
