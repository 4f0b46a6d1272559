package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// searchInbox is an inbox of 90 conversations in every state, whose messages draw their
// words from a small vocabulary so that words are in many conversations, few or none.
func searchInbox(t *testing.T, e engine) *DB {
	t.Helper()
	db := openOn(t, e)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 9))
	vocab := []string{"refund", "refunded", "where", "is", "my", "parcel", "kettle", "broke", "thanks", "rare"}
	var msgs []NewMessage
	for i := range 400 {
		var words []string
		for range 1 + r.IntN(5) {
			w := vocab[r.IntN(len(vocab)-1)]
			if r.IntN(60) == 0 {
				w = "rare"
			}
			words = append(words, w)
		}
		m := NewMessage{Channel: "x", Account: "brand", ExtID: fmt.Sprint("m", i), ConvKey: fmt.Sprint("c", r.IntN(90)),
			Kind: []string{"comment", "dm"}[r.IntN(2)], Direction: "in", Text: strings.Join(words, " "),
			CreatedAt: int64(1_000_000 + i*100), Priority: r.IntN(4), DueAt: int64(1_000_000 + i*100 + r.IntN(5000))}
		if r.IntN(4) == 0 {
			m.Direction, m.Agent, m.DueAt = "out", "ana", 0
		} else {
			a := r.IntN(6)
			m.AuthorID, m.AuthorHandle = fmt.Sprint("u", a), fmt.Sprint("h", a)
		}
		msgs = append(msgs, m)
	}
	ingestAll(t, db, msgs, 50)
	states := []string{"open", "waiting", "done", "escalated", "spam", "snoozed"}
	must(t, db.Tx(ctx, func(tx *Tx) error {
		for id := int64(1); id <= 90; id += 1 + int64(r.IntN(3)) {
			if err := tx.SetState(ctx, id, states[r.IntN(len(states))], 9_000_000); err != nil {
				return err
			}
		}
		return nil
	}))
	return db
}

// A search gives the same pages and counts whichever way it uses the full-text index:
// looking up the matching conversations, walking the view and testing each against the
// matches, or (for a count that stops) reading them from the index in id order. Which
// way runs depends on how many messages have the words, so here every query runs every
// way, paged seven rows at a time forwards and backwards.
func TestSearchPlansAgree(t *testing.T) { forEngines(t, testSearchPlansAgree) }

func testSearchPlansAgree(t *testing.T, e engine) {
	db := searchInbox(t, e)
	ctx := context.Background()
	views := [][]string{nil, {"new", "open"}, {"done"}, {"waiting", "escalated"}}
	queries := []Cond{
		Text{Query: "refund"},
		Text{Query: "refund*"},
		Text{Query: "where is my*"},
		Text{Query: "kettle broke"},
		Text{Query: "rare"},
		Text{Query: "absent"},
		Text{Query: `"where is"`},
		And{Text{Query: "refund"}, Term{Field: FieldKind, Value: "dm"}},
		And{Term{Field: FieldPriority, Op: OpGe, Int: 2}, Text{Query: "parcel"}},
		And{Text{Query: "thanks"}, Not{Term{Field: FieldFrom, Value: "@h1"}}},
		Or{Text{Query: "kettle"}, Text{Query: "rare"}},
		Not{Text{Query: "refund"}},
	}
	for _, states := range views {
		for _, q := range queries {
			name := fmt.Sprintf("%v %s", states, q)
			var want []int64
			for _, use := range []ftsUse{ftsLookup, ftsProbe} {
				fwd := pagesOf(t, db, QueueRequest{States: states, Filter: q, Limit: 7}, use, false)
				back := pagesOf(t, db, QueueRequest{States: states, Filter: q, Limit: 7}, use, true)
				if !reflect.DeepEqual(fwd, back) {
					t.Errorf("%s (plan %d): forwards %v, backwards %v", name, use, fwd, back)
				}
				if use == ftsLookup {
					want = fwd
				} else if !reflect.DeepEqual(fwd, want) {
					t.Errorf("%s: walking the view gives %v, looking up the matches %v", name, fwd, want)
				}
			}
			exact, err := db.QueueCount(ctx, states, q, Env{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if exact != len(want) {
				t.Errorf("%s: count %d, pages hold %d", name, exact, len(want))
			}
			for _, limit := range []int{1, 5, len(want), len(want) + 1, 1000} {
				got, err := db.QueueCount(ctx, states, q, Env{}, max(limit, 1))
				if err != nil {
					t.Fatal(err)
				}
				if w := min(exact, max(limit, 1)); got != w {
					t.Errorf("%s: count up to %d = %d, want %d", name, limit, got, w)
				}
			}
		}
	}
	if t.Failed() {
		return
	}
	// The fixture must have given both kinds of words something to do.
	for _, w := range []string{"refund", "rare"} {
		n, _ := db.QueueCount(ctx, nil, Text{Query: w}, Env{}, 0)
		if n < 3 || n > 80 {
			t.Errorf("%q is in %d conversations: the fixture no longer tells the plans apart", w, n)
		}
	}
}

// pagesOf reads every page of a request with the given plan, in queue order.
func pagesOf(t *testing.T, db *DB, r QueueRequest, use ftsUse, backwards bool) []int64 {
	t.Helper()
	var out []int64
	if backwards {
		r.Before = &QueueKey{PrioRank: 1 << 62, DueAt: 1 << 62, SinceAt: 1 << 62, ID: 1 << 62}
	}
	for range 100 {
		q, args := queueQuery(db.d, r, use)
		rows, err := db.sql.Query(q, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var page []QueueKey
		for rows.Next() {
			var k QueueKey
			skip := make([]any, len(cols)-4) // the row's other columns
			dest := []any{&k.PrioRank, &k.DueAt, &k.SinceAt, &k.ID}
			for i := range skip {
				dest = append(dest, &skip[i])
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			page = append(page, k)
		}
		rows.Close()
		if backwards { // a page before a key comes nearest first
			for _, k := range page {
				out = append([]int64{k.ID}, out...)
			}
		} else {
			for _, k := range page {
				out = append(out, k.ID)
			}
		}
		if len(page) < r.Limit {
			return out
		}
		if backwards {
			r.Before = &page[len(page)-1]
		} else {
			r.After = &page[len(page)-1]
		}
	}
	t.Fatal("more than 100 pages")
	return nil
}

// QueuePage picks the plan by asking the index how many messages have the words, and
// remembers the answer for the words.
func TestSQLiteQueuePageChoosesPlanByMatches(t *testing.T) {
	db := searchInbox(t, onSQLite)
	ctx := context.Background()
	defer func(n int) { commonTextRows = n }(commonTextRows)
	commonTextRows = 50
	for match, want := range map[string]ftsUse{"refund": ftsProbe, "rare": ftsLookup, "absent": ftsLookup} {
		use, err := db.textUse(ctx, And{Term{Field: FieldKind, Value: "dm"}, Text{Query: match}}, Env{})
		if err != nil {
			t.Fatal(err)
		}
		if use != want {
			t.Errorf("%q: plan %d, want %d", match, use, want)
		}
	}
	if use, _ := db.textUse(ctx, Term{Field: FieldKind, Value: "dm"}, Env{}); use != ftsLookup {
		t.Errorf("no words: plan %d, want the lookup", use)
	}
	if len(db.common.m) != 3 {
		t.Errorf("remembered %d queries, want 3: %v", len(db.common.m), db.common.m)
	}
	// An answer is used for a while, then asked again: the inbox grows.
	commonTextRows = 100_000
	_, _, key := conversationWhere(db.d, Text{Query: "refund"}, Env{}, ftsDriven)
	if common, _ := db.commonText(ctx, key); !common {
		t.Errorf("a fresh answer was not used")
	}
	e, ok := db.common.m[key]
	if !ok {
		t.Fatalf("nothing remembered for %q: %v", key, db.common.m)
	}
	e.at = e.at.Add(-commonTextTTL - time.Second)
	db.common.m[key] = e
	if common, _ := db.commonText(ctx, key); common {
		t.Errorf("an answer older than %v was used", commonTextTTL)
	}
	// With the rows the probe walks, and the count that stops, the plan is the one meant.
	probe, args, _ := pageQuery(db.d, QueueRequest{States: []string{"new", "open"}, Filter: Text{Query: "refund"}, Limit: 50}, ftsProbe)
	plan, err := db.Explain(ctx, probe, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "SEARCH c USING INDEX conv_queue_action") || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
		t.Errorf("a common word's page does not walk the view in order:\n%s", plan)
	}
	count, args := countQuery(db.d, []string{"new", "open"}, Text{Query: "refund"}, Env{}, 1001)
	plan, err = db.Explain(ctx, count, args...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan, "LIST SUBQUERY") || !strings.Contains(plan, "SEARCH c USING INTEGER PRIMARY KEY") {
		t.Errorf("a count that stops builds the whole list of matches:\n%s", plan)
	}
}
