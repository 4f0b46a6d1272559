package metatest

// This file is Instagram messaging as the Instagram API with Instagram Login documents it:
// the Conversations API (GET /me/conversations?platform=instagram, GET /{conversation-id}
// with fields=messages{…}, GET /{conversation-id}/messages, GET /{message-id}) and the
// Send API (POST /me/messages with a JSON body), with the rules Meta enforces: a reply
// within 24 hours of the customer's last message, 7 days with the HUMAN_AGENT tag, and
// one private reply per comment within 7 days of it.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// igTime is how Graph writes times on Instagram objects.
const igTime = "2006-01-02T15:04:05-0700"

// The messaging windows Meta enforces.
const (
	StandardWindow   = 24 * time.Hour
	HumanAgentWindow = 7 * 24 * time.Hour
	PrivateReplyDays = 7 * 24 * time.Hour
)

// Subcodes of Graph's code 10 on the Send API, as Instagram answers them.
const (
	SubcodeOutsideWindow = 2534022 // "This message is sent outside of allowed window."
	SubcodePrivateReply  = 2534025 // the comment's one private reply is used, or it is too old
)

// conversation is one Instagram thread between the account and a customer.
type conversation struct {
	id       string
	customer map[string]any   // {"id": IGSID, "username": …}
	msgs     []map[string]any // newest first, as Graph lists them
}

// Sent is one POST /me/messages the server accepted.
type Sent struct {
	RecipientID   string // recipient.id, or the commenter for a private reply
	CommentID     string // recipient.comment_id: a private reply
	Text          string
	MessagingType string // "RESPONSE", "MESSAGE_TAG", or "" when not given
	Tag           string // "HUMAN_AGENT"
	ID            string // the message_id returned
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddConversation adds an Instagram conversation with one message from username, and
// returns its id.
func (s *Server) AddConversation(username, text, createdTime string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &conversation{id: base64.RawURLEncoding.EncodeToString([]byte("ig_t:" + s.id())),
		customer: map[string]any{"username": username, "id": "1" + s.id()}}
	s.convs = append(s.convs, c)
	s.addMessage(c, true, text, createdTime)
	return c.id
}

// AddMessage adds a message to a conversation, from the customer (fromCustomer) or from
// the account in Instagram's own app, and returns its id (the mid).
func (s *Server) AddMessage(convID string, fromCustomer bool, text, createdTime string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversation(convID)
	if c == nil {
		s.t.Fatalf("metatest: no conversation %s", convID)
	}
	return s.addMessage(c, fromCustomer, text, createdTime)
}

// Customer returns the Instagram-scoped id and username of a conversation's customer.
func (s *Server) Customer(convID string) (id, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversation(convID)
	if c == nil {
		return "", ""
	}
	return c.customer["id"].(string), c.customer["username"].(string)
}

// SentMessages returns the messages POST /me/messages accepted, in order.
func (s *Server) SentMessages() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

func (s *Server) conversation(id string) *conversation {
	for _, c := range s.convs {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (s *Server) conversationWith(customerID string) *conversation {
	for _, c := range s.convs {
		if c.customer["id"] == customerID {
			return c
		}
	}
	return nil
}

func (s *Server) addMessage(c *conversation, fromCustomer bool, text, createdTime string) string {
	mid := base64.RawURLEncoding.EncodeToString([]byte("ig_message_item:1:IGMessageThread:" + s.id()))
	account := map[string]any{"username": s.Username, "id": s.IGUserID}
	from, to := c.customer, account
	if !fromCustomer {
		from, to = account, c.customer
	}
	msg := map[string]any{"id": mid, "created_time": createdTime, "message": text,
		"from": from, "to": map[string]any{"data": []any{to}}}
	// Newest first; a message added with an older time goes where its time puts it.
	at := parseIGTime(createdTime)
	i := 0
	for i < len(c.msgs) && parseIGTime(c.msgs[i]["created_time"].(string)).After(at) {
		i++
	}
	c.msgs = slices.Insert(c.msgs, i, msg)
	slices.SortStableFunc(s.convs, func(x, y *conversation) int { return y.updated().Compare(x.updated()) })
	return mid
}

func parseIGTime(s string) time.Time {
	t, _ := time.Parse(igTime, s)
	return t
}

func (c *conversation) updated() time.Time {
	if len(c.msgs) == 0 {
		return time.Time{}
	}
	return parseIGTime(c.msgs[0]["created_time"].(string))
}

// view is the conversation as Graph shows it: id, updated_time, participants, messages.
func (c *conversation) view(account map[string]any) map[string]any {
	updated := ""
	if len(c.msgs) > 0 {
		updated = c.msgs[0]["created_time"].(string)
	}
	return map[string]any{"id": c.id, "updated_time": updated,
		"participants": map[string]any{"data": []any{account, c.customer}},
		"messages":     map[string]any{"data": toAny(c.msgs)}}
}

func (s *Server) account() map[string]any {
	return map[string]any{"username": s.Username, "id": s.IGUserID}
}

// serveMessaging answers the Conversations and Send APIs; false for other requests.
func (s *Server) serveMessaging(w http.ResponseWriter, r *http.Request, parts []string, body []byte) bool {
	switch {
	case len(parts) == 2 && parts[0] == "me" && parts[1] == "conversations" && r.Method == http.MethodGet:
		if r.Form.Get("platform") != "instagram" {
			s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The parameter platform is required")
			return true
		}
		var views []map[string]any
		for _, c := range s.convs {
			if u := r.Form.Get("user_id"); u == "" || c.customer["id"] == u {
				views = append(views, c.view(s.account()))
			}
		}
		s.list(w, r, views, "id,updated_time")
		return true
	case len(parts) == 2 && parts[0] == "me" && parts[1] == "messages" && r.Method == http.MethodPost:
		s.send(w, body)
		return true
	case len(parts) == 2 && parts[1] == "messages" && r.Method == http.MethodGet:
		if c := s.conversation(parts[0]); c != nil {
			s.list(w, r, c.msgs, "id,created_time")
			return true
		}
	case len(parts) == 1 && r.Method == http.MethodGet:
		if c := s.conversation(parts[0]); c != nil {
			WriteJSON(w, pick(c.view(s.account()), parseFields(r.Form.Get("fields"))))
			return true
		}
		for _, c := range s.convs {
			// Meta details only the 20 most recent messages of a conversation.
			for i, m := range c.msgs {
				if m["id"] == parts[0] && i < 20 {
					WriteJSON(w, pick(m, parseFields(r.Form.Get("fields"))))
					return true
				}
			}
		}
	}
	return false
}

// sendRequest is the Send API's JSON body.
type sendRequest struct {
	Recipient struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	} `json:"recipient"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
}

// send is POST /me/messages: a message to a customer within the window, or a private
// reply to a commenter.
func (s *Server) send(w http.ResponseWriter, body []byte) {
	var req sendRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The request body is not valid JSON")
		return
	}
	if req.Message.Text == "" {
		s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The parameter message is required")
		return
	}
	if req.Recipient.CommentID != "" {
		s.privateReply(w, req)
		return
	}
	c := s.conversationWith(req.Recipient.ID)
	if c == nil {
		s.graphError(w, http.StatusBadRequest, nil, 100, 2534014, "OAuthException", "(#100) No matching user found")
		return
	}
	window := StandardWindow
	if req.Tag == "HUMAN_AGENT" && req.MessagingType == "MESSAGE_TAG" {
		window = HumanAgentWindow
	}
	last := s.lastFromCustomer(c)
	if last.IsZero() || s.now().Sub(last) > window {
		s.graphError(w, http.StatusBadRequest, nil, 10, SubcodeOutsideWindow, "OAuthException", "(#10) This message is sent outside of allowed window.")
		return
	}
	s.deliver(w, c, req, "")
}

// privateReply is a Send API call to recipient.comment_id: once per comment, within 7
// days of it, into the commenter's conversation (started by it when there is none).
func (s *Server) privateReply(w http.ResponseWriter, req sendRequest) {
	cm := s.comments[req.Recipient.CommentID]
	if cm == nil {
		s.graphError(w, http.StatusBadRequest, nil, 100, 33, "GraphMethodException", "(#100) The comment does not exist")
		return
	}
	used := slices.ContainsFunc(s.sent, func(x Sent) bool { return x.CommentID == req.Recipient.CommentID })
	if used || s.now().Sub(parseIGTime(cm["timestamp"].(string))) > PrivateReplyDays {
		s.graphError(w, http.StatusBadRequest, nil, 10, SubcodePrivateReply, "OAuthException", "(#10) This comment is invalid for a private reply.")
		return
	}
	from := cm["from"].(map[string]any)
	c := s.conversationWith(from["id"].(string))
	if c == nil {
		c = &conversation{id: base64.RawURLEncoding.EncodeToString([]byte("ig_t:" + s.id())),
			customer: map[string]any{"username": from["username"], "id": from["id"]}}
		s.convs = append(s.convs, c)
	}
	s.deliver(w, c, req, req.Recipient.CommentID)
}

func (s *Server) deliver(w http.ResponseWriter, c *conversation, req sendRequest, commentID string) {
	mid := s.addMessage(c, false, req.Message.Text, s.now().UTC().Format(igTime))
	to := c.customer["id"].(string)
	s.sent = append(s.sent, Sent{RecipientID: to, CommentID: commentID, Text: req.Message.Text,
		MessagingType: req.MessagingType, Tag: req.Tag, ID: mid})
	WriteJSON(w, map[string]any{"recipient_id": to, "message_id": mid})
}

func (s *Server) lastFromCustomer(c *conversation) time.Time {
	for _, m := range c.msgs {
		if m["from"].(map[string]any)["id"] == c.customer["id"] {
			return parseIGTime(m["created_time"].(string))
		}
	}
	return time.Time{}
}
