package store

// KeepConnections keeps up to n idle connections open instead of database/sql's default
// of 2. A server of many screens (triage team) reads in bursts: every commit makes each
// screen read its page, count and conversation at once. With 2 kept, each burst opened
// dozens of connections and closed them after; a new connection reads the whole schema
// and prepares every statement afresh, and under 50 agents that was a fifth of the
// server's work. An idle connection costs its page cache (cache_size, 1 MiB at most).
func (db *DB) KeepConnections(n int) { db.sql.SetMaxIdleConns(n) }
