package store

import (
	"slices"
	"strings"
	"unicode"
)

// Cond is a node of a filter: And, Or, Not, Term or Text. A nil Cond matches everything.
// Package inbox parses the query language into a Cond; MessageWhere and ConversationWhere
// compile one to SQL. String renders a Cond back in the query language.
type Cond interface {
	cond()
	String() string
}

// And matches when every one of its conditions does (an empty And matches everything).
type And []Cond

// Or matches when any of its conditions does (an empty Or matches nothing).
type Or []Cond

// Not matches when C does not.
type Not struct{ C Cond }

// Text is free text, matched against message bodies and author names through the
// messages_fts index. Query is a list of words and "quoted phrases", all of which must
// match; a word or phrase ending in * also matches as a prefix (refu* finds refund).
// Everything else in Query is literal: FTS5 operators such as AND, NEAR or ^ are just words.
// A word with no letter or digit in it (such as -, € or 🎉), which the index does not hold,
// is looked for in the message body as a plain substring instead.
type Text struct{ Query string }

// Term is one field test. Value and Int carry the operand, depending on Field:
//
//	FieldChannel    Value: channel name (x, instagram, email, …)
//	FieldKind       Value: comment, mention, dm, review or email
//	FieldDirection  Value: in or out
//	FieldState      Value: one of the seven conversation states
//	FieldTag        Value: tag name (case-insensitive)
//	FieldFrom       Value: "@handle" (exact, case-insensitive, @ optional in the data) or a
//	                fragment of the author's name or handle, or their channel id
//	FieldAssignee   Value: the assignee; "" means unassigned
//	FieldMine       none: assigned to Env.Me (nothing, when Me is "")
//	FieldAgent      Value: the agent who wrote an outbound message
//	FieldAccount    Value: the handle of the account (case-insensitive, leading @ optional)
//	FieldPriority   Op, Int: conversation priority (0 low, 1 normal, 2 high, 3 urgent)
//	FieldAge        Op, Int: the message's age in milliseconds at Env.NowMS (age > Int)
//	FieldCreated    Op, Int: the message's creation time in Unix milliseconds
//	FieldSentiment  Value: neg, pos or neu
//	FieldUnanswered none: an inbound message still waiting for a reply
//	FieldAnswered   none: an inbound message that has its reply
//	FieldOverdue    none: unanswered and past its due time
//	FieldFailed     none: a reply of ours the channel refused, not sent again or taken back
//	FieldAwaitingApproval none: a reply of ours waiting for a lead's approval
//	FieldRating     Op, Int: the stars of the conversation's latest review (1 to 5); a
//	                conversation without a rated review matches no comparison
//
// Op is used by FieldPriority, FieldAge, FieldCreated and FieldRating and ignored by the others.
// A Term with an unknown Field or Op matches nothing.
type Term struct {
	Field Field
	Op    Op
	Value string
	Int   int64
}

// Env holds the values a filter is resolved against when it is compiled.
type Env struct {
	NowMS int64  // "now" for age and overdue, Unix milliseconds
	Me    string // the agent using triage, for is:mine and assignee:me
}

func (And) cond()  {}
func (Or) cond()   {}
func (Not) cond()  {}
func (Term) cond() {}
func (Text) cond() {}

// Field is what a Term tests.
type Field int

// The fields a Term can test; see Term for their operands.
const (
	FieldChannel Field = iota + 1
	FieldKind
	FieldDirection
	FieldState
	FieldTag
	FieldFrom
	FieldAssignee
	FieldMine
	FieldAgent
	FieldAccount
	FieldPriority
	FieldAge
	FieldCreated
	FieldSentiment
	FieldUnanswered
	FieldAnswered
	FieldOverdue
	FieldFailed
	FieldAwaitingApproval
	FieldRating
)

// Op is the comparison of a Term; the zero Op is equality.
type Op int

// The comparisons.
const (
	OpEq Op = iota
	OpLt
	OpLe
	OpGt
	OpGe
)

var opSQL = [...]string{OpEq: "=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// Sentiment thresholds: the same numbers as inbox.NegativeThreshold and
// inbox.PositiveThreshold (store cannot import inbox); keep them in step.
const (
	sentimentNegative = -0.05 // a score at or below this is negative
	sentimentPositive = 0.05  // a score at or above this is positive
)

// level says which table a field reads.
type level int

const (
	convLevel level = iota // conversations only
	msgLevel               // needs the message (and its author)
	dualLevel              // has a conversation form and a message form
)

func (f Field) level() level {
	switch f {
	case FieldKind, FieldDirection, FieldFrom, FieldAgent, FieldAge, FieldCreated,
		FieldSentiment, FieldAnswered:
		return msgLevel
	case FieldUnanswered, FieldOverdue, FieldFailed, FieldAwaitingApproval:
		return dualLevel
	}
	return convLevel
}

// MessageWhere compiles c, in SQLite's dialect, for a query whose FROM is exactly
//
//	messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN contacts ct ON ct.id = m.contact_id
//
// and returns a boolean SQL expression (never empty: "TRUE" for a nil Cond) and its
// arguments. Every value is an argument; none is spliced into the SQL. Dual terms
// (is:unanswered, is:overdue) take their message form: this message is unanswered.
func MessageWhere(c Cond, env Env) (string, []any) {
	return messageWhere(sqliteDialect{}, c, env)
}

// messageWhere is MessageWhere in the dialect d.
func messageWhere(d dialect, c Cond, env Env) (string, []any) {
	w := compiler{d: d, env: env}
	w.cond(c)
	return w.b.String(), w.args
}

// ConversationWhere compiles c, in SQLite's dialect, for a query over `conversations c` alone. Conversation
// terms test c directly and dual terms (is:unanswered, is:overdue) take their
// conversation form. If c has any message term or free text, the whole tree is tested
// against each message of the conversation, so `from:@ann refund` means one message
// from @ann that mentions a refund:
//
//	EXISTS (SELECT 1 FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id
//	        WHERE m.conversation_id = c.id AND <tree>)
//
// (and so `-from:@ann` means "has a message not from @ann"). The conversation terms of a
// top-level AND are tested outside the EXISTS, which means the same and lets the queue's
// indexes (state, assignee…) narrow the conversations first.
func ConversationWhere(c Cond, env Env) (string, []any) {
	where, args, _ := conversationWhere(sqliteDialect{}, c, env, ftsLookup)
	return where, args
}

// conversationWhere is ConversationWhere in the dialect d, with the full-text words used
// as use says. It also returns their full-text query ("" when the query has none); when
// use is ftsDriven the SQL leaves the words to the caller and tests everything else.
func conversationWhere(d dialect, c Cond, env Env, use ftsUse) (string, []any, string) {
	w := compiler{d: d, env: env, conv: true, fts: use}
	where, args := w.conversation(c)
	return where, args, w.match
}

func (w *compiler) conversation(c Cond) (string, []any) {
	if !needsMessages(c) {
		w.cond(c)
		return w.b.String(), w.args
	}
	var outer, inner And
	if and, ok := c.(And); ok {
		for _, x := range and {
			if needsMessages(x) {
				inner = append(inner, x)
			} else {
				outer = append(outer, x)
			}
		}
	} else {
		inner = And{c}
	}
	w.put("(")
	for _, x := range outer {
		w.cond(x)
		w.put(" AND ")
	}
	// Words the full-text index knows, required at the top level, first narrow the
	// conversations to those with a message that has them all: the index answers that at
	// once, where testing the EXISTS below conversation by conversation walks the whole
	// view (a word no message has cost 0.4 s at a million). When words are all there is,
	// that is the whole answer; otherwise the EXISTS still decides.
	var words []textUnit
	onlyWords := true
	for _, x := range inner {
		t, ok := x.(Text)
		if !ok {
			onlyWords = false
			continue
		}
		units, plain := splitText(t)
		words = append(words, units...)
		onlyWords = onlyWords && len(plain) == 0
	}
	if len(words) > 0 {
		match := w.d.ftsQuery(words)
		switch w.fts {
		case ftsLookup, ftsProbe:
			sql := w.d.ftsConversation("c.id", w.fts == ftsProbe)
			w.put(sql, ftsArgs(sql, match)...)
			w.match = match
		case ftsDriven:
			w.match = match
			w.put("TRUE")
		}
		if onlyWords {
			w.put(")")
			return w.b.String(), w.args
		}
		w.put(" AND ")
	}
	w.put("EXISTS (SELECT 1 FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id WHERE m.conversation_id = c.id AND ")
	if len(inner) == 1 {
		w.cond(inner[0])
	} else {
		w.cond(inner)
	}
	w.put("))")
	return w.b.String(), w.args
}

// needsMessages reports whether c tests anything of a message.
func needsMessages(c Cond) bool {
	switch c := c.(type) {
	case And:
		return slices.ContainsFunc(c, needsMessages)
	case Or:
		return slices.ContainsFunc(c, needsMessages)
	case Not:
		return needsMessages(c.C)
	case Term:
		return c.Field.level() == msgLevel
	case Text:
		return true
	}
	return false
}

type compiler struct {
	d    dialect
	env  Env
	conv bool // for ConversationWhere: dual terms take their conversation form
	fts  ftsUse
	// match is the full-text query of the top-level words. When fts is ftsDriven the
	// caller reads the conversations from the index and the compiled SQL leaves it out;
	// otherwise the caller may need it for the dialect's ftsPlan.
	match string
	b     strings.Builder
	args  []any
}

// ftsUse says how ConversationWhere narrows the conversations by the words of a query
// that the full-text index can answer on its own. Which is fastest depends on how many
// messages have them: see DB.commonText.
type ftsUse int

const (
	// ftsLookup: c.id IN the matching conversations, each looked up by id. Cheap when
	// the words are rare; at a common word it looks up tens of thousands of
	// conversations to keep a page of fifty.
	ftsLookup ftsUse = iota
	// ftsProbe: the same test, but SQLite may not look conversations up through it
	// (the unary +), so it walks the view in queue order and tests each against the
	// matches, stopping at the page's end. Cheap when the words are common.
	ftsProbe
	// ftsDriven: the words are left to the caller, which reads the matching
	// conversations from the index in id order (see countQuery).
	ftsDriven
)

func (w *compiler) put(sql string, args ...any) {
	w.b.WriteString(sql)
	w.args = append(w.args, args...)
}

func (w *compiler) cond(c Cond) {
	switch c := c.(type) {
	case nil:
		w.put("TRUE")
	case And:
		w.list(c, " AND ", "TRUE")
	case Or:
		w.list(c, " OR ", "FALSE")
	case Not:
		w.put("NOT ")
		w.cond(c.C)
	case Term:
		w.term(c)
	case Text:
		w.text(c)
	default:
		w.put("FALSE")
	}
}

func (w *compiler) list(cs []Cond, sep, empty string) {
	if len(cs) == 0 {
		w.put(empty)
		return
	}
	w.put("(")
	for i, c := range cs {
		if i > 0 {
			w.put(sep)
		}
		w.cond(c)
	}
	w.put(")")
}

// unansweredSQL is an inbound message that still waits for its reply; it matches the
// partial index msg_unanswered.
const unansweredSQL = "m.direction = 'in' AND m.answered_at IS NULL AND m.closed_at IS NULL AND m.spam = 0"

// term writes t as one parenthesised (or atomic) expression that is never NULL, so
// that NOT of it is its exact complement (outbound messages have no author: ct is NULL).
func (w *compiler) term(t Term) {
	if t.Op < OpEq || t.Op > OpGe {
		w.put("FALSE")
		return
	}
	op := opSQL[t.Op]
	switch t.Field {
	case FieldChannel:
		if w.conv {
			w.put("(c.channel = ?)", t.Value)
		} else {
			w.put("(m.channel = ?)", t.Value)
		}
	case FieldKind:
		w.put("(m.kind = ?)", t.Value)
	case FieldDirection:
		w.put("(m.direction = ?)", t.Value)
	case FieldState:
		w.put("(c.state = ?)", t.Value)
	case FieldTag:
		w.put("EXISTS (SELECT 1 FROM conversation_tags t JOIN tags g ON g.id = t.tag_id WHERE t.conversation_id = c.id AND g.name = ?)", t.Value)
	case FieldFrom:
		if h, ok := strings.CutPrefix(t.Value, "@"); ok {
			if h = strings.TrimLeft(h, "@"); h == "" {
				w.put("FALSE")
				return
			}
			w.put("(ct.id IS NOT NULL AND "+w.d.foldCase("ltrim(ct.handle, '@')")+" = "+w.d.foldCase("?")+")", h)
			return
		}
		like := "%" + escapeLike(t.Value) + "%"
		op := w.d.like()
		w.put(`(ct.id IS NOT NULL AND (ct.name `+op+` ? ESCAPE '\' OR ct.handle `+op+` ? ESCAPE '\' OR ct.ext_id = ?))`,
			like, like, t.Value)
	case FieldAssignee:
		w.put("(c.assignee = ?)", t.Value)
	case FieldMine:
		if w.env.Me == "" {
			w.put("FALSE")
			return
		}
		w.put("(c.assignee = ?)", w.env.Me)
	case FieldAgent:
		w.put("(m.direction = 'out' AND m.agent = ?)", t.Value)
	case FieldAccount:
		w.put("(c.account_id IN (SELECT id FROM accounts WHERE "+w.d.foldCase("ltrim(handle, '@')")+" = "+w.d.foldCase("?")+"))",
			strings.TrimLeft(t.Value, "@"))
	case FieldPriority:
		w.put("(c.priority "+op+" ?)", t.Int)
	case FieldRating:
		// IS NOT NULL: so that -rating<=2 keeps the conversations that have no stars.
		w.put("(c.rating IS NOT NULL AND c.rating "+op+" ?)", t.Int)
	case FieldAge:
		// age OP span  ⇔  now - created OP span  ⇔  created OP' now - span, which can use
		// the index on created_at.
		flip := [...]string{OpEq: "=", OpLt: ">", OpLe: ">=", OpGt: "<", OpGe: "<="}
		w.put("(m.created_at "+flip[t.Op]+" ?)", w.env.NowMS-t.Int)
	case FieldCreated:
		w.put("(m.created_at "+op+" ?)", t.Int)
	case FieldSentiment:
		switch t.Value {
		case "neg":
			w.put("(m.sentiment <= ?)", sentimentNegative)
		case "pos":
			w.put("(m.sentiment >= ?)", sentimentPositive)
		case "neu":
			w.put("(m.sentiment > ? AND m.sentiment < ?)", sentimentNegative, sentimentPositive)
		default:
			w.put("FALSE")
		}
	case FieldAnswered:
		w.put("(m.answered_at IS NOT NULL)")
	case FieldUnanswered:
		if w.conv {
			w.put("(c.unanswered > 0)")
		} else {
			w.put("(" + unansweredSQL + ")")
		}
	case FieldOverdue:
		if w.conv {
			w.put("(c.unanswered > 0 AND c.due_at < ? AND c.state NOT IN ('done','spam'))", w.env.NowMS)
		} else {
			w.put("("+unansweredSQL+" AND m.due_at IS NOT NULL AND m.due_at < ? AND c.state NOT IN ('done','spam'))", w.env.NowMS)
		}
	case FieldFailed:
		// outbox_due leads with (kind, status): the failed replies are few, whatever the inbox.
		if w.conv {
			w.put("(c.id IN (SELECT conversation_id FROM outbox INDEXED BY outbox_due WHERE kind = 'reply' AND status = 'failed'))")
		} else {
			w.put("(m.id IN (SELECT message_id FROM outbox INDEXED BY outbox_due WHERE kind = 'reply' AND status = 'failed'))")
		}
	case FieldAwaitingApproval:
		// As is:failed: the replies waiting for a lead are few, whatever the inbox.
		if w.conv {
			w.put("(c.id IN (SELECT conversation_id FROM outbox INDEXED BY outbox_due WHERE kind = 'reply' AND status = ?))", StatusAwaitingApproval)
		} else {
			w.put("(m.id IN (SELECT message_id FROM outbox INDEXED BY outbox_due WHERE kind = 'reply' AND status = ?))", StatusAwaitingApproval)
		}
	default:
		w.put("FALSE")
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// text writes free text: the indexed words as one full-text match, the rest as substrings.
func (w *compiler) text(t Text) {
	units, plain := splitText(t)
	if len(units) == 0 && len(plain) == 0 {
		w.put("TRUE")
		return
	}
	w.put("(")
	if len(units) > 0 {
		w.put("m.id IN (SELECT "+ftsMessageID+" FROM messages_fts WHERE "+w.d.ftsMatch()+")", w.d.ftsQuery(units))
	}
	for i, p := range plain {
		if i > 0 || len(units) > 0 {
			w.put(" AND ")
		}
		w.put(w.d.contains("m.text"), p)
	}
	w.put(")")
}

// splitText divides free text into the words and phrases the full-text index knows
// (for the dialect's ftsQuery) and the rest, matched as substrings.
func splitText(t Text) (units []textUnit, plain []string) {
	for _, u := range textUnits(t.Query) {
		if !hasTokenChar(u.s) {
			if u.s != "" {
				plain = append(plain, u.s)
			}
			continue
		}
		units = append(units, u)
	}
	return units, plain
}

// textUnit is a word or a phrase of free text.
type textUnit struct {
	s      string
	phrase bool
	prefix bool
}

// textUnits splits free text into words and "quoted phrases" (an unclosed quote runs to
// the end); a trailing * marks a prefix.
func textUnits(q string) []textUnit {
	var us []textUnit
	for i := 0; i < len(q); {
		switch {
		case q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r':
			i++
		case q[i] == '"':
			j := strings.IndexByte(q[i+1:], '"')
			u := textUnit{phrase: true}
			if j < 0 {
				u.s, i = q[i+1:], len(q)
			} else {
				u.s, i = q[i+1:i+1+j], i+2+j
			}
			for i < len(q) && q[i] == '*' {
				u.prefix = true
				i++
			}
			us = append(us, u)
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \t\n\r\"", rune(q[j])) {
				j++
			}
			u := textUnit{s: q[i:j]}
			if trimmed := strings.TrimRight(u.s, "*"); trimmed != u.s {
				u.s, u.prefix = trimmed, true
			}
			us = append(us, u)
			i = j
		}
	}
	return us
}

// hasTokenChar reports whether s holds a character the FTS5 unicode61 tokenizer indexes
// (its default categories: letters, numbers and private use).
func hasTokenChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) {
			return true
		}
	}
	return false
}
