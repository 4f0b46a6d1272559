package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
)

// statRows reads the rows of statsQuery straight from the driver. A month of a large
// inbox is hundreds of thousands of rows, and database/sql's Scan converts every value
// through reflection under the Rows' lock: at a million messages that was a fifth of
// `triage stats`. The driver gives int64, float64 and string values as they are.
func (db *DB) statRows(ctx context.Context, w Window, fn func(StatRow) error) error {
	q, args := statsQuery(db.d, w)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("read messages for stats: argument %d: %w", i+1, err)
		}
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("read messages for stats: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the SQLite driver cannot query directly")
		}
		rows, err := qc.QueryContext(ctx, q, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]driver.Value, len(rows.Columns()))
		for {
			if err := rows.Next(vals); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			r, err := statRow(w, vals)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return errCallback{err}
			}
		}
	})
	var cb errCallback
	if errors.As(err, &cb) {
		return cb.err // the caller's own error, as it gave it
	}
	if err != nil {
		return fmt.Errorf("read messages for stats: %w", err)
	}
	return nil
}

// errCallback carries an error of statRows' caller through conn.Raw untouched.
type errCallback struct{ err error }

func (e errCallback) Error() string { return e.err.Error() }

// statRow reads one row of statsQuery: the columns it always has, then those w asks for.
func statRow(w Window, vals []driver.Value) (StatRow, error) {
	var r StatRow
	var err error
	col := func(i int) driver.Value {
		if i < len(vals) {
			return vals[i]
		}
		err = fmt.Errorf("stats row has %d columns, wanted %d", len(vals), i+1)
		return nil
	}
	r.Channel = asString(col(0))
	r.CreatedAt = asInt(col(1))
	r.AnsweredAt = asInt(col(2))
	r.ClosedAt = asInt(col(3))
	r.Priority = int(asInt(col(4)))
	r.Sentiment = asFloat(col(5))
	i := 6
	if w.WithKind {
		r.Kind = asString(col(i))
		i++
	}
	if w.WithAgent {
		r.Agent = asString(col(i))
		i++
	}
	if w.WithTags {
		if tags := asString(col(i)); tags != "" {
			r.Tags = strings.Split(tags, tagSep)
		}
	}
	return r, err
}

func asString(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asInt(v driver.Value) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func asFloat(v driver.Value) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}
