// Package soaktest runs triage the way people and the sync engine do, at once and for a
// while: two UIs and a sync on one database (no "database is locked" may reach a person,
// every action lands in the audit log), and inputs at the sizes the issues name (a 10 MB
// body, a 1 MB name, a conversation of 100,000 messages).
//
// SOAK_SECONDS sets how long the concurrency soak runs (default 10), SOAK_SEED its seed
// (default 1); SIZE_FULL=1 makes the long conversation 100,000 messages (default 20,000).
// `go test -short` skips the package.
package soaktest

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/triage-inbox/triage/ui"
)

// driver runs a ui.Model the way the Bubble Tea runtime does: every command in its own
// goroutine, every message back through Update on the driver's goroutine. The script
// waits for the model to settle after each gesture, so a seed gives the same keys.
type driver struct {
	m        *ui.Model
	msgs     chan tea.Msg
	inflight int
	observe  func(tea.Msg) // sees every message before Update
}

func newDriver(m *ui.Model, observe func(tea.Msg)) *driver {
	d := &driver{m: m, msgs: make(chan tea.Msg, 256), observe: observe}
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
	if d.observe != nil {
		d.observe(msg)
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

// press makes the key message for a key as help writes it (copied from ui's tests).
func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// uiReport reads a ui message whose type is package ui's own (actionMsg, statusMsg) by
// its exported fields: its type name, its text and its error.
func uiReport(msg tea.Msg) (kind, text string, err error, ok bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Struct {
		return "", "", nil, false
	}
	kind = v.Type().Name()
	if kind != "actionMsg" && kind != "statusMsg" {
		return "", "", nil, false
	}
	if f := v.FieldByName("What"); f.IsValid() {
		text = f.String()
	} else if f := v.FieldByName("Text"); f.IsValid() {
		text = f.String()
	}
	if f := v.FieldByName("Err"); f.IsValid() && !f.IsNil() {
		err, _ = f.Interface().(error)
	}
	return kind, text, err, true
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
