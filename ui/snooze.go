package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// snoozeChoices are the usual answers to "until when?", written as parseSnooze reads
// them so a choice and the same words typed give the same time.
var snoozeChoices = []struct{ label, input string }{
	{"1 hour", "1h"},
	{"3 hours", "3h"},
	{"tomorrow 9:00", "tomorrow 9:00"},
	{"next week, Monday 9:00", "next week"},
}

// snoozeDialog snoozes conversations until a time picked from snoozeChoices or typed.
// Times are in the zone of c.Now(): the person's local time.
type snoozeDialog struct {
	c      *Common
	ids    []int64
	who    string // the customer, when there is one conversation
	cursor int    // 0…len(snoozeChoices)-1 a choice; len(snoozeChoices) the typed time
	input  textinput.Model
	busy   bool
	err    error
	w, h   int
}

// newSnoozeDialog opens the snooze dialog on conversations.
func newSnoozeDialog(c *Common, ids []int64, who string) *snoozeDialog {
	d := &snoozeDialog{c: c, ids: ids, who: who, input: newDialogInput(c.Styles, "> ", "2h, tomorrow 14:00, mon 9:00…")}
	d.SetSize(c.Width, c.Height)
	return d
}

// Init has nothing to load.
func (d *snoozeDialog) Init() tea.Cmd { return nil }

func (d *snoozeDialog) typing() bool { return d.cursor == len(snoozeChoices) }

// Update moves between the choices and the typed time. On a choice, j/k move and any
// other character starts typing a time (no accepted form begins with j or k).
func (d *snoozeDialog) Update(msg tea.Msg) (overlay, tea.Cmd) {
	if m, ok := msg.(attemptedMsg); ok {
		d.busy = false
		cmd, err := finish(m)
		d.err = err
		return d, cmd
	}
	k := d.c.Keys
	km, isKey := msg.(tea.KeyPressMsg)
	switch {
	case isKey && key.Matches(km, k.Cancel):
		return d, closeOverlay
	case isKey && (key.Matches(km, k.Accept) || key.Matches(km, k.Send)):
		return d, d.snooze()
	case isKey && (key.Matches(km, k.NextField) || key.Matches(km, k.PrevField)):
		// tab goes between the two ways of answering: the choices and the typed time.
		if d.typing() {
			return d, d.move(-d.cursor)
		}
		return d, d.move(len(snoozeChoices) - d.cursor)
	case isKey && (key.Matches(km, filterUp) || !d.typing() && key.Matches(km, k.Up)):
		return d, d.move(-1)
	case isKey && (key.Matches(km, filterDown) || !d.typing() && key.Matches(km, k.Down)):
		return d, d.move(1)
	case isKey && !d.typing() && isText(km):
		d.move(len(snoozeChoices) - d.cursor)
	case !d.typing():
		return d, nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	d.err = nil // it was about what was typed before
	return d, cmd
}

func (d *snoozeDialog) move(delta int) tea.Cmd {
	n := len(snoozeChoices) + 1
	d.cursor = (d.cursor + delta + n) % n
	if d.typing() {
		return d.input.Focus()
	}
	d.input.Blur()
	return nil
}

// when is the time the highlighted line stands for.
func (d *snoozeDialog) when() (time.Time, error) {
	if d.typing() {
		return parseSnooze(d.input.Value(), d.c.Now())
	}
	return parseSnooze(snoozeChoices[d.cursor].input, d.c.Now())
}

func (d *snoozeDialog) snooze() tea.Cmd {
	if d.busy {
		return nil
	}
	until, err := d.when()
	if err != nil {
		d.err = err
		return nil
	}
	d.busy, d.err = true, nil
	c, ids := d.c, d.ids
	what := "snoozed until " + formatWhen(until, c.Now())
	return attempt(what, ids, true, func() error { return c.Inbox.Snooze(c.Ctx, until, ids...) })
}

// SetSize fits the dialog; it has a fixed number of lines, well under 15.
func (d *snoozeDialog) SetSize(w, h int) {
	dw, dh := dialogSize(w, h)
	d.w, d.h = min(dw, 52), dh
	iw, _ := dialogInner(d.c.Styles, d.w, 0)
	sizeInput(&d.input, iw-14)
}

// View lists the choices with the times they mean, then the typed time.
func (d *snoozeDialog) View() string {
	st := d.c.Styles
	iw, _ := dialogInner(st, d.w, 0)
	now := d.c.Now()
	var lines []string
	for i, ch := range snoozeChoices {
		at, _ := parseSnooze(ch.input, now)
		label, when := ansi.Truncate(ch.label, iw-18, "…"), formatWhen(at, now)
		line := "  " + label + strings.Repeat(" ", max(iw-2-ansi.StringWidth(label)-ansi.StringWidth(when), 1)) + when
		if i == d.cursor {
			line = st.Selected.Render("›" + line[1:])
		}
		lines = append(lines, line)
	}
	other := "  other time  "
	if d.typing() {
		other = st.Selected.Render("› other time") + "  "
	}
	lines = append(lines, other+d.input.View())
	hint := "enter: snooze · type a time, e.g. 2h, fri 14:00"
	if d.typing() && strings.TrimSpace(d.input.Value()) != "" {
		if at, err := d.when(); err == nil {
			hint = "enter: snooze until " + formatWhen(at, now)
		}
	}
	lines = withStatus(st, d.w, d.h, append(lines, ""), d.err, hint)
	return drawDialog(st, d.w, "Snooze "+targetName(d.ids, d.who)+" until…", lines)
}

// ShortHelp lists the dialog's keys.
func (d *snoozeDialog) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.Down, k.Up, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "snooze")),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/type", "a time")), k.Cancel}
}

// formatWhen writes a snooze time as short as it can be read: "Tue 09:00" within the
// coming week, with the date further out, and the year when it is not this one.
func formatWhen(t, now time.Time) string {
	switch {
	case t.Sub(now) < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case t.Year() == now.Year():
		return t.Format("Mon 2 Jan 15:04")
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// snoozeHelp is the list of accepted forms, for errors that cannot be more precise.
const snoozeHelp = "try 2h, 30m, 3d, tomorrow 14:00, mon 9:00, 17:30 or 2026-12-01 09:00"

// defaultClock is the time of day a day named without one means: the start of work.
const defaultClock = 9 * time.Hour

// parseSnooze reads when to snooze until, in now's zone:
//
//	2h, 30m, 3d, 1h30m   a span from now (inbox.ParseSpan)
//	17:30, 2pm           that time today, or tomorrow when it has passed
//	today 17:00          that time today, which must be ahead
//	tomorrow [14:00]     tomorrow at that time (9:00 when none)
//	mon [9:00]           the next Monday at that time, today included if still ahead
//	next mon [9:00]      the same, never today
//	next week [10:00]    the coming Monday, never today
//	2026-12-01 [09:00]   that date
//
// Days are calendar days at a wall-clock time, so "tomorrow 9:00" is 9:00 even across a
// change to or from summer time; spans are elapsed time, as everywhere in triage.
func parseSnooze(s string, now time.Time) (time.Time, error) {
	var words []string
	for _, f := range strings.Fields(strings.ToLower(s)) {
		if f != "at" { // "tomorrow at 14:00" reads naturally
			words = append(words, f)
		}
	}
	if len(words) == 0 {
		return time.Time{}, errors.New("when? " + snoozeHelp)
	}
	clockArg := func(rest []string) (time.Duration, error) {
		switch len(rest) {
		case 0:
			return defaultClock, nil
		case 1:
			return parseClock(rest[0])
		}
		return 0, fmt.Errorf("%q: too many words (%s)", s, snoozeHelp)
	}
	day := func(offset int) time.Time {
		y, m, d := now.Date()
		return time.Date(y, m, d+offset, 0, 0, 0, 0, now.Location())
	}
	at := func(d time.Time, clock time.Duration) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), int(clock/time.Hour), int(clock%time.Hour/time.Minute), 0, 0, d.Location())
	}
	first, next := words[0], false
	if first == "next" && len(words) > 1 {
		next, words = true, words[1:]
		first = words[0]
	}
	wd, isWeekday := weekdays[first]
	switch {
	case isDate(first) && !next:
		d, err := time.ParseInLocation("2006-01-02", first, now.Location())
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: no such date (want YYYY-MM-DD, e.g. 2026-12-01)", first)
		}
		clock, err := clockArg(words[1:])
		if err != nil {
			return time.Time{}, err
		}
		t := at(d, clock)
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("%s has already passed", t.Format("2006-01-02 15:04"))
		}
		return t, nil
	case first == "today" && !next:
		if len(words) == 1 {
			return time.Time{}, errors.New("today at what time? e.g. today 17:00")
		}
		clock, err := clockArg(words[1:])
		if err != nil {
			return time.Time{}, err
		}
		if t := at(day(0), clock); t.After(now) {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("%s today has already passed", words[1])
	case (first == "tomorrow" || first == "tmrw") && !next:
		clock, err := clockArg(words[1:])
		if err != nil {
			return time.Time{}, err
		}
		return at(day(1), clock), nil
	case first == "week" && next, isWeekday:
		if !isWeekday {
			wd = time.Monday
		}
		clock, err := clockArg(words[1:])
		if err != nil {
			return time.Time{}, err
		}
		ahead := (int(wd) - int(now.Weekday()) + 7) % 7
		t := at(day(ahead), clock)
		if !t.After(now) || (next && ahead == 0) {
			t = at(day(ahead+7), clock)
		}
		return t, nil
	case next:
		return time.Time{}, fmt.Errorf("%q: next what? e.g. next week, next fri", s)
	case len(words) == 1 && (strings.Contains(first, ":") || strings.HasSuffix(first, "am") || strings.HasSuffix(first, "pm")):
		clock, err := parseClock(first)
		if err != nil {
			return time.Time{}, err
		}
		t := at(day(0), clock)
		if !t.After(now) {
			t = at(day(1), clock)
		}
		return t, nil
	}
	span, err := inbox.ParseSpan(strings.Join(words, " "))
	switch {
	case err != nil && first[0] >= '0' && first[0] <= '9':
		return time.Time{}, err // it looks like a span: say exactly what is wrong with it
	case err != nil:
		return time.Time{}, fmt.Errorf("%q: not a time I know (%s)", s, snoozeHelp)
	case span <= 0:
		return time.Time{}, fmt.Errorf("%q: snooze for longer than that", s)
	}
	return now.Add(span), nil
}

// weekdays are the names a day can be typed as.
var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sun": time.Sunday, "sunday": time.Sunday,
}

// isDate reports text shaped like YYYY-MM-DD; whether it is a real date is checked after.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := range len(s) {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// parseClock reads a time of day: 9:00, 17:30, 9, 2pm, 9:30am; the result is the time
// since midnight.
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q: not a time of day (want e.g. 9:00, 17:30 or 2pm)", s)
	v, suffix := s, ""
	if rest, ok := strings.CutSuffix(v, "am"); ok {
		v, suffix = rest, "am"
	} else if rest, ok := strings.CutSuffix(v, "pm"); ok {
		v, suffix = rest, "pm"
	}
	hs, ms, hasMinutes := strings.Cut(v, ":")
	if hs == "" || len(hs) > 2 || hasMinutes && len(ms) != 2 {
		return 0, bad
	}
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 {
		return 0, bad
	}
	m := 0
	if hasMinutes {
		if m, err = strconv.Atoi(ms); err != nil || m < 0 || m > 59 {
			return 0, bad
		}
	}
	switch {
	case suffix != "" && (h < 1 || h > 12):
		return 0, bad
	case suffix == "am" && h == 12:
		h = 0
	case suffix == "pm" && h != 12:
		h += 12
	case h > 23:
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}
