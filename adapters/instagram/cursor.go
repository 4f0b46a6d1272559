package instagram

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// graphTime is how Graph writes times: "2017-08-31T18:10:30+0000".
const graphTime = "2006-01-02T15:04:05-0700"

// parseGraphTime reads a Graph time, or the Unix seconds the Conversations API's
// documentation shows for updated_time.
func parseGraphTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Parse(graphTime, s)
}

// watermark is how far one kind of message has been read: the time of the newest seen,
// and the ids seen at that very second (Graph's times are whole seconds), written
// "2026-12-06T09:05:00Z 17900000000000001,17900000000000002".
type watermark struct {
	at  time.Time
	ids []string
}

func parseWatermark(s string) (watermark, error) {
	if s == "" {
		return watermark{}, nil
	}
	at, ids, _ := strings.Cut(s, " ")
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return watermark{}, fmt.Errorf("cursor %q is not an Instagram watermark", s)
	}
	w := watermark{at: t}
	if ids != "" {
		w.ids = strings.Split(ids, ",")
	}
	return w, nil
}

func (w watermark) String() string {
	if w.at.IsZero() {
		return ""
	}
	return strings.TrimSpace(w.at.UTC().Format(time.RFC3339) + " " + strings.Join(w.ids, ","))
}

// seen says whether a message at t with id is at or below the watermark.
func (w watermark) seen(t time.Time, id string) bool {
	return t.Before(w.at) || t.Equal(w.at) && slices.Contains(w.ids, id)
}

// advance moves the watermark to a message newer than it, or adds one at its second.
func (w *watermark) advance(t time.Time, id string) {
	switch {
	case t.After(w.at):
		w.at, w.ids = t, []string{id}
	case t.Equal(w.at) && !slices.Contains(w.ids, id):
		w.ids = append(w.ids, id)
	}
}

// orStart is the watermark, or start when nothing was read yet (the first fetch).
func (w watermark) orStart(start time.Time) watermark {
	if w.at.IsZero() {
		return watermark{at: start}
	}
	return w
}

// cursor is the account's one sync cursor: a watermark for comments, one for DMs and one
// for mentions. It is written as JSON, {"comments":"…","dms":"…","mentions":"…"}; a
// cursor written before DMs and mentions were polled is a bare comments watermark, and
// still reads (DMs and mentions then start from FirstLookback).
//
// counts holds each watched post's comments_count at the last fetch, so a comment that
// appears with a time below the watermark (held for review, then approved) is noticed:
// the count grew by more than the comments found above the watermark.
type cursor struct {
	comments, dms, mentions watermark
	counts                  map[string]int
}

type cursorJSON struct {
	Comments string         `json:"comments,omitempty"`
	DMs      string         `json:"dms,omitempty"`
	Mentions string         `json:"mentions,omitempty"`
	Counts   map[string]int `json:"counts,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	if !strings.HasPrefix(s, "{") {
		w, err := parseWatermark(s)
		return cursor{comments: w}, err
	}
	var j cursorJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return cursor{}, fmt.Errorf("cursor %q is not an Instagram cursor", s)
	}
	c := cursor{counts: j.Counts}
	var err error
	for _, f := range []struct {
		w   *watermark
		raw string
	}{{&c.comments, j.Comments}, {&c.dms, j.DMs}, {&c.mentions, j.Mentions}} {
		if *f.w, err = parseWatermark(f.raw); err != nil {
			return cursor{}, err
		}
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(cursorJSON{Comments: c.comments.String(), DMs: c.dms.String(), Mentions: c.mentions.String(), Counts: c.counts})
	return string(b)
}
