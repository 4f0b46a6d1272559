package store

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite prepares a statement by parsing and planning it, in process, and a transaction
// used to prepare each of its statements again (Tx.stmt): about fifteen for a group
// commit of serve's, an eighth of serve's CPU. The statements are now prepared once
// on the DB and handed to each transaction (sql.Tx.StmtContext), which reuses what a
// connection has prepared before. Texts made for a number of keys come in a few sizes
// (prefetchRows), but a caller could still make many: past stmtCacheMax texts, a
// statement is prepared for its transaction alone, as before.

const stmtCacheMax = 512

type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// shared is the DB's statement of query, prepared on first use; nil when the cache is
// full or the statement cannot be prepared outside a transaction (the transaction then
// prepares it, and reports why it fails).
func (c *stmtCache) shared(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s
	}
	if len(c.m) >= stmtCacheMax {
		return nil
	}
	s, err := db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = s
	return s
}
