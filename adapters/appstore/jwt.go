package appstore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// Audience is the aud claim App Store Connect wants.
const Audience = "appstoreconnect-v1"

// tokenLife is how long a token is valid: Apple refuses more than 20 minutes.
const tokenLife = 19 * time.Minute

// signer makes the JWT App Store Connect takes as a bearer token (ES256, kid = the key's
// id, iss = the issuer id, aud appstoreconnect-v1, at most 20 minutes), and keeps it for
// the requests of the next minutes. It signs with crypto/ecdsa: ES256 is one hash and one
// signature written as R||S (RFC 7518 §3.4), not worth a module. The .p8 file is read
// for every new token, so a replaced key is used from the next one on.
type signer struct {
	issuer, keyID, file string

	mu   sync.Mutex
	tok  string
	exp  time.Time
	keys []string // the key files' text and lines, never in an error
	old  []string // tokens no longer in use
}

// token returns a valid token at now, making one when there is none or it is about to
// expire.
func (s *signer) token(now time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != "" && now.Before(s.exp.Add(-time.Minute)) {
		return s.tok, nil
	}
	key, err := s.read()
	if err != nil {
		return "", err
	}
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": s.keyID, "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"iss": s.issuer, "iat": now.Unix(), "exp": now.Add(tokenLife).Unix(), "aud": Audience})
	input := b64(header) + "." + b64(claims)
	sum := sha256.Sum256([]byte(input))
	r, sv, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", adapters.Permanent(fmt.Errorf("appstore: sign the API token with the key in %s: %w", s.file, err))
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	sv.FillBytes(sig[32:])
	s.retire()
	s.tok, s.exp = input+"."+b64(sig), now.Add(tokenLife)
	return s.tok, nil
}

// expire drops tok after App Store Connect refused it, so the next call makes another.
func (s *signer) expire(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == tok {
		s.retire()
	}
}

// retire moves the token of the moment among the old ones, the last few kept (each is
// good for 20 minutes, so none may reach an error meanwhile).
func (s *signer) retire() {
	if s.tok != "" {
		s.old = append(s.old[max(0, len(s.old)-3):], s.tok)
	}
	s.tok = ""
}

// secrets lists what no error may hold: the key's text and lines, the tokens.
func (s *signer) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]string{s.tok}, s.keys...), s.old...)
}

// read reads the .p8 file: a PKCS#8 P-256 private key in PEM. Errors name the file and
// never quote it.
func (s *signer) read() (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(s.file)
	if err != nil {
		return nil, adapters.Permanent(fmt.Errorf("reconnect: read private_key_file %s: %w", s.file, errors.Unwrap(err)))
	}
	s.remember(string(raw))
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, adapters.Permanent(fmt.Errorf("reconnect: private_key_file %s is not the .p8 key App Store Connect gave (no PEM block)", s.file))
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	ec, ok := k.(*ecdsa.PrivateKey)
	if err != nil || !ok || ec.Curve != elliptic.P256() {
		return nil, adapters.Permanent(fmt.Errorf("reconnect: private_key_file %s is not an App Store Connect API key (want a PKCS#8 P-256 key, the .p8 file)", s.file))
	}
	return ec, nil
}

// remember keeps a key file's text, and each line of its PEM body, among the secrets.
func (s *signer) remember(pemText string) {
	for _, line := range strings.Split(pemText, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 16 && !strings.HasPrefix(line, "-----") && !slices.Contains(s.keys, line) {
			s.keys = append(s.keys, line)
			adapters.Remember(line)
		}
	}
	if t := strings.TrimSpace(pemText); t != "" && !slices.Contains(s.keys, t) {
		s.keys = append(s.keys, t)
		adapters.Remember(t)
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
