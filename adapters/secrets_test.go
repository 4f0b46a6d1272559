package adapters

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/echotest"
)

func TestRedactEveryEncoding(t *testing.T) {
	const user = "support@acme.test"
	for _, pw := range echotest.Passwords {
		var s Secrets
		s.Add(pw)
		for name, form := range echotest.Forms(user, pw) {
			text := "535 5.7.8 you sent: AUTH PLAIN " + form + " (" + form + ") done"
			got := s.Redact(text)
			if strings.Contains(got, form) {
				t.Errorf("%q, %s form %q survives: %q", pw, name, form, got)
			}
			if !strings.Contains(got, Redacted) || !strings.HasPrefix(got, "535 5.7.8 you sent: AUTH PLAIN ") || !strings.HasSuffix(got, ") done") {
				t.Errorf("%q, %s: the rest of the text is not kept: %q", pw, name, got)
			}
		}
	}
}

func TestRedactLeavesOtherTextAlone(t *testing.T) {
	var s Secrets
	s.Add("hunter22")
	for _, text := range []string{
		"535 5.7.8 Authentication credentials invalid",
		"NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
		"base64 of something else: c29tZXRoaW5nIGVsc2U=",
	} {
		if got := s.Redact(text); got != text {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
	var empty Secrets
	empty.Add("", "abc") // too short to hide
	if got := empty.Redact("abc abc"); got != "abc abc" {
		t.Errorf("short secret redacted: %q", got)
	}
}

func TestServerTextCutsAfterRedacting(t *testing.T) {
	pw := `x"y\z-` + strings.Repeat("p", 40)
	long := strings.Repeat("a", MaxServerText-5) + pw + "\x1b[31m\nmore"
	got := ServerText(long, pw)
	if strings.Contains(got, "ppp") || strings.Contains(got, "\x1b") || strings.Contains(got, "\n") {
		t.Errorf("ServerText kept a piece of the secret or a control character: %q", got)
	}
	if n := len([]rune(got)); n > MaxServerText+1 {
		t.Errorf("ServerText kept %d characters, want at most %d", n, MaxServerText+1)
	}
}

func TestURLSecrets(t *testing.T) {
	u, _ := url.Parse("https://user:pa%22ss@relay.test/replies?token=t%2Bk%26n&x=1234abcd")
	got := strings.Join(URLSecrets(u), " ")
	for _, want := range []string{`pa"ss`, "t+k&n", "1234abcd"} {
		if !strings.Contains(got, want) {
			t.Errorf("URLSecrets = %q, want %q in it", got, want)
		}
	}
}

func TestRedactErrorKeepsClassDropsChain(t *testing.T) {
	inner := errors.New("NO you sent LOGIN u \"p\\\"w-secret\"")
	err := RedactError(Permanent(inner), `p"w-secret`)
	var ae *Error
	if !errors.As(err, &ae) || !ae.Permanent {
		t.Fatalf("class lost: %#v", err)
	}
	if errors.Is(err, inner) || strings.Contains(err.Error(), "w-secret") {
		t.Errorf("RedactError = %q, chain kept or secret left", err)
	}
	if ok := errors.New("plain"); RedactError(ok, "secret") != ok {
		t.Error("an error without a secret is not returned as is")
	}
}
