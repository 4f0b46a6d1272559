package inbox

import (
	"math"
	"testing"
)

func TestSentimentScore(t *testing.T) {
	const (
		pos = iota
		neu
		neg
	)
	tests := []struct {
		text string
		want int
	}{
		{"I love this, thank you!", pos},
		{"This is not good", neg},
		{"not bad at all", pos},
		{"Where is my order?", neu},
		{"", neu},
		{"   ", neu},
		{"@goodfood https://example.com/bad-request", neu},          // handles and URLs carry no mood
		{"my order never arrived", neg},                             // a negated expectation
		{"the app isn't working", neg},                              // n't
		{"the app isn’t working", neg},                              // typographic apostrophe
		{"still no reply from support", neg},                        // "no" + need
		{"no help at all", neg},                                     // "no help"
		{"my order arrived", neu},                                   // the same need, not negated
		{"it never disappoints", pos},                               // negated negative
		{"no problem, thanks", pos},                                 // phrase wins over negation
		{"Great, not a problem", pos},                               // a negated negative after a positive
		{"The product is great but the delivery was terrible", neg}, // after "but" weighs more
		{"The delivery was late but the product is amazing", pos},   //
		{"goooood job, loooove it", pos},                            // elongations
		{"🎉🎉", pos},                                                 // emoji alone
		{"❤️", pos},                                                 // heart with variation selector
		{"thanks :)", pos},                                          // emoticon
		{"ugh :(", neg},                                             //
		{"Me encanta, gracias", pos},                                // Spanish
		{"no funciona", neg},                                        // Spanish negation of a need
		{"ce n'est pas bon", neg},                                   // French ne…pas
		{"j'adore ce produit", pos},                                 // French elision
		{"Das ist nicht gut", neg},                                  // German
		{"Paket nie angekommen", neg},                               //
		{"never received my refund and nobody answered 👎", neg},     //
		{"Could you check order 1234 please", neu},                  //
		{"my order never arrived and support is useless 😡", neg},    //
	}
	s := NewSentiment(SentimentConfig{})
	for _, tt := range tests {
		got := s.Score(tt.text)
		var class int
		switch {
		case got >= PositiveThreshold:
			class = pos
		case got <= NegativeThreshold:
			class = neg
		default:
			class = neu
		}
		if class != tt.want {
			t.Errorf("Score(%q) = %.3f, want class %d (0 pos, 1 neutral, 2 neg)", tt.text, got, tt.want)
		}
		if got < -1 || got > 1 {
			t.Errorf("Score(%q) = %v, outside [-1, 1]", tt.text, got)
		}
	}
}

func TestSentimentStrength(t *testing.T) {
	s := NewSentiment(SentimentConfig{})
	if got := s.Score("I love this, thank you!"); got <= 0.05 {
		t.Errorf("thanks scored %.3f, want > 0.05", got)
	}
	if got := s.Score("my order never arrived and support is useless 😡"); got > -0.5 {
		t.Errorf("angry complaint scored %.3f, want <= -0.5 (strongly negative)", got)
	}
	if got := s.Score("not bad at all"); got < 0 {
		t.Errorf("not bad at all scored %.3f, want >= 0", got)
	}
	if got := s.Score("Where is my order?"); got != 0 {
		t.Errorf("question scored %.3f, want exactly 0", got)
	}
	// Negation dampens: "not good" is milder than "bad".
	if notGood, bad := s.Score("not good"), s.Score("bad"); !(bad < notGood && notGood < 0) {
		t.Errorf("not good = %.3f, bad = %.3f; want bad < not good < 0", notGood, bad)
	}
}

func TestSentimentIntensifiers(t *testing.T) {
	s := NewSentiment(SentimentConfig{})
	tests := []struct{ weaker, stronger string }{
		{"good", "very good"},
		{"slow", "so slow"},
		{"good", "sooo good"},
		{"bad", "bad!!!"},
		{"great", "great!!!"},
		{"this is bad", "this is BAD"}, // capitals in mixed-case text shout
		{"not good", "not very good"},  // a booster inside a negation's reach
	}
	for _, tt := range tests {
		w, st := math.Abs(s.Score(tt.weaker)), math.Abs(s.Score(tt.stronger))
		if !(st > w) {
			t.Errorf("|%q| = %.3f should exceed |%q| = %.3f", tt.stronger, st, tt.weaker, w)
		}
	}
	if w, st := s.Score("slightly good"), s.Score("good"); !(w < st && w > 0) {
		t.Errorf("slightly good = %.3f, good = %.3f; want 0 < slightly < good", w, st)
	}
	if got := s.Score("!!!"); got != 0 {
		t.Errorf("bangs alone scored %.3f, want 0", got)
	}
}

func TestSentimentCaseAndPunctuation(t *testing.T) {
	s := NewSentiment(SentimentConfig{})
	base := s.Score("great service")
	for _, text := range []string{"GREAT SERVICE", "Great service.", "great, service", "Great... service", "great-service"} {
		if got := s.Score(text); math.Abs(got-base) > 1e-9 {
			t.Errorf("Score(%q) = %.4f, want %.4f as for %q", text, got, base, "great service")
		}
	}
}

func TestSentimentConfig(t *testing.T) {
	s := NewSentiment(SentimentConfig{Words: map[string]float64{
		"meh":          -1,
		"Great":        0,  // overrides the built-in entry, case-insensitively
		"Game-Changer": 3,  // a phrase, written with a hyphen
		"🙄":            -3, // emoji override
		"not bad":      2,  // a phrase containing a negator
	}})
	if got := s.Score("meh"); got > NegativeThreshold {
		t.Errorf("meh = %.3f, want negative", got)
	}
	if got := NewSentiment(SentimentConfig{}).Score("meh"); got != 0 {
		t.Errorf("meh without config = %.3f, want 0", got)
	}
	if got := s.Score("GREAT"); got != 0 {
		t.Errorf("great overridden to 0 scored %.3f", got)
	}
	if got := s.Score("a game changer"); got < PositiveThreshold {
		t.Errorf("game changer = %.3f, want positive", got)
	}
	if got, def := s.Score("🙄"), NewSentiment(SentimentConfig{}).Score("🙄"); !(got < def) {
		t.Errorf("🙄 = %.3f with config, %.3f without; want config stronger", got, def)
	}
	if got, def := s.Score("not bad"), NewSentiment(SentimentConfig{}).Score("not bad"); !(got > def) {
		t.Errorf("not bad = %.3f with config, %.3f without; want config higher", got, def)
	}
	// The default lexicon is not changed by a configured scorer.
	if got := NewSentiment(SentimentConfig{}).Score("great"); got < PositiveThreshold {
		t.Errorf("great in a fresh scorer = %.3f", got)
	}
}

func TestSentimentNil(t *testing.T) {
	var s *Sentiment
	if got := s.Score("thank you so much!"); got < PositiveThreshold {
		t.Errorf("nil scorer: %.3f, want positive from the built-in lexicon", got)
	}
}

func TestSentimentLexiconRange(t *testing.T) {
	if n := len(sentimentLexicon); n < 150 || n > 400 {
		t.Errorf("lexicon has %d entries", n)
	}
	for k, w := range sentimentLexicon {
		if w < -3 || w > 3 || w == 0 {
			t.Errorf("lexicon %q = %v, want a non-zero weight in [-3, 3]", k, w)
		}
		if sentimentKey(k) != k {
			t.Errorf("lexicon key %q is not canonical (%q)", k, sentimentKey(k))
		}
	}
}
