package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is triage's one style sheet, built from a few semantic colours that read on both
// light and dark backgrounds. Selection and emphasis also use bold and reverse, so the
// screen stays usable with NO_COLOR, where colours are dropped.
type Styles struct {
	Dark bool

	Accent, Muted, Danger, Warn, OK color.Color

	App        lipgloss.Style
	Header     lipgloss.Style
	HeaderView lipgloss.Style
	Footer     lipgloss.Style
	Error      lipgloss.Style
	Faint      lipgloss.Style
	Bold       lipgloss.Style
	Selected   lipgloss.Style // the cursor row
	Marked     lipgloss.Style // rows selected for a bulk action
	Overdue    lipgloss.Style
	DueSoon    lipgloss.Style
	OnTime     lipgloss.Style
	Tag        lipgloss.Style
	Urgent     lipgloss.Style
	Inbound    lipgloss.Style
	Outbound   lipgloss.Style
	Note       lipgloss.Style
	Dialog     lipgloss.Style
	DialogHead lipgloss.Style
	Underline  lipgloss.Style

	channels map[string]lipgloss.Style
}

// NewStyles builds the style sheet for a dark or light background.
func NewStyles(dark bool) *Styles {
	ld := lipgloss.LightDark(dark)
	s := &Styles{
		Dark:   dark,
		Accent: ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#A593F5")),
		Muted:  ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8C8C8C")),
		Danger: ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF6B6B")),
		Warn:   ld(lipgloss.Color("#8A5A00"), lipgloss.Color("#F2C14E")),
		OK:     ld(lipgloss.Color("#1E7B34"), lipgloss.Color("#6FD38A")),
	}
	s.App = lipgloss.NewStyle()
	s.Header = lipgloss.NewStyle().Bold(true)
	s.HeaderView = lipgloss.NewStyle().Bold(true).Foreground(s.Accent)
	s.Footer = lipgloss.NewStyle().Foreground(s.Muted)
	s.Error = lipgloss.NewStyle().Foreground(s.Danger).Bold(true)
	s.Faint = lipgloss.NewStyle().Foreground(s.Muted)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Marked = lipgloss.NewStyle().Foreground(s.Accent).Bold(true)
	s.Overdue = lipgloss.NewStyle().Foreground(s.Danger).Bold(true)
	s.DueSoon = lipgloss.NewStyle().Foreground(s.Warn)
	s.OnTime = lipgloss.NewStyle().Foreground(s.OK)
	s.Tag = lipgloss.NewStyle().Foreground(s.Accent)
	s.Urgent = lipgloss.NewStyle().Foreground(s.Danger).Bold(true)
	s.Inbound = lipgloss.NewStyle().Bold(true)
	s.Outbound = lipgloss.NewStyle().Foreground(s.OK).Bold(true)
	s.Note = lipgloss.NewStyle().Foreground(s.Warn).Italic(true)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(s.Accent).Padding(0, 1)
	s.DialogHead = lipgloss.NewStyle().Bold(true).Foreground(s.Accent)
	s.Underline = lipgloss.NewStyle().Underline(true).Foreground(s.Danger)

	chan_ := func(light, darkc string) lipgloss.Style {
		return lipgloss.NewStyle().Bold(true).Foreground(ld(lipgloss.Color(light), lipgloss.Color(darkc)))
	}
	s.channels = map[string]lipgloss.Style{
		"x":         chan_("#111111", "#E6E6E6"),
		"instagram": chan_("#C13584", "#F77FBE"),
		"facebook":  chan_("#1559C7", "#6EA8FF"),
		"mastodon":  chan_("#4B3FC0", "#9B8CFF"),
		"bluesky":   chan_("#0566C7", "#56B4FF"),
		"email":     chan_("#2F6B2F", "#8FD18F"),
		// The newer channels, each in its own hue, so a badge tells them apart at a glance.
		"whatsapp":   chan_("#0B7A3E", "#4FD18B"),
		"telegram":   chan_("#1A7FB8", "#62C6F5"),
		"googleplay": chan_("#00796B", "#4DD0C0"),
		"appstore":   chan_("#4A5A70", "#A9B8CC"),
	}
	// YouTube's red and Reddit's orange-red read as the red of "overdue": white on their
	// colour instead, as in their logos.
	onColour := func(light, darkc string) lipgloss.Style {
		return lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(ld(lipgloss.Color(light), lipgloss.Color(darkc)))
	}
	s.channels["youtube"] = onColour("#B3121D", "#C4302B")
	s.channels["reddit"] = onColour("#C43D00", "#D9480F")
	return s
}

// Channel is the style of a channel's label.
func (s *Styles) Channel(ch string) lipgloss.Style {
	if st, ok := s.channels[ch]; ok {
		return st
	}
	return s.Bold
}

var channelShort = map[string]string{
	"x": "X", "instagram": "IG", "facebook": "FB", "reddit": "RD", "mastodon": "MA", "bluesky": "BS", "email": "EM",
	"whatsapp": "WA", "telegram": "TG", "youtube": "YT", "googleplay": "GP", "appstore": "AS",
}

// ChannelTag is a channel's short label (IG, FB, …) for narrow columns.
func ChannelTag(ch string) string {
	if s, ok := channelShort[ch]; ok {
		return s
	}
	if len(ch) > 2 {
		return Safe(ch[:2])
	}
	return Safe(ch)
}
