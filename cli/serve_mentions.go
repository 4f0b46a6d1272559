package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/instagram"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/webhook"
	"github.com/triage-inbox/triage/inbox"
)

// mentionTimeout bounds reading one mention while Meta waits for the delivery's answer.
const mentionTimeout = 10 * time.Second

// mentionReader reads an Instagram @mention Meta's webhook names by id alone.
type mentionReader interface {
	Mention(ctx context.Context, m meta.Mention) (inbox.Message, error)
}

// mentionReaders are the config's Instagram accounts, by IG user id, so serve can read
// the mentions Meta's webhook announces. An account that cannot start (its token not
// set) is left out with a warning; its mentions are then skipped by name.
func mentionReaders(ctx context.Context, cfg *inbox.Config, log *slog.Logger) map[string]mentionReader {
	out := map[string]mentionReader{}
	for i, t := range cfg.Account {
		a, err := adapters.NewAccount(i, t)
		if err != nil || inbox.NormalizeChannel(a.Channel) != instagram.Channel {
			continue
		}
		ad, err := instagram.New(ctx, a)
		if err != nil {
			log.Warn("instagram mentions by webhook will be skipped", "account", a.Name, "err", adapters.Redact(err.Error()))
			continue
		}
		ig := ad.(*instagram.Adapter)
		out[ig.Handle()] = ig
	}
	return out
}

// readMentions turns the delivery's mentions into messages, read from Instagram by the
// account they mention. One for an account not configured here is skipped by name; one
// that cannot be read now makes the whole delivery wait (webhook.ErrTryLater), so Meta
// delivers it again rather than the mention being lost; one Meta says is gone (a
// permanent error: deleted, comments turned off) is skipped.
func readMentions(ctx context.Context, d *meta.Delivery, readers map[string]mentionReader) error {
	for _, m := range d.Mentions {
		r := readers[m.Account]
		if r == nil {
			d.Skipped = append(d.Skipped, fmt.Sprintf("instagram/mentions: no instagram [[account]] with ig_user_id %s in triage's config to read it", m.Account))
			continue
		}
		mctx, cancel := context.WithTimeout(ctx, mentionTimeout)
		msg, err := r.Mention(mctx, m)
		cancel()
		var ae *adapters.Error
		switch {
		case err == nil:
			d.Messages = append(d.Messages, msg)
		case errors.As(err, &ae) && ae.Permanent:
			d.Skipped = append(d.Skipped, "instagram/mentions: "+err.Error())
		default:
			return fmt.Errorf("%w: %v", webhook.ErrTryLater, err)
		}
	}
	return nil
}
