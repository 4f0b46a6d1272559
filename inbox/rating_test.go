package inbox

import (
	"context"
	"strings"
	"testing"
)

func reviewMsg(id, text, when string, stars int) Message {
	return Message{Channel: "googleplay", Account: "com.acme.app", ID: id, Conversation: "review:gp-1", Kind: KindReview,
		Author: &Author{ID: "gp-user-1", Name: "Ana Ruiz"}, Text: text, CreatedAt: at(when),
		Rating: stars, AppVersion: "3.1.0", Language: "pt-BR"}
}

// An edited review reopens its answered, closed conversation, the queue shows the stars
// it has now, rating<=2 finds it by them, and an export carries the stars, the app
// version and the language into an import that shows the same.
func TestEditedReviewReopensAndKeepsItsStars(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestInbox(t, "", at("2026-11-22T12:00:00Z"))
	mustIngest(t, s, reviewMsg("gp-1@1", "Crashes when I open a photo", "2026-11-20T10:00:00Z", 1))
	id := convOf(t, s, "review:gp-1")
	if err := s.Done(ctx, id); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, reviewMsg("gp-1@2", "Still crashes after the update", "2026-11-21T09:00:00Z", 2))
	c, err := s.db.Conversation(ctx, id)
	if err != nil || c.State != string(StateOpen) {
		t.Fatalf("after the edit: %+v, %v; want open", c, err)
	}
	low := queueKeys(t, s, "rating<=2")
	if len(low) != 1 || low[0] != 2 {
		t.Errorf("rating<=2 shows stars %v, want the one conversation at 2", low)
	}
	if got := queueKeys(t, s, "rating:1"); len(got) != 0 {
		t.Errorf("rating:1 finds %v: the 1-star version was edited away", got)
	}

	exported := exportAll(t, s)
	for _, want := range []string{`"rating":1,"app_version":"3.1.0","language":"pt-BR"`, `"rating":2,"app_version":"3.1.0","language":"pt-BR"`} {
		if !strings.Contains(exported, want) {
			t.Errorf("the export lacks %s:\n%s", want, exported)
		}
	}
	b, _ := newTestInbox(t, "", at("2026-11-22T12:00:00Z"))
	if _, err := b.Ingest(ctx, false, func(batch *Batch) error {
		return ReadJSONL(strings.NewReader(exported), "export.jsonl", func(line int, m Message, lerr *LineError) error {
			if lerr != nil {
				return lerr
			}
			_, err := batch.Add(m)
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	if again := exportAll(t, b); again != exported {
		t.Errorf("the imported inbox exports differently:\n%s\nwant:\n%s", again, exported)
	}
	if got := queueKeys(t, b, "rating<=2"); len(got) != 1 || got[0] != 2 {
		t.Errorf("after import rating<=2 shows %v, want [2]", got)
	}
}

// queueKeys is the stars of each conversation the query shows in All.
func queueKeys(t *testing.T, s *Service, query string) []int {
	t.Helper()
	rows, err := s.Queue(context.Background(), QueuePage{View: View{Name: "All"}, Query: query, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var stars []int
	for _, r := range rows {
		stars = append(stars, r.Rating)
	}
	return stars
}
