package youtube

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters"
)

// noSecret fails when text holds a secret of the tests or an access token.
func noSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{clientSecret, refreshToken, "ya29.", "1//0g-rotated"} {
		if strings.Contains(text, s) {
			t.Errorf("a secret (%s…) is in %q", s[:5], text)
		}
	}
}

// The first call gets an access token with the refresh token (client in the form); a
// 401 when it expires refreshes it and tries again, once.
func TestTokenRefreshOn401(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.comment("v", ana, "@ana", "hi", "")
	if _, err := a.Fetch(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsTo("POST", "/token")); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
	f.expireTokens()
	a.Sent(context.Background(), out("yt:"+f.threads[0].id, f.threads[0].id, "x")) // a call after the expiry
	calls := f.callsTo("GET", "/youtube/v3/comments")
	if n := len(f.callsTo("POST", "/token")); n != 2 || len(calls) != 2 {
		t.Errorf("%d token requests, %d comments.list; want a refresh and one retry", n, len(calls))
	}
}

// A refresh token the server rotates is used from then on.
func TestRefreshTokenRotation(t *testing.T) {
	f := newFake(t)
	f.rotate = true
	a := newAdapter(t, f, nil)
	f.comment("v", ana, "@ana", "hi", "")
	for i := range 3 {
		f.expireTokens()
		if _, err := a.Fetch(context.Background(), ""); err != nil {
			t.Fatalf("fetch %d after a rotation: %v", i, err)
		}
	}
	if n := len(f.callsTo("POST", "/token")); n != 3 {
		t.Errorf("%d refreshes, want 3 (each with the refresh token rotated by the one before)", n)
	}
}

// A refresh token revoked or expired is permanent, says "reconnect", and holds no secret,
// even when the server repeats the refresh token in its description.
func TestInvalidGrantSaysReconnect(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.refresh = "1//0g-another-token" // ours was revoked
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "reconnect") || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("Fetch = %v, want a permanent reconnect", err)
	}
	noSecret(t, err.Error())
}

// A wrong client secret is permanent and names what to check.
func TestInvalidClient(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	a.auth.Conf.ClientSecret = "GOCSPX-wrong-secret-value"
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || !strings.Contains(err.Error(), "client_secret") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
	if strings.Contains(err.Error(), "GOCSPX-wrong") {
		t.Errorf("the secret is in %q", err)
	}
}

// A token that the API refuses even fresh says reconnect; neither token is in the error.
func TestRefusedFreshTokenSaysReconnect(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.mu.Lock()
	f.refuseTokens = true
	f.mu.Unlock()
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || !ae.Permanent || ae.Status != 401 || !strings.Contains(err.Error(), "reconnect") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
	if n := len(f.callsTo("POST", "/token")); n != 2 {
		t.Errorf("%d token requests, want 2 (the first, and one refresh after the 401)", n)
	}
}

// Whatever a server repeats, no error and no log line holds the client secret, the
// refresh token or an access token, through the adapter and through the engine.
func TestNoSecretInErrors(t *testing.T) {
	d := newDesk(t)
	top := d.f.comment("v", ana, "@ana", "hi", "")
	d.once(t, "")
	conv, _ := d.thread(t, top)
	if _, err := d.svc.Reply(d.ctx, conv, "hello"); err != nil {
		t.Fatal(err)
	}
	d.f.echo = true
	d.once(t, "bad request from") // noSecret checks the error
	if _, err := d.a.Send(d.ctx, out("yt:"+top, top, "again")); err == nil || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("Send = %v, want the credentials redacted", err)
	} else {
		noSecret(t, err.Error())
	}
	st := d.outbox(t)
	noSecret(t, st.LastError)
	noSecret(t, d.log.String())
	for _, s := range d.eng.States() {
		noSecret(t, s.Err)
	}
}
