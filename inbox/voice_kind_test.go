package inbox

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// A DM on Instagram takes 1,000 characters and a Messenger message 2,000, less than the
// channel's comments: the check knows the kind, and config can set a kind's limit as
// "channel.kind".
func TestVoiceLengthOfAKind(t *testing.T) {
	v := NewVoice(VoiceConfig{Limits: map[string]int{"facebook.dm": 1500}})
	text := strings.Repeat("a", 1200)
	tests := []struct {
		channel string
		kind    Kind
		want    []Warning
	}{
		{"instagram", KindDM, []Warning{{WarnLength, "1200/1000 characters on instagram dm", 1000, 1200}}},
		{"instagram", KindComment, nil},
		{"instagram", "", nil},
		{"facebook", KindDM, nil}, // config raised Messenger's to 1,500
		{"whatsapp", KindDM, nil}, // no DM limit of its own: the channel's 4,096
		{"x", KindDM, nil},        // an X DM takes 10,000
		{"x", KindMention, []Warning{{WarnLength, "1200/280 characters on x", 280, 1200}}},
	}
	for _, tt := range tests {
		if got := v.CheckAs(tt.channel, tt.kind, text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CheckAs(%s, %s)\n got %+v\nwant %+v", tt.channel, tt.kind, got, tt.want)
		}
	}
	if got := v.CheckAs("facebook", KindDM, strings.Repeat("a", 1600)); len(got) != 1 || got[0].Message != "1600/1500 characters on facebook dm" {
		t.Errorf("a Messenger message over the configured 1,500: %+v", got)
	}
	for _, tt := range []struct {
		channel string
		kind    Kind
		want    int
	}{{"instagram", KindDM, 1000}, {"Instagram", KindComment, 2200}, {"facebook", KindDM, 1500}, {"facebook", "", 8000}, {"email", KindDM, 0}} {
		if got := v.LimitFor(tt.channel, tt.kind); got != tt.want {
			t.Errorf("LimitFor(%s, %s) = %d, want %d", tt.channel, tt.kind, got, tt.want)
		}
	}
	// A channel's limit set in config holds for its DMs too, unless config sets theirs.
	low := NewVoice(VoiceConfig{Limits: map[string]int{"instagram": 20}})
	for _, tt := range []struct {
		channel string
		kind    Kind
		want    int
	}{{"instagram", KindDM, 20}, {"instagram", KindComment, 20}} {
		if got := low.LimitFor(tt.channel, tt.kind); got != tt.want {
			t.Errorf("LimitFor(%s, %s) = %d, want %d", tt.channel, tt.kind, got, tt.want)
		}
	}
}

// A reply in an Instagram DM over 1,000 characters is refused before it reaches the
// outbox; the same text under a comment goes.
func TestReplyInAnInstagramDMKeepsItsLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestInbox(t, "", at("2026-11-20T12:00:00Z"))
	dm := inMsg("d1", "dm:ana", "Where is my order?", "2026-11-20T10:00:00Z")
	dm.Kind = KindDM
	mustIngest(t, s, dm, inMsg("c1", "post:1", "Where is my order?", "2026-11-20T10:00:00Z"))
	long := strings.Repeat("Sorry for the wait. ", 60) // 1,200 characters
	if _, err := s.Reply(ctx, convOf(t, s, "dm:ana"), long); err == nil || !strings.Contains(err.Error(), "characters on instagram dm") {
		t.Errorf("a 1,200-character Instagram DM reply: %v, want refused for its length", err)
	}
	if _, err := s.Reply(ctx, convOf(t, s, "post:1"), long); err != nil {
		t.Errorf("the same reply under a comment: %v", err)
	}
}
