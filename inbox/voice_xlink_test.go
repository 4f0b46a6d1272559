package inbox

import (
	"context"
	"reflect"
	"testing"
)

// withoutCost drops the cost notices, for tests about the other warnings.
func withoutCost(ws []Warning) []Warning {
	var out []Warning
	for _, w := range ws {
		if w.Kind != WarnCost {
			out = append(out, w)
		}
	}
	return out
}

// A reply with a link on X gets the notice that it costs more, spanning the first link;
// the same text on another channel, or a reply without a link on X, gets none.
func TestVoiceXLinkCostsMore(t *testing.T) {
	v := NewVoice(VoiceConfig{})
	text := "Hi! See https://acme.test/help. Or https://acme.test/faq"
	want := []Warning{{WarnCost, XLinkWarning, 8, 30}}
	if got := v.Check("x", text); !reflect.DeepEqual(got, want) {
		t.Errorf("Check(x) = %+v, want %+v", got, want)
	}
	if got := v.Check("X", text); !reflect.DeepEqual(got, want) {
		t.Errorf("Check(X) = %+v, want %+v", got, want)
	}
	for _, ch := range []string{"mastodon", "bluesky", "email", "youtube"} {
		if got := v.Check(ch, text); got != nil {
			t.Errorf("Check(%s) = %+v, want nothing", ch, got)
		}
	}
	if got := v.Check("x", "No link here, see acme.test"); got != nil {
		t.Errorf("Check(x) without a link = %+v", got)
	}
	// X bills a DM the same with a link or without: no notice on a DM.
	if got := v.CheckAs("x", KindDM, text); got != nil {
		t.Errorf("CheckAs(x, dm) = %+v, want nothing", got)
	}
	if got := v.CheckAs("x", KindMention, text); !reflect.DeepEqual(got, want) {
		t.Errorf("CheckAs(x, mention) = %+v, want %+v", got, want)
	}
}

// The notice never stops a reply, even with the brand voice enforced.
func TestXLinkNoticeNeverRefuses(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestInbox(t, "[voice]\nenforce = \"block\"\nbanned = [\"unfortunately\"]\n", at("2026-12-06T12:00:00Z"))
	m := inMsg("c1", "x:1", "where is my order?", "2026-12-06T11:50:00Z")
	m.Channel = "x"
	mustIngest(t, s, m)
	conv := convOf(t, s, "x:1")
	sent, err := s.Reply(ctx, conv, "It ships today: https://acme.test/track")
	if err != nil {
		t.Fatalf("Reply = %v, want it queued", err)
	}
	if len(sent.Warnings) != 1 || sent.Warnings[0].Kind != WarnCost {
		t.Errorf("warnings %+v, want the link notice", sent.Warnings)
	}
	if _, err := s.Reply(ctx, conv, "Unfortunately https://acme.test/track"); err == nil {
		t.Error("a banned phrase went through with enforce = block")
	}
}
