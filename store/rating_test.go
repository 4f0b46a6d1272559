package store

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// reviewInbox is three conversations: a review first rated 1 star and then edited to 4
// (rv:1), a 2-star review (rv:2), and an Instagram comment with no stars (post:3).
func reviewMessages() []NewMessage {
	review := func(id, conv string, at int64, stars int, text string) NewMessage {
		return NewMessage{Channel: "googleplay", Account: "com.acme.app", ExtID: id, ConvKey: conv, Kind: "review",
			Direction: "in", AuthorID: "u-" + conv, AuthorName: "Ana", Text: text, CreatedAt: at, Priority: 1,
			Rating: stars, AppVersion: "2.0.3", Language: "en-US"}
	}
	return []NewMessage{
		review("r1@1000", "rv:1", 1000, 1, "Crashes on start"),
		review("r2@2000", "rv:2", 2000, 2, "Slow sync"),
		{Channel: "instagram", Account: "acme", ExtID: "c3", ConvKey: "post:3", Kind: "comment", Direction: "in",
			AuthorID: "u3", Text: "Love the new colours", CreatedAt: 3000, Priority: 1},
		review("r1@5000", "rv:1", 5000, 4, "Fixed in 2.1, thanks"),
	}
}

// A conversation's rating is its latest review's however the versions arrive: in one
// transaction, one at a time, the edit before the review it replaces, or in a bulk load.
// rating<=2 and the other comparisons test it, and a conversation with no stars matches
// none of them (but does match their negation).
func TestRatingIsTheLatestReviewsWhateverTheOrder(t *testing.T) {
	ctx := context.Background()
	msgs := reviewMessages()
	orders := map[string]func(t *testing.T, db *DB){
		"one transaction": func(t *testing.T, db *DB) { ingestAll(t, db, msgs, len(msgs)) },
		"one at a time":   func(t *testing.T, db *DB) { ingestAll(t, db, msgs, 1) },
		"edit first": func(t *testing.T, db *DB) {
			ingestAll(t, db, []NewMessage{msgs[3], msgs[2]}, 1)
			ingestAll(t, db, []NewMessage{msgs[1], msgs[0]}, 1)
		},
		"bulk load": func(t *testing.T, db *DB) { ingestBulk(t, db, msgs, -1) },
	}
	for name, load := range orders {
		t.Run(name, func(t *testing.T) {
			forEngines(t, func(t *testing.T, e engine) {
				db := openOn(t, e)
				load(t, db)
				keysOf := func(c Cond) []string {
					t.Helper()
					rows, err := db.QueuePage(ctx, QueueRequest{Filter: c, Limit: 50})
					if err != nil {
						t.Fatal(err)
					}
					var keys []string
					for _, r := range rows {
						info, err := db.Conversation(ctx, r.ID)
						if err != nil {
							t.Fatal(err)
						}
						keys = append(keys, info.ExtKey)
					}
					slices.Sort(keys)
					return keys
				}
				rating := func(op Op, n int64) Cond { return Term{Field: FieldRating, Op: op, Int: n} }
				for _, tt := range []struct {
					c    Cond
					want []string
				}{
					{rating(OpLe, 2), []string{"rv:2"}},
					{rating(OpGe, 4), []string{"rv:1"}},
					{rating(OpEq, 1), nil}, // the 1-star version was edited away
					{rating(OpLt, 5), []string{"rv:1", "rv:2"}},
					{Not{C: rating(OpLe, 2)}, []string{"post:3", "rv:1"}},
				} {
					if got := keysOf(tt.c); !reflect.DeepEqual(got, tt.want) {
						t.Errorf("%v: %v, want %v", tt.c, got, tt.want)
					}
				}
				rows, err := db.QueuePage(ctx, QueueRequest{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				stars := map[string]int{}
				for _, r := range rows {
					info, err := db.Conversation(ctx, r.ID)
					if err != nil {
						t.Fatal(err)
					}
					stars[info.ExtKey] = r.Rating
				}
				if want := map[string]int{"rv:1": 4, "rv:2": 2, "post:3": 0}; !reflect.DeepEqual(stars, want) {
					t.Errorf("queue rows rated %v, want %v", stars, want)
				}
				for _, r := range rows {
					if r.Rating != 4 {
						continue
					}
					page, err := db.Messages(ctx, r.ID, 0, 0, 10)
					if err != nil {
						t.Fatal(err)
					}
					var got [][3]any
					for _, m := range page {
						got = append(got, [3]any{m.Rating, m.AppVersion, m.Language})
					}
					want := [][3]any{{1, "2.0.3", "en-US"}, {4, "2.0.3", "en-US"}}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("the review's messages carry %v, want %v", got, want)
					}
				}
			})
		})
	}
}

// The query language's rating terms read back as typed.
func TestRatingTermString(t *testing.T) {
	for _, tt := range []struct {
		t    Term
		want string
	}{
		{Term{Field: FieldRating, Op: OpLe, Int: 2}, "rating<=2"},
		{Term{Field: FieldRating, Op: OpEq, Int: 5}, "rating:5"},
	} {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%#v renders %q, want %q", tt.t, got, tt.want)
		}
	}
}
