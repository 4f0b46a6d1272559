package inbox

import (
	"slices"
	"strings"
	"testing"
)

func rulesForTest(t *testing.T) *Rules {
	t.Helper()
	r, err := NewRules(RulesConfig{
		Rules: []RuleConfig{
			{Name: "legal", Match: `lawyer|sue|court`, Tags: []string{"Legal", "risk"}, Priority: "urgent"},
			{Name: "refund", Keywords: []string{"refund", "money back", "reembolso"}, Tags: []string{"billing"}, Priority: "high"},
			{Name: "broken", Match: `broken|doesn'?t work`, Tags: []string{"bug", "RISK"}},
			{Name: "x-only", Keywords: []string{"dm me"}, Channels: []string{"X"}, Tags: []string{"dm-request"}},
			{Name: "reviews", Match: `.`, Kinds: []string{"review"}, Tags: []string{"review"}, Priority: "low"},
		},
		VIP:       []string{"@Ana", "x:@bob", "bluesky:carol.bsky.social"},
		SpamWords: []string{"crypto", "free followers", "$$$"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRulesApply(t *testing.T) {
	r := rulesForTest(t)
	tests := []struct {
		name string
		in   RuleInput
		want RuleResult
	}{
		{"nothing", RuleInput{Channel: "x", Kind: "mention", Text: "where is my order?"},
			RuleResult{Priority: PriorityNormal}},
		{"regexp, case-insensitive", RuleInput{Channel: "x", Text: "My LAWYER will hear of this"},
			RuleResult{Priority: PriorityUrgent, Tags: []string{"legal", "risk"}, Matched: []string{"legal"}}},
		{"keyword whole word", RuleInput{Channel: "x", Text: "I want a Refund."},
			RuleResult{Priority: PriorityHigh, Tags: []string{"billing"}, Matched: []string{"refund"}}},
		{"keyword not inside a word", RuleInput{Channel: "x", Text: "refunded already, thanks"},
			RuleResult{Priority: PriorityNormal}},
		{"keyword phrase across spaces", RuleInput{Channel: "x", Text: "give me my money\n back"},
			RuleResult{Priority: PriorityHigh, Tags: []string{"billing"}, Matched: []string{"refund"}}},
		{"unicode keyword", RuleInput{Channel: "x", Text: "¿Y mi reembolso?"},
			RuleResult{Priority: PriorityHigh, Tags: []string{"billing"}, Matched: []string{"refund"}}},
		{"highest priority wins, tags dedup in order", RuleInput{Channel: "x", Text: "it's broken, refund or I call my lawyer"},
			RuleResult{Priority: PriorityUrgent, Tags: []string{"legal", "risk", "billing", "bug"}, Matched: []string{"legal", "refund", "broken"}}},
		{"rule without priority keeps normal", RuleInput{Channel: "mastodon", Text: "app doesnt work"},
			RuleResult{Priority: PriorityNormal, Tags: []string{"bug", "risk"}, Matched: []string{"broken"}}},
		{"channel filter matches", RuleInput{Channel: "x", Text: "DM me please"},
			RuleResult{Priority: PriorityNormal, Tags: []string{"dm-request"}, Matched: []string{"x-only"}}},
		{"channel filter excludes", RuleInput{Channel: "mastodon", Text: "DM me please"},
			RuleResult{Priority: PriorityNormal}},
		{"kind filter, low priority rule does not lower", RuleInput{Channel: "email", Kind: "Review", Text: "ok"},
			RuleResult{Priority: PriorityNormal, Tags: []string{"review"}, Matched: []string{"reviews"}}},
		{"VIP any channel", RuleInput{Channel: "mastodon", Text: "hi", AuthorHandle: "ana"},
			RuleResult{Priority: PriorityHigh, VIP: true}},
		{"VIP per channel", RuleInput{Channel: "X", Text: "hi", AuthorHandle: "@BOB"},
			RuleResult{Priority: PriorityHigh, VIP: true}},
		{"VIP other channel", RuleInput{Channel: "bluesky", Text: "hi", AuthorHandle: "@bob"},
			RuleResult{Priority: PriorityNormal}},
		{"VIP bluesky handle", RuleInput{Channel: "bluesky", Text: "hi", AuthorHandle: "@carol.bsky.social"},
			RuleResult{Priority: PriorityHigh, VIP: true}},
		{"VIP keeps urgent", RuleInput{Channel: "x", Text: "court", AuthorHandle: "@ana"},
			RuleResult{Priority: PriorityUrgent, VIP: true, Tags: []string{"legal", "risk"}, Matched: []string{"legal"}}},
		{"strongly negative", RuleInput{Channel: "x", Text: "awful", Sentiment: -0.5},
			RuleResult{Priority: PriorityHigh}},
		{"mildly negative", RuleInput{Channel: "x", Text: "meh", Sentiment: -0.49},
			RuleResult{Priority: PriorityNormal}},
		{"spam", RuleInput{Channel: "x", Text: "Get FREE followers now"},
			RuleResult{Priority: PriorityLow, Spam: true}},
		{"spam symbol phrase", RuleInput{Channel: "x", Text: "make $$$ fast"},
			RuleResult{Priority: PriorityLow, Spam: true}},
		{"spam word inside a word is not spam", RuleInput{Channel: "x", Text: "cryptography question"},
			RuleResult{Priority: PriorityNormal}},
		{"spam wins over VIP, rules and sentiment", RuleInput{Channel: "x", Text: "crypto lawyer", AuthorHandle: "@ana", Sentiment: -0.9},
			RuleResult{Priority: PriorityLow, Spam: true, VIP: true, Tags: []string{"legal", "risk"}, Matched: []string{"legal"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Apply(tt.in)
			if got.Priority != tt.want.Priority || got.VIP != tt.want.VIP || got.Spam != tt.want.Spam ||
				!slices.Equal(got.Tags, tt.want.Tags) || !slices.Equal(got.Matched, tt.want.Matched) {
				t.Errorf("Apply(%+v)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRulesNil(t *testing.T) {
	var r *Rules
	got := r.Apply(RuleInput{Channel: "x", Text: "lawyer crypto", AuthorHandle: "@ana", Sentiment: -1})
	if got.Priority != PriorityNormal || got.VIP || got.Spam || got.Tags != nil || got.Matched != nil {
		t.Errorf("nil rules: %+v, want normal priority and nothing else", got)
	}
	empty, err := NewRules(RulesConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.Apply(RuleInput{Text: "hello"}); got.Priority != PriorityNormal {
		t.Errorf("empty rules: %+v", got)
	}
}

func TestNewRulesErrors(t *testing.T) {
	ok := RuleConfig{Name: "ok", Keywords: []string{"x"}}
	tests := []struct {
		rule RuleConfig
		want string
	}{
		{RuleConfig{Name: "legal", Match: "lawyer|(sue"},
			"rules.rule[2] (\"legal\"): match: error parsing regexp: missing closing ): `lawyer|(sue`"},
		{RuleConfig{Name: "empty", Match: "  ", Keywords: []string{"", " "}},
			`rules.rule[2] ("empty"): needs match or keywords`},
		{RuleConfig{Name: "prio", Match: "x", Priority: "asap"},
			`rules.rule[2] ("prio"): priority: unknown priority "asap"`},
		{RuleConfig{Name: "kind", Match: "x", Kinds: []string{"tweet"}},
			`rules.rule[2] ("kind"): kinds: unknown kind "tweet"`},
	}
	for _, tt := range tests {
		_, err := NewRules(RulesConfig{Rules: []RuleConfig{ok, ok, tt.rule}})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("NewRules(%+v) error = %v, want prefix %s", tt.rule, err, tt.want)
		}
	}
}

func TestPhraseMatcherFindAll(t *testing.T) {
	m := newPhraseMatcher([]string{"cancel", "cancellation", "as  per", "calm down"})
	text := "Cancel? As per policy, cancellation... cancelled. calm downtown; CALM DOWN"
	var got []string
	for _, pm := range m.findAll(text) {
		got = append(got, text[pm.start:pm.end]+"="+pm.phrase)
	}
	want := []string{"Cancel=cancel", "As per=as per", "cancellation=cancellation", "CALM DOWN=calm down"}
	if !slices.Equal(got, want) {
		t.Errorf("findAll = %q, want %q", got, want)
	}
	uni := newPhraseMatcher([]string{"café", "caf", "über"})
	if got := uni.findAll("Un CAFÉ über alles, caféine"); len(got) != 2 || got[0].phrase != "café" || got[1].phrase != "über" {
		t.Errorf("unicode boundaries: %+v", got)
	}
	if (*phraseMatcher)(nil).matches("anything") || newPhraseMatcher([]string{" "}) != nil {
		t.Error("an empty matcher should match nothing and be nil")
	}
}
