package meta

import (
	"context"
	"net/url"
)

// Page is one page of a Graph list: {"data":[…],"paging":{"cursors":{"before","after"},
// "next":"URL"}}.
type Page[T any] struct {
	Data   []T    `json:"data"`
	Paging Paging `json:"paging"`
}

// Paging is a list page's "paging" object. Next is absent on the last page.
type Paging struct {
	Cursors struct {
		Before string `json:"before"`
		After  string `json:"after"`
	} `json:"cursors"`
	Next     string `json:"next"`
	Previous string `json:"previous"`
}

// after is the cursor for the page after this one: cursors.after, or the after parameter
// of the next URL for lists that give only that. "" when this is the last page.
func (p Paging) after() string {
	if p.Next == "" {
		return ""
	}
	if p.Cursors.After != "" {
		return p.Cursors.After
	}
	if u, err := url.Parse(p.Next); err == nil {
		return u.Query().Get("after")
	}
	return ""
}

// Listed is what List brought: the items of every page read, the after cursor of the last
// page read, and whether Graph has more pages past the bound.
type Listed[T any] struct {
	Items []T
	After string // the last page's cursors.after: where to start next time
	More  bool   // the walk stopped at maxPages while Graph named a next page
}

// List reads the list at path with query q (start = the after cursor to begin at, "" for
// the first page), page after page, at most maxPages pages. It follows the after cursor
// through the client (the next URL itself is never followed, so the token only ever goes
// to the configured host), and stops at the page without a next link, at an empty page,
// or at a cursor seen before.
func List[T any](ctx context.Context, c *Client, path string, q url.Values, start string, maxPages int) (Listed[T], error) {
	out := Listed[T]{After: start}
	maxPages = max(maxPages, 1)
	q = cloneValues(q)
	after := start
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		if after != "" {
			q.Set("after", after)
		}
		var p Page[T]
		if err := c.Get(ctx, path, q, &p); err != nil {
			return out, err
		}
		out.Items = append(out.Items, p.Data...)
		if p.Paging.Cursors.After != "" {
			out.After = p.Paging.Cursors.After
		}
		next := p.Paging.after()
		if next == "" || len(p.Data) == 0 || seen[next] {
			return out, nil
		}
		seen[next] = true
		after = next
		out.More = page == maxPages-1
	}
	return out, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
