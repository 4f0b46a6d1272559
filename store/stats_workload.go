package store

import (
	"context"
	"fmt"
)

// Workload is what one assignee holds now: conversations not closed (not done or spam),
// and of those the ones waiting on us (new or open).
type Workload struct {
	Assignee string
	Assigned int
	Open     int
}

// Workloads lists every assignee's workload now, whatever window statistics cover: who
// holds what is a fact of the present. conv_assignee (assignee, state) answers it alone,
// reading only assigned conversations: the unassigned, most of a big inbox, are left out.
func (db *DB) Workloads(ctx context.Context) ([]Workload, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT assignee, count(*), sum(CASE WHEN state IN ('new', 'open') THEN 1 ELSE 0 END)
		FROM conversations INDEXED BY conv_assignee WHERE assignee > '' AND state NOT IN ('done', 'spam') GROUP BY assignee ORDER BY assignee`)
	if err != nil {
		return nil, fmt.Errorf("read workloads: %w", err)
	}
	defer rows.Close()
	var out []Workload
	for rows.Next() {
		var w Workload
		if err := rows.Scan(&w.Assignee, &w.Assigned, &w.Open); err != nil {
			return nil, fmt.Errorf("read workloads: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
