package teamload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/triage-inbox/triage/cli/team"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
	"github.com/triage-inbox/triage/ui"
)

// TestSwarm runs the tool as the soak does, small: three agents for four seconds against
// the real SSH server and UI in process, with probes. It keeps the tool from rotting; the
// figures come from the command against the binary.
func TestSwarm(t *testing.T) {
	addr, teamFile := startTeam(t)
	agents, file, err := NewTeam(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(teamFile, file, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := Connect(ctx, Config{Addr: addr, Agents: agents, MinGap: 30 * time.Millisecond, MaxGap: 80 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	res := w.Drive(ctx, 4*time.Second, time.Second)
	keys := res.AllKeys()
	t.Logf("keys %d (unanswered %d), actions %d, p50 %v p99 %v; probes %d, delays p50 %v; unsolicited %.1f/s a session",
		len(keys), res.Unanswered, res.Actions, Percentile(keys, 50), Percentile(keys, 99), len(res.Probes),
		Percentile(res.ProbeDelays(), 50), res.Unsolicited)
	if len(keys) < 15 {
		t.Errorf("only %d keys answered in 4 s by 3 agents", len(keys))
	}
	if res.Actions == 0 {
		t.Error("no action changed the queue")
	}
	if len(res.Dropped) > 0 || res.RefusalCount > 0 {
		t.Errorf("dropped %v, refusals %v", res.Dropped, res.Refusals)
	}
	if len(res.Probes) == 0 {
		t.Fatal("no probe ran")
	}
	for _, p := range res.Probes {
		if len(p.Delays) != 2 || p.Missing != 0 {
			t.Errorf("probe by %s reached %d of 2 other screens (%d missing)", p.By, len(p.Delays), p.Missing)
		}
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(100-i) * time.Millisecond
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(ds, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("the percentile of nothing is 0")
	}
}

func TestLoopbackOnly(t *testing.T) {
	if _, err := Connect(context.Background(), Config{Addr: "192.0.2.1:22"}); err == nil {
		t.Error("a non-loopback address was accepted")
	}
}

// startTeam serves an inbox of conversations waiting over SSH on a random loopback port,
// as `triage team` does: one program per session over one inbox and its hub. The team
// file is read on each connection, so the test writes it after.
func startTeam(t *testing.T) (addr, teamFile string) {
	t.Helper()
	svc := inboxtest.Open(t, nil, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var msgs []inbox.Message
	for i := range 40 {
		msgs = append(msgs, inbox.Message{Channel: "facebook", Account: "106", ID: fmt.Sprintf("c%d", i),
			Conversation: fmt.Sprintf("post:106_%d", i), Kind: inbox.KindComment,
			Author: &inbox.Author{ID: fmt.Sprintf("u%d", i), Name: fmt.Sprintf("Person %d", i)},
			Text:   fmt.Sprintf("Question number %d: is this in stock?", i), CreatedAt: time.Now().Add(-time.Duration(i+1) * time.Minute)})
	}
	if _, err := svc.IngestMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	hub := ui.RunHub(ctx, svc, nil)
	dir := t.TempDir()
	teamFile = filepath.Join(dir, "team_keys")
	if err := os.WriteFile(teamFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := team.Listen(team.Options{Listen: "127.0.0.1:0", AuthorizedKeys: teamFile, HostKey: filepath.Join(dir, "host_key"),
		NewProgram: func(sess *team.Session) (tea.Model, []tea.ProgramOption, error) {
			m, err := ui.NewSession(sess.Context(), svc, ui.SessionOptions{Agent: sess.Agent, Role: sess.Role, Hub: hub})
			return m, nil, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s.Addr().String(), teamFile
}
