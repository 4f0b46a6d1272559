package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// commandTimeout bounds a bound shell command; a hung script must not hold the person up.
const commandTimeout = 60 * time.Second

// maxCommandOutput is how much of a command's output is kept to show.
const maxCommandOutput = 64 << 10

// commandBinding is a key bound in config to a shell command that receives the
// conversation as JSON on standard input — to open a ticket with a team's own script:
//
//	[[keys.command]]
//	key = "O"
//	run = "~/bin/open-ticket --queue support"
//	description = "open a ticket"
type commandBinding struct {
	Key  key.Binding
	Run  string
	Desc string
}

// parseCommands reads [[keys.command]] tables.
func parseCommands(v any) ([]commandBinding, error) {
	list, ok := v.([]map[string]any)
	if !ok {
		return nil, fmt.Errorf("keys.command: want [[keys.command]] tables with key, run and description")
	}
	var out []commandBinding
	for i, t := range list {
		where := fmt.Sprintf("keys.command[%d]", i)
		k, _ := t["key"].(string)
		run, _ := t["run"].(string)
		desc, _ := t["description"].(string)
		for name := range t {
			if name != "key" && name != "run" && name != "description" {
				return nil, fmt.Errorf("%s: unknown key %q (want key, run, description)", where, name)
			}
		}
		if k == "" || strings.TrimSpace(run) == "" {
			return nil, fmt.Errorf("%s: needs key and run", where)
		}
		if desc == "" {
			desc = run
		}
		out = append(out, commandBinding{Key: key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)), Run: run, Desc: desc})
	}
	return out, nil
}

// commandDoneMsg is a bound command's result.
type commandDoneMsg struct {
	Desc   string
	Output string
	Err    error
	IDs    []int64
}

// runCommand runs a bound command with the conversation's JSON on standard input.
func runCommand(c *Common, b commandBinding, id int64) tea.Cmd {
	return func() tea.Msg {
		doc, err := c.Inbox.ConversationDoc(c.Ctx, id)
		if err != nil {
			return commandDoneMsg{Desc: b.Desc, Err: err}
		}
		input, err := json.Marshal(doc)
		if err != nil {
			return commandDoneMsg{Desc: b.Desc, Err: err}
		}
		ctx, cancel := context.WithTimeout(c.Ctx, commandTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", b.Run)
		cmd.Stdin = bytes.NewReader(append(input, '\n'))
		cmd.Env = append(os.Environ(), fmt.Sprintf("TRIAGE_CONVERSATION_ID=%d", id))
		var out limitedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %s", commandTimeout)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", b.Run, err)
		}
		return commandDoneMsg{Desc: b.Desc, Output: out.String(), Err: err, IDs: []int64{id}}
	}
}

// limitedBuffer keeps the first maxCommandOutput bytes and drops the rest quietly, so a
// chatty script cannot fill memory.
type limitedBuffer struct{ bytes.Buffer }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxCommandOutput - l.Len(); room > 0 {
		l.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// outputDialog shows what a bound command printed.
type outputDialog struct {
	c      *Common
	title  string
	lines  []string
	err    error
	offset int
	w, h   int
}

func newOutputDialog(c *Common, msg commandDoneMsg) *outputDialog {
	text := strings.TrimRight(SafeText(msg.Output), "\n")
	if text == "" {
		text = "(no output)"
	}
	return &outputDialog{c: c, title: Safe(msg.Desc), lines: strings.Split(text, "\n"), err: msg.Err}
}

func (d *outputDialog) Init() tea.Cmd { return nil }

func (d *outputDialog) SetSize(w, h int) { d.w, d.h = dialogSize(w, h) }

func (d *outputDialog) ShortHelp() []key.Binding {
	return []key.Binding{d.c.Keys.Down, d.c.Keys.Up, d.c.Keys.Cancel}
}

func (d *outputDialog) Update(msg tea.Msg) (overlay, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(k, d.c.Keys.Cancel), key.Matches(k, d.c.Keys.Accept), key.Matches(k, d.c.Keys.Quit):
		return d, closeOverlay
	case key.Matches(k, d.c.Keys.Down):
		d.offset = min(d.offset+1, max(len(d.lines)-1, 0))
	case key.Matches(k, d.c.Keys.Up):
		d.offset = max(d.offset-1, 0)
	}
	return d, nil
}

func (d *outputDialog) View() string {
	st := d.c.Styles
	_, innerH := dialogInner(st, d.w, d.h)
	room := max(innerH-3, 1)
	end := min(d.offset+room, len(d.lines))
	lines := append([]string(nil), d.lines[d.offset:end]...)
	lines = withStatus(st, d.w, d.h, lines, d.err, "done · esc closes")
	return drawDialog(st, d.w, d.title, lines)
}
