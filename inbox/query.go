package inbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triage-inbox/triage/store"
)

// Query is a parsed query: its source text and its filter tree.
//
// The language, used by the queue's filter, saved views, `triage export --query` and
// `triage stats --query`:
//
//	chan:x channel:x        channel (aliases: twitter=x, ig=instagram, fb=facebook, mail=email, bsky=bluesky,
//	                        yt=youtube, tg=telegram, play=googleplay, app-store=appstore)
//	kind:dm                 comment, mention, dm, review, email
//	dir:in dir:out          direction of the message
//	state:open              new, open, waiting, snoozed, done, escalated, spam
//	tag:billing             a tag of the conversation
//	from:@ann from:ann      author by exact handle, or by part of name or handle
//	assignee:me|none|NAME   who the conversation is assigned to
//	agent:NAME              replies written by NAME
//	account:@acme           the account (our handle) the conversation came in on
//	prio:high prio>=high    priority: low, normal, high, urgent (also priority:)
//	age>2h age<=30m         age of the message (spans: s, m, h, d, w; e.g. 1h30m)
//	before:DATE after:DATE  message time: before is earlier than, after is at or later
//	                        than DATE (2026-11-20 or 2026-11-20T15:04:05Z, UTC)
//	sentiment:neg|pos|neu   mood of the message
//	rating<=2 rating:5      stars of the conversation's latest review (1 to 5; app stores)
//	is:unanswered is:answered is:overdue is:mine is:assigned is:unassigned is:urgent
//	is:in is:out is:new is:open is:waiting is:snoozed is:done is:escalated is:spam
//	refund "order number"   free text: words and phrases, all must match; refu* is a prefix
//
// Terms are joined by AND when side by side; AND, OR and NOT (upper case) and parentheses
// combine them, with NOT binding tightest and OR loosest. A leading - negates a term, a
// phrase or a group. Field names and enumerated values are case-insensitive.
type Query struct {
	Source string
	Cond   store.Cond // nil matches everything
}

// ParseQuery parses the query language. An empty query matches everything (Cond nil).
// Errors are *QueryError.
func ParseQuery(s string) (Query, error) { return parseQuery(s, false, nil) }

// ParseQueryLive parses a query that is still being typed: like ParseQuery, except that
// a bare word at the very end (no space after it yet) also matches as a prefix, so that
// "refu" already finds "refund".
func ParseQueryLive(s string) (Query, error) { return parseQuery(s, true, nil) }

// ParseQueryIn is ParseQuery (live: ParseQueryLive) that also knows which channels there
// are: chan: with any other is an error that says which was meant ("did you mean
// instagram?"), where it would otherwise match nothing. See Service.Channels.
func ParseQueryIn(s string, live bool, channels []string) (Query, error) {
	return parseQuery(s, live, channels)
}

// QueryError points at the bad part of a query: Pos and End are byte offsets of the part
// to underline (the field name, the value, the operator, the parenthesis…), Term the whole
// term it belongs to.
type QueryError struct {
	Pos, End int
	Term     string
	Msg      string
	Hint     string // a suggestion, e.g. "did you mean channel?"; may be empty
	col      int
}

// Error reads like `query: unknown field "chanel" in "chanel:x" at column 1 (did you
// mean channel?)`. Columns count characters from 1.
func (e *QueryError) Error() string {
	s := "query: " + e.Msg
	if e.Term != "" {
		s += fmt.Sprintf(" in %q", e.Term)
	}
	s += fmt.Sprintf(" at column %d", e.col)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func parseQuery(s string, live bool, channels []string) (Query, error) {
	q := Query{Source: s}
	toks, err := lexQuery(s)
	if err != nil {
		return q, err
	}
	if n := len(toks); live && n > 0 {
		// A word still being typed is searched once it has a third letter: "r*" matches
		// half of every inbox (at a million messages "r" and "re" took a second a
		// keystroke). Until then the query is what comes before it, if that stands alone.
		if t := toks[n-1]; t.kind == tokWord && t.field == "" && !t.neg && t.end == len(s) && endsInWordChar(t.text) && tooShortToSearch(t.text) {
			if before, err := parseQuery(s[:t.pos], true, channels); err == nil {
				before.Source = s
				return before, nil
			}
		}
	}
	p := &parser{src: s, toks: toks, live: live, channels: channels}
	c, err := p.or()
	if err != nil {
		return q, err
	}
	if t := p.peek(); t != nil { // only a ')' stops p.or early
		return q, p.errTok(t, "unmatched closing parenthesis", "")
	}
	q.Cond = c
	return q, nil
}

// ---- lexer ----

type tokKind int

const (
	tokWord tokKind = iota
	tokPhrase
	tokOpen
	tokClose
)

// token is a word, a "phrase" or a parenthesis, with its negation.
type token struct {
	kind     tokKind
	pos, end int  // the whole token, leading - included
	at       int  // the token after its leading -
	neg      bool // it had a leading -
	text     string
	// A field term, field<op>value; field is "" for other tokens.
	field          string
	op             string
	opPos          int
	value          string
	valPos, valEnd int // the value as typed, quotes included
}

func isSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func lexQuery(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		if isSpace(s[i]) {
			i++
			continue
		}
		t := token{pos: i}
		if s[i] == '-' && i+1 < len(s) && !isSpace(s[i+1]) && s[i+1] != ')' && s[i+1] != '-' {
			t.neg = true
			i++
		}
		t.at = i
		switch s[i] {
		case '(':
			t.kind, i = tokOpen, i+1
		case ')':
			t.kind, i = tokClose, i+1
		case '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, newQueryError(s, i, len(s), s[t.pos:], "unclosed quote", `add the closing "`)
			}
			t.kind, t.text, i = tokPhrase, s[i+1:i+1+j], i+2+j
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '(' && s[j] != ')' && s[j] != '"' {
				j++
			}
			t.kind, t.text = tokWord, s[i:j]
			var err error
			if j, err = lexField(s, &t, j); err != nil {
				return nil, err
			}
			i = j
		}
		t.end = i
		toks = append(toks, t)
	}
	return toks, nil
}

// lexField fills in t's field, operator and value when the word t (ending at j) reads
// field<op>value, and returns where the token ends (after a quoted value).
func lexField(s string, t *token, j int) (int, error) {
	w := t.text
	k := 0
	for k < len(w) && isLetter(w[k]) {
		k++
	}
	if k == 0 || k == len(w) || !strings.ContainsRune(":=<>", rune(w[k])) {
		return j, nil
	}
	op := w[k : k+1]
	if (op == "<" || op == ">") && k+1 < len(w) && w[k+1] == '=' {
		op = w[k : k+2]
	}
	name := strings.ToLower(w[:k])
	valPos := t.at + k + len(op)
	value, valEnd, quoted := s[valPos:j], j, false
	if valPos == j && j < len(s) && s[j] == '"' {
		c := strings.IndexByte(s[j+1:], '"')
		if c < 0 {
			return j, newQueryError(s, j, len(s), s[t.pos:], "unclosed quote", `add the closing "`)
		}
		value, valEnd, quoted = s[j+1:j+1+c], j+2+c, true
	}
	if known := slices.Contains(queryFields, name); !known && !quoted && (value == "" || strings.HasPrefix(value, "//")) {
		return j, nil // "Re:" or a URL: plain text
	}
	t.field, t.op, t.opPos = name, op, t.at+k
	t.value, t.valPos, t.valEnd = value, valPos, valEnd
	if quoted {
		t.text = s[t.at:valEnd]
	}
	return valEnd, nil
}

// ---- parser: or := and {OR and}; and := unary {[AND] unary}; unary := NOT unary | atom ----

type parser struct {
	src      string
	toks     []token
	i        int
	live     bool
	channels []string // the channels chan: may name; nil for any
	parts    int      // terms, NOTs and parentheses so far; see maxQueryParts
	depth    int      // NOTs and parentheses around the current term; see maxQueryDepth
}

// A query becomes one SQL expression, and SQLite refuses one deeper than 1,000 nodes
// ("Expression tree is too large"): 500 OR'd words or 500 NOTs reached it. A query is
// held well below that, at sizes no person types, and refused with words (exit 2 on the
// command line) instead of an SQL error.
const (
	maxQueryParts = 256 // terms, NOTs and parentheses
	maxQueryDepth = 64  // NOTs and parentheses one inside another
)

// count notes one more part of the query at t, and whether it goes one level deeper, and
// refuses a query too large to search.
func (p *parser) count(t *token, deeper bool) error {
	p.parts++
	if p.parts > maxQueryParts {
		return newQueryError(p.src, t.at, len(p.src), "", fmt.Sprintf("query too large: more than %d terms, NOTs and parentheses", maxQueryParts), "search with fewer terms, or save a view for each part")
	}
	if deeper {
		if p.depth++; p.depth > maxQueryDepth {
			return newQueryError(p.src, t.at, len(p.src), "", fmt.Sprintf("query too large: more than %d NOTs and parentheses one inside another", maxQueryDepth), "take out the NOTs that cancel each other")
		}
	}
	return nil
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

// keyword reports whether t is the operator kw: upper case, bare, not negated.
func keyword(t *token, kw string) bool {
	return t != nil && t.kind == tokWord && !t.neg && t.field == "" && t.text == kw
}

// startsTerm reports whether t can begin an operand.
func startsTerm(t *token) bool {
	return t != nil && t.kind != tokClose && !keyword(t, "OR") && !keyword(t, "AND")
}

func (p *parser) or() (store.Cond, error) {
	var alts store.Or
	for {
		c, err := p.and()
		if err != nil {
			return nil, err
		}
		t := p.peek()
		if c == nil {
			if len(alts) > 0 {
				prev := &p.toks[p.i-1]
				return nil, p.errTok(prev, "OR needs a term after it", "")
			}
			if keyword(t, "OR") {
				return nil, p.errTok(t, "OR needs a term before it", "")
			}
			return nil, nil
		}
		if o, ok := c.(store.Or); ok {
			alts = append(alts, o...)
		} else {
			alts = append(alts, c)
		}
		if !keyword(t, "OR") {
			break
		}
		p.i++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

func (p *parser) and() (store.Cond, error) {
	var items store.And
	lastText := false // the last item is free text that the next words may join
	for {
		t := p.peek()
		if keyword(t, "AND") {
			if len(items) == 0 {
				return nil, p.errTok(t, "AND needs a term before it", "")
			}
			p.i++
			if !startsTerm(p.peek()) {
				return nil, p.errTok(t, "AND needs a term after it", "")
			}
			continue
		}
		if !startsTerm(t) {
			break
		}
		c, plain, err := p.unary()
		if err != nil {
			return nil, err
		}
		switch x := c.(type) {
		case store.Text:
			if plain && lastText {
				prev := items[len(items)-1].(store.Text)
				items[len(items)-1] = store.Text{Query: prev.Query + " " + x.Query}
			} else {
				items = append(items, c)
			}
		case store.And:
			items = append(items, x...)
		default:
			items = append(items, c)
		}
		lastText = plain
	}
	switch len(items) {
	case 0:
		return nil, nil
	case 1:
		return items[0], nil
	}
	return items, nil
}

// unary parses NOT unary or an atom; plain reports a bare word or phrase, which joins
// its neighbours into one Text.
func (p *parser) unary() (c store.Cond, plain bool, err error) {
	t := p.peek()
	deeper := keyword(t, "NOT") || t.kind == tokOpen
	if err := p.count(t, deeper); err != nil {
		return nil, false, err
	}
	if deeper {
		defer func() { p.depth-- }()
	}
	if keyword(t, "NOT") {
		p.i++
		if !startsTerm(p.peek()) {
			return nil, false, p.errTok(t, "NOT needs a term after it", "")
		}
		c, _, err := p.unary()
		if err != nil {
			return nil, false, err
		}
		return store.Not{C: c}, false, nil
	}
	p.i++
	switch t.kind {
	case tokOpen:
		if n := p.peek(); n != nil && n.kind == tokClose {
			return nil, false, newQueryError(p.src, t.at, n.end, p.src[t.pos:n.end], "empty parentheses", "")
		}
		inner, err := p.or()
		if err != nil {
			return nil, false, err
		}
		if n := p.peek(); n == nil || n.kind != tokClose {
			return nil, false, newQueryError(p.src, t.at, t.at+1, "(", "unclosed parenthesis", "add the closing )")
		}
		p.i++
		return negate(inner, t.neg), false, nil
	case tokPhrase:
		return negate(store.Text{Query: `"` + t.text + `"`}, t.neg), !t.neg, nil
	}
	if t.field != "" {
		c, err := p.term(t)
		if err != nil {
			return nil, false, err
		}
		return negate(c, t.neg), false, nil
	}
	q := t.text
	if p.live && !t.neg && t.end == len(p.src) && endsInWordChar(q) {
		q += "*"
	}
	return negate(store.Text{Query: q}, t.neg), !t.neg, nil
}

// tooShortToSearch reports whether a word being typed is too short to search as a
// prefix: fewer than three letters, unless it is written in a script where one letter is
// a syllable or a word (Han, kana, Hangul).
func tooShortToSearch(word string) bool {
	if utf8.RuneCountInString(word) >= 3 {
		return false
	}
	for _, r := range word {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return false
		}
	}
	return true
}

func negate(c store.Cond, neg bool) store.Cond {
	if neg {
		return store.Not{C: c}
	}
	return c
}

// endsInWordChar reports whether s ends in a letter or digit: "refu" can grow into a
// word, "Re:" or "ref*" cannot.
func endsInWordChar(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// ---- errors ----

func newQueryError(src string, pos, end int, term, msg, hint string) *QueryError {
	return &QueryError{Pos: pos, End: end, Term: term, Msg: msg, Hint: hint,
		col: utf8.RuneCountInString(src[:pos]) + 1}
}

// errTok reports an error on a whole token.
func (p *parser) errTok(t *token, msg, hint string) error {
	return newQueryError(p.src, t.at, t.end, p.src[t.pos:t.end], msg, hint)
}

// errPart reports an error on the part pos..end of the term t.
func (p *parser) errPart(t *token, pos, end int, msg, hint string) error {
	return newQueryError(p.src, pos, end, p.src[t.pos:t.end], msg, hint)
}

// nearest returns the candidate closest to s by edit distance, if it is close enough to
// be a typo.
func nearest(s string, candidates []string) (string, bool) {
	s = strings.ToLower(s)
	best, bestD := "", -1
	for _, c := range candidates {
		if d := editDistance(s, c); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := min(2, max(1, utf8.RuneCountInString(s)/2))
	return best, bestD >= 0 && bestD <= limit
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// parseQueryTime reads a date (midnight UTC) or an RFC 3339 time.
func parseQueryTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// ---- terms ----
