package googleplay

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

// The first call trades a JWT signed with the key for an access token; the fake checks
// the signature and the claims (iss, scope, aud, at most an hour). A 401 when the token
// expires gets a new one and tries again, once.
func TestTokenJWTAndRefreshOn401(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	f.review("Ana", "ok", 4)
	if _, err := a.Fetch(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if c := f.lastClaims; c.Iss != clientEmail || c.Aud != f.srv.URL+"/token" || c.Scope != "https://www.googleapis.com/auth/androidpublisher" {
		t.Errorf("claims %+v", c)
	}
	f.expireTokens()
	f.wait(time.Hour)
	if _, err := a.Fetch(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsTo("POST", "/token")); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if n := len(f.callsTo("GET", "/reviews")); n != 3 {
		t.Errorf("%d lists, want 3 (the refused one tried again)", n)
	}
}

// token_url overrides the key's token_uri (a proxy); the assertion's aud follows it.
func TestTokenURLOverride(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"token_url": f.srv.URL + "/token"})
	if _, err := a.Fetch(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if a.auth.tokenURL != f.srv.URL+"/token" {
		t.Errorf("token URL %q", a.auth.tokenURL)
	}
}

// A deleted or revoked key: permanent, "reconnect", naming the key file; no secret.
func TestRevokedKeyReconnect(t *testing.T) {
	f := newFake(t)
	f.revoked = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "reconnect") || !strings.Contains(err.Error(), a.auth.file) ||
		!strings.Contains(err.Error(), "Invalid JWT Signature") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
}

// A token endpoint that repeats the assertion in its refusal: the error holds neither
// the assertion (a credential for an hour) nor the key.
func TestTokenErrorHoldsNoSecret(t *testing.T) {
	f := newFake(t)
	f.echoGrant = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "reconnect") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
}

// A token endpoint down is temporary, not "reconnect".
func TestTokenEndpointDown(t *testing.T) {
	f := newFake(t)
	f.tokenDown = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter < time.Minute || strings.Contains(err.Error(), "reconnect") {
		t.Fatalf("Fetch = %v (%+v)", err, ae)
	}
}

// The key file missing, or not a key: permanent, naming the file, asking nothing of
// the network; New reads nothing (a config loads without the file).
func TestKeyFileProblems(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, nil)
	if err := os.Remove(a.auth.file); err != nil {
		t.Fatal(err)
	}
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "reconnect: read service_account_file "+a.auth.file) {
		t.Errorf("Fetch without the file = %v", err)
	}
	os.WriteFile(a.auth.file, []byte(`{"type":"service_account","client_email":"x@y","private_key":"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbCwgc29ycnk=\n-----END PRIVATE KEY-----\n"}`), 0o600)
	_, err = a.Fetch(context.Background(), "")
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "private_key in "+a.auth.file) || strings.Contains(err.Error(), "bm90IGEga2V5") {
		t.Errorf("Fetch with a bad key = %v", err)
	}
	os.WriteFile(a.auth.file, []byte("not json"), 0o600)
	_, err = a.Fetch(context.Background(), "")
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "not a service account's JSON key") {
		t.Errorf("Fetch with a bad file = %v", err)
	}
	if n := len(f.callsTo("POST", "/token")); n != 0 {
		t.Errorf("%d token requests", n)
	}
}

// A 403 on the app (the service account lacks the permission): permanent, with Play's
// message and what to do.
func TestForbiddenSaysWhy(t *testing.T) {
	f := newFake(t)
	f.forbidden = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "The caller does not have permission") ||
		!strings.Contains(err.Error(), "Reply to reviews") {
		t.Fatalf("Fetch = %v", err)
	}
	noSecret(t, err.Error())
}

// A package the developer account does not have: permanent, naming package_name.
func TestUnknownPackage(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, map[string]any{"package_name": "com.acme.other"})
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !asPermanent(err, &ae) || !strings.Contains(err.Error(), "package_name") || !strings.Contains(err.Error(), "Package not found") {
		t.Fatalf("Fetch = %v", err)
	}
}

// 429 (Play's quota): temporary, waiting as long as Retry-After says.
func TestRateLimitRetryAfter(t *testing.T) {
	f := newFake(t)
	f.limited = true
	a := newAdapter(t, f, nil)
	_, err := a.Fetch(context.Background(), "")
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Permanent || ae.RetryAfter != 30*time.Second || !strings.Contains(err.Error(), "quota") {
		t.Fatalf("Fetch = %v (%+v)", err, ae)
	}
	if _, err := a.Fetch(context.Background(), ""); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}

// An API that repeats the request's Authorization header in its refusal: the error
// keeps its words, not the access token.
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
