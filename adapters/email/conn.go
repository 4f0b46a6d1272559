package email

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/triage-inbox/triage/adapters/mailx"
)

// retryNetwork is how long to wait after a network failure before trying again.
const retryNetwork = mailx.RetryNetwork

// dial opens a TCP connection to addr the account's way (see mailx.Dial).
func (a *Adapter) dial(ctx context.Context, addr string) (net.Conn, func(), error) {
	return mailx.Dial(ctx, addr, a.security, a.rootCAs)
}

// tlsConfig verifies a server of the account (see mailx.TLSConfig).
func (a *Adapter) tlsConfig(addr string) *tls.Config { return mailx.TLSConfig(addr, a.rootCAs) }

// classifyNet marks a network or TLS error as temporary or permanent (see mailx).
func classifyNet(err error) error { return mailx.ClassifyNet(err) }
