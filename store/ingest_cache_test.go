package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The cache works out answer links and queue columns in Go for conversations created in
// the transaction; the queries do it for the others. Both must give the same inbox: the
// same random streams (replies before questions, equal times, spam, brand-started threads,
// duplicates, reopenings) are stored in one transaction, one transaction per message, and
// in a few transactions with replies and closes between them, and every column a person
// sees must agree.
func TestIngestCacheAgreesWithQueries(t *testing.T) { forEngines(t, testIngestCacheAgreesWithQueries) }

func testIngestCacheAgreesWithQueries(t *testing.T, e engine) {
	for seed := uint64(1); seed <= seeds(e, 12); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			msgs := randomStream(seed, 300)
			one := openOn(t, e)
			ingestAll(t, one, msgs, len(msgs))
			each := openOn(t, e)
			ingestAll(t, each, msgs, 1)
			some := openOn(t, e)
			ingestAll(t, some, msgs, 37)
			bulk := openOn(t, e)
			ingestBulk(t, bulk, msgs, -1)
			direct := openOn(t, e)
			ingestBulk(t, direct, msgs, len(msgs)/3)

			want := dumpInbox(t, each)
			if strings.Count(want, "ans=0") == strings.Count(want, "msg ") {
				t.Fatal("the stream answers nothing; the test would prove nothing")
			}
			for name, db := range map[string]*DB{"one transaction": one, "batches of 37": some,
				"bulk load": bulk, "bulk load gone direct": direct} {
				if got := dumpInbox(t, db); got != want {
					t.Errorf("%s differs from one transaction per message:\n%s", name, firstDiff(got, want))
				}
			}
		})
	}
}

// An action in the same transaction as ingest (here a close) makes the cache forget, and
// what follows still agrees with the queries.
func TestIngestCacheForgetsAfterAction(t *testing.T) {
	forEngines(t, testIngestCacheForgetsAfterAction)
}

func testIngestCacheForgetsAfterAction(t *testing.T, e engine) {
	msgs := randomStream(99, 120)
	ctx := context.Background()
	run := func(db *DB, split bool) {
		t.Helper()
		body := func(tx *Tx, part []NewMessage) error {
			for _, m := range part {
				if _, err := tx.Ingest(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}
		half := len(msgs) / 2
		if split {
			must(t, db.Tx(ctx, func(tx *Tx) error { return body(tx, msgs[:half]) }))
			must(t, db.Tx(ctx, func(tx *Tx) error { return closeAll(ctx, tx) }))
			must(t, db.Tx(ctx, func(tx *Tx) error { return body(tx, msgs[half:]) }))
			return
		}
		must(t, db.Tx(ctx, func(tx *Tx) error {
			if err := body(tx, msgs[:half]); err != nil {
				return err
			}
			if err := closeAll(ctx, tx); err != nil {
				return err
			}
			return body(tx, msgs[half:])
		}))
	}
	a, b := openOn(t, e), openOn(t, e)
	run(a, false)
	run(b, true)
	if got, want := dumpInbox(t, a), dumpInbox(t, b); got != want {
		t.Errorf("close inside the ingest transaction differs:\n%s", firstDiff(got, want))
	}
}

func closeAll(ctx context.Context, tx *Tx) error {
	for id := int64(1); id <= 3; id++ {
		if _, err := tx.CloseUnanswered(ctx, id, 1_000_500); err != nil {
			return err
		}
		if err := tx.SetState(ctx, id, "done", 0); err != nil {
			return err
		}
	}
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// randomStream is n messages over a handful of conversations, times mostly rising but
// sometimes earlier than what came before or equal to it.
func randomStream(seed uint64, n int) []NewMessage {
	r := rand.New(rand.NewPCG(seed, 7))
	at := int64(1_000_000)
	var out []NewMessage
	for i := range n {
		at += int64(r.IntN(40)) - 8
		if r.IntN(10) == 0 {
			at -= 100 // a message that arrives late
		}
		m := NewMessage{
			Channel: "x", Account: "brand", ExtID: fmt.Sprint("m", i),
			ConvKey: fmt.Sprint("c", r.IntN(6)), Kind: "comment", Direction: "in",
			Text: fmt.Sprint("text ", i), CreatedAt: at, Priority: 1,
		}
		if r.IntN(20) == 0 && i > 0 {
			m.ExtID = out[r.IntN(len(out))].ExtID // a duplicate: changes nothing
		}
		switch {
		case r.IntN(3) == 0:
			m.Direction, m.Agent = "out", "ana"
		default:
			a := r.IntN(5)
			m.AuthorID, m.AuthorHandle, m.AuthorName = fmt.Sprint("u", a), fmt.Sprint("h", a), fmt.Sprint("Name ", r.IntN(2), a)
			m.Spam = r.IntN(12) == 0
			m.Priority = r.IntN(4)
			if r.IntN(4) > 0 {
				m.DueAt = at + int64(r.IntN(500))
			}
		}
		out = append(out, m)
	}
	return out
}

func ingestAll(t *testing.T, db *DB, msgs []NewMessage, per int) {
	t.Helper()
	ctx := context.Background()
	for len(msgs) > 0 {
		n := min(per, len(msgs))
		must(t, db.Tx(ctx, func(tx *Tx) error {
			for _, m := range msgs[:n] {
				if _, err := tx.Ingest(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}))
		msgs = msgs[n:]
	}
}

// ingestBulk ingests msgs in one bulk-load transaction, with a window small enough that
// some answers come after their question was written. From message direct on (if not
// negative) it goes on as after a hash collision.
func ingestBulk(t *testing.T, db *DB, msgs []NewMessage, direct int) {
	t.Helper()
	ctx := context.Background()
	before, stats := bulkIndexes(t, db), bulkPlannerStats(t, db)
	defer func(w int) { bulkWindow = w }(bulkWindow)
	bulkWindow = 8
	must(t, db.Tx(ctx, func(tx *Tx) error {
		on, err := tx.BulkLoad(ctx)
		if err != nil || !on {
			return fmt.Errorf("bulk load on an empty inbox: %v %v", on, err)
		}
		for i, m := range msgs {
			if i == direct {
				if err := tx.goDirect(ctx); err != nil {
					return err
				}
			}
			if _, err := tx.Ingest(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	if n := bulkIndexes(t, db); n != before || n < 12 {
		t.Errorf("after a bulk load %d secondary indexes on messages and conversations, want the %d there were", n, before)
	}
	if got := bulkPlannerStats(t, db); got != stats || !strings.Contains(got, "msg_created") {
		t.Errorf("a bulk load changed the planner statistics:\n%s\nwant\n%s", got, stats)
	}
	if fk := foreignKeyViolations(t, db); fk != 0 {
		t.Errorf("%d foreign key violations after a bulk load", fk)
	}
}

// dumpInbox prints every column ingest sets, by channel ids rather than row ids.
func dumpInbox(t *testing.T, db *DB) string {
	t.Helper()
	return queryLines(t, db,
		`SELECT 'msg ' || m.ext_id || ' conv=' || c.ext_key || ' ans=' || coalesce(a.ext_id, '0') || '@' || coalesce(m.answered_at, 0)
			|| ' closed=' || coalesce(m.closed_at, 0) || ' contact=' || coalesce(k.ext_id, '') || ' due=' || coalesce(m.due_at, 0)
			FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN messages a ON a.id = m.answered_by
			LEFT JOIN contacts k ON k.id = m.contact_id ORDER BY m.ext_id`,
		`SELECT 'conv ' || c.ext_key || ' state=' || c.state || ' prio=' || c.priority || ' unanswered=' || c.unanswered
			|| ' due=' || c.due_at || ' since=' || c.since_at || ' last=' || c.last_at || ' lastin=' || coalesce(l.ext_id, '')
			|| ' contact=' || coalesce(k.ext_id, '') || '/' || coalesce(k.handle, '') || '/' || coalesce(k.name, '')
			FROM conversations c LEFT JOIN messages l ON l.id = c.last_inbound_id LEFT JOIN contacts k ON k.id = c.contact_id
			ORDER BY c.ext_key`,
		`SELECT 'audit ' || c.ext_key || ' ' || e.action || ' ' || e.from_value || '>' || e.to_value || ' at=' || e.at
			FROM audit e JOIN conversations c ON c.id = e.conversation_id ORDER BY e.id`,
	)
}

// queryLines runs queries that each give one text column and joins their rows, a line
// each: a dump of the inbox to compare whole.
func queryLines(t *testing.T, db *DB, queries ...string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.sql.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		rows.Close()
	}
	return b.String()
}

func firstDiff(got, want string) string {
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
			return fmt.Sprintf("line %d\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "(same lines)"
}

// A reply that names its parent joins the parent's conversation: in a bulk load the
// parent may still wait in the window, or be written already, or be unknown.
func TestSQLiteBulkLoadFindsParents(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	defer func(w int) { bulkWindow = w }(bulkWindow)
	bulkWindow = 8
	msgs := randomStream(5, 40)
	must(t, db.Tx(ctx, func(tx *Tx) error {
		if on, err := tx.BulkLoad(ctx); err != nil || !on {
			return fmt.Errorf("bulk load: %v %v", on, err)
		}
		for i, m := range msgs {
			if _, err := tx.Ingest(ctx, m); err != nil {
				return err
			}
			for _, back := range []int{0, 20} { // in the window, and long written
				if i < back {
					continue
				}
				p := msgs[i-back]
				key, err := tx.ConversationKeyOf(ctx, p.Channel, p.Account, p.ExtID)
				if err != nil {
					return err
				}
				if want := firstKey(msgs, p.ExtID); key != want {
					t.Errorf("message %d: parent %s found in %q, want %q", i, p.ExtID, key, want)
				}
			}
		}
		for _, q := range [][3]string{{"x", "brand", "nope"}, {"x", "other", "m1"}, {"mastodon", "brand", "m1"}} {
			if key, err := tx.ConversationKeyOf(ctx, q[0], q[1], q[2]); err != nil || key != "" {
				t.Errorf("unknown parent %v: %q %v", q, key, err)
			}
		}
		return nil
	}))
}

// firstKey is the conversation of the first message with that id (later ones are
// duplicates and change nothing).
func firstKey(msgs []NewMessage, extID string) string {
	for _, m := range msgs {
		if m.ExtID == extID {
			return m.ConvKey
		}
	}
	return ""
}

// plannerStats lists sqlite_stat1, a row a line.
func plannerStats(t *testing.T, db *DB) string {
	t.Helper()
	var out string
	must(t, db.sql.QueryRow(`SELECT coalesce(group_concat(tbl || ' ' || idx || ' ' || stat, char(10)), '')
		FROM (SELECT * FROM sqlite_stat1 ORDER BY tbl, idx)`).Scan(&out))
	return out
}
