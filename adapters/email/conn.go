package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// retryNetwork is how long to wait after a network failure before trying again.
const retryNetwork = 30 * time.Second

// dialTimeout bounds the TCP and TLS handshake when ctx has no earlier deadline.
const dialTimeout = 30 * time.Second

// dial opens a TCP connection to addr, with TLS from the first byte when security is
// tls. The connection follows ctx: its deadline becomes the connection's, and cancelling
// ctx closes it, because neither imapclient nor go-smtp takes a context.
func (a *Adapter) dial(ctx context.Context, addr string) (net.Conn, func(), error) {
	d := &net.Dialer{Timeout: dialTimeout}
	var conn net.Conn
	var err error
	if a.security == SecurityTLS {
		td := &tls.Dialer{NetDialer: d, Config: a.tlsConfig(addr)}
		conn, err = td.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	return conn, func() { stop(); _ = conn.Close() }, nil
}

// tlsConfig verifies the server against the host name of addr and the system roots
// (a test's own root, in tests), with TLS 1.2 or later.
func (a *Adapter) tlsConfig(addr string) *tls.Config {
	host, _, _ := net.SplitHostPort(addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: a.rootCAs}
}

// classifyNet marks an error from the network or TLS layer: a certificate the system
// does not trust cannot be fixed by waiting, anything else (refused, reset, timeout,
// DNS) may pass.
func classifyNet(err error) error {
	var ae *adapters.Error
	if err == nil || errors.As(err, &ae) {
		return err
	}
	if isCertError(err) {
		return adapters.Permanent(err)
	}
	return adapters.Temporary(err, retryNetwork)
}

func isCertError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify)
}
