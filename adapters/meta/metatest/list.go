package metatest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// list answers a Graph list: the page after the after cursor (or before the before
// cursor), of limit items (PageSize by default), each with the fields asked for (or
// defaults), and the paging object: cursors for the page's first and last items, next
// when more follow, previous when some came before.
func (s *Server) list(w http.ResponseWriter, r *http.Request, items []map[string]any, defaults string) {
	q := r.URL.Query()
	limit := s.PageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) Param limit must be a positive integer")
			return
		}
		limit = n
	}
	start := 0
	if a := q.Get("after"); a != "" {
		i, ok := s.cursorIndex(items, a)
		if !ok {
			s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The after cursor is not valid")
			return
		}
		start = i + 1
	} else if b := q.Get("before"); b != "" {
		i, ok := s.cursorIndex(items, b)
		if !ok {
			s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The before cursor is not valid")
			return
		}
		start = max(i-limit, 0)
	}
	end := min(start+limit, len(items))
	start = min(start, end)
	fields := defaults
	if f := q.Get("fields"); f != "" {
		fields = f
	}
	spec := parseFields(fields)
	data := []any{}
	for _, it := range items[start:end] {
		data = append(data, pick(it, spec))
	}
	out := map[string]any{"data": data}
	if end > start {
		paging := map[string]any{"cursors": map[string]any{"before": cursor(items[start]), "after": cursor(items[end-1])}}
		if end < len(items) {
			paging["next"] = s.pageURL(r, "after", cursor(items[end-1]))
		}
		if start > 0 {
			paging["previous"] = s.pageURL(r, "before", cursor(items[start]))
		}
		out["paging"] = paging
	}
	writeJSON(w, http.StatusOK, nil, out)
}

// cursor is an item's opaque cursor.
func cursor(it map[string]any) string {
	id, _ := it["id"].(string)
	return base64.StdEncoding.EncodeToString([]byte("cursor:" + id))
}

func (s *Server) cursorIndex(items []map[string]any, c string) (int, bool) {
	for i, it := range items {
		if cursor(it) == c {
			return i, true
		}
	}
	return 0, false
}

// pageURL is the request's URL with the cursor for another page, as Graph writes next and
// previous links.
func (s *Server) pageURL(r *http.Request, key, c string) string {
	q := r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set(key, c)
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// fieldSpec is a parsed fields parameter: "id,text,replies{id,text}" names id, text and
// replies, the last with fields of its own.
type fieldSpec map[string]fieldSpec

func parseFields(s string) fieldSpec {
	spec, _ := parseFieldList(s, 0)
	return spec
}

func parseFieldList(s string, i int) (fieldSpec, int) {
	spec := fieldSpec{}
	var name strings.Builder
	flush := func(sub fieldSpec) {
		if n := strings.TrimSpace(name.String()); n != "" {
			spec[n] = sub
		}
		name.Reset()
	}
	for i < len(s) {
		switch c := s[i]; c {
		case ',':
			flush(nil)
			i++
		case '{':
			sub, j := parseFieldList(s, i+1)
			flush(sub)
			i = j
			if i < len(s) && s[i] == ',' {
				i++
			}
		case '}':
			flush(nil)
			return spec, i + 1
		default:
			name.WriteByte(c)
			i++
		}
	}
	flush(nil)
	return spec, i
}

// pick returns the fields of an object that spec asks for, and always its id; an edge
// (a value {"data":[…]}) gets its items picked by the nested spec, or ids only.
func pick(obj map[string]any, spec fieldSpec) map[string]any {
	out := map[string]any{"id": obj["id"]}
	for name, sub := range spec {
		v, ok := obj[name]
		if !ok {
			continue
		}
		if edge, ok := v.(map[string]any); ok {
			if items, ok := edge["data"].([]any); ok {
				var picked []any
				for _, it := range items {
					if m, ok := it.(map[string]any); ok {
						picked = append(picked, pick(m, sub))
					}
				}
				out[name] = map[string]any{"data": append([]any{}, picked...)}
				continue
			}
		}
		out[name] = v
	}
	return out
}
