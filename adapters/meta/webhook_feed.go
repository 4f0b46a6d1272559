package meta

import (
	"encoding/json"
	"fmt"

	"github.com/triage-inbox/triage/inbox"
)

// feedValue is a Page feed change: an item (comment, status, post, photo, reaction, …)
// and what happened to it (verb add, edited or edit, remove, hide, unhide, …).
type feedValue struct {
	Item        string  `json:"item"`
	Verb        string  `json:"verb"`
	CommentID   string  `json:"comment_id"`
	PostID      string  `json:"post_id"`
	ParentID    string  `json:"parent_id"`
	From        idName  `json:"from"`
	Message     string  `json:"message"`
	CreatedTime flexInt `json:"created_time"`
	IsHidden    *bool   `json:"is_hidden"`
}

// pageFeed reads a Page feed change: a comment added, edited, removed, hidden or shown
// again, and a visitor's post on the Page (with its edits and removal).
func pageFeed(e entry, raw json.RawMessage) (Delivery, string, error) {
	var v feedValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return Delivery{}, "", err
	}
	switch v.Item {
	case "comment":
		if v.CommentID == "" || v.PostID == "" {
			return Delivery{}, "comment without comment_id or post_id", nil
		}
		return feedItem(e, v, v.CommentID, func() (inbox.Message, bool) { return feedComment(e, v), true })
	case "status", "post":
		if v.PostID == "" {
			return Delivery{}, "post without post_id", nil
		}
		return feedItem(e, v, v.PostID, func() (inbox.Message, bool) { return visitorPost(e, v) })
	}
	return Delivery{}, fmt.Sprintf("item %.30q verb %.30q not handled", v.Item, v.Verb), nil
}

// feedItem turns a verb on a comment or post into a message (add) or an update of the
// message with that id. Feed changes carry no time of their own for an edit, removal or
// hide; entry.time, when Meta sent it, orders them.
func feedItem(e entry, v feedValue, id string, added func() (inbox.Message, bool)) (Delivery, string, error) {
	u := inbox.Update{Channel: ChannelFacebook, Account: e.ID, ID: id, At: firstTime(e.Time, v.CreatedTime)}
	switch v.Verb {
	case "add":
		m, ok := added()
		if !ok {
			return Delivery{}, "the Page's own post", nil
		}
		return Delivery{Messages: []inbox.Message{m}}, "", nil
	case "edited", "edit":
		if v.Message == "" {
			return Delivery{}, "edit without message", nil
		}
		text := v.Message
		u.Text = &text
	case "remove", "delete":
		u.Removed = true
	case "hide", "unhide":
		// A hide says hidden unless is_hidden says otherwise; unhide shows it again.
		hidden := v.Verb == "hide"
		if v.IsHidden != nil {
			hidden = *v.IsHidden
		}
		u.Hidden = &hidden
	default:
		return Delivery{}, fmt.Sprintf("item %.30q verb %.30q not handled", v.Item, v.Verb), nil
	}
	return Delivery{Updates: []inbox.Update{u}}, "", nil
}

// feedComment is a comment added to a post of the Page.
func feedComment(e entry, v feedValue) inbox.Message {
	m := inbox.Message{
		Channel: ChannelFacebook, Account: e.ID, ID: v.CommentID, Kind: inbox.KindComment,
		Conversation: "post:" + v.PostID, Text: v.Message, CreatedAt: firstTime(v.CreatedTime, e.Time),
	}
	// A top-level comment's parent is the post itself.
	if v.ParentID != "" && v.ParentID != v.PostID {
		m.InReplyTo = v.ParentID
	}
	setCommentAuthor(&m, v.From)
	return m
}

// visitorPost is a post a visitor wrote on the Page: the first message of the thread
// its comments join (post:<post id>). The Page's own post asks nothing of anyone.
func visitorPost(e entry, v feedValue) (inbox.Message, bool) {
	if v.From.ID == "" || v.From.ID == e.ID {
		return inbox.Message{}, false
	}
	m := inbox.Message{
		Channel: ChannelFacebook, Account: e.ID, ID: v.PostID, Kind: inbox.KindComment,
		Conversation: "post:" + v.PostID, Text: v.Message, CreatedAt: firstTime(v.CreatedTime, e.Time),
	}
	setCommentAuthor(&m, v.From)
	return m, true
}
