package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/demo"
	"github.com/triage-inbox/triage/inbox"
)

// outOfOrder is a small inbox whose replies come before what they answer, threaded by
// in_reply_to alone. In order it is: q1 10:00, answered by maria's r1 10:30; q2 11:00,
// whose reply r2 11:20 failed (answers nothing); q3 12:00, the customer's answer to r1,
// answered by sam's r3 12:10; q4 13:00, a reply to a message that never comes.
var outOfOrder = []string{
	line("r1", "", "out", "on its way", "10:30", `"in_reply_to":"q1"`, `"agent":"maria"`),
	line("q1", "", "in", "where is my order", "10:00"),
	line("r2", "", "out", "refund sent", "11:20", `"in_reply_to":"q2"`, `"agent":"maria"`, `"status":"failed"`),
	line("q2", "", "in", "refund please", "11:00"),
	line("r3", "", "out", "tomorrow before noon", "12:10", `"in_reply_to":"q3"`, `"agent":"sam"`),
	line("q3", "", "in", "thanks, when exactly?", "12:00", `"in_reply_to":"r1"`),
	line("q4", "", "in", "same question here", "13:00", `"in_reply_to":"ghost"`),
}

// importLines imports lines into db, each group of lines as one `triage import`.
func importLines(t *testing.T, db string, groups ...[]string) {
	t.Helper()
	for _, g := range groups {
		if _, stderr, err := triage(t, db, strings.Join(g, ""), "import", "-"); err != nil {
			t.Fatalf("import: %v\n%s", err, stderr)
		}
	}
}

// A reply listed before the message it answers ends up in that message's conversation
// and answers it, whatever the order of the lines and however they come in: in one
// import into an empty inbox (a bulk load), into an inbox with messages (a batch), or a
// line an import (one message a transaction).
func TestRepliesBeforeTheirParentsAnswerThem(t *testing.T) {
	window := []string{"--since", "2026-11-20T00:00:00Z"}
	check := func(t *testing.T, db string) {
		t.Helper()
		st := statsJSON(t, db, append(window, "--by", "agent")...)
		// q1 answered in 30 min by maria, q3 in 10 min by sam; q2 (its reply failed) and
		// q4 wait, unassigned.
		if st.Inbound != 4 || st.Answered != 2 || st.Unanswered != 2 || st.groups() != "(unassigned):2/0/2/0 maria:1/1/0/0 sam:1/1/0/0" {
			t.Errorf("inbound %d answered %d unanswered %d, by agent %s; want 4 2 2, (unassigned):2/0/2/0 maria:1/1/0/0 sam:1/1/0/0",
				st.Inbound, st.Answered, st.Unanswered, st.groups())
		}
		out, _, err := triage(t, db, "", "stats", "--json", "--since", "2026-11-20T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		var frt struct {
			FRT struct{ Mean, Median, Max float64 } `json:"first_response_seconds"`
		}
		if err := json.Unmarshal([]byte(out), &frt); err != nil || frt.FRT.Mean != 1200 || frt.FRT.Median != 1200 || frt.FRT.Max != 1800 {
			t.Errorf("first response times %+v (%v), want mean and median 1200 s, max 1800 s", frt.FRT, err)
		}
		exp, _, err := triage(t, db, "", "export")
		if err != nil {
			t.Fatal(err)
		}
		convs := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(exp), "\n") {
			var r struct{ ID, Conversation string }
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			convs[r.ID] = r.Conversation
		}
		// q4 still waits for its parent: exported without a conversation so that it waits
		// again wherever it is imported.
		want := map[string]string{"q1": "msg:q1", "r1": "msg:q1", "q3": "msg:q1", "r3": "msg:q1", "q2": "msg:q2", "r2": "msg:q2", "q4": ""}
		if !reflect.DeepEqual(convs, want) {
			t.Errorf("conversations %v, want %v", convs, want)
		}
	}
	r := rand.New(rand.NewPCG(4, 2))
	orders := [][]string{outOfOrder}
	for range 4 {
		o := append([]string(nil), outOfOrder...)
		r.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
		orders = append(orders, o)
	}
	for i, o := range orders {
		t.Run(fmt.Sprint("order ", i), func(t *testing.T) {
			bulk := filepath.Join(t.TempDir(), "bulk.db")
			importLines(t, bulk, o)
			check(t, bulk)

			batch := filepath.Join(t.TempDir(), "batch.db")
			importLines(t, batch, []string{line("z1", "other", "in", "unrelated", "01:00")}, o)
			st := statsJSON(t, batch, "--since", "2026-11-20T02:00:00Z")
			if st.Inbound != 4 || st.Answered != 2 {
				t.Errorf("into an inbox with messages: inbound %d answered %d, want 4 and 2", st.Inbound, st.Answered)
			}

			each := filepath.Join(t.TempDir(), "each.db")
			var one [][]string
			for _, l := range o {
				one = append(one, []string{l})
			}
			importLines(t, each, one...)
			check(t, each)
		})
	}
}

// statsAll is `triage stats --json` for several windows, every grouping and a query.
func statsAll(t *testing.T, db string, extra ...string) string {
	t.Helper()
	var b strings.Builder
	for _, w := range [][]string{{"--since", "1d"}, {"--since", "7d"}, {"--since", "14d"}, {"--since", "30d"},
		{"--since", "10d", "--until", "3d"}, {"--since", "2026-11-20T00:00:00Z", "--until", "2026-11-20T12:00:00Z"}} {
		for _, by := range append([]string{""}, inbox.GroupKeys...) {
			for _, q := range []string{"", "is:unanswered"} {
				args := append(append([]string{"stats", "--json"}, w...), extra...)
				if by != "" {
					args = append(args, "--by", by)
				}
				if q != "" {
					if by != "" && by != "channel" {
						continue
					}
					args = append(args, "--query", q)
				}
				out, stderr, err := triage(t, db, "", args...)
				if err != nil {
					t.Fatalf("%v: %v\n%s", args, err, stderr)
				}
				fmt.Fprintf(&b, "%v\n%s", args, out)
			}
		}
	}
	return b.String()
}

// exportImport exports db and imports it into a new, empty database, which it returns.
func exportImport(t *testing.T, db string, extra ...string) (string, string) {
	t.Helper()
	exp, stderr, err := triage(t, db, "", append([]string{"export"}, extra...)...)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	moved := filepath.Join(t.TempDir(), "moved.db")
	if _, stderr, err := triage(t, moved, exp, append(append([]string{"import"}, extra...), "-")...); err != nil {
		t.Fatalf("import of the export: %v\n%s", err, stderr)
	}
	return moved, exp
}

// An inbox exported and imported into an empty database gives the same figures for any
// window, grouping and query, and exports the same again; importing the export once more
// changes nothing. On the demo inbox (states, tags, assignees, escalations, notes, spam,
// snoozes, closed without reply, under the demo brand's rules and targets) and on a
// hand-made one built from lines out of order, with a failed reply and people's actions.
func TestExportImportKeepsEveryFigure(t *testing.T) {
	cfg := writeFile(t, "demo.toml", demo.ConfigTOML())
	t.Run("demo", func(t *testing.T) {
		a := filepath.Join(t.TempDir(), "demo.db")
		if _, stderr, err := triage(t, a, "", "demo"); err != nil {
			t.Fatalf("demo: %v\n%s", err, stderr)
		}
		roundTrip(t, a, "--config", cfg)
	})
	t.Run("out of order", func(t *testing.T) {
		a := filepath.Join(t.TempDir(), "a.db")
		importLines(t, a, outOfOrder)
		withInbox(t, a, "maria", at("14:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
			if err := s.Assign(ctx, "sam", conv("msg:q2")); err != nil {
				return err
			}
			if err := s.Escalate(ctx, inbox.EscalateRequest{Reason: "refund", Note: "twice charged"}, conv("msg:q2")); err != nil {
				return err
			}
			if err := s.AddNote(ctx, conv("msg:q1"), "asked the courier"); err != nil {
				return err
			}
			if err := s.Tag(ctx, "shipping", conv("msg:q1")); err != nil {
				return err
			}
			return s.Done(ctx, conv("msg:q4"))
		})
		roundTrip(t, a)
	})
}

func roundTrip(t *testing.T, a string, extra ...string) {
	t.Helper()
	b, exported := exportImport(t, a, extra...)
	if got, want := statsAll(t, b, extra...), statsAll(t, a, extra...); got != want {
		t.Errorf("figures differ after export and import:\n%s", firstLineDiff(got, want))
	}
	again, _, err := triage(t, b, "", append([]string{"export"}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	if again != exported {
		t.Errorf("the imported inbox exports differently:\n%s", firstLineDiff(again, exported))
	}
	out, _, err := triage(t, b, exported, append(append([]string{"import"}, extra...), "-")...)
	if err != nil || !strings.Contains(out, " 0 new") {
		t.Errorf("importing the export again: %q, %v; want 0 new", out, err)
	}
}

func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			ctx := ""
			if i > 0 {
				ctx = w[i-1] + "\n"
			}
			return fmt.Sprintf("line %d after\n%s got: %s\nwant: %s", i+1, ctx, gl, wl)
		}
	}
	return "(same)"
}

// What export adds is checked like the rest of a line: a bad value names the line and
// the field, exits 1, and nothing is imported.
func TestImportRejectsBadExportFields(t *testing.T) {
	for _, c := range []struct{ bad, want string }{
		{line("r1", "a", "out", "hi", "10:05", `"status":"lost"`), `field "status": "lost": want pending, sending, sent, failed, unknown, cancelled, awaiting_approval or returned`},
		{line("q2", "a", "in", "again", "10:05", `"status":"sent"`), `field "status": an outbox status is for outbound messages`},
		{line("q2", "a", "in", "again", "10:05", `"state":"archived"`), `field "state": unknown state "archived"`},
		{line("q2", "a", "in", "again", "10:05", `"state":"snoozed"`), `field "snoozed_until": required with "state":"snoozed"`},
		{line("q2", "a", "in", "again", "10:05", `"notes":[{"agent":"ana","text":"call back","created_at":"yesterday"}]`),
			`field "notes[0].created_at": "yesterday" is not an RFC 3339 time`},
		{line("q2", "a", "in", "again", "10:05", `"escalations":[{"reason":"refund","status":"maybe","created_at":"2026-11-20T10:00:00Z"}]`),
			`field "escalations[0].status": "maybe": want open, resolved or cancelled`},
		{line("r1", "a", "out", "hi", "10:05", `"closed_at":"2026-11-20T10:00:00Z"`),
			`field "direction": closed_at, priority, spam and sentiment are for inbound messages`},
		{line("q2", "a", "in", "again", "10:05", `"priority":"asap"`), `field "priority": unknown priority "asap"`},
	} {
		db := filepath.Join(t.TempDir(), "t.db")
		file := writeFile(t, "in.jsonl", line("q1", "a", "in", "hello", "10:00")+c.bad)
		_, stderr, err := triage(t, db, "", "import", file)
		if ee, ok := err.(*exitError); !ok || ee.code != 1 {
			t.Errorf("%s: err %v, want exit 1", c.bad, err)
		}
		if want := file + ":2: " + c.want; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
		if n := messageCount(t, db); n != 0 {
			t.Errorf("%s: %d messages stored, want none", c.bad, n)
		}
	}
}
