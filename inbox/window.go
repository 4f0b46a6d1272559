package inbox

import (
	"context"
	"fmt"
	"time"
)

// ReplyWindow is how long after a customer's latest message Meta takes a reply in a
// direct conversation: Messenger, Instagram DMs and WhatsApp all refuse one later (the
// Messenger and Instagram HUMAN_AGENT tag stretches it to 7 days where the app has it;
// WhatsApp then takes only templates). The refusal is Graph error 10 / 2018278 or
// WhatsApp 131047, which the person meets as a failed reply after the fact; the window
// lets them see it coming.
const ReplyWindow = 24 * time.Hour

// windowChannels are the channels whose direct messages have a reply window.
var windowChannels = map[string]bool{"facebook": true, "instagram": true, "whatsapp": true}

// Window is where a conversation stands in its channel's reply window.
type Window struct {
	Applies bool   // a DM on Messenger, Instagram or WhatsApp; comments have no window
	Channel string // the conversation's channel, to say who refuses and what
	// LastInbound is the customer's latest message, which opened the window; zero when
	// the customer has not written (a thread we started): no window is open.
	LastInbound time.Time
	ClosesAt    time.Time // LastInbound + ReplyWindow; zero with LastInbound
	Open        bool      // the channel takes a reply now (at the service's clock)
}

// OpenAt reports whether the window takes a reply at t; a window that does not apply
// never refuses.
func (w Window) OpenAt(t time.Time) bool {
	return !w.Applies || (!w.ClosesAt.IsZero() && t.Before(w.ClosesAt))
}

// TemplatesOnly reports whether, once closed, the channel still takes a template
// message (WhatsApp) rather than nothing (Messenger, Instagram).
func (w Window) TemplatesOnly() bool { return w.Channel == "whatsapp" }

// windowOf is the reply window of a conversation of that channel and kind whose
// customer last wrote at lastIn (zero: never), at now.
func windowOf(channel string, kind Kind, lastIn, now time.Time) Window {
	w := Window{Channel: channel, Applies: kind == KindDM && windowChannels[channel]}
	if !w.Applies {
		w.Open = true
		return w
	}
	if !lastIn.IsZero() {
		w.LastInbound, w.ClosesAt = lastIn, lastIn.Add(ReplyWindow)
	}
	w.Open = w.OpenAt(now)
	return w
}

// MessagingWindow says whether the channel still takes a reply in a conversation, and
// until when: 24 hours after the customer's latest message (by the time it was written,
// so an older message delivered late does not reopen it) for a DM on Messenger,
// Instagram or WhatsApp. Comment conversations have none (Applies is false).
func (s *Service) MessagingWindow(ctx context.Context, convID int64) (Window, error) {
	c, err := s.db.Conversation(ctx, convID)
	if err != nil {
		return Window{}, err
	}
	if !windowChannels[c.Channel] || Kind(c.Kind) != KindDM {
		return windowOf(c.Channel, Kind(c.Kind), time.Time{}, s.now()), nil
	}
	last, _, err := s.tail(ctx, convID)
	if err != nil {
		return Window{}, fmt.Errorf("reply window of conversation %d: %w", convID, err)
	}
	var lastIn time.Time
	if last != nil {
		lastIn = fromMS(last.CreatedAt)
	}
	return windowOf(c.Channel, Kind(c.Kind), lastIn, s.now()), nil
}

// windowPage is how many messages tail reads at a time: a conversation's newest inbound
// message is nearly always among the newest few, and a long run of our own replies
// costs one more page, never the whole thread.
const windowPage = 50

// WindowText says where a window stands at now, as the conversation and the composer
// show it: "reply window: 3h 12m left", "reply window closed 2h ago · Meta will refuse a
// reply"; "" when no window applies.
func (w Window) WindowText(now time.Time) string {
	if !w.Applies {
		return ""
	}
	if w.ClosesAt.IsZero() {
		return "no reply window: the customer has not written · " + w.refusal()
	}
	if left := w.ClosesAt.Sub(now); left > 0 {
		return "reply window: " + FormatDuration(max(left, time.Minute).Truncate(time.Minute)) + " left"
	}
	return "reply window closed " + FormatDuration(now.Sub(w.ClosesAt)) + " ago · " + w.refusal()
}

// refusal is what happens to a reply outside the window, in words.
func (w Window) refusal() string {
	if w.TemplatesOnly() {
		return "WhatsApp takes only templates now"
	}
	return "Meta will refuse a reply"
}
