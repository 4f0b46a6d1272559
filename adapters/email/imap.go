package email

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/inbox"
)

// imapConn is a logged-in IMAP client and what it takes to let it go.
type imapConn struct {
	*imapclient.Client
	pw    string
	close func()
}

// dialIMAP connects with the configured security and logs in.
func (a *Adapter) dialIMAP(ctx context.Context) (*imapConn, error) {
	pw, err := a.password(ctx)
	if err != nil {
		return nil, err
	}
	conn, closeConn, err := a.dial(ctx, a.imapAddr)
	if err != nil {
		return nil, a.wrap(classifyNet(err), pw, "connect to IMAP "+a.imapAddr)
	}
	// Subjects and names in other charsets (ISO-8859-1, Windows-1252, …) decode too.
	opts := &imapclient.Options{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}
	var c *imapclient.Client
	if a.security == SecuritySTARTTLS {
		opts.TLSConfig = a.tlsConfig(a.imapAddr)
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			closeConn()
			return nil, a.wrap(classifyNet(err), pw, "STARTTLS with IMAP "+a.imapAddr)
		}
	} else {
		c = imapclient.New(conn, opts)
	}
	ic := &imapConn{Client: c, pw: pw, close: func() {
		// LOGOUT is a courtesy; do not wait long for it.
		done := make(chan struct{})
		go func() { _ = c.Logout().Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		_ = c.Close()
		closeConn()
	}}
	if err := ic.login(a.username, pw); err != nil {
		ic.close()
		return nil, a.wrap(err, pw, "log in to IMAP "+a.imapAddr+" as "+a.username)
	}
	return ic, nil
}

// login uses LOGIN, or AUTHENTICATE PLAIN where the server has disabled LOGIN.
func (c *imapConn) login(user, pw string) error {
	if err := c.WaitGreeting(); err != nil {
		return classifyNet(err)
	}
	var err error
	if c.Caps().Has(imap.CapLoginDisabled) {
		err = c.Authenticate(sasl.NewPlainClient("", user, pw))
	} else {
		err = c.Login(user, pw).Wait()
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		// A NO to LOGIN is the server refusing these credentials: retrying cannot help
		// until someone fixes them.
		return adapters.Permanent(serverSaid(ie, pw))
	}
	return adapters.RedactError(classifyNet(err), pw)
}

// serverSaid is a copy of an IMAP error whose text is fit to keep: a server may echo the
// command it refused (LOGIN with the password, IMAP-quoted), so its text passes through
// adapters.ServerText. The server's own error is not kept in the chain.
func serverSaid(ie *imap.Error, secrets ...string) *imap.Error {
	return &imap.Error{Type: ie.Type, Code: ie.Code, Text: adapters.ServerText(ie.Text, secrets...)}
}

// classifyIMAP marks an error from a command after login; the server's text is kept
// without the password (see serverSaid).
func classifyIMAP(err error, pw string) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		said := serverSaid(ie, pw)
		switch ie.Code {
		case imap.ResponseCodeNonExistent, imap.ResponseCodeAuthorizationFailed, imap.ResponseCodeNoPerm:
			return adapters.Permanent(said)
		}
		return adapters.Temporary(said, retryNetwork)
	}
	return adapters.RedactError(classifyNet(err), pw)
}

// fetchIMAP returns the messages of the mailbox with a UID above the cursor's.
func (a *Adapter) fetchIMAP(ctx context.Context, cursor string) (adapters.Batch, error) {
	validity, last := parseIMAPCursor(cursor)
	c, err := a.dialIMAP(ctx)
	if err != nil {
		return adapters.Batch{}, err
	}
	defer c.close()
	fail := func(err error, doing string) (adapters.Batch, error) {
		return adapters.Batch{}, a.wrap(classifyIMAP(err, c.pw), c.pw, doing)
	}
	// EXAMINE, not SELECT: read-only, so the server never sets \Seen or drops \Recent.
	sel, err := c.Select(a.mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fail(err, "open mailbox "+a.mailbox)
	}
	if sel.UIDValidity != validity {
		// The UIDs we remember name other messages now: read the mailbox again.
		last = 0
	}
	done := adapters.Batch{Cursor: imapCursor(sel.UIDValidity, last)}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && last+1 >= sel.UIDNext) {
		return done, nil
	}
	// "last+1:*" also matches the highest UID when that is below last+1, so the result
	// is filtered as well.
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: last + 1, Stop: 0}}}}
	found, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fail(err, "search mailbox "+a.mailbox)
	}
	uids := slices.DeleteFunc(found.AllUIDs(), func(u imap.UID) bool { return u <= last })
	slices.Sort(uids)
	if len(uids) == 0 {
		return done, nil
	}
	if len(uids) > a.batchSize {
		uids, done.More = uids[:a.batchSize], true
	}
	msgs, err := a.fetchUIDs(c, uids)
	if err != nil {
		return fail(err, "fetch from mailbox "+a.mailbox)
	}
	done.Messages = msgs
	done.Cursor = imapCursor(sel.UIDValidity, uids[len(uids)-1])
	return done, nil
}

// fetchUIDs fetches and parses the messages one at a time as they stream in, so a batch
// with large attachments never sits in memory whole.
func (a *Adapter) fetchUIDs(c *imapConn, uids []imap.UID) ([]inbox.Message, error) {
	opts := &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		// Peek: reading the body must not set \Seen.
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}
	cmd := c.Fetch(imap.UIDSetNum(uids...), opts)
	var out []inbox.Message
	for {
		data := cmd.Next()
		if data == nil {
			break
		}
		var p *parsed
		var internal time.Time
		for item := data.Next(); item != nil; item = data.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataInternalDate:
				internal = item.Time
			case imapclient.FetchItemDataBodySection:
				if item.Literal != nil {
					p = parse(item.Literal)
				}
			}
		}
		if p == nil {
			continue // the server sent no body (expunged meanwhile)
		}
		out = append(out, a.toMessage(p, internal))
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// sentIMAP searches the Sent mailboxes and the configured one for the Message-ID that
// Send gives out.
func (a *Adapter) sentIMAP(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	if out.Key == "" {
		return "", false, nil // Send made up a random Message-ID: nothing to look for
	}
	id := messageID(out.Key, a.address)
	c, err := a.dialIMAP(ctx)
	if err != nil {
		return "", false, err
	}
	defer c.close()
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		return "", false, a.wrap(classifyIMAP(err, c.pw), c.pw, "list mailboxes")
	}
	for _, name := range sentMailboxes(boxes, a.mailbox) {
		if _, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			continue // listed but not selectable: nothing to find there
		}
		crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + id + ">"}}}
		found, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			return "", false, a.wrap(classifyIMAP(err, c.pw), c.pw, "search mailbox "+name)
		}
		if len(found.AllUIDs()) > 0 {
			return id, true, nil
		}
	}
	return "", false, nil
}

// commonSent are the names clients and providers give the Sent mailbox, for servers that
// do not mark it with the \Sent attribute (RFC 6154).
var commonSent = []string{"Sent", "Sent Messages", "Sent Items", "Sent Mail", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail"}

func sentMailboxes(boxes []*imap.ListData, own string) []string {
	var names []string
	for _, b := range boxes {
		if slices.Contains(b.Attrs, imap.MailboxAttrSent) || slices.ContainsFunc(commonSent, func(s string) bool { return strings.EqualFold(s, b.Mailbox) }) {
			names = append(names, b.Mailbox)
		}
	}
	// Last: the account's own mailbox holds the reply when the team Bccs itself.
	if !slices.Contains(names, own) {
		names = append(names, own)
	}
	return names
}

// imapCursor is "UIDVALIDITY:UID" of the last message seen.
func imapCursor(validity uint32, uid imap.UID) string {
	return fmt.Sprintf("%d:%d", validity, uid)
}

// parseIMAPCursor reads a cursor; anything else ("" or a Maildir cursor) reads as the
// start, with a UIDVALIDITY of 0, which no server uses.
func parseIMAPCursor(s string) (uint32, imap.UID) {
	v, u, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0
	}
	validity, err1 := strconv.ParseUint(v, 10, 32)
	uid, err2 := strconv.ParseUint(u, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return uint32(validity), imap.UID(uid)
}
