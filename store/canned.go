package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Canned is a canned reply: a named template with optional per-channel variants.
type Canned struct {
	ID       int64
	Name     string
	Body     string
	Variants map[string]string
}

// SeedCanned stores a canned reply from config unless one of that name exists: config seeds,
// the database is where people edit them afterwards.
func (tx *Tx) SeedCanned(ctx context.Context, c Canned, at int64) (bool, error) {
	// RETURNING gives no row when the name was taken: nothing was written.
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO canned_replies (name, body, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id`,
		c.Name, c.Body, at).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seed canned reply %q: %w", c.Name, err)
	}
	return true, tx.setVariants(ctx, id, c.Variants)
}

// SaveCanned creates or replaces a canned reply by name.
func (tx *Tx) SaveCanned(ctx context.Context, c Canned, at int64) error {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO canned_replies (name, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at RETURNING id`,
		c.Name, c.Body, at).Scan(&id)
	if err != nil {
		return fmt.Errorf("save canned reply %q: %w", c.Name, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM canned_variants WHERE canned_id = ?`, id); err != nil {
		return err
	}
	return tx.setVariants(ctx, id, c.Variants)
}

func (tx *Tx) setVariants(ctx context.Context, id int64, variants map[string]string) error {
	for ch, body := range variants {
		if _, err := tx.exec(ctx, `INSERT INTO canned_variants (canned_id, channel, body) VALUES (?, ?, ?)`, id, ch, body); err != nil {
			return fmt.Errorf("save canned variant %s: %w", ch, err)
		}
	}
	return nil
}

// CannedReplies lists every canned reply by name.
func (db *DB) CannedReplies(ctx context.Context) ([]Canned, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.id, r.name, r.body, coalesce(v.channel, ''), coalesce(v.body, '')
		FROM canned_replies r LEFT JOIN canned_variants v ON v.canned_id = r.id ORDER BY r.name, v.channel`)
	if err != nil {
		return nil, fmt.Errorf("read canned replies: %w", err)
	}
	defer rows.Close()
	var out []Canned
	for rows.Next() {
		var c Canned
		var ch, vb string
		if err := rows.Scan(&c.ID, &c.Name, &c.Body, &ch, &vb); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == c.ID {
			out[n-1].Variants[ch] = vb
			continue
		}
		c.Variants = map[string]string{}
		if ch != "" {
			c.Variants[ch] = vb
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
