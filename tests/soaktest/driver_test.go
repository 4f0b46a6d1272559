// Package soaktest runs triage the way people and the sync engine do, at once and for a
// while: two UIs and a sync, each a process of its own, on one database (no "database is
// locked" may reach a person, every action lands in the audit log), a database that may
// not be written or whose disk is full, and inputs at the sizes the issues name (a 10 MB
// body, a 1 MB name, a conversation of 100,000 messages).
//
// SOAK_SECONDS sets how long the concurrency soak runs (default 10), SOAK_SEED its seed
// (default 1); SIZE_FULL=1 makes the long conversation 100,000 messages (default 20,000).
// `go test -short` skips the package.
package soaktest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/triage-inbox/triage/internal/syncbuf"
	"github.com/triage-inbox/triage/internal/teadrive"
	"github.com/triage-inbox/triage/ui"
)

// driver runs a ui.Model the way the Bubble Tea runtime does: every command in its own
// goroutine, every message back through Update on the driver's goroutine. The script
// waits for the model to settle after each gesture, so a seed gives the same keys.
type driver struct {
	m        *ui.Model
	msgs     chan tea.Msg
	inflight int
}

func newDriver(m *ui.Model) *driver {
	d := &driver{m: m, msgs: make(chan tea.Msg, 256)}
	d.exec(m.Init())
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.inflight++
	go func() { d.msgs <- cmd() }()
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	case tea.QuitMsg:
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// key presses a key and takes in whatever has already come back, without waiting.
func (d *driver) key(k string) {
	d.handle(press(k))
	d.drain()
}

func (d *driver) typ(s string) {
	for _, r := range s {
		if r == ' ' {
			d.key("space")
			continue
		}
		d.handle(tea.KeyPressMsg{Code: r, Text: string(r)})
		d.drain()
	}
}

func (d *driver) drain() {
	for {
		select {
		case msg := <-d.msgs:
			d.inflight--
			d.handle(msg)
		default:
			return
		}
	}
}

// settle runs until no command is in flight; the draft timer (400 ms) is the longest.
func (d *driver) settle(limit time.Duration) error {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for d.inflight > 0 {
		select {
		case msg := <-d.msgs:
			d.inflight--
			d.handle(msg)
		case <-deadline.C:
			return fmt.Errorf("commands did not settle within %s (%d in flight)", limit, d.inflight)
		}
	}
	return nil
}

// screen is the rendered screen as a person reads it.
func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// status is the footer's first line of a screen: what the last action did.
func status(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) < 2 {
		return ""
	}
	return strings.TrimSpace(lines[len(lines)-2])
}

// press makes the key message for a key as help writes it.
func press(k string) tea.KeyPressMsg { return teadrive.Press(k) }

// uiLog is what a UI wrote to the logger it was given (ui.Common.Log), one JSON line a
// record: ui.Model writes there every error it shows a person, in the footer, in a dialog
// or in the composer. The tests read a person's errors from it, as one reads triage's log
// file, and never from the UI's own messages.
type uiLog struct{ out syncbuf.Buffer }

// newUILog makes a log and the logger that writes to it.
func newUILog() (*uiLog, *slog.Logger) {
	l := &uiLog{}
	return l, slog.New(slog.NewJSONHandler(&l.out, nil))
}

// logRecord is one line of a uiLog.
type logRecord struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	line  string // the line as written, its attributes included
}

func (r logRecord) isError() bool { return r.Level == slog.LevelError.String() }

// records are every line logged so far, oldest first. A line that is not JSON is kept
// as an error, so that nothing written there goes unread.
func (l *uiLog) records() []logRecord {
	var recs []logRecord
	for _, line := range strings.Split(strings.TrimSpace(l.out.String()), "\n") {
		if line == "" {
			continue
		}
		r := logRecord{line: line}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			r.Level, r.Msg = slog.LevelError.String(), line
		}
		recs = append(recs, r)
	}
	return recs
}

// errors are the errors logged so far, each its whole text.
func (l *uiLog) errors() []string {
	var errs []string
	for _, r := range l.records() {
		if r.isError() {
			errs = append(errs, r.Msg)
		}
	}
	return errs
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
