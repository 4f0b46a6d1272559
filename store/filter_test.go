package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// filterNow is "now" for the filter fixture: 2026-11-20 12:00 UTC.
var filterNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC).UnixMilli()

const (
	minute = int64(60 * 1000)
	hour   = 60 * minute
	day    = 24 * hour
)

// filterDB is a small inbox, every row written by hand:
//
//	conv 1  x/@acme      comment  new      normal  unassigned  unanswered 1, due now-1h  tags Billing
//	  msg 1  in  @ann (Ann Lee)      now-3h   -0.6  "I want a refund for my order"        due now-1h
//	  msg 2  in  bob (Bob O'Neil)    now-30m  +0.8  "Love the new AND improved app! 🎉"   due now+1h
//	conv 2  x/@acme      dm       open     urgent  sam         unanswered 0              tags vip
//	  msg 3  in  bob                 now-2d    0    "Where is my order number 123?"     answered
//	  msg 4  out agent sam           now-47h   0    "Your order number is on the way"
//	conv 3  email/support@acme.com  done  low  kim   unanswered 1, due now-2h    tags billing
//	  msg 5  in  carol (Carol 100%_Sure)  now-26h  +0.02  "Refunded already, thanks"   closed, due now-2h
//	conv 4  email/support@acme.com  waiting  high  unassigned  unanswered 1, due now+2h
//	  msg 6  out agent kim           now-1h    0    "We refunded you"
//	  msg 7  in  carol               now-10m  -0.3  `price: 10€ - not "great" *sigh*`  due now+2h
func filterDB(t testing.TB, e engine) *DB {
	t.Helper()
	db := openOn(t, e)
	n := filterNow
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO accounts (id, channel, handle) VALUES (1, 'x', '@acme'), (2, 'email', 'support@acme.com')`, nil},
		{`INSERT INTO contacts (id, channel, ext_id, handle, name) VALUES
			(1, 'x', 'u1', '@ann', 'Ann Lee'), (2, 'x', 'u2', 'bob', 'Bob O''Neil'),
			(3, 'email', 'carol@ex.com', 'carol@ex.com', 'Carol 100%_Sure')`, nil},
		{`INSERT INTO conversations (id, account_id, ext_key, channel, kind, contact_id, state, priority,
			assignee, unanswered, due_at, since_at, last_at, created_at) VALUES
			(1, 1, 'k1', 'x', 'comment', 1, 'new', 1, '', 1, ?, 0, 0, 0),
			(2, 1, 'k2', 'x', 'dm', 2, 'open', 3, 'sam', 0, 9223372036854775807, 0, 0, 0),
			(3, 2, 'k3', 'email', 'email', 3, 'done', 0, 'kim', 1, ?, 0, 0, 0),
			(4, 2, 'k4', 'email', 'email', 3, 'waiting', 2, '', 1, ?, 0, 0, 0)`,
			[]any{n - hour, n - 2*hour, n + 2*hour}},
		{`INSERT INTO messages (id, conversation_id, account_id, channel, ext_id, kind, direction,
			contact_id, agent, text, created_at, sentiment, answered_at, closed_at, due_at) VALUES
			(1, 1, 1, 'x', 'e1', 'comment', 'in', 1, '', 'I want a refund for my order', ?, -0.6, NULL, NULL, ?),
			(2, 1, 1, 'x', 'e2', 'comment', 'in', 2, '', 'Love the new AND improved app! 🎉', ?, 0.8, NULL, NULL, ?),
			(3, 2, 1, 'x', 'e3', 'dm', 'in', 2, '', 'Where is my order number 123?', ?, 0, ?, NULL, NULL),
			(4, 2, 1, 'x', 'e4', 'dm', 'out', NULL, 'sam', 'Your order number is on the way', ?, 0, NULL, NULL, NULL),
			(5, 3, 2, 'email', 'e5', 'email', 'in', 3, '', 'Refunded already, thanks', ?, 0.02, NULL, ?, ?),
			(6, 4, 2, 'email', 'e6', 'email', 'out', NULL, 'kim', 'We refunded you', ?, 0, NULL, NULL, NULL),
			(7, 4, 2, 'email', 'e7', 'email', 'in', 3, '', 'price: 10€ - not "great" *sigh*', ?, -0.3, NULL, NULL, ?)`,
			[]any{n - 3*hour, n - hour, n - 30*minute, n + hour, n - 2*day, n - 47*hour, n - 47*hour,
				n - 26*hour, n - 25*hour, n - 2*hour, n - hour, n - 10*minute, n + 2*hour}},
		{`INSERT INTO tags (id, name) VALUES (1, 'Billing'), (2, 'vip')`, nil},
		{`INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (1, 1), (3, 1), (2, 2)`, nil},
	}
	for _, s := range stmts {
		if _, err := db.sql.Exec(s.sql, s.args...); err != nil {
			t.Fatalf("fixture: %v\n%s", err, s.sql)
		}
	}
	indexAllText(t, db)
	return db
}

var (
	allMsgs  = []int64{1, 2, 3, 4, 5, 6, 7}
	allConvs = []int64{1, 2, 3, 4}
)

// ids runs a query and returns the ids it selects, checking the compiled SQL first.
func ids(t *testing.T, db *DB, query, where string, args []any) []int64 {
	t.Helper()
	if where == "" {
		t.Fatal("empty WHERE")
	}
	if n := strings.Count(where, "?"); n != len(args) {
		t.Fatalf("%d placeholders, %d args in %s", n, len(args), where)
	}
	rows, err := db.sql.QueryContext(context.Background(), query+" WHERE "+where+" ORDER BY 1", args...)
	if err != nil {
		t.Fatalf("%v\nWHERE %s %q", err, where, args)
	}
	defer rows.Close()
	got := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%v\nWHERE %s %q", err, where, args)
	}
	return got
}

const (
	messageFrom      = `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN contacts ct ON ct.id = m.contact_id`
	conversationFrom = `SELECT c.id FROM conversations c`
)

func messageIDs(t *testing.T, db *DB, c Cond, env Env) []int64 {
	t.Helper()
	where, args := messageWhere(db.d, c, env)
	return ids(t, db, messageFrom, where, args)
}

func conversationIDs(t *testing.T, db *DB, c Cond, env Env) []int64 {
	t.Helper()
	where, args, _ := conversationWhere(db.d, c, env, ftsLookup)
	return ids(t, db, conversationFrom, where, args)
}

func without(all, some []int64) []int64 {
	out := []int64{}
	for _, id := range all {
		if !slices.Contains(some, id) {
			out = append(out, id)
		}
	}
	return out
}

func TestFilterWhere(t *testing.T) { forEngines(t, testFilterWhere) }

func testFilterWhere(t *testing.T, e engine) {
	db := filterDB(t, e)
	env := Env{NowMS: filterNow, Me: "sam"}
	term := func(f Field, v string) Term { return Term{Field: f, Value: v} }
	cmp := func(f Field, op Op, n int64) Term { return Term{Field: f, Op: op, Int: n} }
	midnight := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).UnixMilli()
	ms := func(ids ...int64) []int64 { return append([]int64{}, ids...) }
	tests := []struct {
		name  string
		c     Cond
		msgs  []int64 // MessageWhere
		convs []int64 // ConversationWhere
	}{
		{"nil", nil, allMsgs, allConvs},
		{"empty and", And{}, allMsgs, allConvs},
		{"empty or", Or{}, ms(), ms()},
		{"chan:x", term(FieldChannel, "x"), ms(1, 2, 3, 4), ms(1, 2)},
		{"chan:email", term(FieldChannel, "email"), ms(5, 6, 7), ms(3, 4)},
		{"kind:dm", term(FieldKind, "dm"), ms(3, 4), ms(2)},
		{"dir:out", term(FieldDirection, "out"), ms(4, 6), ms(2, 4)},
		{"state:done", term(FieldState, "done"), ms(5), ms(3)},
		{"tag:billing any case", term(FieldTag, "billing"), ms(1, 2, 5), ms(1, 3)},
		{"tag:VIP", term(FieldTag, "VIP"), ms(3, 4), ms(2)},
		{"tag:none such", term(FieldTag, "nope"), ms(), ms()},
		{"from:@ann", term(FieldFrom, "@ann"), ms(1), ms(1)},
		{"from:@ANN", term(FieldFrom, "@ANN"), ms(1), ms(1)},
		{"from:@bob stored without @", term(FieldFrom, "@bob"), ms(2, 3), ms(1, 2)},
		{"from:@bo is not a prefix", term(FieldFrom, "@bo"), ms(), ms()},
		{"from:@ alone", term(FieldFrom, "@"), ms(), ms()},
		{"from:lee in name", term(FieldFrom, "lee"), ms(1), ms(1)},
		{"from:O'Neil", term(FieldFrom, "O'Neil"), ms(2, 3), ms(1, 2)},
		{"from:_ is literal", term(FieldFrom, "_"), ms(5, 7), ms(3, 4)},
		{"from:100% is literal", term(FieldFrom, "100%"), ms(5, 7), ms(3, 4)},
		{"from:u2 ext id", term(FieldFrom, "u2"), ms(2, 3), ms(1, 2)},
		{"assignee:none", term(FieldAssignee, ""), ms(1, 2, 6, 7), ms(1, 4)},
		{"assignee:kim", term(FieldAssignee, "kim"), ms(5), ms(3)},
		{"is:mine", Term{Field: FieldMine}, ms(3, 4), ms(2)},
		{"agent:sam", term(FieldAgent, "sam"), ms(4), ms(2)},
		{"agent:kim", term(FieldAgent, "kim"), ms(6), ms(4)},
		{"account:acme", term(FieldAccount, "acme"), ms(1, 2, 3, 4), ms(1, 2)},
		{"account:@ACME", term(FieldAccount, "@ACME"), ms(1, 2, 3, 4), ms(1, 2)},
		{"account:support@acme.com", term(FieldAccount, "support@acme.com"), ms(5, 6, 7), ms(3, 4)},
		{"prio:urgent", cmp(FieldPriority, OpEq, 3), ms(3, 4), ms(2)},
		{"prio>=high", cmp(FieldPriority, OpGe, 2), ms(3, 4, 6, 7), ms(2, 4)},
		{"prio>high", cmp(FieldPriority, OpGt, 2), ms(3, 4), ms(2)},
		{"prio<normal", cmp(FieldPriority, OpLt, 1), ms(5), ms(3)},
		{"prio<=normal", cmp(FieldPriority, OpLe, 1), ms(1, 2, 5), ms(1, 3)},
		{"age>2h", cmp(FieldAge, OpGt, 2*hour), ms(1, 3, 4, 5), ms(1, 2, 3)},
		{"age<1h", cmp(FieldAge, OpLt, hour), ms(2, 7), ms(1, 4)},
		{"age<=1h includes exactly 1h", cmp(FieldAge, OpLe, hour), ms(2, 6, 7), ms(1, 4)},
		{"age>=1h includes exactly 1h", cmp(FieldAge, OpGe, hour), ms(1, 3, 4, 5, 6), allConvs},
		{"age>1w", cmp(FieldAge, OpGt, 7*day), ms(), ms()},
		{"before:2026-11-20", cmp(FieldCreated, OpLt, midnight), ms(3, 4, 5), ms(2, 3)},
		{"after:2026-11-20", cmp(FieldCreated, OpGe, midnight), ms(1, 2, 6, 7), ms(1, 4)},
		{"sentiment:neg", term(FieldSentiment, "neg"), ms(1, 7), ms(1, 4)},
		{"sentiment:pos", term(FieldSentiment, "pos"), ms(2), ms(1)},
		{"sentiment:neu", term(FieldSentiment, "neu"), ms(3, 4, 5, 6), ms(2, 3, 4)},
		{"sentiment:bad", term(FieldSentiment, "meh"), ms(), ms()},
		// Message form: this inbound message waits; conversation form: c.unanswered > 0.
		{"is:unanswered", Term{Field: FieldUnanswered}, ms(1, 2, 7), ms(1, 3, 4)},
		// Message 1 is past due; conversation 3 is past due but done.
		{"is:overdue", Term{Field: FieldOverdue}, ms(1), ms(1)},
		{"is:answered", Term{Field: FieldAnswered}, ms(3), ms(2)},
		{"unknown field", Term{Field: 999, Value: "x"}, ms(), ms()},
		{"unknown op", Term{Field: FieldPriority, Op: 99}, ms(), ms()},
		{"sql injection in a value", term(FieldTag, "x' OR 1=1 --"), ms(), ms()},
		{"sql injection in from", term(FieldFrom, "@x' OR '1'='1"), ms(), ms()},

		// Free text.
		{"text word", Text{"refund"}, ms(1), ms(1)},
		{"text any case", Text{"REFUND"}, ms(1), ms(1)},
		{"text prefix", Text{"refund*"}, ms(1, 5, 6), ms(1, 3, 4)},
		{"text words anywhere", Text{"number order"}, ms(3, 4), ms(2)},
		{"text phrase", Text{`"order number"`}, ms(3, 4), ms(2)},
		{"text phrase in order only", Text{`"number order"`}, ms(), ms()},
		{"text phrase prefix", Text{`"order num"*`}, ms(3, 4), ms(2)},
		{"text author", Text{"ann"}, ms(1), ms(1)},
		{"text author handle", Text{"carol"}, ms(5, 7), ms(3, 4)},
		{"text AND is a word", Text{"AND"}, ms(2), ms(1)},
		{"text OR is a word", Text{"refund OR love"}, ms(), ms()},
		{"text NOT is a word", Text{"NOT"}, ms(7), ms(4)},
		{"text NEAR( is a word", Text{"NEAR(refund order)"}, ms(), ms()},
		{"text column filter is a word", Text{"text:refund"}, ms(), ms()},
		{"text caret", Text{"^refund"}, ms(1), ms(1)},
		{"text lone quote", Text{`"`}, allMsgs, allConvs},
		{"text quote inside a word", Text{`gre"at`}, ms(), ms()},
		{"text unclosed phrase", Text{`"order numb`}, ms(), ms()},
		{"text apostrophe", Text{"O'Neil"}, ms(2, 3), ms(1, 2)},
		{"text star alone", Text{"*"}, allMsgs, allConvs},
		{"text stars around", Text{"*sigh*"}, ms(7), ms(4)},
		{"text plus and minus", Text{"+refund -order"}, ms(1), ms(1)},
		{"text emoji", Text{"🎉"}, ms(2), ms(1)},
		{"text dash", Text{"-"}, ms(7), ms(4)},
		{"text symbol next to a number", Text{"10€"}, ms(7), ms(4)},
		{"text empty", Text{""}, allMsgs, allConvs},

		// Combinations.
		{"or", Or{term(FieldChannel, "email"), term(FieldFrom, "@ann")}, ms(1, 5, 6, 7), ms(1, 3, 4)},
		{"and", And{term(FieldChannel, "x"), term(FieldDirection, "in")}, ms(1, 2, 3), ms(1, 2)},
		// Outbound message 4 has no author: it is not from @bob.
		{"not from", And{term(FieldChannel, "x"), Not{term(FieldFrom, "@bob")}}, ms(1, 4), ms(1, 2)},
		{"not state", Not{term(FieldState, "done")}, ms(1, 2, 3, 4, 6, 7), ms(1, 2, 4)},
		{"not text", And{term(FieldChannel, "email"), Not{Text{"refund*"}}}, ms(7), ms(4)},
		// The whole tree is tested per message: @ann never wrote "love" (@bob did).
		{"same message", And{term(FieldFrom, "@ann"), Text{"love"}}, ms(), ms()},
		{"same message matches", And{term(FieldFrom, "@bob"), Text{"order"}}, ms(3), ms(2)},
		{"conversation term beside message term", And{Term{Field: FieldUnanswered}, term(FieldFrom, "@bob")}, ms(2), ms(1)},
		{"nested", And{Or{term(FieldTag, "vip"), term(FieldState, "waiting")}, Not{term(FieldDirection, "out")}}, ms(3, 7), ms(2, 4)},
		{"not not", Not{Not{term(FieldKind, "dm")}}, ms(3, 4), ms(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := messageIDs(t, db, tt.c, env); !reflect.DeepEqual(got, tt.msgs) {
				where, args := MessageWhere(tt.c, env)
				t.Errorf("MessageWhere = %v, want %v\n%s %q", got, tt.msgs, where, args)
			}
			if got := conversationIDs(t, db, tt.c, env); !reflect.DeepEqual(got, tt.convs) {
				where, args := ConversationWhere(tt.c, env)
				t.Errorf("ConversationWhere = %v, want %v\n%s %q", got, tt.convs, where, args)
			}
			// Every expression is two-valued, so NOT is the exact complement, NULL
			// authors and due times included.
			want := without(allMsgs, tt.msgs)
			if got := messageIDs(t, db, Not{tt.c}, env); !reflect.DeepEqual(got, want) {
				t.Errorf("MessageWhere(NOT) = %v, want %v", got, want)
			}
			if !needsMessages(tt.c) {
				want := without(allConvs, tt.convs)
				if got := conversationIDs(t, db, Not{tt.c}, env); !reflect.DeepEqual(got, want) {
					t.Errorf("ConversationWhere(NOT) = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestFilterWhereEnv(t *testing.T) { forEngines(t, testFilterWhereEnv) }

func testFilterWhereEnv(t *testing.T, e engine) {
	db := filterDB(t, e)
	mine := Term{Field: FieldMine}
	for _, tt := range []struct {
		env   Env
		convs []int64
	}{
		{Env{NowMS: filterNow, Me: "kim"}, []int64{3}},
		{Env{NowMS: filterNow, Me: "nobody"}, []int64{}},
		{Env{NowMS: filterNow}, []int64{}}, // no identity: is:mine is not "unassigned"
	} {
		if got := conversationIDs(t, db, mine, tt.env); !reflect.DeepEqual(got, tt.convs) {
			t.Errorf("is:mine with Me=%q = %v, want %v", tt.env.Me, got, tt.convs)
		}
	}
	// Age and overdue move with Env.NowMS.
	later := Env{NowMS: filterNow + 2*hour}
	if got := messageIDs(t, db, Term{Field: FieldOverdue}, later); !reflect.DeepEqual(got, []int64{1, 2}) {
		t.Errorf("is:overdue two hours later = %v, want [1 2]", got)
	}
	if got := conversationIDs(t, db, Term{Field: FieldOverdue}, Env{NowMS: filterNow + 3*hour}); !reflect.DeepEqual(got, []int64{1, 4}) {
		t.Errorf("conversations overdue three hours later = %v, want [1 4]", got)
	}
	if got := messageIDs(t, db, Term{Field: FieldAge, Op: OpGt, Int: 2*hour + 15*minute}, later); !reflect.DeepEqual(got, []int64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("age>2h15m two hours later = %v", got)
	}
}

func TestFilterWhereSQL(t *testing.T) {
	env := Env{NowMS: filterNow, Me: "sam"}
	evil := "x' OR 1=1 --"
	c := And{Term{Field: FieldTag, Value: evil}, Text{evil}, Term{Field: FieldFrom, Value: evil}}
	for _, f := range []func(Cond, Env) (string, []any){MessageWhere, ConversationWhere} {
		where, args := f(c, env)
		if strings.Contains(where, "OR 1=1") || strings.Contains(where, "x'") {
			t.Errorf("value spliced into SQL: %s", where)
		}
		if strings.Count(where, "?") != len(args) {
			t.Errorf("%d placeholders for %d args: %s", strings.Count(where, "?"), len(args), where)
		}
	}
	// Conversation-level trees need no messages; message terms and text do.
	if where, _ := ConversationWhere(And{Term{Field: FieldState, Value: "new"}, Term{Field: FieldUnanswered}}, env); strings.Contains(where, "messages") {
		t.Errorf("conversation-level tree joins messages: %s", where)
	}
	if where, _ := ConversationWhere(Not{Text{"x"}}, env); !strings.HasPrefix(where, "(EXISTS (SELECT 1 FROM messages m") {
		t.Errorf("text tree not wrapped in EXISTS: %s", where)
	}
	// A top-level AND keeps its conversation terms outside the EXISTS.
	where, args := ConversationWhere(And{Text{"x"}, Term{Field: FieldState, Value: "open"}, Term{Field: FieldKind, Value: "dm"}}, env)
	// Its words narrow the conversations through the full-text index first.
	if want := "((c.state = ?) AND c.id IN (SELECT rowid >> 32 FROM messages_fts WHERE messages_fts MATCH ?) AND EXISTS (SELECT 1 FROM messages m LEFT JOIN contacts ct ON ct.id = m.contact_id WHERE m.conversation_id = c.id AND ((m.id IN (SELECT rowid & 4294967295 FROM messages_fts WHERE messages_fts MATCH ?)) AND (m.kind = ?))))"; where != want {
		t.Errorf("ConversationWhere =\n%s\nwant\n%s", where, want)
	}
	if !reflect.DeepEqual(args, []any{"open", `"x"`, `"x"`, "dm"}) {
		t.Errorf("args = %q", args)
	}
	if where, _ := MessageWhere(nil, env); where != "TRUE" {
		t.Errorf("MessageWhere(nil) = %q, want TRUE", where)
	}
}

func TestFilterFTSQuery(t *testing.T) {
	for _, tt := range []struct{ in, fts string }{
		{"refund", `"refund"`},
		{"refund order", `"refund" AND "order"`},
		{"refu*", `"refu"*`},
		{`"order number" ref*`, `"order number" AND "ref"*`},
		{`"order number"*`, `"order number"*`},
		{`say "hi`, `"say" AND "hi"`},
		{`a"b`, `"a" AND "b"`},
		{`NEAR(a b) OR c`, `"NEAR(a" AND "b)" AND "OR" AND "c"`},
		{`x:y ^z -w +v`, `"x:y" AND "^z" AND "-w" AND "+v"`},
	} {
		where, args := MessageWhere(Text{tt.in}, Env{})
		if len(args) != 1 || args[0] != tt.fts {
			t.Errorf("Text{%q}: args %q, want [%q]\n%s", tt.in, args, tt.fts, where)
		}
	}
}

func TestFilterString(t *testing.T) {
	midnight := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, tt := range []struct {
		c    Cond
		want string
	}{
		{Term{Field: FieldChannel, Value: "x"}, "chan:x"},
		{Term{Field: FieldTag, Value: "needs reply"}, `tag:"needs reply"`},
		{Term{Field: FieldAssignee}, "assignee:none"},
		{Term{Field: FieldMine}, "is:mine"},
		{Term{Field: FieldPriority, Op: OpGe, Int: 2}, "prio>=high"},
		{Term{Field: FieldAge, Op: OpLt, Int: 90 * minute}, "age<1h30m"},
		{Term{Field: FieldCreated, Op: OpLt, Int: midnight}, "before:2026-11-20"},
		{Term{Field: FieldCreated, Op: OpGe, Int: midnight + 90*minute}, "after:2026-11-20T01:30:00Z"},
		{Not{Term{Field: FieldState, Value: "done"}}, "-state:done"},
		{Not{Text{"refund order"}}, "-(refund order)"},
		{Not{Text{`"order number"`}}, `-"order number"`},
		{And{Text{"refund"}, Or{Term{Field: FieldKind, Value: "dm"}, Term{Field: FieldTag, Value: "vip"}}}, "refund (kind:dm OR tag:vip)"},
		{Or{And{Term{Field: FieldKind, Value: "dm"}, Term{Field: FieldTag, Value: "vip"}}, Text{"x"}}, "kind:dm tag:vip OR x"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func ExampleMessageWhere() {
	where, args := MessageWhere(And{Term{Field: FieldTag, Value: "vip"}, Not{Text{"refund"}}}, Env{})
	fmt.Println(where)
	fmt.Println(args)
	// Output:
	// (EXISTS (SELECT 1 FROM conversation_tags t JOIN tags g ON g.id = t.tag_id WHERE t.conversation_id = c.id AND g.name = ?) AND NOT (m.id IN (SELECT rowid & 4294967295 FROM messages_fts WHERE messages_fts MATCH ?)))
	// [vip "refund"]
}

// FuzzFilterText checks that no free text, however odd, makes an SQL or FTS5 error.
func FuzzFilterText(f *testing.F) {
	for _, s := range []string{`"`, `a"b"*c`, `NEAR(a b, 2)`, `x:y OR NOT z AND ^w`, `*`, `"*"*`, `'); DROP TABLE messages; --`, "\x00", "\x000", "é🎉"} {
		f.Add(s)
	}
	db := filterDB(f, onSQLite)
	f.Fuzz(func(t *testing.T, s string) {
		messageIDs(t, db, Text{s}, Env{})
		conversationIDs(t, db, Not{Text{s}}, Env{})
		// Every way a search may use the index compiles and agrees (see fts_plan.go).
		for _, c := range []Cond{Text{s}, And{Text{s}, Term{Field: FieldKind, Value: "dm"}}} {
			r := QueueRequest{Filter: c, Limit: 2}
			lookup, probe := pagesOf(t, db, r, ftsLookup, false), pagesOf(t, db, r, ftsProbe, false)
			if !slices.Equal(lookup, probe) {
				t.Fatalf("%q: pages %v looked up, %v walked", s, lookup, probe)
			}
			n, err := db.QueueCount(context.Background(), nil, c, Env{}, 1000)
			if err != nil || n != len(lookup) {
				t.Fatalf("%q: count up to 1000 = %d, %v; pages hold %d", s, n, err, len(lookup))
			}
		}
	})
}
