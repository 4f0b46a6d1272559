package email

import (
	"fmt"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/echotest"
)

// TestSMTPEchoKeepsNoPassword sends through an SMTP server that repeats the AUTH line
// (the SASL PLAIN base64 of user and password) in its 535 reply. The error keeps the
// code and the reason, and no form of the password.
func TestSMTPEchoKeepsNoPassword(t *testing.T) {
	ctx := ctxT(t)
	for _, pw := range echotest.Passwords {
		t.Run(pw, func(t *testing.T) {
			addr, received := echotest.SMTP(t)
			a := newAdapter(t, account(t, "127.0.0.1:1", addr, nil))
			t.Setenv(passwordEnv, pw)
			_, err := a.Send(ctx, reply())
			mustClass(t, err, true)
			if !strings.Contains(received.Received(), "AUTH PLAIN ") {
				t.Fatalf("the server saw no AUTH PLAIN:\n%s", received.Received())
			}
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			if leaks := echotest.Leaks(text, testAddress, pw); len(leaks) > 0 {
				t.Errorf("the error holds %v:\n%s", leaks, text)
			}
			if !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "Authentication credentials invalid") {
				t.Errorf("the error lost the code or the reason: %q", err)
			}
		})
	}
}

// TestIMAPEchoKeepsNoPassword logs in to an IMAP server that repeats the LOGIN command
// (the password IMAP-quoted, or as a literal) in its NO.
func TestIMAPEchoKeepsNoPassword(t *testing.T) {
	ctx := ctxT(t)
	for _, pw := range echotest.Passwords {
		t.Run(pw, func(t *testing.T) {
			addr, received := echotest.IMAP(t)
			a := newAdapter(t, account(t, addr, "127.0.0.1:1", nil))
			t.Setenv(passwordEnv, pw)
			_, err := a.Fetch(ctx, "")
			mustClass(t, err, true)
			if !strings.Contains(received.Received(), "LOGIN") {
				t.Fatalf("the server saw no LOGIN:\n%s", received.Received())
			}
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			if leaks := echotest.Leaks(text, testAddress, pw); len(leaks) > 0 {
				t.Errorf("the error holds %v:\n%s", leaks, text)
			}
			if !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
				t.Errorf("the error lost the server's code: %q", err)
			}
		})
	}
}
