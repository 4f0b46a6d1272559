package inbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/triage-inbox/triage/store"
)

// queryFields is every field name, in the order suggestions prefer them; fieldAliases
// maps the long spellings to the short ones.
var queryFields = []string{"chan", "channel", "kind", "dir", "direction", "state", "tag", "from",
	"assignee", "agent", "account", "prio", "priority", "age", "before", "after", "sentiment", "rating", "is"}

var fieldAliases = map[string]string{"channel": "chan", "direction": "dir", "priority": "prio"}

var queryOps = map[string]store.Op{
	":": store.OpEq, "=": store.OpEq, "<": store.OpLt, "<=": store.OpLe, ">": store.OpGt, ">=": store.OpGe,
}

// isFlags are the values of is:, in the order errors list them.
var isFlags = []struct {
	name string
	cond store.Cond
}{
	{"unanswered", store.Term{Field: store.FieldUnanswered}},
	{"answered", store.Term{Field: store.FieldAnswered}},
	{"overdue", store.Term{Field: store.FieldOverdue}},
	{"failed", store.Term{Field: store.FieldFailed}},
	{"awaiting-approval", store.Term{Field: store.FieldAwaitingApproval}},
	{"mine", store.Term{Field: store.FieldMine}},
	{"assigned", store.Not{C: store.Term{Field: store.FieldAssignee}}},
	{"unassigned", store.Term{Field: store.FieldAssignee}},
	{"urgent", store.Term{Field: store.FieldPriority, Int: int64(PriorityUrgent)}},
	{"in", store.Term{Field: store.FieldDirection, Value: string(In)}},
	{"out", store.Term{Field: store.FieldDirection, Value: string(Out)}},
	{"new", stateTerm(StateNew)}, {"open", stateTerm(StateOpen)},
	{"waiting", stateTerm(StateWaiting)}, {"snoozed", stateTerm(StateSnoozed)},
	{"done", stateTerm(StateDone)}, {"escalated", stateTerm(StateEscalated)},
	{"spam", stateTerm(StateSpam)},
}

func stateTerm(s State) store.Cond { return store.Term{Field: store.FieldState, Value: string(s)} }

// enumFields are the fields whose values come from a fixed list; aliases are other
// spellings of listed values.
var enumFields = map[string]struct {
	field   store.Field
	values  []string
	aliases map[string]string
}{
	"kind":      {store.FieldKind, stringsOf(Kinds), nil},
	"state":     {store.FieldState, stringsOf(States), nil},
	"dir":       {store.FieldDirection, []string{"in", "out"}, map[string]string{"inbound": "in", "outbound": "out"}},
	"sentiment": {store.FieldSentiment, []string{"neg", "pos", "neu"}, map[string]string{"negative": "neg", "positive": "pos", "neutral": "neu"}},
}

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// term turns a field token into its condition.
func (p *parser) term(t *token) (store.Cond, error) {
	typed := p.src[t.at:t.opPos]
	if !slices.Contains(queryFields, t.field) {
		hint := "to search for it as text, put it in quotes"
		if n, ok := nearest(t.field, queryFields); ok {
			hint = "did you mean " + n + "?"
		}
		return nil, p.errPart(t, t.at, t.opPos, fmt.Sprintf("unknown field %q", typed), hint)
	}
	field := t.field
	if long, ok := fieldAliases[field]; ok {
		field = long
	}
	op := queryOps[t.op]
	opEnd := t.opPos + len(t.op)
	switch {
	case field == "age" && op == store.OpEq:
		return nil, p.errPart(t, t.opPos, opEnd, "age needs a comparison", "age>2h is older than 2h, age<2h newer")
	case op != store.OpEq && field != "prio" && field != "age" && field != "rating":
		return nil, p.errPart(t, t.opPos, opEnd, fmt.Sprintf("bad comparison %q", t.op), typed+` takes ":"`)
	case strings.TrimSpace(t.value) == "" || (field == "from" && strings.Trim(t.value, "@") == ""):
		return nil, p.errPart(t, t.at, t.end, "missing value", "e.g. "+typed+t.op+exampleValue[field])
	}
	v := t.value
	lv := strings.ToLower(v)
	switch field {
	case "chan":
		// The same names ingest stores, so chan:twitter finds what came in as "twitter".
		ch := NormalizeChannel(v)
		if p.channels != nil && !slices.Contains(p.channels, ch) {
			return nil, p.unknownValue(t, p.channels)
		}
		return store.Term{Field: store.FieldChannel, Value: ch}, nil
	case "dir", "sentiment", "kind", "state":
		e := enumFields[field]
		if a, ok := e.aliases[lv]; ok {
			lv = a
		}
		if !slices.Contains(e.values, lv) {
			return nil, p.unknownValue(t, e.values)
		}
		return store.Term{Field: e.field, Value: lv}, nil
	case "tag":
		return store.Term{Field: store.FieldTag, Value: v}, nil
	case "from":
		return store.Term{Field: store.FieldFrom, Value: v}, nil
	case "assignee":
		switch lv {
		case "me":
			return store.Term{Field: store.FieldMine}, nil
		case "none":
			return store.Term{Field: store.FieldAssignee}, nil
		}
		return store.Term{Field: store.FieldAssignee, Value: v}, nil
	case "agent":
		return store.Term{Field: store.FieldAgent, Value: v}, nil
	case "account":
		return store.Term{Field: store.FieldAccount, Value: v}, nil
	case "prio":
		pr, err := ParsePriority(v)
		if err != nil {
			return nil, p.unknownValue(t, priorityNames)
		}
		return store.Term{Field: store.FieldPriority, Op: op, Int: int64(pr)}, nil
	case "rating":
		stars, err := strconv.Atoi(v)
		if err != nil || stars < 1 || stars > 5 {
			return nil, p.errPart(t, t.valPos, t.valEnd, fmt.Sprintf("bad rating %q", v), "want 1 to 5 stars, e.g. rating<=2")
		}
		return store.Term{Field: store.FieldRating, Op: op, Int: int64(stars)}, nil
	case "age":
		d, err := ParseSpan(v)
		if err != nil {
			return nil, p.errPart(t, t.valPos, t.valEnd, "bad span", err.Error())
		}
		return store.Term{Field: store.FieldAge, Op: op, Int: d.Milliseconds()}, nil
	case "before", "after":
		tm, ok := parseQueryTime(v)
		if !ok {
			return nil, p.errPart(t, t.valPos, t.valEnd, fmt.Sprintf("bad date %q", v),
				"want YYYY-MM-DD or an RFC 3339 time such as 2026-11-20T15:04:05Z")
		}
		cmp := store.OpGe
		if field == "before" {
			cmp = store.OpLt
		}
		return store.Term{Field: store.FieldCreated, Op: cmp, Int: tm.UnixMilli()}, nil
	}
	// is:
	names := make([]string, len(isFlags))
	for i, f := range isFlags {
		if f.name == lv {
			return f.cond, nil
		}
		names[i] = f.name
	}
	return nil, p.unknownValue(t, names)
}

var exampleValue = map[string]string{
	"chan": "x", "kind": "dm", "dir": "in", "state": "open", "tag": "billing", "from": "@ann",
	"assignee": "me", "agent": "ann", "account": "@acme", "prio": "high", "age": "2h",
	"before": "2026-11-20", "after": "2026-11-20", "sentiment": "neg", "rating": "2", "is": "unanswered",
}

// unknownValue reports a value that is not one of valid.
func (p *parser) unknownValue(t *token, valid []string) error {
	hint := "want one of " + strings.Join(valid, ", ")
	if n, ok := nearest(t.value, valid); ok {
		hint = "did you mean " + n + "? " + hint
	}
	return p.errPart(t, t.valPos, t.valEnd, fmt.Sprintf("unknown value %q for %s", t.value, p.src[t.at:t.opPos+len(t.op)]), hint)
}
