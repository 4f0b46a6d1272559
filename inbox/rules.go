package inbox

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RuleConfig is one [[rules.rule]]: when a message matches, it gets the rule's
// tags and at least the rule's priority.
type RuleConfig struct {
	Name     string   `toml:"name"`
	Match    string   `toml:"match"`    // regular expression, case-insensitive, e.g. "refund|broken|lawyer|cancel"
	Keywords []string `toml:"keywords"` // whole-word, case-insensitive alternatives to Match
	Channels []string `toml:"channels"` // limit to these channels; empty = all
	Kinds    []string `toml:"kinds"`    // limit to these kinds (comment, mention, dm, review, email); empty = all
	Tags     []string `toml:"tags"`
	Priority string   `toml:"priority"` // "", low, normal, high, urgent; "" only tags
}

// RulesConfig is the [rules] section of the config.
type RulesConfig struct {
	Rules     []RuleConfig `toml:"rule"`       // [[rules.rule]]
	VIP       []string     `toml:"vip"`        // author handles ("@ana") or "channel:handle" ("x:@ana"), case-insensitive
	SpamWords []string     `toml:"spam_words"` // whole-word/phrase, case-insensitive
}

// ruleStrongNegative is the sentiment score at or below which a message is raised
// to at least PriorityHigh: an angry customer should not wait in line.
const ruleStrongNegative = -0.5

// Rules are the compiled ingest rules. A nil *Rules applies nothing.
type Rules struct {
	rules []ingestRule
	vip   map[string]bool // "handle" for any channel, "channel:handle" for one
	spam  *phraseMatcher
}

type ingestRule struct {
	name     string
	re       *regexp.Regexp // nil when the rule has only keywords
	keywords *phraseMatcher // nil when the rule has only a regexp
	channels map[string]bool
	kinds    map[string]bool
	tags     []string
	priority Priority
}

// NewRules compiles c. Errors name the rule by its index in the config (from 0)
// and its name: `rules.rule[2] ("legal"): match: error parsing regexp: ...`.
func NewRules(c RulesConfig) (*Rules, error) {
	r := &Rules{vip: map[string]bool{}}
	for i, rc := range c.Rules {
		cr, err := compileIngestRule(rc)
		if err != nil {
			return nil, fmt.Errorf("rules.rule[%d] (%q): %w", i, rc.Name, err)
		}
		r.rules = append(r.rules, cr)
	}
	for _, v := range c.VIP {
		if ch, h, ok := splitVIP(v); ok {
			r.vip[ch+":"+h] = true
		} else if h := vipHandle(v); h != "" {
			r.vip[h] = true
		}
	}
	r.spam = newPhraseMatcher(c.SpamWords)
	return r, nil
}

func compileIngestRule(rc RuleConfig) (ingestRule, error) {
	cr := ingestRule{name: rc.Name, priority: PriorityNormal}
	if m := rc.Match; strings.TrimSpace(m) != "" {
		// Compiled once without the flag so the error quotes the user's text.
		if _, err := regexp.Compile(m); err != nil {
			return cr, fmt.Errorf("match: %w", err)
		}
		cr.re = regexp.MustCompile("(?i)" + m)
	}
	cr.keywords = newPhraseMatcher(rc.Keywords)
	if cr.re == nil && cr.keywords == nil {
		return cr, errors.New("needs match or keywords")
	}
	if rc.Priority != "" {
		p, err := ParsePriority(strings.TrimSpace(rc.Priority))
		if err != nil {
			return cr, fmt.Errorf("priority: %w", err)
		}
		cr.priority = p
	}
	cr.channels = lowerNameSet(rc.Channels)
	for _, k := range rc.Kinds {
		if _, err := ParseKind(strings.TrimSpace(k)); err != nil {
			return cr, fmt.Errorf("kinds: %w", err)
		}
	}
	cr.kinds = lowerNameSet(rc.Kinds)
	cr.tags = appendRuleTags(nil, rc.Tags)
	return cr, nil
}

// RuleInput is what the rules see of an incoming message.
type RuleInput struct {
	Channel, Kind, Text, AuthorHandle, AuthorName string
	Sentiment                                     float64
}

// RuleResult is what the rules decided for a message.
type RuleResult struct {
	Tags     []string // lowercased, deduplicated, in order of first appearance
	Priority Priority
	VIP      bool
	Spam     bool
	Matched  []string // names of the rules that matched, in config order
}

// Apply runs every rule on in. The priority starts at normal and is raised to the
// highest priority of any matching rule; a VIP author or a strongly negative
// message is at least high; spam is low whatever else matched.
func (r *Rules) Apply(in RuleInput) RuleResult {
	res := RuleResult{Priority: PriorityNormal}
	if r == nil {
		return res
	}
	channel, kind := strings.ToLower(in.Channel), strings.ToLower(in.Kind)
	for _, cr := range r.rules {
		if cr.channels != nil && !cr.channels[channel] || cr.kinds != nil && !cr.kinds[kind] {
			continue
		}
		if !(cr.re != nil && cr.re.MatchString(in.Text) || cr.keywords.matches(in.Text)) {
			continue
		}
		res.Matched = append(res.Matched, cr.name)
		res.Tags = appendRuleTags(res.Tags, cr.tags)
		res.Priority = max(res.Priority, cr.priority)
	}
	if h := vipHandle(in.AuthorHandle); h != "" && (r.vip[h] || r.vip[channel+":"+h]) {
		res.VIP = true
		res.Priority = max(res.Priority, PriorityHigh)
	}
	if in.Sentiment <= ruleStrongNegative {
		res.Priority = max(res.Priority, PriorityHigh)
	}
	if r.spam.matches(in.Text) {
		res.Spam = true
		res.Priority = PriorityLow
	}
	return res
}

// splitVIP reads "channel:handle". A colon inside a handle (none of our channels
// allow one) would be misread, so only a plain channel name before it counts.
func splitVIP(v string) (channel, handle string, ok bool) {
	ch, h, found := strings.Cut(strings.TrimSpace(v), ":")
	if !found || ch == "" || strings.ContainsFunc(ch, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.')
	}) {
		return "", "", false
	}
	h = vipHandle(h)
	return strings.ToLower(ch), h, h != ""
}

// vipHandle makes "@Ana" and "ana" the same author.
func vipHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

// lowerNameSet returns the lowercased, trimmed members of list, or nil (meaning
// "all") when there are none.
func lowerNameSet(list []string) map[string]bool {
	var set map[string]bool
	for _, s := range list {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			if set == nil {
				set = map[string]bool{}
			}
			set[s] = true
		}
	}
	return set
}

// appendRuleTags appends the lowercased tags not already in dst.
func appendRuleTags(dst, tags []string) []string {
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(dst, t) {
			dst = append(dst, t)
		}
	}
	return dst
}

// phraseMatcher finds whole-word, case-insensitive occurrences of phrases, for
// rule keywords, spam words and banned phrases. Go's \b knows only ASCII letters
// (`\bcafé\b` never matches, `\bcaf\b` matches inside "café"), so boundaries are
// checked by hand with Unicode letters; and each phrase is searched on its own
// so that "cancel" is still found in "cancellation, cancel" when "cancellation"
// is also listed.
type phraseMatcher struct {
	phrases []matcherPhrase
}

type matcherPhrase struct {
	text       string // as configured
	re         *regexp.Regexp
	start, end bool // the phrase begins/ends with a word character, so needs a boundary there
}

// phraseMatch is one occurrence, in byte offsets.
type phraseMatch struct {
	phrase     string
	start, end int
}

// newPhraseMatcher returns nil when there is no phrase, and a nil matcher
// matches nothing.
func newPhraseMatcher(phrases []string) *phraseMatcher {
	var m phraseMatcher
	for _, p := range phrases {
		words := strings.Fields(p)
		if len(words) == 0 {
			continue
		}
		text := strings.Join(words, " ")
		first, _ := utf8.DecodeRuneInString(text)
		last, _ := utf8.DecodeLastRuneInString(text)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		// Any run of spaces or a line break between words still matches the phrase.
		re := regexp.MustCompile(`(?i)` + strings.Join(words, `\s+`))
		m.phrases = append(m.phrases, matcherPhrase{
			text: text, re: re, start: isPhraseWordRune(first), end: isPhraseWordRune(last),
		})
	}
	if len(m.phrases) == 0 {
		return nil
	}
	return &m
}

func isPhraseWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
}

func (m *phraseMatcher) matches(text string) bool {
	if m == nil {
		return false
	}
	for _, p := range m.phrases {
		if _, _, ok := p.next(text, 0); ok {
			return true
		}
	}
	return false
}

// findAll returns every occurrence of every phrase, ordered by position; where
// occurrences overlap the earlier, then longer, one wins.
func (m *phraseMatcher) findAll(text string) []phraseMatch {
	if m == nil {
		return nil
	}
	var all []phraseMatch
	for _, p := range m.phrases {
		for pos := 0; ; {
			s, e, ok := p.next(text, pos)
			if !ok {
				break
			}
			all = append(all, phraseMatch{p.text, s, e})
			pos = e
		}
	}
	slices.SortFunc(all, func(a, b phraseMatch) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out := all[:0]
	end := 0
	for _, pm := range all {
		if pm.start >= end {
			out = append(out, pm)
			end = pm.end
		}
	}
	return out
}

// next finds the first whole-word occurrence at or after byte pos.
func (p matcherPhrase) next(text string, pos int) (start, end int, ok bool) {
	for pos <= len(text) {
		loc := p.re.FindStringIndex(text[pos:])
		if loc == nil {
			return 0, 0, false
		}
		s, e := pos+loc[0], pos+loc[1]
		before, _ := utf8.DecodeLastRuneInString(text[:s])
		after, _ := utf8.DecodeRuneInString(text[e:])
		if (!p.start || s == 0 || !isPhraseWordRune(before)) && (!p.end || e == len(text) || !isPhraseWordRune(after)) {
			return s, e, true
		}
		_, size := utf8.DecodeRuneInString(text[s:])
		pos = s + max(size, 1)
	}
	return 0, 0, false
}
