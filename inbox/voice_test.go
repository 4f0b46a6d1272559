package inbox

import (
	"reflect"
	"strings"
	"testing"
)

func TestVoiceBanned(t *testing.T) {
	v := NewVoice(VoiceConfig{Banned: []string{"unfortunately", "as per", "calm down"}})
	tests := []struct {
		text string
		want []Warning
	}{
		{"Happy to help!", nil},
		// Offsets are in runes: "Olá 👋🏽 " is 7 runes (the waving hand plus its skin tone).
		{"Olá 👋🏽 Unfortunately it's gone", []Warning{
			{WarnBanned, `banned phrase "unfortunately"`, 7, 20},
		}},
		{"Café — as  per our policy, please CALM DOWN.", []Warning{
			{WarnBanned, `banned phrase "as per"`, 7, 14},
			{WarnBanned, `banned phrase "calm down"`, 34, 43},
		}},
		{"fortunately, we calmed down", nil}, // whole words only
		{"unfortunately… unfortunately", []Warning{
			{WarnBanned, `banned phrase "unfortunately"`, 0, 13},
			{WarnBanned, `banned phrase "unfortunately"`, 15, 28},
		}},
	}
	for _, tt := range tests {
		if got := v.Check("email", tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Check(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
		}
		for _, w := range tt.want { // the offsets really point at the phrase
			span := string([]rune(tt.text)[w.Start:w.End])
			if !strings.Contains(strings.ToLower(w.Message), strings.Join(strings.Fields(strings.ToLower(span)), " ")) {
				t.Errorf("span %q does not match %s", span, w.Message)
			}
		}
	}
}

func TestVoiceSignoff(t *testing.T) {
	v := NewVoice(VoiceConfig{Brand: "Acme", Signoff: "— The {brand} team"})
	missing := func(text string) []Warning {
		n := len([]rune(text))
		return []Warning{{WarnSignoff, `missing sign-off "— The Acme team"`, n, n}}
	}
	tests := []struct {
		channel, text string
		want          []Warning
	}{
		{"email", "Thanks!\n— The Acme team", nil},
		{"email", "Thanks! — The Acme team \n\n", nil}, // trailing whitespace is fine
		{"email", "Thanks!", missing("Thanks!")},
		{"email", "— The Acme team. Thanks!", missing("— The Acme team. Thanks!")}, // not at the end
		{"email", "Thanks — the acme team", missing("Thanks — the acme team")},     // exact, as the brand writes it
	}
	for _, tt := range tests {
		if got := v.Check(tt.channel, tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Check(%q, %q)\n got %+v\nwant %+v", tt.channel, tt.text, got, tt.want)
		}
	}

	per := NewVoice(VoiceConfig{Signoff: "^ana", SignoffChannels: []string{"Email", "mastodon"}})
	if got := per.Check("x", "thanks"); got != nil {
		t.Errorf("x is not a sign-off channel: %+v", got)
	}
	if got := per.Check("EMAIL", "thanks"); len(got) != 1 || got[0].Kind != WarnSignoff {
		t.Errorf("email needs the sign-off: %+v", got)
	}
	if got := per.Check("mastodon", "thanks ^ana"); got != nil {
		t.Errorf("sign-off present: %+v", got)
	}
}

func TestVoiceLength(t *testing.T) {
	v := NewVoice(VoiceConfig{Limits: map[string]int{"X": 10, "mastodon": 0, "sms": 5}})
	tests := []struct {
		name, channel, text string
		want                []Warning
	}{
		{"fits", "x", "0123456789", nil},
		{"over", "x", "0123456789ab", []Warning{{WarnLength, "12/10 characters on x", 10, 12}}},
		{"graphemes", "x", "👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦", nil},
		// 11 families: the 11th starts at rune 10×7 = 70; the text is 77 runes.
		{"graphemes over", "x", strings.Repeat("👨‍👩‍👧‍👦", 11), []Warning{{WarnLength, "11/10 characters on x", 70, 77}}},
		{"removed limit", "mastodon", strings.Repeat("a", 600), nil},
		{"added limit", "sms", "hello!", []Warning{{WarnLength, "6/5 characters on sms", 5, 6}}},
		{"default kept", "bluesky", strings.Repeat("a", 301), []Warning{{WarnLength, "301/300 characters on bluesky", 300, 301}}},
		{"no limit", "email", strings.Repeat("a", 5000), nil},
	}
	for _, tt := range tests {
		if got := v.Check(tt.channel, tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Check(%q)\n got %+v\nwant %+v", tt.name, tt.channel, got, tt.want)
		}
	}
	for ch, want := range map[string]int{"x": 10, "X": 10, "bluesky": 300, "mastodon": 0, "sms": 5, "email": 0} {
		if got := v.Limit(ch); got != want {
			t.Errorf("Limit(%q) = %d, want %d", ch, got, want)
		}
	}
}

func TestVoiceLengthURLOnX(t *testing.T) {
	v := NewVoice(VoiceConfig{Limits: map[string]int{"x": 30}})
	// "See " (4) + link (23) + "." (1) = 28 on x; the link is 38 runes long.
	text := "See https://example.com/a/very/long/path/x."
	if got := withoutCost(v.Check("x", text)); got != nil {
		t.Errorf("link should count 23: %+v", got)
	}
	// Adding "!!!" makes 31 > 30; the 31st unit is the last "!", at rune 4+38+1+2 = 45.
	if got := withoutCost(v.Check("x", text+"!!!")); !reflect.DeepEqual(got, []Warning{{WarnLength, "31/30 characters on x", 45, 46}}) {
		t.Errorf("got %+v", got)
	}
	// The link starts past the limit: Start is where the link begins.
	long := strings.Repeat("a", 25) + " http://t.co/x"
	if got := withoutCost(v.Check("x", long)); !reflect.DeepEqual(got, []Warning{{WarnLength, "49/30 characters on x", 26, 39}}) {
		t.Errorf("got %+v", got)
	}
}

func TestLength(t *testing.T) {
	tests := []struct {
		channel, text string
		want          int
	}{
		{"x", "", 0},
		{"x", "hello", 5},
		{"x", "café", 4},
		{"x", "cafe\u0301", 4}, // e + combining acute is one character
		{"x", "👨‍👩‍👧‍👦", 1},    // a family is one character
		{"bluesky", "👍🏽👍🏽", 2}, // skin tones join their emoji
		{"x", "🇫🇷", 1},         // a flag
		{"x", "https://example.com/a/very/long/path", 23},
		{"X", "read http://a.co and HTTPS://b.example.org/x?y=1#z!", 5 + 23 + 5 + 23 + 1},
		{"x", "(see https://en.wikipedia.org/wiki/Go_(language))", 1 + 4 + 23 + 1},
		{"mastodon", "https://example.com/a/very/long/path", 36}, // only x shortens links
		{"x", "ftp://example.com", 17},
	}
	for _, tt := range tests {
		if got := Length(tt.channel, tt.text); got != tt.want {
			t.Errorf("Length(%q, %q) = %d, want %d", tt.channel, tt.text, got, tt.want)
		}
	}
}

func TestVoiceNil(t *testing.T) {
	var v *Voice
	if got := v.Check("x", strings.Repeat("a", 281)); len(got) != 1 || got[0].Kind != WarnLength || got[0].Message != "281/280 characters on x" {
		t.Errorf("nil voice on x: %+v", got)
	}
	if got := v.Check("email", "unfortunately "+strings.Repeat("a", 9000)); got != nil {
		t.Errorf("nil voice on email: %+v", got)
	}
	if v.Limit("mastodon") != 500 || v.Limit("bluesky") != 300 || v.Limit("instagram") != 2200 || v.Limit("whatsapp") != 4096 ||
		v.Limit("telegram") != 4096 || v.Limit("youtube") != 10000 || v.Limit("email") != 0 {
		t.Error("nil voice limits are not the defaults")
	}
}

func TestVoiceAllWarnings(t *testing.T) {
	v := NewVoice(VoiceConfig{Banned: []string{"sorry"}, Signoff: "^A", Limits: map[string]int{"x": 5}})
	got := v.Check("x", "sorry!")
	want := []Warning{
		{WarnBanned, `banned phrase "sorry"`, 0, 5},
		{WarnSignoff, `missing sign-off "^A"`, 6, 6},
		{WarnLength, "6/5 characters on x", 5, 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
