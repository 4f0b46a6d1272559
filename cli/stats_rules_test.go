package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// figures is the part of `triage stats --json` these tests read: counts, which are
// numbers whatever else the output says of figures with no data.
type figures struct {
	Inbound            int `json:"inbound"`
	Answered           int `json:"answered"`
	Unanswered         int `json:"unanswered"`
	ClosedWithoutReply int `json:"closed_without_reply"`
	Escalated          int `json:"escalated"`
}

type statsOut struct {
	figures
	Groups []struct {
		Key string `json:"key"`
		figures
	} `json:"groups"`
}

// statsJSON runs `triage stats --json` with args and decodes it.
func statsJSON(t *testing.T, db string, args ...string) statsOut {
	t.Helper()
	out, stderr, err := triage(t, db, "", append([]string{"stats", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("stats %v: %v\n%s", args, err, stderr)
	}
	var st statsOut
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("stats %v printed %q: %v", args, out, err)
	}
	return st
}

// groups prints the groups as key:inbound/answered/unanswered/escalated, in order.
func (s statsOut) groups() string {
	var parts []string
	for _, g := range s.Groups {
		parts = append(parts, fmt.Sprintf("%s:%d/%d/%d/%d", g.Key, g.Inbound, g.Answered, g.Unanswered, g.Escalated))
	}
	return strings.Join(parts, " ")
}

// withInbox opens the database as a person would, at a given time, for actions the
// command line has no verb for (assign, escalate, spam, undo).
func withInbox(t *testing.T, db, agent string, at time.Time, fn func(ctx context.Context, s *inbox.Service, conv func(key string) int64) error) {
	t.Helper()
	ctx := context.Background()
	sdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	cfg, err := inbox.ParseConfig("test", "")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := inbox.New(ctx, sdb, cfg, inbox.WithClock(func() time.Time { return at }), inbox.WithAgent(agent))
	if err != nil {
		t.Fatal(err)
	}
	conv := func(key string) int64 {
		t.Helper()
		id, err := sdb.ConversationID(ctx, "x", "@acme", key)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if err := fn(ctx, svc, conv); err != nil {
		t.Fatal(err)
	}
}

// line is one message in the import format on x for @acme.
func line(id, conv, dir, text, at string, extra ...string) string {
	author := ""
	if dir == "in" {
		author = fmt.Sprintf(`"author":{"id":"u-%s","handle":"@u%s"},`, id, id)
	}
	rest := ""
	for _, e := range extra {
		rest += "," + e
	}
	c := ""
	if conv != "" {
		c = fmt.Sprintf(`"conversation":%q,`, conv)
	}
	return fmt.Sprintf(`{"channel":"x","account":"@acme","id":%q,%s"kind":"comment","direction":%q,%s"text":%q,"created_at":"2026-11-20T%s:00Z"%s}`,
		id, c, dir, author, text, at, rest) + "\n"
}

func at(hhmm string) time.Time {
	t, err := time.Parse(time.RFC3339, "2026-11-20T"+hhmm+":00Z")
	if err != nil {
		panic(err)
	}
	return t
}

// --by agent: an answered message counts for whoever answered it, "(unknown)" when the
// reply names nobody; one not answered for the conversation's assignee, else
// "(unassigned)". An assignee does not take the answers someone else gave.
func TestStatsByAgent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	data := line("a1", "a", "in", "where is my order", "10:00") +
		line("a2", "a", "out", "on its way", "10:30", `"agent":"maria"`) +
		line("b1", "b", "in", "is this in stock", "11:00") +
		line("b2", "b", "out", "yes it is", "11:10") + // sent from the channel's app: no agent
		line("c1", "c", "in", "refund please", "12:00") +
		line("d1", "d", "in", "hello", "13:00") +
		line("e1", "e", "in", "broken lid", "09:00") +
		line("e2", "e", "out", "sorry, a new one is coming", "09:20", `"agent":"maria"`)
	if _, stderr, err := triage(t, db, data, "import", "-"); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	withInbox(t, db, "lead", at("14:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
		return s.Assign(ctx, "sam", conv("c"), conv("e"))
	})
	st := statsJSON(t, db, "--since", "2026-11-20T00:00:00Z", "--by", "agent")
	// maria: a1 and e1 (e is sam's, but maria answered it); (unknown): b1; sam: c1
	// waiting; (unassigned): d1 waiting.
	if got, want := st.groups(), "maria:2/2/0/0 (unassigned):1/0/1/0 (unknown):1/1/0/0 sam:1/0/1/0"; got != want {
		t.Errorf("stats --by agent groups\n got %s\nwant %s", got, want)
	}
}

// escalated counts the conversations escalated in the window, once each however often,
// under their first escalation there (by agent: who escalated it); an escalation undone
// (cancelled), one made before the window, and one on a conversation a person then marked
// as spam are not counted.
func TestStatsEscalatedCountsConversations(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	data := line("e1", "twice", "in", "the kettle leaks", "08:00") +
		line("e2", "undone", "in", "the kettle leaks too", "08:00") +
		line("e3", "junk", "in", "the kettle leaks as well", "08:00") +
		line("e4", "before", "in", "my kettle leaked yesterday", "08:00")
	if _, stderr, err := triage(t, db, data, "import", "-"); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	esc := inbox.EscalateRequest{Reason: "bug"}
	withInbox(t, db, "lee", at("08:30"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
		return s.Escalate(ctx, esc, conv("before"))
	})
	withInbox(t, db, "maria", at("10:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
		return s.Escalate(ctx, esc, conv("twice"), conv("junk"))
	})
	withInbox(t, db, "sam", at("12:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
		if err := s.Escalate(ctx, esc, conv("twice")); err != nil {
			return err
		}
		return s.Spam(ctx, conv("junk"))
	})
	withInbox(t, db, "lee", at("13:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
		if err := s.Escalate(ctx, esc, conv("undone")); err != nil {
			return err
		}
		_, err := s.Undo(ctx)
		return err
	})
	// Only escalations count here: every message arrived at 08:00, before the window.
	st := statsJSON(t, db, "--since", "2026-11-20T09:00:00Z", "--until", "2026-11-20T18:00:00Z", "--by", "agent")
	if st.Escalated != 1 || st.groups() != "maria:0/0/0/1" {
		t.Errorf("escalated %d, groups %s; want 1 conversation, maria's", st.Escalated, st.groups())
	}
	// A window that starts after the first escalation sees the second.
	if st := statsJSON(t, db, "--since", "2026-11-20T11:00:00Z", "--by", "agent"); st.Escalated != 1 || !strings.Contains(st.groups(), "sam:0/0/0/1") {
		t.Errorf("from 11:00: escalated %d, groups %s; want 1, sam's", st.Escalated, st.groups())
	}
}

// A conversation the rules put in spam comes back as new when a message that is not spam
// arrives, and that message counts; one a person marked as spam stays spam, and what
// arrives in it is left out of the figures. Both whether the messages come in one import
// (a bulk load into an empty inbox) or two.
func TestSpamConversationComesBackForARealMessage(t *testing.T) {
	cfg := writeFile(t, "config.toml", "[rules]\nspam_words = [\"crypto giveaway\"]\n")
	first := line("s1", "s", "in", "crypto giveaway, click here", "10:00") + line("p1", "p", "in", "the lid cracked", "10:00")
	later := line("s2", "s", "in", "my grinder broke, can you help", "11:00") + line("p2", "p", "in", "hello??", "13:00")
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprint("two imports ", split), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			imp := func(data string) {
				if _, stderr, err := triage(t, db, data, "import", "--config", cfg, "-"); err != nil {
					t.Fatalf("import: %v\n%s", err, stderr)
				}
			}
			imp(first)
			withInbox(t, db, "maria", at("12:00"), func(ctx context.Context, s *inbox.Service, conv func(string) int64) error {
				return s.Spam(ctx, conv("p"))
			})
			if split {
				imp(later)
			} else {
				// The same messages again change nothing; the later ones arrive in one batch.
				imp(first + later)
			}
			st := statsJSON(t, db, "--config", cfg, "--since", "2026-11-20T00:00:00Z")
			// s2 only: s1 is spam, and p is a person's spam.
			if st.Inbound != 1 || st.Unanswered != 1 {
				t.Errorf("inbound %d unanswered %d, want 1 and 1 (s2)", st.Inbound, st.Unanswered)
			}
			out, _, err := triage(t, db, "", "export", "--config", cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`"id":"s2","conversation":"s"`, `"id":"p2","conversation":"p"`} {
				i := strings.Index(out, want)
				if i < 0 {
					t.Fatalf("export lacks %s:\n%s", want, out)
				}
				state := out[i:]
				state = state[strings.Index(state, `"state":`):]
				state = state[:strings.Index(state, ",")]
				wantState := map[bool]string{true: `"state":"new"`, false: `"state":"spam"`}[strings.Contains(want, "s2")]
				if state != wantState {
					t.Errorf("%s: %s, want %s", want, state, wantState)
				}
			}
		})
	}
	// In one import into an empty inbox (a bulk load) as well.
	db := filepath.Join(t.TempDir(), "t.db")
	if _, stderr, err := triage(t, db, first+later, "import", "--config", cfg, "-"); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if st := statsJSON(t, db, "--config", cfg, "--since", "2026-11-20T00:00:00Z"); st.Inbound != 3 || st.Unanswered != 3 {
		t.Errorf("one import: inbound %d unanswered %d, want 3 and 3 (p1, p2, s2)", st.Inbound, st.Unanswered)
	}
}

// The brand replying in a conversation the rules put in spam brings it back too, as
// waiting: the same messages in the other order (the reply first) never made it spam.
func TestBrandReplyBringsBackRulesSpam(t *testing.T) {
	cfg := writeFile(t, "config.toml", "[rules]\nspam_words = [\"crypto giveaway\"]\n")
	lines := []string{line("s1", "s", "in", "crypto giveaway, click here", "10:00"), line("s2", "s", "out", "please stop", "10:30", `"agent":"maria"`)}
	for _, order := range [][]string{lines, {lines[1], lines[0]}} {
		db := filepath.Join(t.TempDir(), "t.db")
		if _, stderr, err := triage(t, db, strings.Join(order, ""), "import", "--config", cfg, "-"); err != nil {
			t.Fatalf("import: %v\n%s", err, stderr)
		}
		out, _, err := triage(t, db, "", "export", "--config", cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out, `"state":"waiting"`); n != 2 {
			t.Errorf("order %q...: %d lines in state waiting, want 2:\n%s", order[0][:40], n, out)
		}
		if st := statsJSON(t, db, "--config", cfg, "--since", "2026-11-20T00:00:00Z"); st.Inbound != 0 {
			t.Errorf("inbound %d, want 0: the spam message is left out", st.Inbound)
		}
	}
}
