package facebook

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// cursorPrefix starts every cursor; the number is its version, so a later triage can read
// an older cursor or refuse a newer one by name.
const cursorPrefix = "fb1:"

// mark is a watermark: the time of the newest item seen and the ids seen at that very
// second (Graph's times are whole seconds), so an item in the same second as the last
// one seen is neither missed nor taken twice. It is written [unix, "id", …].
type mark struct {
	at  time.Time
	ids []string
}

func (m mark) MarshalJSON() ([]byte, error) {
	v := []any{m.at.Unix()}
	for _, id := range m.ids {
		v = append(v, id)
	}
	return json.Marshal(v)
}

func (m *mark) UnmarshalJSON(b []byte) error {
	var v []json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil || len(v) == 0 {
		return errors.New("a watermark is [unix time, ids…]")
	}
	var at int64
	if err := json.Unmarshal(v[0], &at); err != nil {
		return errors.New("a watermark starts with a unix time")
	}
	m.at, m.ids = time.Unix(at, 0).UTC(), nil
	for _, raw := range v[1:] {
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return errors.New("a watermark's ids are text")
		}
		m.ids = append(m.ids, id)
	}
	return nil
}

// seen says whether an item at t with id is at or below the watermark.
func (m mark) seen(t time.Time, id string) bool {
	return t.Before(m.at) || t.Equal(m.at) && slices.Contains(m.ids, id)
}

// advance moves the watermark to an item newer than it, or adds one at its second.
func (m *mark) advance(t time.Time, id string) {
	switch {
	case t.After(m.at):
		m.at, m.ids = t, []string{id}
	case t.Equal(m.at) && !slices.Contains(m.ids, id):
		m.ids = append(m.ids, id)
	}
}

func (m mark) clone() mark { return mark{at: m.at, ids: slices.Clone(m.ids)} }

// state is everything one account's sync remembers, in one cursor string
// ("fb1:" and compact JSON):
//
//	f  the newest updated_time of a post read: the feed's since next time
//	p  visitor posts: the newest created_time taken, with the ids at that second
//	c  comments on any post: the fallback for a post with no mark of its own
//	w  comments, per post with recent activity (at most watch_posts of them)
//	d  Messenger messages
type state struct {
	Feed     int64           `json:"f"`
	Posts    mark            `json:"p"`
	Comments mark            `json:"c"`
	Watched  map[string]mark `json:"w,omitempty"`
	DMs      mark            `json:"d"`
}

// parseCursor reads a cursor; "" is a first sync, which reads back FirstLookback from now.
func parseCursor(s string, now time.Time) (state, error) {
	if s == "" {
		start := now.Add(-FirstLookback).UTC().Truncate(time.Second)
		m := mark{at: start}
		return state{Feed: start.Unix(), Posts: m, Comments: m.clone(), DMs: m.clone(), Watched: map[string]mark{}}, nil
	}
	body, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok {
		return state{}, fmt.Errorf("cursor %.40q is not a Facebook cursor (%s…): was it written by a newer triage?", s, cursorPrefix)
	}
	var st state
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		return state{}, fmt.Errorf("cursor %.40q: %w", s, err)
	}
	if st.Watched == nil {
		st.Watched = map[string]mark{}
	}
	return st, nil
}

func (st state) String() string {
	b, err := json.Marshal(st)
	if err != nil {
		panic(err) // marks and ints always encode
	}
	return cursorPrefix + string(b)
}

func (st state) clone() state {
	c := st
	c.Posts, c.Comments, c.DMs = st.Posts.clone(), st.Comments.clone(), st.DMs.clone()
	c.Watched = make(map[string]mark, len(st.Watched))
	for id, m := range st.Watched {
		c.Watched[id] = m.clone()
	}
	return c
}

// postMark is where a post's comments were read up to: its own mark, or for a post
// without one the comments' fallback.
func (st state) postMark(postID string) mark {
	if m, ok := st.Watched[postID]; ok {
		return m.clone()
	}
	return st.Comments.clone()
}

// trim keeps the marks of the n posts with the newest activity, so the cursor stays
// small; a post dropped falls back on the comments' mark, which is newer than its own.
func (st *state) trim(n int) {
	if len(st.Watched) <= n {
		return
	}
	ids := slices.Collect(maps.Keys(st.Watched))
	slices.SortFunc(ids, func(a, b string) int {
		if c := st.Watched[b].at.Compare(st.Watched[a].at); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, id := range ids[n:] {
		delete(st.Watched, id)
	}
}
