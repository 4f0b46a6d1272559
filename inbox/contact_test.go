package inbox

import (
	"context"
	"slices"
	"testing"
)

func TestAuthorHistory(t *testing.T) {
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	ctx := context.Background()
	msg := func(ch, id, conv string, a *Author, text, when string) Message {
		return Message{Channel: ch, Account: "@acme", ID: id, Conversation: conv, Kind: KindComment, Author: a, Text: text, CreatedAt: at(when)}
	}
	anaIG := &Author{ID: "ig-1", Handle: "@ana", Name: "Ana Ruiz"}
	anaX := &Author{ID: "x-9", Handle: "ANA", Name: "ana r."}               // same handle, other case, no "@"
	anaFB := &Author{ID: "fb-3", Name: "ana ruiz"}                          // no handle, same name
	bob := &Author{ID: "x-7", Handle: "@bob", Name: "Bob"}                  // someone else
	mallory := &Author{ID: "x-8", Handle: "@anathema", Name: "Ana Ruiz Jr"} // a prefix is not a match
	mustIngest(t, s,
		msg("instagram", "1", "ig:A", anaIG, "Where is my order?", "2026-11-18T09:00:00Z"),
		msg("instagram", "2", "ig:A", anaIG, "Hello??", "2026-11-18T10:00:00Z"),
		msg("x", "3", "x:B", anaX, "still nothing", "2026-11-19T08:00:00Z"),
		msg("x", "4", "x:B", bob, "same here", "2026-11-19T08:30:00Z"),
		msg("facebook", "5", "fb:C", anaFB, "refund please", "2026-11-20T11:00:00Z"),
		msg("x", "6", "x:D", bob, "love it", "2026-11-20T11:30:00Z"),
		msg("x", "7", "x:E", mallory, "hi", "2026-11-20T11:40:00Z"),
	)
	if err := s.Tag(ctx, "shipping", convOf(t, s, "ig:A"), convOf(t, s, "x:B")); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag(ctx, "refund", convOf(t, s, "fb:C")); err != nil {
		t.Fatal(err)
	}

	h, err := s.AuthorHistory(ctx, convOf(t, s, "ig:A"), 5)
	if err != nil {
		t.Fatal(err)
	}
	var chans []string
	for _, c := range h.Contacts {
		chans = append(chans, c.Channel)
	}
	// The conversation's own contact first, then the handle match, then the name match.
	if want := []string{"instagram", "x", "facebook"}; !slices.Equal(chans, want) {
		t.Errorf("contacts on %v, want %v", chans, want)
	}
	// Ana wrote 4 messages (not bob's) in 3 conversations, from Nov 18 09:00 to Nov 20 11:00.
	if h.Messages != 4 || h.Conversations != 3 {
		t.Errorf("messages, conversations = %d, %d, want 4, 3", h.Messages, h.Conversations)
	}
	if h.FirstAt != ms(at("2026-11-18T09:00:00Z")) || h.LastAt != ms(at("2026-11-20T11:00:00Z")) {
		t.Errorf("first, last = %v, %v", fromMS(h.FirstAt), fromMS(h.LastAt))
	}
	if len(h.Tags) != 2 || h.Tags[0] != (TagCount{Name: "shipping", Count: 2}) || h.Tags[1] != (TagCount{Name: "refund", Count: 1}) {
		t.Errorf("tags = %v, want shipping×2, refund×1", h.Tags)
	}
	// Her other conversations, latest first, each with her latest message in it.
	if len(h.Others) != 2 {
		t.Fatalf("others = %+v, want 2", h.Others)
	}
	if o := h.Others[0]; o.Channel != "facebook" || o.LastText != "refund please" || o.State != "new" {
		t.Errorf("others[0] = %+v", o)
	}
	if o := h.Others[1]; o.Channel != "x" || o.LastText != "still nothing" || o.LastAt != ms(at("2026-11-19T08:00:00Z")) {
		t.Errorf("others[1] = %+v", o)
	}

	// limit bounds the list, not the counts.
	if h, _ := s.AuthorHistory(ctx, convOf(t, s, "ig:A"), 1); len(h.Others) != 1 || h.Messages != 4 {
		t.Errorf("limit 1: %d others, %d messages", len(h.Others), h.Messages)
	}
	// Bob is only himself.
	if h, _ := s.AuthorHistory(ctx, convOf(t, s, "x:D"), 5); len(h.Contacts) != 1 || h.Messages != 2 || len(h.Others) != 1 {
		t.Errorf("bob: %+v", h)
	}
	if _, err := s.AuthorHistory(ctx, 999, 5); err == nil {
		t.Error("unknown conversation: want an error")
	}
}
