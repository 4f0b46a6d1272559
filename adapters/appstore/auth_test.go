package appstore

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

func asPermanent(err error, ae **adapters.Error) bool {
	return errors.As(err, ae) && (*ae).Permanent
}

// The fake verifies every token (ES256 signature, kid, iss, aud, at most 20 minutes);
// one token serves the calls of its minutes, and a new one is made before it expires.
func TestTokenVerifiedAndReused(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"interval": "1s"})
	f.review("ana", "ok", "fine", 4)
	fetchPass(t, a, "")
	f.wait(time.Minute)
	fetchPass(t, a, "")
	if n := f.tokensMade(); n != 1 {
		t.Errorf("%d tokens for two calls a minute apart, want 1", n)
	}
	f.wait(30 * time.Minute)
	fetchPass(t, a, "")
	if n := f.tokensMade(); n != 2 {
		t.Errorf("%d tokens after half an hour, want 2", n)
	}
}

// A revoked key: permanent, "reconnect", naming the key and its file; no secret, even
// from a server that repeats the token.
func TestRevokedKeyReconnect(t *testing.T) {
	f := newFake(t)
	f.revoked = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "reconnect") || !strings.Contains(err.Error(), keyID) ||
		!strings.Contains(err.Error(), a.sign.file) || !strings.Contains(err.Error(), "NOT_AUTHORIZED") {
		t.Fatalf("Fetch = %v", err)
	}
	if n := len(f.callsTo("GET", "/customerReviews")); n != 2 {
		t.Errorf("%d calls, want 2 (a new token tried once)", n)
	}
	noSecret(t, err.Error())
}

func TestEchoedTokenRedacted(t *testing.T) {
	f := newFake(t)
	f.echo = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "bad request from") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
}

// The key file missing or not a P-256 PKCS#8 key: permanent, naming the file, never
// quoting it; nothing asked of the network.
func TestKeyFileProblems(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	os.Remove(a.sign.file)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "reconnect: read private_key_file "+a.sign.file) {
		t.Errorf("without the file: %v", err)
	}
	os.WriteFile(a.sign.file, []byte("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbCwgc29ycnk=\n-----END PRIVATE KEY-----\n"), 0o600)
	_, err = a.Fetch(context.Background(), "")
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "not an App Store Connect API key") || strings.Contains(err.Error(), "bm90IGEga2V5") {
		t.Errorf("with a bad key: %v", err)
	}
	if n := len(f.callsTo("GET", "/customerReviews")); n != 0 {
		t.Errorf("%d calls", n)
	}
}

// A key without the role: permanent, with Apple's detail and the role it needs.
func TestForbiddenSaysRole(t *testing.T) {
	f := newFake(t)
	f.forbidden = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "The API key in use does not allow this request") ||
		!strings.Contains(err.Error(), "Customer Support") {
		t.Fatalf("Fetch = %v", err)
	}
}

func TestUnknownApp(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"app_id": "999"})
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "app_id") {
		t.Fatalf("Fetch = %v", err)
	}
}

// 429: temporary, as long as Retry-After says, else five minutes (Apple's limit is a
// rolling hour and it sends no Retry-After).
func TestRateLimit(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.limited = true
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 5*time.Minute || !strings.Contains(err.Error(), "RATE_LIMIT_EXCEEDED") {
		t.Fatalf("Fetch = %v (%+v)", err, ae)
	}
	f.limited, f.retryAfter = true, "90"
	_, err = a.Fetch(context.Background(), "")
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 90*time.Second {
		t.Fatalf("Fetch with Retry-After = %v (%+v)", err, ae)
	}
}
