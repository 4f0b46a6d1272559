package ui

// The top of the conversation screen and its side: the header (where the conversation
// stands) and the author's card (who they are across channels), with the text helpers
// both use.

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/inbox"
)

// header is the conversation's identity, where it stands and its escalation.
func (s *conversationScreen) header(w int) []string {
	st, info, now := s.c.Styles, s.thread.Info, s.c.Now()
	who := st.Bold.Render(Safe(cmp.Or(info.AuthorName, info.AuthorHandle, "unknown author")))
	if info.AuthorName != "" && info.AuthorHandle != "" && info.AuthorHandle != info.AuthorName { // YouTube's name is the @handle
		who += " " + st.Faint.Render(Safe(info.AuthorHandle))
	}
	first := st.Channel(info.Channel).Render(Safe(info.Channel))
	if name := s.c.accountName(info.Channel, info.Account); name != info.Channel {
		first += " " + st.Faint.Render(Safe(name)) // an account named as its channel says it once
	}
	first += " · " + Safe(info.Kind) + " · " + who
	out := []string{convFit(first, w)}
	if subject := s.thread.Subject(); subject != "" {
		out = append(out, convFit(st.Bold.Render(Safe(subject)), w))
	}

	parts := []string{s.stateLabel(), inbox.Priority(info.Priority).String() + " priority"}
	if inbox.Priority(info.Priority) >= inbox.PriorityUrgent {
		parts[1] = st.Urgent.Render(parts[1])
	}
	if info.Assignee != "" {
		parts = append(parts, "assigned to "+Safe(info.Assignee))
	} else {
		parts = append(parts, st.Faint.Render("unassigned"))
	}
	if info.Unanswered > 0 && info.DueAt != inbox.NoDue {
		due := time.UnixMilli(info.DueAt)
		if d := due.Sub(now); d < 0 {
			parts = append(parts, st.Overdue.Render(fmt.Sprintf("%d unanswered, overdue by %s", info.Unanswered, inbox.FormatDuration(-d))))
		} else {
			parts = append(parts, st.DueSoon.Render(fmt.Sprintf("%d unanswered, due in %s", info.Unanswered, inbox.FormatDuration(d))))
		}
	}
	for _, t := range info.Tags {
		parts = append(parts, st.Tag.Render("#"+Safe(t)))
	}
	second := convWrapStyled(strings.Join(parts, " · "), w)
	out = append(out, second[:min(len(second), 2)]...)

	if n := len(s.thread.Escalations); n > 0 {
		e := s.thread.Escalations[n-1]
		status := st.DueSoon
		switch e.Status {
		case "resolved":
			status = st.OnTime
		case "cancelled":
			status = st.Faint
		}
		line := st.Bold.Render("escalated") + ": " + Safe(e.Reason)
		if e.ExternalRef != "" {
			line += " · ticket " + Safe(e.ExternalRef)
		}
		line += " · " + status.Render(Safe(e.Status)) + st.Faint.Render(" · by "+Safe(e.Agent)+" "+convAgo(now, e.CreatedAt))
		if e.Note != "" {
			line += st.Faint.Render(" · " + Safe(e.Note))
		}
		if n > 1 {
			line += st.Faint.Render(fmt.Sprintf(" (+%d earlier)", n-1))
		}
		out = append(out, convFit(line, w))
	}
	return out
}

// stateLabel is the conversation's state, with the time a snooze ends.
func (s *conversationScreen) stateLabel() string {
	st, info := s.c.Styles, s.thread.Info
	label := Safe(info.State)
	switch inbox.State(info.State) {
	case inbox.StateNew:
		return st.Bold.Render(label)
	case inbox.StateEscalated, inbox.StateSpam:
		return st.Error.Render(label)
	case inbox.StateSnoozed:
		if info.SnoozeUntil > 0 {
			label += " until " + convClock(s.c.Now(), info.SnoozeUntil)
		}
		return st.DueSoon.Render(label)
	}
	return label
}

// cardLines renders the author's card, w cells wide: who they are, the same person on
// other channels, how much they have written and when, the tags their conversations
// carry, and their other conversations.
func (s *conversationScreen) cardLines(w int) []string {
	st, info := s.c.Styles, s.thread.Info
	out := []string{convFit(st.Bold.Render(Safe(cmp.Or(info.AuthorName, info.AuthorHandle, "Unknown author"))), w)}
	if info.AuthorName != "" && info.AuthorHandle != "" {
		out = append(out, convFit(st.Faint.Render(Safe(info.AuthorHandle)+" on "+Safe(info.Channel)), w))
	}
	switch {
	case s.histErr != nil:
		return append(out, convWrap(st.Error, SafeText(s.histErr.Error()), w)...)
	case s.hist == nil:
		return append(out, st.Faint.Render(convFit("loading history…", w)))
	case len(s.hist.Contacts) == 0:
		return append(out, st.Faint.Render(convFit("no known author", w)))
	}
	return append(out, s.historyLines(w)...)
}

// historyLines is the part of the card that comes from the author's history.
func (s *conversationScreen) historyLines(w int) []string {
	st, h, now := s.c.Styles, s.hist, s.c.Now()
	var out []string
	var also []string
	for _, c := range h.Contacts[1:] {
		also = append(also, Safe(cmp.Or(c.Handle, c.Name))+" on "+Safe(c.Channel))
	}
	if len(also) > 0 {
		out = append(out, convWrap(st.Faint, "also "+strings.Join(also, ", "), w)...)
	}
	out = append(out, convWrap(st.App, convPlural(h.Messages, "message")+" in "+convPlural(h.Conversations, "conversation"), w)...)
	if h.Messages > 0 {
		out = append(out, convWrap(st.App, "first contact "+convClock(now, h.FirstAt), w)...)
		out = append(out, convWrap(st.App, "last contact "+convAgo(now, h.LastAt), w)...)
	}
	if len(h.Tags) > 0 {
		tags := make([]string, len(h.Tags))
		for i, t := range h.Tags {
			tags[i] = st.Tag.Render("#" + Safe(t.Name))
			if t.Count > 1 {
				tags[i] += st.Faint.Render(fmt.Sprintf(" ×%d", t.Count))
			}
		}
		out = append(out, convWrapStyled(strings.Join(tags, " "), w)...)
	}
	if len(h.Others) > 0 {
		out = append(out, "", st.Header.Render(convFit("Other conversations", w)))
		for _, o := range h.Others {
			line := st.Channel(o.Channel).Render(ChannelTag(o.Channel)) + " " + Safe(o.State) + st.Faint.Render(" · "+convAgo(now, o.LastAt))
			out = append(out, convFit(line, w), "  "+st.Faint.Render(convFit(Safe(o.LastText), w-2)))
		}
	}
	return out
}

// convPlural is "1 message", "3 messages".
func convPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// convHanging wraps text to w cells after a marker, continuation lines indented under
// the text: "  ↳ answered …" then "    business hours …".
func convHanging(st interface{ Render(...string) string }, marker, text string, w int) []string {
	mw := ansi.StringWidth(marker)
	lines := convWrap(st, text, w-mw)
	for i, l := range lines {
		if i == 0 {
			lines[i] = st.Render(marker) + l
		} else {
			lines[i] = strings.Repeat(" ", mw) + l
		}
	}
	return lines
}

// convIndent puts a prefix before each line.
func convIndent(lines []string, prefix string) []string {
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return lines
}

// convFit cuts a one-line string to w cells.
func convFit(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, max(w, 0), "…")
	}
	return s
}

// convPad cuts or fills a one-line string to exactly w cells.
func convPad(s string, w int) string {
	s = convFit(s, w)
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// convWrap wraps safe text to w cells and styles each line on its own (a style given
// several lines would pad them to one width).
func convWrap(st interface{ Render(...string) string }, text string, w int) []string {
	lines := strings.Split(ansi.Wrap(text, max(w, 1), ""), "\n")
	for i, l := range lines {
		lines[i] = st.Render(convFit(strings.TrimRight(l, " "), w))
	}
	return lines
}

// convWrapStyled wraps already styled text to w cells. Each line ends with a reset, so a
// style cut by the wrap does not run on into the next column.
func convWrapStyled(text string, w int) []string {
	lines := strings.Split(ansi.Wrap(text, max(w, 1), ""), "\n")
	for i, l := range lines {
		lines[i] = convFit(l, w)
		if strings.Contains(l, "\x1b") {
			lines[i] += ansi.ResetStyle
		}
	}
	return lines
}

// convAgo is how long ago a time (Unix ms) was, as people say it: "just now", "5m ago".
func convAgo(now time.Time, ms int64) string {
	d := now.Sub(time.UnixMilli(ms))
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
	return fmt.Sprintf("%dw ago", int(d.Hours()/24/7))
}

// convClock is a time (Unix ms) on the clock of now's location: "14:05" today,
// "Mon 14:05" within the week, "Nov 2 14:05" before, with the year when it differs.
func convClock(now time.Time, ms int64) string {
	t := time.UnixMilli(ms).In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case now.Sub(t) < 6*24*time.Hour && t.Sub(now) < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2 15:04")
	}
	return t.Format("Jan 2 2006")
}

// convWhen is a time as the thread shows it: "2h ago 14:05".
func convWhen(now time.Time, ms int64) string { return convAgo(now, ms) + " " + convClock(now, ms) }
