package email

import (
	"context"

	"github.com/triage-inbox/triage/adapters/mailx"
)

// submit hands one message to the account's SMTP server.
func (a *Adapter) submit(ctx context.Context, pw, to string, raw []byte) error {
	return mailx.Submitter{Addr: a.smtpAddr, Security: a.security, Username: a.username, RootCAs: a.rootCAs}.
		Submit(ctx, pw, a.address, to, raw)
}
