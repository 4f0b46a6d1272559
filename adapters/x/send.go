package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/httpx"
	"github.com/triage-inbox/triage/inbox"
)

// ErrNoTarget means a reply names neither a post to answer nor a DM conversation.
var ErrNoTarget = errors.New("a reply needs the post it answers or the DM conversation it goes to")

// ErrCannotTell means Sent could not find out whether a reply was posted.
var ErrCannotTell = errors.New("cannot tell whether the reply was posted: look on X before sending it again")

// maxCheckPages bounds the pages Sent reads looking for a reply.
const maxCheckPages = 5

// target is where a reply goes: a post to answer, or a DM conversation (by its id, or
// with a participant).
type target struct {
	tweet       string // in_reply_to_tweet_id
	dmConv      string // dm_conversation_id
	participant string // the person a DM goes to when there is no DM conversation yet
}

// targetOf reads where a reply goes. A DM (kind dm) goes to the DM conversation
// "dm:<id>", or, from a mention's conversation (a private reply), to the author; a
// reply answers the post it was written against (the latest inbound), else the one that
// started the conversation "x:<id>".
func targetOf(out inbox.Outgoing) target {
	if id, ok := strings.CutPrefix(out.Conversation, "dm:"); ok && id != "" {
		return target{dmConv: id}
	}
	if out.Kind == inbox.KindDM {
		if out.To != nil && out.To.ID != "" {
			return target{participant: out.To.ID}
		}
		return target{}
	}
	if out.InReplyTo != "" {
		return target{tweet: out.InReplyTo}
	}
	if id, ok := strings.CutPrefix(out.Conversation, "x:"); ok {
		return target{tweet: id}
	}
	return target{}
}

// dmPath is the DM conversation's path under /2/dm_conversations.
func (t target) dmPath() (path, endpoint string) {
	if t.dmConv != "" {
		return "/2/dm_conversations/" + url.PathEscape(t.dmConv), "/2/dm_conversations/:dm_conversation_id"
	}
	return "/2/dm_conversations/with/" + url.PathEscape(t.participant), "/2/dm_conversations/with/:participant_id"
}

// Send posts a reply and returns its id, which the post or DM event bears when Fetch
// brings it back: POST /2/tweets with reply.in_reply_to_tweet_id, or a DM to the
// conversation (POST /2/dm_conversations/:id/messages, or …/with/:participant_id/messages).
func (a *Adapter) Send(ctx context.Context, out inbox.Outgoing) (string, error) {
	t := targetOf(out)
	switch {
	case t.tweet != "":
		what := fmt.Sprintf("x %s: reply to post %s", a.name, t.tweet)
		var created struct {
			Data struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			} `json:"data"`
		}
		body := map[string]any{"text": out.Text, "reply": map[string]any{"in_reply_to_tweet_id": t.tweet}}
		err := a.call(ctx, http.MethodPost, "POST /2/tweets", "/2/tweets", nil, body, &created)
		if err != nil {
			return "", httpx.Wrap(what, duplicate(err))
		}
		if created.Data.ID == "" {
			return "", &adapters.Error{Err: fmt.Errorf("%s: X returned no post id", what), MaybeSent: true}
		}
		return created.Data.ID, nil
	case t.dmConv != "" || t.participant != "":
		path, endpoint := t.dmPath()
		what := fmt.Sprintf("x %s: direct message", a.name)
		var created struct {
			Data struct {
				DMConversationID string `json:"dm_conversation_id"`
				DMEventID        string `json:"dm_event_id"`
			} `json:"data"`
		}
		err := a.call(ctx, http.MethodPost, "POST "+endpoint+"/messages", path+"/messages", nil, map[string]any{"text": out.Text}, &created)
		if err != nil {
			return "", httpx.Wrap(what, err)
		}
		if created.Data.DMEventID == "" {
			return "", &adapters.Error{Err: fmt.Errorf("%s: X returned no DM event id", what), MaybeSent: true}
		}
		return created.Data.DMEventID, nil
	}
	return "", adapters.Permanent(fmt.Errorf("x %s: %w", a.name, ErrNoTarget))
}

// duplicate says it plainly when X refuses a post as a duplicate: the same text was
// posted already (often by an earlier try whose answer was lost).
func duplicate(err error) error {
	var ae *adapters.Error
	var he *httpx.APIError
	if errors.As(err, &ae) && errors.As(err, &he) && ae.Status == http.StatusForbidden && strings.Contains(strings.ToLower(he.Message), "duplicate") {
		c := *ae
		c.Err = fmt.Errorf("X refuses the same text twice; it may be posted already: %w", he)
		return &c
	}
	return err
}

// Sent reports whether a reply was posted already, for the outbox after a crash or a
// lost answer, since X takes no idempotency key.
//
// A reply to a post: among the account's posts newer than the post answered
// (GET /2/users/:id/tweets with since_id), one replying to it with the same text. A DM:
// among the conversation's events newer than the DM answered
// (GET /2/dm_conversations/:id/dm_events), one sent by the account with the same text.
// Only what came after the message answered is looked at, so an older identical answer
// is never taken for this one. When there is nothing to bound the search by, or it runs
// past a few pages, the answer is an error that says so: the engine then leaves the
// reply for a person to check, never posting it twice on a guess.
func (a *Adapter) Sent(ctx context.Context, out inbox.Outgoing) (string, bool, error) {
	t := targetOf(out)
	switch {
	case t.tweet != "":
		return a.sentTweet(ctx, out, t.tweet)
	case t.dmConv != "" || t.participant != "":
		return a.sentDM(ctx, out, t)
	}
	return "", false, adapters.Permanent(fmt.Errorf("x %s: %w", a.name, ErrNoTarget))
}

func (a *Adapter) sentTweet(ctx context.Context, out inbox.Outgoing, answered string) (string, bool, error) {
	what := fmt.Sprintf("x %s: look for a reply to post %s", a.name, answered)
	q := url.Values{"since_id": {answered}, "max_results": {"100"}, "tweet.fields": {tweetFields}}
	path := "/2/users/" + url.PathEscape(a.userID) + "/tweets"
	want := sameText(out.Text)
	for range maxCheckPages {
		var p page[tweet]
		if err := a.call(ctx, http.MethodGet, "GET /2/users/:id/tweets", path, q, nil, &p); err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		a.reads.add(a.now(), tweetIDs(p.Data)...)
		for _, tw := range p.Data {
			for _, r := range tw.ReferencedTweets {
				if r.Type == "replied_to" && r.ID == answered && sameText(unescape(tw.Text)) == want {
					return tw.ID, true, nil
				}
			}
		}
		if p.Meta.NextToken == "" {
			return "", false, nil
		}
		q.Set("pagination_token", p.Meta.NextToken)
	}
	return "", false, &adapters.Error{Err: fmt.Errorf("%s: %w", what, ErrCannotTell), MaybeSent: true}
}

func (a *Adapter) sentDM(ctx context.Context, out inbox.Outgoing, t target) (string, bool, error) {
	what := fmt.Sprintf("x %s: look for a sent direct message", a.name)
	if out.InReplyTo == "" {
		// Nothing bounds the search: an older DM with the same text would pass for this one.
		return "", false, &adapters.Error{Err: fmt.Errorf("%s: %w", what, ErrCannotTell), MaybeSent: true}
	}
	path, endpoint := t.dmPath()
	q := url.Values{"max_results": {"100"}, "event_types": {"MessageCreate"}, "dm_event.fields": {dmEventFields}}
	want := sameText(out.Text)
	for range maxCheckPages {
		var p page[dmEvent]
		if err := a.call(ctx, http.MethodGet, "GET "+endpoint+"/dm_events", path+"/dm_events", q, nil, &p); err != nil {
			return "", false, httpx.Wrap(what, err)
		}
		a.reads.add(a.now(), eventIDs(p.Data)...)
		for _, ev := range p.Data { // newest first
			if !newer(ev.ID, out.InReplyTo) {
				return "", false, nil
			}
			if ev.SenderID == a.userID && sameText(unescape(ev.Text)) == want {
				return ev.ID, true, nil
			}
		}
		if p.Meta.NextToken == "" {
			return "", false, nil
		}
		q.Set("pagination_token", p.Meta.NextToken)
	}
	return "", false, &adapters.Error{Err: fmt.Errorf("%s: %w", what, ErrCannotTell), MaybeSent: true}
}

var (
	leadingMentions = regexp.MustCompile(`^(?:@\w+\s+)+`)
	anyLink         = regexp.MustCompile(`(?i)https?://\S+`)
)

// sameText is a text as X gives it back, reduced to what survives the trip: the @names
// X puts before a reply dropped, every link (X turns each into a t.co address) one
// mark, and runs of whitespace one space.
func sameText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = leadingMentions.ReplaceAllString(s, "")
	return anyLink.ReplaceAllString(s, "<link>")
}

// Moderate applies an action to the post (or DM) messageID:
//
//   - "hide" / "unhide": a reply under one of the account's posts, hidden or shown again
//     (PUT /2/tweets/:id/hidden);
//   - "mute": its author muted (POST /2/users/:id/muting);
//   - "block": its author blocked (POST /2/users/:id/blocking), only with block = true:
//     X gives that endpoint to Enterprise plans alone.
//
// The author is read from the post (GET /2/tweets/:id), else from the DM event
// (GET /2/dm_events/:id).
func (a *Adapter) Moderate(ctx context.Context, action, messageID string) error {
	what := fmt.Sprintf("x %s: %s %s", a.name, action, messageID)
	switch action {
	case "hide", "unhide":
		body := map[string]any{"hidden": action == "hide"}
		path := "/2/tweets/" + url.PathEscape(messageID) + "/hidden"
		return httpx.Wrap(what, a.call(ctx, http.MethodPut, "PUT /2/tweets/:id/hidden", path, nil, body, nil))
	case "mute", "block":
		if action == "block" && !a.block {
			return adapters.Permanent(fmt.Errorf("%s: X lets only Enterprise plans block through the API (set block = true on such an account): %w", what, errors.ErrUnsupported))
		}
		author, err := a.authorOf(ctx, messageID)
		if err != nil {
			return httpx.Wrap(what, err)
		}
		verb := map[string]string{"mute": "muting", "block": "blocking"}[action]
		path := "/2/users/" + url.PathEscape(a.userID) + "/" + verb
		return httpx.Wrap(what, a.call(ctx, http.MethodPost, "POST /2/users/:id/"+verb, path, nil, map[string]any{"target_user_id": author}, nil))
	}
	return adapters.Permanent(fmt.Errorf("%s: %w", what, errors.ErrUnsupported))
}

// authorOf is the user id of the author of a post, or of the sender of a DM event.
func (a *Adapter) authorOf(ctx context.Context, id string) (string, error) {
	var tw struct {
		Data tweet `json:"data"`
	}
	err := a.call(ctx, http.MethodGet, "GET /2/tweets/:id", "/2/tweets/"+url.PathEscape(id), url.Values{"tweet.fields": {"author_id"}}, nil, &tw)
	if err == nil && tw.Data.AuthorID != "" {
		a.reads.add(a.now(), tw.Data.ID)
		return tw.Data.AuthorID, nil
	}
	var ae *adapters.Error
	if err != nil && !(errors.As(err, &ae) && ae.Status == http.StatusNotFound) {
		return "", err
	}
	var ev struct {
		Data dmEvent `json:"data"`
	}
	if err := a.call(ctx, http.MethodGet, "GET /2/dm_events/:event_id", "/2/dm_events/"+url.PathEscape(id), url.Values{"dm_event.fields": {"sender_id"}}, nil, &ev); err != nil {
		return "", err
	}
	if ev.Data.SenderID == "" {
		return "", adapters.Permanent(errors.New("X names no author for it"))
	}
	a.reads.add(a.now(), ev.Data.ID)
	return ev.Data.SenderID, nil
}
