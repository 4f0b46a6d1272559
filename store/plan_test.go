package store

import (
	"context"
	"strings"
	"testing"
)

// TestQueryPlansUseIndexes proves the queue and stats queries run on indexes: no full
// scan of conversations or messages, and no temporary sort for the queue's order.
func TestSQLiteQueryPlansUseIndexes(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	// Statistics make the planner's choices those of a real inbox.
	if _, err := db.sql.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	key := QueueKey{PrioRank: -1, DueAt: 100, SinceAt: 50, ID: 7}
	cases := []struct {
		name  string
		req   QueueRequest
		index string
	}{
		{"inbox first page", QueueRequest{States: []string{"new", "open"}, Limit: 50}, "conv_queue_action"},
		{"inbox deep page", QueueRequest{States: []string{"new", "open"}, After: &key, Limit: 50}, "conv_queue_action"},
		{"inbox page up", QueueRequest{States: []string{"new", "open"}, Before: &key, Limit: 50}, "conv_queue_action"},
		{"one state", QueueRequest{States: []string{"waiting"}, After: &key, Limit: 50}, "conv_queue_state"},
		{"all", QueueRequest{After: &key, Limit: 50}, "conv_queue_all"},
	}
	for _, c := range cases {
		plan := queuePlan(t, db, c.req)
		if !strings.Contains(plan, "SEARCH c USING INDEX "+c.index) {
			t.Errorf("%s: plan does not search %s:\n%s", c.name, c.index, plan)
		}
		// A page after (or before) a key starts at the key in the index: page 10,000
		// costs what page 1 costs.
		if (c.req.After != nil || c.req.Before != nil) && !strings.Contains(plan, "(prio_rank,due_at,since_at)") {
			t.Errorf("%s: keyset is not part of the index search:\n%s", c.name, plan)
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: plan sorts in a temporary b-tree:\n%s", c.name, plan)
		}
	}

	// Plain statistics read msg_created alone; grouped by agent they look up the answer
	// and the conversation too, still searching msg_created by time.
	for _, c := range []struct {
		w    Window
		want string
		not  string
	}{
		{Window{SinceMS: 0, UntilMS: 1}, "SEARCH m USING COVERING INDEX msg_created (direction=? AND created_at>? AND created_at<?)", "SEARCH c "},
		{Window{SinceMS: 0, UntilMS: 1, WithAgent: true}, "SEARCH m USING COVERING INDEX msg_created (direction=? AND created_at>? AND created_at<?)", "SCAN m"},
	} {
		q, args := statsQuery(db.d, c.w)
		statsPlan, err := db.Explain(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(statsPlan, c.want) || strings.Contains(statsPlan, c.not) || strings.Contains(statsPlan, "TEMP B-TREE") {
			t.Errorf("stats plan (%+v), want %q without %q or a sort:\n%s", c.w, c.want, c.not, statsPlan)
		}
	}
	threadPlan, _ := db.Explain(ctx, `SELECT id FROM messages m WHERE m.conversation_id = ? AND (m.created_at, m.id) < (?, ?)
		ORDER BY m.created_at DESC, m.id DESC LIMIT 50`, 1, 2, 3)
	if !strings.Contains(threadPlan, "msg_conv") || strings.Contains(threadPlan, "TEMP B-TREE") {
		t.Errorf("thread page plan:\n%s", threadPlan)
	}
	refreshPlan, _ := db.Explain(ctx, `SELECT count(*) FROM messages WHERE conversation_id = ? AND direction = 'in'
		AND answered_at IS NULL AND closed_at IS NULL AND spam = 0`, 1)
	if !strings.Contains(refreshPlan, "msg_unanswered") {
		t.Errorf("unanswered count does not use msg_unanswered:\n%s", refreshPlan)
	}
}

// queuePlan is the plan of the part of QueuePage's statement that walks the queue (the
// rest looks up the page's few rows and sorts them).
func queuePlan(t *testing.T, db *DB, r QueueRequest) string {
	t.Helper()
	q, args, _ := pageQuery(db.d, r, ftsLookup)
	plan, err := db.Explain(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// Questions about one conversation must search by it, never walk msg_created by
// direction: that is every inbound message of the inbox. The pinned statements hold by
// their INDEXED BY; the unpinned ones by the planner statistics of migration 0005.
func TestSQLiteConversationQueriesSearchByConversation(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for name, q := range map[string]string{
		"refresh": refreshConversationSQL,
		"unanswered of a conversation, unpinned": `SELECT min(created_at) FROM messages WHERE conversation_id = ?1 AND direction = 'in'
			AND answered_at IS NULL AND closed_at IS NULL AND spam = 0 AND ?2 > 0`,
		"inbound of a conversation, unpinned": `SELECT max(created_at) FROM messages WHERE conversation_id = ?1 AND direction = 'in' AND ?2 > 0`,
	} {
		plan, err := db.Explain(ctx, q, 1, NoDue)
		if err != nil {
			t.Fatal(name, err)
		}
		if strings.Contains(plan, "msg_created") || strings.Contains(plan, "SCAN messages") {
			t.Errorf("%s walks the inbox:\n%s", name, plan)
		}
	}
}
