package soaktest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// person is one UI and what its script did, counted from what the person could read: the
// footer after each gesture, the screen after each key, and the UI's log, where the UI
// writes every error it shows, whether in the footer, a dialog or the composer.
type person struct {
	agent    string
	d        *driver
	log      *uiLog
	seen     int            // records of log already counted
	gesture  string         // the gesture being played, which the reports are counted under
	ok       map[string]int // successful actions per gesture
	errs     []string       // every error the UI logged
	refused  []string       // actions refused as they must be: undos of replies already sent, claims lost
	gestures map[string]int // gestures played
	locked   []string       // screens and log lines that spoke of a lock, with the gesture
	tags     int            // tags created, each new, so each is one audit event
}

var gestureNames = []string{"down", "up", "done", "tag", "escalate", "snooze", "assign", "undo", "reply", "note"}

// successFooters are how the footer begins once a gesture's action has been carried out
// ("tagged maria-3", "replied"). A failed action may begin the same way ("tagged
// maria-3: …"), but then the footer shows an error the log has too.
var successFooters = map[string][]string{
	"done": {"done"}, "tag": {"tagged "}, "escalate": {"escalated: "}, "snooze": {"snoozed until "},
	"assign": {"assigned to ", "unassigned"}, "undo": {"undid ", "reply taken back"},
	"reply": {"replied"}, "note": {"note added"},
}

// clearedFooter is how the footer begins after ';' with nothing selected: a line that no
// action writes.
const clearedFooter = "nothing selected"

// play does one gesture chosen by rng, a key at a time, each settled. The gesture
// succeeded when the footer then says it did, and what it says is not an error the UI
// logged meanwhile (a draft that failed to save is logged, and the reply may still be
// sent).
func (p *person) play(rng *rand.Rand) error {
	if err := p.clearFooter(); err != nil {
		return err
	}
	g := gestureNames[rng.IntN(len(gestureNames))]
	p.gesture = g
	p.gestures[g]++
	var steps []string // keys, or "type:" and text to type
	switch g {
	case "down":
		steps = []string{"j"}
	case "up":
		steps = []string{"k"}
	case "done":
		steps = []string{"d"}
	case "tag":
		p.tags++
		steps = []string{"t", fmt.Sprintf("type:%s-%d", p.agent, p.tags), "enter"}
	case "escalate":
		steps = []string{"e", "ctrl+s"}
	case "snooze":
		steps = []string{"s", "enter"}
	case "assign":
		steps = []string{"a", "enter"}
	case "undo":
		steps = []string{"u"}
	case "reply", "note":
		steps = []string{g[:1], fmt.Sprintf("type:%s from %s %d", g, p.agent, rng.IntN(1000)), "ctrl+s"}
	}
	var screen string
	for _, s := range steps {
		if text, ok := strings.CutPrefix(s, "type:"); ok {
			p.d.typ(text)
		} else {
			p.d.key(s)
		}
		var err error
		if screen, err = p.settle(); err != nil {
			return err
		}
	}
	if footer := status(screen); succeeded(g, footer) && !showsError(footer, p.readLog()) {
		p.ok[g]++
	}
	// A dialog left open (nothing to act on, a refused action) is closed as a person would.
	for range 3 {
		if !strings.Contains(screen, "esc") || !dialogOpen(screen) {
			break
		}
		p.d.key("esc")
		var err error
		if screen, err = p.settle(); err != nil {
			return err
		}
	}
	p.readLog()
	return nil
}

func succeeded(gesture, footer string) bool {
	for _, prefix := range successFooters[gesture] {
		if strings.HasPrefix(footer, prefix) {
			return true
		}
	}
	return false
}

// showsError tells a footer that shows one of errs: whole, or cut with "…" where it is
// longer than the line (the footer then writes it cause first, unless it has no cause).
func showsError(footer string, errs []string) bool {
	cut, isCut := strings.CutSuffix(footer, "…")
	cut = strings.TrimSpace(cut)
	for _, e := range errs {
		if e == footer || isCut && strings.HasPrefix(e, cut) {
			return true
		}
	}
	return false
}

// clearFooter presses ';' with nothing selected, so that the footer after the next
// gesture is that gesture's own: a done after a done would otherwise read as two.
func (p *person) clearFooter() error {
	p.d.key(";")
	screen, err := p.settle()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status(screen), clearedFooter) {
		return fmt.Errorf("after %s, ';' did not clear the footer (a dialog left open, or a selection):\n%s", p.gesture, screen)
	}
	return nil
}

// settle waits for the UI to settle and reads the screen as the person would: a lock
// spoken of there, in the footer, a dialog or the queue, is kept with the gesture.
func (p *person) settle() (string, error) {
	if err := p.d.settle(30 * time.Second); err != nil {
		return "", fmt.Errorf("%s: %w", p.gesture, err)
	}
	screen := p.d.screen()
	if l := lockLines(screen); l != "" {
		p.locked = append(p.locked, p.gesture+": "+l)
	}
	return screen, nil
}

// readLog takes what the UI logged since it was last read, under the gesture being
// played: every error, and any other line that speaks of a lock. It returns the errors.
// An undo of a reply that the sync has sent meanwhile is refused, as it must be, and so is
// taking a conversation the other person took first: counted apart, not as errors.
func (p *person) readLog() (errs []string) {
	recs := p.log.records()
	for _, r := range recs[p.seen:] {
		switch {
		case r.isError() && p.gesture == "undo" && strings.Contains(r.Msg, store.ErrAlreadySent.Error()):
			p.refused = append(p.refused, "during undo: "+r.Msg)
		case r.isError() && p.gesture == "assign" && lostClaim(r.Msg):
			p.refused = append(p.refused, "during assign: "+r.Msg)
		case r.isError():
			p.errs = append(p.errs, fmt.Sprintf("during %s: %s", p.gesture, r.Msg))
		case lockWords(r.line):
			p.locked = append(p.locked, p.gesture+": logged "+r.line)
		}
		if r.isError() {
			errs = append(errs, r.Msg)
		}
	}
	p.seen = len(recs)
	return errs
}

// lostClaim tells the error of a claim another agent won (inbox.TakenError) by its text,
// which is all the UI's log keeps.
func lostClaim(msg string) bool {
	return strings.HasSuffix(msg, " took it first") || strings.HasSuffix(msg, (&inbox.TakenError{}).Error())
}

// dialogOpen tells a dialog on screen by its frame's corner.
func dialogOpen(screen string) bool {
	return strings.Contains(screen, "╭") || strings.Contains(screen, "┌")
}

func lockWords(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "locked") || strings.Contains(s, "busy")
}

// lockLines are the lines of a screen that speak of a lock, joined, or "".
func lockLines(screen string) string {
	var found []string
	for _, l := range strings.Split(screen, "\n") {
		if lockWords(l) {
			found = append(found, strings.TrimSpace(l))
		}
	}
	return strings.Join(found, " | ")
}
