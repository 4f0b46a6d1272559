package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// On a new inbox, ingest's lookups are planned as index probes, the plan they keep as
// the tables grow: pgx keeps each statement prepared, and PostgreSQL makes a prepared
// statement's generic plan once, by the tables' sizes then. On empty tables that plan
// was a hash join over a scan of the whole table, which serve kept for as long as it
// ran (until autovacuum's ANALYZE): 2 ms a lookup by 30,000 messages. The generic plan
// of each lookup, made inside IngestTx on empty tables, reads no table whole and joins
// by no hash.
func TestIngestLookupsAreIndexProbesFromTheFirstMessage(t *testing.T) {
	db := openOn(t, onPostgres)
	ctx := context.Background()
	for _, c := range []struct {
		name, query, args string
	}{
		{"messages already stored", prefetchMessages.pg, `'{webhook}', '{1}', '{m-1}'`},
		{"authors", prefetchContacts.pg, `'{webhook}', '{u-1}'`},
		{"conversations", prefetchConversations.pg, `'{1}', '{c-1}'`},
		{"queue columns", addToQueueColumnsBatchSQL, `'{1}', '{1}', '{1}', '{1}', '{1}', '{1}', '{1}'`},
	} {
		var plan string
		err := db.IngestTx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, "PREPARE lookup AS "+c.query); err != nil {
				return fmt.Errorf("prepare: %w", err)
			}
			rows, err := tx.tx.QueryContext(ctx, "EXPLAIN EXECUTE lookup("+c.args+")")
			if err != nil {
				return fmt.Errorf("explain: %w", err)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				b.WriteString(line + "\n")
			}
			plan = b.String()
			if err := rows.Err(); err != nil {
				return err
			}
			_, err = tx.tx.ExecContext(ctx, `DEALLOCATE lookup`)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if strings.Contains(plan, "Seq Scan on") || strings.Contains(plan, "Hash Join") || strings.Contains(plan, "Merge Join") {
			t.Errorf("%s: the plan kept for the inbox's life reads a whole table or joins by hash:\n%s", c.name, plan)
		}
		if !strings.Contains(plan, "Nested Loop") || !strings.Contains(plan, "Index") {
			t.Errorf("%s: the plan does not probe an index a key:\n%s", c.name, plan)
		}
	}
}
