package metatest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// WhatsApp is a fake Cloud API phone number, built on a Server through its Route: it
// takes POST /{phone-number-id}/messages as Meta documents it ({"messaging_product":
// "whatsapp","to":…,"type":"text","text":{"body":…}}, answered with
// {"messaging_product","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid.…"}]}),
// refuses a free-form message more than 24 hours after the customer last wrote with
// error 131047, and a number not on WhatsApp with 131026.
type WhatsApp struct {
	*Server
	PhoneNumberID string
	Now           func() time.Time // the fake's clock, for the 24-hour window

	mu       sync.Mutex
	lastIn   map[string]time.Time // by wa_id: when the customer last wrote
	sent     []WhatsAppMessage
	lostNext bool
}

// WhatsAppMessage is one message the fake accepted.
type WhatsAppMessage struct {
	ID, To, Body string
	Raw          map[string]any // the request body as sent
}

// NewWhatsApp starts a fake Cloud API for a phone number id and token.
func NewWhatsApp(t TB, phoneNumberID, token string, now func() time.Time) *WhatsApp {
	w := &WhatsApp{Server: New(t, "0", token), PhoneNumberID: phoneNumberID, Now: now, lastIn: map[string]time.Time{}}
	w.Route = w.route
	return w
}

// CustomerWrote records that the customer wa_id wrote at t: the 24-hour window opens.
func (w *WhatsApp) CustomerWrote(waID string, t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastIn[waID] = t
}

// LoseNextAnswer makes the next accepted message's answer never arrive: the message is
// sent, then the connection is closed.
func (w *WhatsApp) LoseNextAnswer() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lostNext = true
}

// Sent returns the messages accepted, in order.
func (w *WhatsApp) Sent() []WhatsAppMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.sent)
}

func (w *WhatsApp) route(rw http.ResponseWriter, r *http.Request, parts []string) bool {
	if len(parts) != 2 || parts[0] != w.PhoneNumberID || parts[1] != "messages" || r.Method != http.MethodPost {
		return false
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.GraphError(rw, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Invalid parameter")
		return true
	}
	to, _ := body["to"].(string)
	text, _ := body["text"].(map[string]any)
	msg, _ := text["body"].(string)
	switch {
	case body["messaging_product"] != "whatsapp":
		w.GraphError(rw, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The parameter messaging_product is required.")
		return true
	case body["type"] != "text" || msg == "" || to == "":
		w.GraphError(rw, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Invalid parameter")
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	last, known := w.lastIn[to]
	switch {
	case !known:
		w.whatsAppError(rw, 131026, "Message undeliverable", "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.")
		return true
	case w.Now().Sub(last) > 24*time.Hour:
		w.whatsAppError(rw, 131047, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
		return true
	}
	id := "wamid.HBgL" + w.NewID() + "FQIAERgSQUM="
	w.sent = append(w.sent, WhatsAppMessage{ID: id, To: to, Body: msg, Raw: body})
	if w.lostNext {
		w.lostNext = false
		w.answerFailure(rw, Failure{Hangup: true})
		return true
	}
	WriteJSON(rw, map[string]any{"messaging_product": "whatsapp",
		"contacts": []any{map[string]any{"input": to, "wa_id": to}},
		"messages": []any{map[string]any{"id": id}}})
	return true
}

// whatsAppError is the Cloud API's error body: Graph's, with error_data.details.
func (w *WhatsApp) whatsAppError(rw http.ResponseWriter, code int, title, details string) {
	writeJSON(rw, http.StatusBadRequest, nil, map[string]any{"error": map[string]any{
		"message": "(#" + strconv.Itoa(code) + ") " + title, "type": "OAuthException", "code": code,
		"error_data": map[string]any{"messaging_product": "whatsapp", "details": details},
		"fbtrace_id": "AbCdWa" + strconv.Itoa(len(w.requests))}})
}
