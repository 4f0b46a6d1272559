package inbox

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// VoiceConfig is the [voice] section of the config: the brand's house rules for
// replies.
type VoiceConfig struct {
	Brand           string         `toml:"brand"`            // brand name, used for {brand}
	Banned          []string       `toml:"banned"`           // phrases never to use ("unfortunately", "as per", "calm down"), case-insensitive, whole-word
	Signoff         string         `toml:"signoff"`          // e.g. "— The Acme team"; required at the end when set; may use {brand}
	SignoffChannels []string       `toml:"signoff_channels"` // channels where the sign-off is required; empty = every channel
	Limits          map[string]int `toml:"limits"`           // channel or "channel.kind" -> max length, merged over voiceDefaultLimits (0 removes a limit)
	Enforce         string         `toml:"enforce"`          // "warn" (default): banned phrases and a missing sign-off are warnings; "block": they stop sending
}

// The values of [voice] enforce. A reply over the channel's length limit is never sent,
// whatever enforce says: the channel would refuse it.
const (
	EnforceWarn  = "warn"
	EnforceBlock = "block"
)

// The kinds of Warning.
const (
	WarnBanned  = "banned"
	WarnSignoff = "signoff"
	WarnLength  = "length"
	// WarnCost is a notice, never a fault: what the reply will cost on the channel
	// (a link on X). It never stops a reply, whatever enforce says.
	WarnCost = "cost"
)

// XLinkWarning is the notice on a reply with a link on X, which bills a post with a
// link at a higher rate than one without.
const XLinkWarning = "a link costs more on X"

// Warning is one advisory finding on a reply: the composer shows it and may
// highlight the span, but the reply can still be sent.
type Warning struct {
	Kind    string // WarnBanned, WarnSignoff, WarnLength or WarnCost
	Message string // e.g. `banned phrase "unfortunately"`, `missing sign-off "— The Acme team"`, `291/280 characters on x`
	// Start and End are rune offsets into the text of the offending span. For
	// length, Start is where the limit is crossed and End the end of the text; for
	// a missing sign-off both are the end of the text.
	Start, End int
}

// Voice checks replies against the brand voice. A nil *Voice checks only the
// default length limits.
type Voice struct {
	banned          *phraseMatcher
	signoff         string
	signoffChannels map[string]bool // nil = every channel
	limits          map[string]int
}

// voiceDefaultLimits are the channels' own maximum post lengths (Instagram: a comment
// or caption; WhatsApp and Telegram: a text message; YouTube: a comment; Google Play and
// the App Store: the developer's reply to a review), and under "channel.kind" those of a
// kind of message whose limit is not the channel's: an Instagram DM 1,000 characters
// (the Messaging API refuses more), a Messenger message 2,000 (the Send API's limit), an
// X DM 10,000 (where a post takes 280).
var voiceDefaultLimits = map[string]int{"x": 280, "bluesky": 300, "mastodon": 500, "instagram": 2200, "facebook": 8000,
	"whatsapp": 4096, "telegram": 4096, "youtube": 10000, "googleplay": 350, "appstore": 5970,
	"instagram.dm": 1000, "facebook.dm": 2000, "x.dm": 10000}

// NewVoice returns a checker for c.
func NewVoice(c VoiceConfig) *Voice {
	v := &Voice{
		banned:          newPhraseMatcher(c.Banned),
		signoff:         strings.TrimSpace(strings.ReplaceAll(c.Signoff, "{brand}", c.Brand)),
		signoffChannels: lowerNameSet(c.SignoffChannels),
		limits:          map[string]int{},
	}
	for ch, n := range voiceDefaultLimits {
		v.limits[ch] = n
	}
	for ch := range c.Limits {
		// A channel's limit set in config holds for every kind of its messages, but for a
		// kind config sets too: instagram = 500 covers its DMs.
		ch = strings.ToLower(strings.TrimSpace(ch))
		for key := range voiceDefaultLimits {
			if strings.HasPrefix(key, ch+".") {
				delete(v.limits, key)
			}
		}
	}
	for ch, n := range c.Limits {
		ch = strings.ToLower(strings.TrimSpace(ch))
		if n > 0 {
			v.limits[ch] = n
		} else {
			delete(v.limits, ch)
		}
	}
	return v
}

// Limit returns the maximum length of a post on channel, 0 for none.
func (v *Voice) Limit(channel string) int { return v.LimitFor(channel, "") }

// LimitFor returns the maximum length of a message of kind on channel ("" for a post):
// the kind's own limit where there is one ("instagram.dm"), else the channel's.
func (v *Voice) LimitFor(channel string, kind Kind) int {
	limits := voiceDefaultLimits
	if v != nil {
		limits = v.limits
	}
	ch := strings.ToLower(strings.TrimSpace(channel))
	if n, ok := limits[ch+"."+string(kind)]; ok && kind != "" {
		return n
	}
	return limits[ch]
}

// Check returns the warnings for a reply on channel: banned phrases in the order
// they appear, then a missing sign-off, then the length, then on x a link's cost (a
// post's, not a DM's). It returns nil when the reply is fine.
func (v *Voice) Check(channel, text string) []Warning { return v.CheckAs(channel, "", text) }

// CheckAs is Check for a message of kind (a DM, a comment…), whose length limit may be
// its own (see LimitFor).
func (v *Voice) CheckAs(channel string, kind Kind, text string) []Warning {
	var ws []Warning
	if v != nil {
		for _, m := range v.banned.findAll(text) {
			ws = append(ws, Warning{
				Kind:    WarnBanned,
				Message: fmt.Sprintf("banned phrase %q", m.phrase),
				Start:   utf8.RuneCountInString(text[:m.start]),
				End:     utf8.RuneCountInString(text[:m.end]),
			})
		}
		if v.needsSignoff(channel) && !strings.HasSuffix(strings.TrimRightFunc(text, unicode.IsSpace), v.signoff) {
			n := utf8.RuneCountInString(text)
			ws = append(ws, Warning{Kind: WarnSignoff, Message: fmt.Sprintf("missing sign-off %q", v.signoff), Start: n, End: n})
		}
	}
	if limit := v.LimitFor(channel, kind); limit > 0 {
		if n, at := voiceLengthOver(channel, text, limit); n > limit {
			where := strings.ToLower(strings.TrimSpace(channel))
			if limit != v.Limit(channel) {
				where += " " + string(kind) // "instagram dm": the channel's posts take more
			}
			ws = append(ws, Warning{
				Kind:    WarnLength,
				Message: fmt.Sprintf("%d/%d characters on %s", n, limit, where),
				Start:   at,
				End:     utf8.RuneCountInString(text),
			})
		}
	}
	if isVoiceXChannel(channel) && kind != KindDM { // X bills a DM the same with a link or without
		if links := voiceFindLinks(text); len(links) > 0 {
			ws = append(ws, Warning{
				Kind:    WarnCost,
				Message: XLinkWarning,
				Start:   utf8.RuneCountInString(text[:links[0][0]]),
				End:     utf8.RuneCountInString(text[:links[0][1]]),
			})
		}
	}
	return ws
}

// WithSignoff adds the sign-off to a reply on a channel that wants one and lacks it.
func (v *Voice) WithSignoff(channel, text string) string {
	if v == nil || !v.needsSignoff(channel) || strings.HasSuffix(strings.TrimRightFunc(text, unicode.IsSpace), v.signoff) {
		return text
	}
	return strings.TrimRightFunc(text, unicode.IsSpace) + "\n\n" + v.signoff
}

func (v *Voice) needsSignoff(channel string) bool {
	if v == nil || v.signoff == "" {
		return false
	}
	return v.signoffChannels == nil || v.signoffChannels[strings.ToLower(strings.TrimSpace(channel))]
}

// xURLWeight is what X counts for any link, whatever its length, since X
// shortens every link to a t.co address of that length.
const xURLWeight = 23

// Length counts text as the channel does: user-perceived characters (grapheme
// clusters, so a family emoji or an accented letter is 1), and on x every
// http:// or https:// link counts 23.
func Length(channel, text string) int {
	if !isVoiceXChannel(channel) {
		return uniseg.GraphemeClusterCount(text)
	}
	n := 0
	for _, w := range voiceLengthUnits(channel, text) {
		n += w
	}
	return n
}

// voiceLengthOver returns the length of text and the rune offset of the first
// character past limit (the length of the text in runes when it fits).
func voiceLengthOver(channel, text string, limit int) (n, at int) {
	at = -1
	for off, w := range voiceLengthUnits(channel, text) {
		n += w
		if n > limit && at < 0 {
			at = off
		}
	}
	if at < 0 {
		at = utf8.RuneCountInString(text)
	}
	return n, at
}

// voiceLengthUnits yields each counted unit of text, a grapheme cluster or on x a
// whole link, as its rune offset and its weight.
func voiceLengthUnits(channel, text string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		var links [][]int
		if isVoiceXChannel(channel) {
			links = voiceFindLinks(text)
		}
		runeOff, state := 0, -1
		for pos := 0; pos < len(text); {
			if len(links) > 0 && pos == links[0][0] {
				if !yield(runeOff, xURLWeight) {
					return
				}
				runeOff += utf8.RuneCountInString(text[pos:links[0][1]])
				pos, links = links[0][1], links[1:]
				state = -1
				continue
			}
			end := len(text)
			if len(links) > 0 {
				end = links[0][0] // a cluster never runs into a link
			}
			var cluster string
			cluster, _, _, state = uniseg.FirstGraphemeClusterInString(text[pos:end], state)
			if !yield(runeOff, 1) {
				return
			}
			runeOff += utf8.RuneCountInString(cluster)
			pos += len(cluster)
		}
	}
}

func isVoiceXChannel(channel string) bool {
	return strings.EqualFold(strings.TrimSpace(channel), "x")
}

var voiceLinkPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)

// voiceFindLinks returns the byte spans of links in text. Trailing punctuation ends
// a sentence rather than the link ("see https://acme.com/help."), as X reads it;
// a closing parenthesis stays when the link opened one (Wikipedia's links do).
func voiceFindLinks(text string) [][]int {
	spans := voiceLinkPattern.FindAllStringIndex(text, -1)
	for _, sp := range spans {
		for sp[1] > sp[0] {
			link := text[sp[0]:sp[1]]
			last := link[len(link)-1]
			if strings.IndexByte(`.,;:!?'"`, last) >= 0 ||
				last == ')' && strings.Count(link, ")") > strings.Count(link, "(") {
				sp[1]--
				continue
			}
			break
		}
	}
	return slices.DeleteFunc(spans, func(sp []int) bool { return sp[1] <= sp[0] })
}

// replyKind is what a reply on a conversation of kind conv is on its channel: a reply
// made as another kind (a private reply to a comment is a dm) is that kind.
func replyKind(conv, as Kind) Kind {
	if as != "" {
		return as
	}
	return conv
}
