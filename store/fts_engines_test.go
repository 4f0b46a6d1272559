package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// textInbox is six conversations of one message each, ids 1 to 6 in this order on both
// engines:
//
//	1 x          @ana "Ana Lima"  My kettle broke after a week
//	2 x          @bob             Where is my refund?                       tag vip
//	3 email      carol            Order from kettlebird.coffee never came
//	4 email      dan              Le café était froid
//	5 instagram  @eve             Refund please, the kettle is broken       tag VIP
//	6 x          @oleg "Олег"     Привет, где мой заказ? Price 10€
func textInbox(t *testing.T, e engine) *DB {
	t.Helper()
	db := openOn(t, e)
	ctx := context.Background()
	msgs := []NewMessage{
		{Channel: "x", Account: "@acme", ExtID: "1", ConvKey: "post:1", Kind: "comment", AuthorID: "u1", AuthorHandle: "@ana", AuthorName: "Ana Lima", Text: "My kettle broke after a week"},
		{Channel: "x", Account: "@acme", ExtID: "2", ConvKey: "post:2", Kind: "comment", AuthorID: "u2", AuthorHandle: "@bob", Text: "Where is my refund?", Tags: []string{"vip"}},
		{Channel: "email", Account: "help@acme.com", ExtID: "3", ConvKey: "th:3", Kind: "email", AuthorID: "carol@ex.com", AuthorHandle: "carol@ex.com", Text: "Order from kettlebird.coffee never came"},
		{Channel: "email", Account: "help@acme.com", ExtID: "4", ConvKey: "th:4", Kind: "email", AuthorID: "dan@ex.com", AuthorHandle: "dan@ex.com", Text: "Le café était froid"},
		{Channel: "instagram", Account: "acme", ExtID: "5", ConvKey: "post:5", Kind: "comment", AuthorID: "u5", AuthorHandle: "@eve", Text: "Refund please, the kettle is broken", Tags: []string{"VIP"}},
		{Channel: "x", Account: "@acme", ExtID: "6", ConvKey: "post:6", Kind: "comment", AuthorID: "u6", AuthorHandle: "@oleg", AuthorName: "Олег", Text: "Привет, где мой заказ? Price 10€"},
	}
	must(t, db.Tx(ctx, func(tx *Tx) error {
		for i, m := range msgs {
			m.Direction, m.CreatedAt, m.Priority = "in", int64(1000*(i+1)), 1
			in, err := tx.Ingest(ctx, m)
			if err != nil {
				return err
			}
			if in.ConversationID != int64(i+1) {
				t.Fatalf("message %d in conversation %d, want %d", i+1, in.ConversationID, i+1)
			}
		}
		return nil
	}))
	return db
}

// The query language finds the same conversations on both engines: words, prefixes as
// typed, phrases, negation, accents and case in any script, addresses split into words
// as FTS5 splits them, and words with channel and tag filters.
func TestFullTextSameOnBothEngines(t *testing.T) {
	ctx := context.Background()
	text := func(q string) Text { return Text{Query: q} }
	tests := []struct {
		name  string
		c     Cond
		convs []int64
	}{
		{"word", text("kettle"), []int64{1, 5}},
		{"two words", text("where refund"), []int64{2}},
		{"prefix as typed", text("kett*"), []int64{1, 3, 5}},
		{"prefix of the last word", text("the brok*"), []int64{5}},
		{"phrase", text(`"kettle broke"`), []int64{1}},
		{"phrase with a prefix", text(`"kettle is brok"*`), []int64{5}},
		{"part of an address", text("kettlebird"), []int64{3}},
		{"an address", text("kettlebird.coffee"), []int64{3}},
		{"no accent finds an accent", text("cafe etait"), []int64{4}},
		{"an accent finds none", text("CAFÉ"), []int64{4}},
		{"case in another script", text("ПРИВЕТ"), []int64{6}},
		{"author name", text("ana"), []int64{1}},
		{"author name in another script", text("олег"), []int64{6}},
		{"not a token: substring", text("10€"), []int64{6}},
		{"negation", Not{text("refund")}, []int64{1, 3, 4, 6}},
		{"channel and word", And{Term{Field: FieldChannel, Value: "x"}, text("refund")}, []int64{2}},
		{"tag any case and word", And{Term{Field: FieldTag, Value: "Vip"}, text("refund")}, []int64{2, 5}},
		{"tag and not word", And{Term{Field: FieldTag, Value: "vip"}, Not{text("kettle")}}, []int64{2}},
		{"operators are words", text("kettle OR refund"), []int64{}},
		{"no such word", text("warehouse"), []int64{}},
	}
	got := map[engine][][]int64{}
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			db := textInbox(t, e)
			for _, tt := range tests {
				convs := conversationIDs(t, db, tt.c, Env{})
				got[e] = append(got[e], convs)
				if !reflect.DeepEqual(convs, tt.convs) {
					where, args, _ := conversationWhere(db.d, tt.c, Env{}, ftsLookup)
					t.Errorf("%s: conversations %v, want %v\n%s %q", tt.name, convs, tt.convs, where, args)
				}
				// The count that reads the matches from the index (ftsDriven) agrees.
				n, err := db.QueueCount(ctx, nil, tt.c, Env{}, 1000)
				if err != nil || n != len(tt.convs) {
					t.Errorf("%s: count %d, %v; want %d", tt.name, n, err, len(tt.convs))
				}
			}
		})
	}
	if len(got[onPostgres]) > 0 && !reflect.DeepEqual(got[onSQLite], got[onPostgres]) {
		t.Errorf("the engines disagree:\nsqlite   %v\npostgres %v", got[onSQLite], got[onPostgres])
	}
}

// A long message of many distinct words (a pasted log) is stored and found by its words
// on both engines: PostgreSQL indexes its first 200,000 characters, since a tsvector
// holds at most 1 MB (this one would make 2 MB).
func TestLongMessageIsStored(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		db := openOn(t, e)
		ctx := context.Background()
		var b strings.Builder
		for i := 0; b.Len() < 1500<<10; i++ {
			fmt.Fprintf(&b, "w%x ", i*7919)
		}
		must(t, db.Tx(ctx, func(tx *Tx) error {
			_, err := tx.Ingest(ctx, NewMessage{Channel: "email", Account: "help@acme.com", ExtID: "1", ConvKey: "th:1", Kind: "email",
				Direction: "in", AuthorID: "ops@ex.com", Text: b.String(), CreatedAt: 1, Priority: 1})
			return err
		}))
		if got := conversationIDs(t, db, Text{Query: "w1eef"}, Env{}); !reflect.DeepEqual(got, []int64{1}) {
			t.Errorf("a word of the long message finds %v, want [1]", got)
		}
	})
}
