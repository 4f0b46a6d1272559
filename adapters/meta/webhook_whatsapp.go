package meta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/triage-inbox/triage/inbox"
)

// maxReason bounds the failure reason kept from a status: Meta's titles are a line.
const maxReason = 300

// waStatus is one entry of a WhatsApp messages change's statuses: what became of a
// message the business sent.
type waStatus struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	Timestamp   flexInt `json:"timestamp"`
	RecipientID string  `json:"recipient_id"`
	Errors      []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}

// whatsappMessages reads a WhatsApp Business Account messages change: messages from
// customers, and the statuses of the business's own messages. A failed status is an
// update (the reply never reached the customer); sent, delivered and read change nothing
// triage shows, and are neither stored nor logged.
func whatsappMessages(raw json.RawMessage) (Delivery, string, error) {
	var v struct {
		Metadata struct {
			PhoneNumberID string `json:"phone_number_id"`
		} `json:"metadata"`
		Contacts []struct {
			Profile struct {
				Name string `json:"name"`
			} `json:"profile"`
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID        string  `json:"id"`
			From      string  `json:"from"`
			Timestamp flexInt `json:"timestamp"`
			Type      string  `json:"type"`
			Text      struct {
				Body string `json:"body"`
			} `json:"text"`
			Context struct {
				ID string `json:"id"`
			} `json:"context"`
		} `json:"messages"`
		Statuses []waStatus `json:"statuses"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Delivery{}, "", err
	}
	account := v.Metadata.PhoneNumberID
	names := map[string]string{}
	for _, c := range v.Contacts {
		names[c.WaID] = c.Profile.Name
	}
	var out Delivery
	for _, w := range v.Messages {
		text := w.Text.Body
		if text == "" && w.Type != "" && w.Type != "text" {
			text = "[" + w.Type + "]"
		}
		out.Messages = append(out.Messages, inbox.Message{
			Channel: ChannelWhatsApp, Account: account, ID: w.ID, Kind: inbox.KindDM,
			Conversation: "wa:" + w.From, Author: &inbox.Author{ID: w.From, Name: names[w.From]},
			Text: text, CreatedAt: firstTime(w.Timestamp), InReplyTo: w.Context.ID,
		})
	}
	for _, st := range v.Statuses {
		switch {
		case st.ID == "":
			out.Skipped = append(out.Skipped, "whatsapp_business_account/messages: status without id")
		case st.Status == "failed":
			out.Updates = append(out.Updates, inbox.Update{Channel: ChannelWhatsApp, Account: account, ID: st.ID,
				At: firstTime(st.Timestamp), Failed: failedReason(st)})
		case st.Status == "sent" || st.Status == "delivered" || st.Status == "read":
		default:
			out.Skipped = append(out.Skipped, fmt.Sprintf("whatsapp_business_account/messages: status %.20q not handled", st.Status))
		}
	}
	if len(out.Messages) == 0 && len(v.Statuses) == 0 {
		return out, "no messages", nil
	}
	return out, "", nil
}

// failedReason is what the person reads beside the failed reply: WhatsApp's error title
// and code, as a refused send shows Meta's error.
func failedReason(st waStatus) string {
	if len(st.Errors) == 0 {
		return "WhatsApp could not deliver it (no reason given)"
	}
	e := st.Errors[0]
	title := strings.TrimSpace(e.Title)
	if title == "" {
		title = strings.TrimSpace(e.Message)
	}
	if title == "" {
		title = "no reason given"
	}
	reason := fmt.Sprintf("WhatsApp could not deliver it: %s (error %d)", title, e.Code)
	if len(reason) > maxReason {
		reason = strings.ToValidUTF8(reason[:maxReason], "") // a rune cut in two goes
	}
	return reason
}
