package email

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "triage test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// TestSecurity runs Fetch and Send over TLS and STARTTLS: with the server's certificate
// trusted they work; with it untrusted they fail for good, naming the certificate.
func TestSecurity(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, security := range []string{SecurityTLS, SecuritySTARTTLS} {
		t.Run(security, func(t *testing.T) {
			imapSrv := startIMAPTLS(t, security, cert)
			imapSrv.deliver(t, "INBOX", "thread-1.eml")
			smtpSrv := startSMTPTLS(t, testPassword, security, cert)
			a := newAdapter(t, account(t, imapSrv.addr, smtpSrv.addr, map[string]any{"security": security}))
			ctx := ctxT(t)

			concrete(a).rootCAs = pool
			b, err := a.Fetch(ctx, "")
			if err != nil || len(b.Messages) != 1 {
				t.Fatalf("fetch over %s: %d messages, %v", security, len(b.Messages), err)
			}
			if _, err := a.Send(ctx, reply()); err != nil || len(smtpSrv.mails()) != 1 {
				t.Fatalf("send over %s: %v", security, err)
			}

			concrete(a).rootCAs = x509.NewCertPool() // trusts nothing
			_, err = a.Fetch(ctx, "")
			mustClass(t, err, true)
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("fetch with an untrusted certificate: %v", err)
			}
			_, err = a.Send(ctx, reply())
			mustClass(t, err, true)
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("send with an untrusted certificate: %v", err)
			}
		})
	}
}
