package team

import (
	"regexp"
	"testing"
	"time"
)

// press types keys into a session, as the agent at the keyboard does.
func press(t *testing.T, s *screen, keys string) {
	t.Helper()
	if _, err := s.Stdin.Write([]byte(keys)); err != nil {
		t.Fatalf("typing %q: %v", keys, err)
	}
}

// mark is where the screen's output is now: what is drawn after it is the effect of what
// came after. The output is a stream of the cells that changed, so a word on the screen
// before an action must not pass for the action's effect.
func mark(s *screen) int { return len(s.Text()) }

// waitDrawn waits until what the screen drew after from matches re, for at most limit
// counted from start, and says how long after start it was seen. Only whole words are
// matched: the renderer skips cells that already hold the same character, so a phrase
// may arrive with its spaces left out.
func waitDrawn(t *testing.T, s *screen, from int, re *regexp.Regexp, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	for {
		if re.MatchString(s.Text()[from:]) {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("within %v the screen never drew %v; after the action it drew:\n%s", limit, re, s.Text()[from:])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitFor waits, as WaitFor does, but only in what was drawn after from.
func waitFor(t *testing.T, s *screen, from int, re *regexp.Regexp) {
	t.Helper()
	waitDrawn(t, s, from, re, time.Now(), 10*time.Second)
}
