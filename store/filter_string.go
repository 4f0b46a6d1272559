package store

import (
	"strconv"
	"strings"
	"time"
)

// String renders a filter tree back in the query language, for tests and for showing
// people what a view matches.

var fieldNames = map[Field]string{
	FieldChannel: "chan", FieldKind: "kind", FieldDirection: "dir", FieldState: "state",
	FieldTag: "tag", FieldFrom: "from", FieldAssignee: "assignee", FieldAgent: "agent",
	FieldAccount: "account", FieldPriority: "prio", FieldAge: "age", FieldSentiment: "sentiment",
	FieldRating: "rating",
}

var flagNames = map[Field]string{
	FieldMine: "is:mine", FieldUnanswered: "is:unanswered", FieldAnswered: "is:answered",
	FieldOverdue: "is:overdue", FieldFailed: "is:failed",
	FieldAwaitingApproval: "is:awaiting-approval",
}

var opNames = [...]string{OpEq: ":", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// priorityNames are inbox's priority names, for String.
var priorityNames = []string{"low", "normal", "high", "urgent"}

func (t Term) String() string {
	if n, ok := flagNames[t.Field]; ok {
		return n
	}
	name, ok := fieldNames[t.Field]
	if t.Field == FieldCreated {
		return createdString(t)
	}
	if !ok || t.Op < OpEq || t.Op > OpGe {
		return "invalid:" + strconv.Itoa(int(t.Field))
	}
	switch t.Field {
	case FieldPriority:
		v := strconv.FormatInt(t.Int, 10)
		if t.Int >= 0 && t.Int < int64(len(priorityNames)) {
			v = priorityNames[t.Int]
		}
		return name + opNames[t.Op] + v
	case FieldAge:
		return name + opNames[t.Op] + formatSpan(t.Int)
	case FieldRating:
		return name + opNames[t.Op] + strconv.FormatInt(t.Int, 10)
	case FieldAssignee:
		if t.Value == "" {
			return "assignee:none"
		}
	}
	return name + ":" + quoteValue(t.Value)
}

// createdString renders a creation-time term as before: (earlier than) or after: (at or
// later than); a time at midnight UTC shows as a date.
func createdString(t Term) string {
	ms, name := t.Int, "after:"
	switch t.Op {
	case OpLt:
		name = "before:"
	case OpLe:
		ms, name = ms+1, "before:"
	case OpGt:
		ms++
	case OpEq:
		name = "at:"
	}
	tm := time.UnixMilli(ms).UTC()
	if tm.Equal(tm.Truncate(24 * time.Hour)) {
		return name + tm.Format(time.DateOnly)
	}
	return name + tm.Format(time.RFC3339Nano)
}

// formatSpan renders milliseconds the way inbox.ParseSpan reads them: 1h30m, 2d, 45s.
func formatSpan(ms int64) string {
	if ms <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		name string
		ms   int64
	}{{"w", 7 * 86400000}, {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}} {
		if n := ms / u.ms; n > 0 {
			b.WriteString(strconv.FormatInt(n, 10) + u.name)
			ms -= n * u.ms
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// quoteValue quotes a value that would not read back as one word.
func quoteValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\v\f\r()") || strings.HasPrefix(v, `"`) {
		return `"` + v + `"`
	}
	return v
}

func (t Text) String() string { return t.Query }

func (a And) String() string {
	parts := make([]string, len(a))
	for i, c := range a {
		parts[i] = stringOf(c)
		if _, ok := c.(Or); ok && len(a) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " ")
}

func (o Or) String() string {
	parts := make([]string, len(o))
	for i, c := range o {
		parts[i] = stringOf(c)
		if _, ok := c.(Or); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " OR ")
}

func (n Not) String() string {
	s := stringOf(n.C)
	switch c := n.C.(type) {
	case Term:
		return "-" + s
	case Text:
		if us := textUnits(c.Query); len(us) == 1 && !strings.HasPrefix(c.Query, "-") {
			return "-" + s
		}
	}
	return "-(" + s + ")"
}

func stringOf(c Cond) string {
	if c == nil {
		return ""
	}
	return c.String()
}
