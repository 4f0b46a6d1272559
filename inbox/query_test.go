package inbox

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/triage-inbox/triage/store"
)

func qterm(f store.Field, v string) store.Term { return store.Term{Field: f, Value: v} }

func qcmp(f store.Field, op store.Op, n int64) store.Term {
	return store.Term{Field: f, Op: op, Int: n}
}

func qtext(q string) store.Text { return store.Text{Query: q} }

func qnot(c store.Cond) store.Not { return store.Not{C: c} }

func qms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func TestParseQuery(t *testing.T) {
	chanX := qterm(store.FieldChannel, "x")
	dm := qterm(store.FieldKind, "dm")
	vip := qterm(store.FieldTag, "vip")
	const h = int64(time.Hour / time.Millisecond)
	tests := []struct {
		in   string
		want store.Cond
	}{
		{"", nil},
		{"  \t ", nil},

		// Each field.
		{"chan:x", chanX},
		{"channel:X", chanX},
		{"chan:twitter", chanX},
		{"chan:ig", qterm(store.FieldChannel, "instagram")},
		{"chan:fb", qterm(store.FieldChannel, "facebook")},
		{"chan:mail", qterm(store.FieldChannel, "email")},
		{"chan:bsky", qterm(store.FieldChannel, "bluesky")},
		{"chan:yt", qterm(store.FieldChannel, "youtube")},
		{"chan:tg", qterm(store.FieldChannel, "telegram")},
		{"chan:play", qterm(store.FieldChannel, "googleplay")},
		{"chan:app-store", qterm(store.FieldChannel, "appstore")},
		{"rating<=2", store.Term{Field: store.FieldRating, Op: store.OpLe, Int: 2}},
		{"rating:5", store.Term{Field: store.FieldRating, Op: store.OpEq, Int: 5}},
		{"rating>3", store.Term{Field: store.FieldRating, Op: store.OpGt, Int: 3}},
		{"CHAN:mastodon", qterm(store.FieldChannel, "mastodon")},
		{"chan=x", chanX},
		{"kind:DM", dm},
		{"kind:review", qterm(store.FieldKind, "review")},
		{"dir:in", qterm(store.FieldDirection, "in")},
		{"direction:outbound", qterm(store.FieldDirection, "out")},
		{"state:Open", qterm(store.FieldState, "open")},
		{"tag:Billing", qterm(store.FieldTag, "Billing")},
		{`tag:"needs reply"`, qterm(store.FieldTag, "needs reply")},
		{"from:@ann", qterm(store.FieldFrom, "@ann")},
		{`from:"Ann Lee"`, qterm(store.FieldFrom, "Ann Lee")},
		{"from:jane@example.com", qterm(store.FieldFrom, "jane@example.com")},
		{"assignee:me", store.Term{Field: store.FieldMine}},
		{"assignee:none", qterm(store.FieldAssignee, "")},
		{"assignee:Kim", qterm(store.FieldAssignee, "Kim")},
		{"agent:sam", qterm(store.FieldAgent, "sam")},
		{"account:@acme", qterm(store.FieldAccount, "@acme")},
		{"prio:urgent", qcmp(store.FieldPriority, store.OpEq, 3)},
		{"priority:HIGH", qcmp(store.FieldPriority, store.OpEq, 2)},
		{"prio>=high", qcmp(store.FieldPriority, store.OpGe, 2)},
		{"prio>normal", qcmp(store.FieldPriority, store.OpGt, 1)},
		{"prio<normal", qcmp(store.FieldPriority, store.OpLt, 1)},
		{"prio<=low", qcmp(store.FieldPriority, store.OpLe, 0)},
		{"prio=low", qcmp(store.FieldPriority, store.OpEq, 0)},
		{"age>2h", qcmp(store.FieldAge, store.OpGt, 2*h)},
		{"age<30m", qcmp(store.FieldAge, store.OpLt, 30*60*1000)},
		{"age>=1d", qcmp(store.FieldAge, store.OpGe, 24*h)},
		{"age<=1h30m", qcmp(store.FieldAge, store.OpLe, 90*60*1000)},
		{"age>2w", qcmp(store.FieldAge, store.OpGt, 14*24*h)},
		{"before:2026-11-20", qcmp(store.FieldCreated, store.OpLt, qms("2026-11-20T00:00:00Z"))},
		{"after:2026-11-20", qcmp(store.FieldCreated, store.OpGe, qms("2026-11-20T00:00:00Z"))},
		{"after:2026-11-20T15:04:05Z", qcmp(store.FieldCreated, store.OpGe, qms("2026-11-20T15:04:05Z"))},
		{"before:2026-11-20T15:04:05+02:00", qcmp(store.FieldCreated, store.OpLt, qms("2026-11-20T13:04:05Z"))},
		{"sentiment:neg", qterm(store.FieldSentiment, "neg")},
		{"sentiment:Negative", qterm(store.FieldSentiment, "neg")},
		{"sentiment:pos", qterm(store.FieldSentiment, "pos")},
		{"sentiment:neutral", qterm(store.FieldSentiment, "neu")},

		// is: flags.
		{"is:unanswered", store.Term{Field: store.FieldUnanswered}},
		{"is:answered", store.Term{Field: store.FieldAnswered}},
		{"is:overdue", store.Term{Field: store.FieldOverdue}},
		{"is:mine", store.Term{Field: store.FieldMine}},
		{"is:assigned", qnot(qterm(store.FieldAssignee, ""))},
		{"is:unassigned", qterm(store.FieldAssignee, "")},
		{"is:urgent", qcmp(store.FieldPriority, store.OpEq, 3)},
		{"is:in", qterm(store.FieldDirection, "in")},
		{"is:out", qterm(store.FieldDirection, "out")},
		{"is:new", qterm(store.FieldState, "new")},
		{"is:open", qterm(store.FieldState, "open")},
		{"is:waiting", qterm(store.FieldState, "waiting")},
		{"is:snoozed", qterm(store.FieldState, "snoozed")},
		{"is:done", qterm(store.FieldState, "done")},
		{"is:escalated", qterm(store.FieldState, "escalated")},
		{"IS:SPAM", qterm(store.FieldState, "spam")},

		// Negation.
		{"-chan:x", qnot(chanX)},
		{"NOT chan:x", qnot(chanX)},
		{"-refund", qnot(qtext("refund"))},
		{`-"order number"`, qnot(qtext(`"order number"`))},
		{"-(chan:x OR kind:dm)", qnot(store.Or{chanX, dm})},
		{"NOT (chan:x kind:dm)", qnot(store.And{chanX, dm})},
		{"NOT NOT chan:x", qnot(qnot(chanX))},
		{"-is:assigned", qnot(qnot(qterm(store.FieldAssignee, "")))},

		// Combinations and precedence: NOT > AND > OR.
		{"chan:x kind:dm", store.And{chanX, dm}},
		{"chan:x AND kind:dm", store.And{chanX, dm}},
		{"chan:x OR kind:dm", store.Or{chanX, dm}},
		{"chan:x kind:dm OR tag:vip", store.Or{store.And{chanX, dm}, vip}},
		{"chan:x OR kind:dm tag:vip", store.Or{chanX, store.And{dm, vip}}},
		{"chan:x OR kind:dm AND tag:vip", store.Or{chanX, store.And{dm, vip}}},
		{"NOT chan:x kind:dm", store.And{qnot(chanX), dm}},
		{"NOT chan:x OR kind:dm", store.Or{qnot(chanX), dm}},
		{"(chan:x OR kind:dm) tag:vip", store.And{store.Or{chanX, dm}, vip}},
		{"tag:vip (chan:x OR kind:dm)", store.And{vip, store.Or{chanX, dm}}},
		{"(chan:x kind:dm) tag:vip", store.And{chanX, dm, vip}},
		{"chan:x OR (kind:dm OR tag:vip)", store.Or{chanX, dm, vip}},
		{"((chan:x))", chanX},
		{"(chan:x)(kind:dm)", store.And{chanX, dm}},

		// Free text.
		{"refund", qtext("refund")},
		{"refund order", qtext("refund order")},
		{`refund "order number" late`, qtext(`refund "order number" late`)},
		{`"order number"`, qtext(`"order number"`)},
		{`"AND"`, qtext(`"AND"`)},
		{"refund AND order", qtext("refund order")},
		{"refund chan:x order", store.And{qtext("refund"), chanX, qtext("order")}},
		{"refund -spam order", store.And{qtext("refund"), qnot(qtext("spam")), qtext("order")}},
		{"this or that", qtext("this or that")},
		{"and not", qtext("and not")},
		{"refund OR return", store.Or{qtext("refund"), qtext("return")}},
		{"ref*", qtext("ref*")},
		{"Re: your order", qtext("Re: your order")},
		{"https://example.com/p/1", qtext("https://example.com/p/1")},
		{"10:30", qtext("10:30")},
		{"e-mail", qtext("e-mail")},
		{"a - b", qtext("a - b")},
		{"café 🎉", qtext("café 🎉")},
		{"chan:x (refund)", store.And{chanX, qtext("refund")}},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if q.Source != tt.in {
			t.Errorf("ParseQuery(%q).Source = %q", tt.in, q.Source)
		}
		if !reflect.DeepEqual(q.Cond, tt.want) {
			t.Errorf("ParseQuery(%q) = %#v (%v)\n\twant %#v (%v)", tt.in, q.Cond, q.Cond, tt.want, tt.want)
			continue
		}
		// The tree's String form is a query that parses back to the same tree.
		if q.Cond == nil {
			continue
		}
		back, err := ParseQuery(q.Cond.String())
		if err != nil {
			t.Errorf("ParseQuery(%q).String() = %q, which does not parse: %v", tt.in, q.Cond.String(), err)
		} else if !reflect.DeepEqual(back.Cond, q.Cond) {
			t.Errorf("ParseQuery(%q).String() = %q, which parses to %#v", tt.in, q.Cond.String(), back.Cond)
		}
	}
}

func TestParseQueryLive(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want store.Cond
	}{
		{"refu", qtext("refu*")},
		{"chan:x refu", store.And{qterm(store.FieldChannel, "x"), qtext("refu*")}},
		{"refund ord", qtext("refund ord*")},
		{"refu ", qtext("refu")},                                   // a space ends the word
		{`"order num"`, qtext(`"order num"`)},                      // a phrase is exact
		{"ref*", qtext("ref*")},                                    // already a prefix
		{"-spa", qnot(qtext("spa"))},                               // never exclude a prefix
		{"chan:x", qterm(store.FieldChannel, "x")},                 // not text
		{"refund (ord)", store.And{qtext("refund"), qtext("ord")}}, // not at the end
		{"a -", qtext("a -")},
	} {
		q, err := ParseQueryLive(tt.in)
		if err != nil {
			t.Errorf("ParseQueryLive(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(q.Cond, tt.want) {
			t.Errorf("ParseQueryLive(%q) = %v, want %v", tt.in, q.Cond, tt.want)
		}
	}
	// ParseQuery never adds a prefix.
	if q, _ := ParseQuery("refu"); !reflect.DeepEqual(q.Cond, qtext("refu")) {
		t.Errorf(`ParseQuery("refu") = %v`, q.Cond)
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		in       string
		pos, end int
		err      string // the whole message
	}{
		{"chanel:x", 0, 6, `query: unknown field "chanel" in "chanel:x" at column 1 (did you mean channel?)`},
		{"kind:dm stat:open", 8, 12, `query: unknown field "stat" in "stat:open" at column 9 (did you mean state?)`},
		{"-Chanel:x", 1, 7, `query: unknown field "Chanel" in "-Chanel:x" at column 2 (did you mean channel?)`},
		{"prioirty>high", 0, 8, `query: unknown field "prioirty" in "prioirty>high" at column 1 (did you mean priority?)`},
		{"foo:bar", 0, 3, `query: unknown field "foo" in "foo:bar" at column 1 (to search for it as text, put it in quotes)`},
		{`re:"x"`, 0, 2, `query: unknown field "re" in "re:\"x\"" at column 1 (to search for it as text, put it in quotes)`},
		// Columns count characters, Pos and End bytes.
		{"éé chanel:x", 5, 11, `query: unknown field "chanel" in "chanel:x" at column 4 (did you mean channel?)`},

		{"state:opn", 6, 9, `query: unknown value "opn" for state: in "state:opn" at column 7 (did you mean open? want one of new, open, waiting, snoozed, done, escalated, spam)`},
		{"kind:tweet", 5, 10, `query: unknown value "tweet" for kind: in "kind:tweet" at column 6 (want one of comment, mention, dm, review, email)`},
		{"dir:sideways", 4, 12, `query: unknown value "sideways" for dir: in "dir:sideways" at column 5 (want one of in, out)`},
		{"sentiment:angry", 10, 15, `query: unknown value "angry" for sentiment: in "sentiment:angry" at column 11 (want one of neg, pos, neu)`},
		{"prio>=top", 6, 9, `query: unknown value "top" for prio>= in "prio>=top" at column 7 (want one of low, normal, high, urgent)`},
		{"is:unansewred", 3, 13, `query: unknown value "unansewred" for is: in "is:unansewred" at column 4 (did you mean unanswered? want one of unanswered, answered, overdue, failed, awaiting-approval, mine, assigned, unassigned, urgent, in, out, new, open, waiting, snoozed, done, escalated, spam)`},

		{"age>2x", 4, 6, `query: bad span in "age>2x" at column 5 ("2x": unknown unit "x" (want s, m, h, d, w))`},
		{"age<1.5h", 4, 8, `query: bad span in "age<1.5h" at column 5 ("1.5h": want whole numbers, e.g. 1h30m rather than 1.5h)`},
		{"rating<=6", 8, 9, `query: bad rating "6" in "rating<=6" at column 9 (want 1 to 5 stars, e.g. rating<=2)`},
		{"rating:two", 7, 10, `query: bad rating "two" in "rating:two" at column 8 (want 1 to 5 stars, e.g. rating<=2)`},
		{"age:2h", 3, 4, `query: age needs a comparison in "age:2h" at column 4 (age>2h is older than 2h, age<2h newer)`},
		{"tag>x", 3, 4, `query: bad comparison ">" in "tag>x" at column 4 (tag takes ":")`},
		{"chan<=x", 4, 6, `query: bad comparison "<=" in "chan<=x" at column 5 (chan takes ":")`},
		{"before:2026-13-01", 7, 17, `query: bad date "2026-13-01" in "before:2026-13-01" at column 8 (want YYYY-MM-DD or an RFC 3339 time such as 2026-11-20T15:04:05Z)`},
		{"after:yesterday", 6, 15, `query: bad date "yesterday" in "after:yesterday" at column 7 (want YYYY-MM-DD or an RFC 3339 time such as 2026-11-20T15:04:05Z)`},
		{"chan:", 0, 5, `query: missing value in "chan:" at column 1 (e.g. chan:x)`},
		{"refund from:@", 7, 13, `query: missing value in "from:@" at column 8 (e.g. from:@ann)`},
		{`tag:""`, 0, 6, `query: missing value in "tag:\"\"" at column 1 (e.g. tag:billing)`},

		{"(chan:x", 0, 1, `query: unclosed parenthesis in "(" at column 1 (add the closing ))`},
		{"a (b (c)", 2, 3, `query: unclosed parenthesis in "(" at column 3 (add the closing ))`},
		{"chan:x)", 6, 7, `query: unmatched closing parenthesis in ")" at column 7`},
		{"a ()", 2, 4, `query: empty parentheses in "()" at column 3`},
		{"-( )", 1, 4, `query: empty parentheses in "-( )" at column 2`},
		{"a OR", 2, 4, `query: OR needs a term after it in "OR" at column 3`},
		{"OR a", 0, 2, `query: OR needs a term before it in "OR" at column 1`},
		{"a OR OR b", 2, 4, `query: OR needs a term after it in "OR" at column 3`},
		{"(a OR) b", 3, 5, `query: OR needs a term after it in "OR" at column 4`},
		{"a AND", 2, 5, `query: AND needs a term after it in "AND" at column 3`},
		{"AND a", 0, 3, `query: AND needs a term before it in "AND" at column 1`},
		{"a AND OR b", 2, 5, `query: AND needs a term after it in "AND" at column 3`},
		{"a OR AND b", 5, 8, `query: AND needs a term before it in "AND" at column 6`},
		{"NOT", 0, 3, `query: NOT needs a term after it in "NOT" at column 1`},
		{"(a NOT)", 3, 6, `query: NOT needs a term after it in "NOT" at column 4`},
		{`say "hello`, 4, 10, `query: unclosed quote in "\"hello" at column 5 (add the closing ")`},
		{`tag:"needs reply`, 4, 16, `query: unclosed quote in "tag:\"needs reply" at column 5 (add the closing ")`},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.in)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("ParseQuery(%q) error = %v, want a *QueryError", tt.in, err)
			continue
		}
		if qe.Pos != tt.pos || qe.End != tt.end {
			t.Errorf("ParseQuery(%q) points at %d..%d %q, want %d..%d %q", tt.in,
				qe.Pos, qe.End, tt.in[qe.Pos:qe.End], tt.pos, tt.end, tt.in[tt.pos:tt.end])
		}
		if err.Error() != tt.err {
			t.Errorf("ParseQuery(%q) error\n\t%s\nwant\n\t%s", tt.in, err, tt.err)
		}
	}
}

// FuzzParseQuery checks that no input panics, that errors point inside the query, and
// that every tree prints as a query that parses again (to the same tree, for trees
// without free text, whose adjacent words String may join).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"chan:x -tag:\"a b\" (refund OR prio>=high) NOT is:done", "age>1h30m before:2026-11-20",
		`"unclosed`, "a OR", "((", "-(", "é chanel:x", `tag:"" from:@`, "a AND OR NOT", "-\"x\"*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (Query, error){ParseQuery, ParseQueryLive} {
			q, err := parse(s)
			if err != nil {
				var qe *QueryError
				if !errors.As(err, &qe) || qe.Pos < 0 || qe.Pos > qe.End || qe.End > len(s) {
					t.Fatalf("%q: bad error %#v", s, err)
				}
				continue
			}
			if q.Cond == nil {
				continue
			}
			back, err := ParseQuery(q.Cond.String())
			if err != nil {
				t.Fatalf("%q prints as %q, which fails: %v", s, q.Cond.String(), err)
			}
			if back.Cond.String() != q.Cond.String() {
				t.Fatalf("%q prints as %q, which prints as %q", s, q.Cond.String(), back.Cond.String())
			}
		}
	})
}

// While typing, a last word of one or two letters is not searched yet, unless the query
// would not stand without it; a word of three letters, or one in Han, kana or Hangul, is.
func TestLiveQuerySkipsShortLastWord(t *testing.T) {
	for _, c := range []struct{ typed, want string }{
		{"r", ""},
		{"re", ""},
		{"ref", "ref*"},
		{"refund r", "refund"},
		{"refund re ", "refund re"},
		{"channel:x re", "channel:x"},
		{"a OR r", "a OR r*"},
		{"NOT r", "NOT r*"},
		{"-re", "-re"},
		{"日", "日*"},
	} {
		q, err := ParseQueryLive(c.typed)
		if err != nil {
			t.Fatalf("%q: %v", c.typed, err)
		}
		got := ""
		if q.Cond != nil {
			got = q.Cond.String()
		}
		want := ""
		if c.want != "" {
			w, err := ParseQuery(c.want)
			if err != nil {
				t.Fatal(err)
			}
			want = w.Cond.String()
		}
		if got != want || q.Source != c.typed {
			t.Errorf("live %q = %q (source %q), want %q", c.typed, got, q.Source, want)
		}
	}
}
