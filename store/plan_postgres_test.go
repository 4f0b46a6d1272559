package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestPostgresQueryPlansUseIndexes is TestSQLiteQueryPlansUseIndexes on PostgreSQL: on an
// inbox of a few thousand conversations with its statistics (ANALYZE), the queue's pages
// walk the queue's index from the key on, with no Sort of the view and no Seq Scan of
// conversations, and a search finds its conversations through the GIN index of their
// words (rare words) or fts_words (common words, and counts).
func TestPostgresQueryPlansUseIndexes(t *testing.T) {
	db := openOn(t, onPostgres)
	planInbox(t, db, 4000)
	key := QueueKey{PrioRank: -1, DueAt: 100, SinceAt: 50, ID: 7}
	walks := regexp.MustCompile(`Index (Only )?Scan (Backward )?using (\w+) on conversations`)
	sorts := regexp.MustCompile(`(?m)^\s*(->\s*)?(Incremental )?Sort `)
	for _, c := range []struct {
		name  string
		req   QueueRequest
		index string
	}{
		{"inbox first page", QueueRequest{States: []string{"new", "open"}, Limit: 50}, "conv_queue_action"},
		{"inbox deep page", QueueRequest{States: []string{"new", "open"}, After: &key, Limit: 50}, "conv_queue_action"},
		{"inbox page up", QueueRequest{States: []string{"new", "open"}, Before: &key, Limit: 50}, "conv_queue_action"},
		{"one state", QueueRequest{States: []string{"waiting"}, After: &key, Limit: 50}, "conv_queue_state"},
		{"all first page", QueueRequest{Limit: 50}, "conv_queue_all"},
		{"all", QueueRequest{After: &key, Limit: 50}, "conv_queue_all"},
	} {
		q, args, _ := pageQuery(db.d, c.req, ftsLookup)
		plan := pgExplain(t, db, q, args...)
		m := walks.FindStringSubmatch(plan)
		if m == nil || m[3] != c.index {
			t.Errorf("%s: plan does not walk %s:\n%s", c.name, c.index, plan)
		}
		if strings.Contains(plan, "Seq Scan on conversations") || sorts.MatchString(plan) {
			t.Errorf("%s: plan reads the whole view or sorts it:\n%s", c.name, plan)
		}
		// A page after (or before) a key starts at the key in the index: page 10,000
		// costs what page 1 costs.
		if (c.req.After != nil || c.req.Before != nil) && !regexp.MustCompile(`Index Cond: .*prio_rank, .*due_at, .*since_at`).MatchString(plan) {
			t.Errorf("%s: keyset is not part of the index search:\n%s", c.name, plan)
		}
	}

	// A search of words few messages have looks their messages up through the GIN index
	// of the words (ftsLookup). One of common words (ftsProbe) walks the view's index and
	// looks each conversation up in fts_words (migration 15), by its index alone, then
	// into the conversation's own keys of messages_fts for the words in one message: never
	// the GIN index, which lists every match, and never a list of every match compared
	// with each conversation (PostgreSQL underestimates a phrase's matches and chose that,
	// 8 s for "where is my" at a million messages).
	for _, text := range []string{"rare", "refund", "where is my*"} {
		q, args, _ := pageQuery(db.d, QueueRequest{Filter: Text{Query: text}, Limit: 50}, ftsLookup)
		plan := pgExplain(t, db, q, args...)
		if !strings.Contains(plan, "Bitmap Index Scan on messages_fts_tsv") || strings.Contains(plan, "Seq Scan on messages_fts") {
			t.Errorf("search %q looking up its matches does not use the GIN index of the words:\n%s", text, plan)
		}
		for _, states := range [][]string{nil, {"new", "open"}} {
			q, args, _ = pageQuery(db.d, QueueRequest{States: states, Filter: Text{Query: text}, Limit: 50}, ftsProbe)
			plan = pgExplain(t, db, q, args...)
			m := walks.FindStringSubmatch(plan)
			if m == nil || !strings.HasPrefix(m[3], "conv_queue_") || !strings.Contains(plan, "Index Only Scan using fts_words_pkey on fts_words") ||
				strings.Contains(plan, "messages_fts_tsv") || strings.Contains(plan, "Materialize") || strings.Contains(plan, "Seq Scan") || sorts.MatchString(plan) {
				t.Errorf("search %q in %v probing each conversation does not walk the view and look into fts_words:\n%s", text, states, plan)
			}
			if strings.Contains(text, " ") && !strings.Contains(plan, "Index Scan using messages_fts_pkey on messages_fts") {
				t.Errorf("search %q in %v does not read a conversation's messages for words in one message:\n%s", text, states, plan)
			}
		}
		// A count up to a limit reads the conversations of the rarest word from
		// fts_words's index in order, one after another, and stops at the limit: no Sort,
		// no list made distinct at once (HashAggregate, Unique), no Seq Scan; in a view,
		// each conversation is looked up by its key. The GIN index is only there for a
		// search of prefixes of too many words (a plan of no words) or a count the plan leaves
		// to it (gin), tested first.
		for _, states := range [][]string{nil, {"new", "open"}} {
			q, args := countQuery(db.d, states, Text{Query: text}, Env{}, 1001)
			plan := pgExplain(t, db, q, args...)
			if !regexp.MustCompile(`Index Only Scan using fts_words_pkey on fts_words z\s`).MatchString(plan) ||
				strings.Contains(plan, "Seq Scan") || regexp.MustCompile(`Hash (Anti |Semi )?Join|Merge`).MatchString(plan) ||
				!onlyFallbackGathers(plan) || !regexp.MustCompile(`CTE Scan on tp .*\n\s*Filter: \(\(words IS NULL\) OR gin\)\n.*\n(.*\n){0,3}.*messages_fts\.rowid >> 32`).MatchString(plan) {
				t.Errorf("count of %q in %v does not stream fts_words in order:\n%s", text, states, plan)
			}
			if states != nil && !strings.Contains(plan, "using conversations_pkey on conversations") {
				t.Errorf("count of %q in %v does not look its candidates up by key:\n%s", text, states, plan)
			}
		}
	}

	// Statistics read messages by time through msg_created, not the whole table.
	for _, w := range []Window{{SinceMS: 0, UntilMS: 1}, {SinceMS: 0, UntilMS: 1, WithAgent: true}} {
		q, args := statsQuery(db.d, w)
		plan := pgExplain(t, db, q, args...)
		if !strings.Contains(plan, "msg_created") || strings.Contains(plan, "Seq Scan on messages") {
			t.Errorf("stats plan (%+v) does not read msg_created by time:\n%s", w, plan)
		}
	}
	thread := pgExplain(t, db, `SELECT id FROM messages m WHERE m.conversation_id = ? AND (m.created_at, m.id) < (?, ?)
		ORDER BY m.created_at DESC, m.id DESC LIMIT 50`, 1, int64(1)<<50, 0) // the latest page of conversation 1
	if !strings.Contains(thread, "msg_conv") || strings.Contains(thread, "Seq Scan on messages") {
		t.Errorf("thread page plan:\n%s", thread)
	}
}

// onlyFallbackGathers reports whether every node of plan that reads all its input before
// giving a row (Sort, Unique over it, HashAggregate) is the GIN index's branch of a count,
// which makes its matches' conversations distinct, and not the stream of fts_words.
func onlyFallbackGathers(plan string) bool {
	lines := strings.Split(plan, "\n")
	for i, l := range lines {
		if !regexp.MustCompile(`(Sort|Unique|HashAggregate)  \(`).MatchString(l) {
			continue
		}
		ok := false
		for _, next := range lines[i+1 : min(i+10, len(lines))] { // past its InitPlans
			if strings.Contains(next, "messages_fts.rowid >> 32") {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// planInbox fills db with n conversations of one or two messages, most in the queue, a
// few words common ("refund" in one in 14, "where is my" in one in 9) and one rare, then
// gives the planner its statistics.
func planInbox(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	must(t, db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.BulkLoad(ctx); err != nil {
			return err
		}
		for i := range n {
			text := fmt.Sprintf("hello number %d about the kettle", i)
			switch {
			case i%14 == 0:
				text = "I want a refund for order " + fmt.Sprint(i)
			case i%9 == 0:
				text = "where is my parcel " + fmt.Sprint(i)
			case i%400 == 0:
				text = "a rare word"
			}
			at := int64(1_000_000 + i*1000)
			in := NewMessage{Channel: "x", Account: "brand", ExtID: fmt.Sprint("m", i), ConvKey: fmt.Sprint("c", i),
				Kind: "dm", Direction: "in", AuthorID: fmt.Sprint("u", i%300), AuthorHandle: fmt.Sprint("h", i%300),
				Text: text, CreatedAt: at, Priority: i % 4, DueAt: at + 3_600_000}
			if _, err := tx.Ingest(ctx, in); err != nil {
				return err
			}
			if i%3 == 0 {
				out := NewMessage{Channel: "x", Account: "brand", ExtID: fmt.Sprint("r", i), ConvKey: in.ConvKey,
					Kind: "dm", Direction: "out", Agent: "ana", Text: "thanks, we are on it", CreatedAt: at + 60_000}
				if _, err := tx.Ingest(ctx, out); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	if _, err := db.sql.Exec("VACUUM ANALYZE"); err != nil {
		t.Fatal(err)
	}
}

// pgExplain is PostgreSQL's plan of a statement of the store's, with its arguments.
func pgExplain(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.sql.Query("EXPLAIN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", firstLine(q), err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		must(t, rows.Scan(&line))
		b.WriteString(line + "\n")
	}
	must(t, rows.Err())
	return b.String()
}
