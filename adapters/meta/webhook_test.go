package meta_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/triage-inbox/triage/adapters/meta"
)

func TestDecodeWebhookTextOfAttachmentsAndOtherTypes(t *testing.T) {
	tests := []struct{ name, body, id, text string }{
		{"instagram DM with an image only",
			`{"object":"instagram","entry":[{"id":"1784","time":1764000000,"messaging":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764000000000,"message":{"mid":"mid.1","attachments":[{"type":"image","payload":{"url":"https://lookaside.example/i"}}]}}]}]}`,
			"mid.1", "[image]"},
		{"whatsapp sticker",
			`{"object":"whatsapp_business_account","entry":[{"id":"102","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"1650"}],"messages":[{"from":"1650","id":"wamid.S","timestamp":"1749416383","type":"sticker","sticker":{"id":"77","mime_type":"image/webp"}}]},"field":"messages"}]}]}`,
			"wamid.S", "[sticker]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, skipped, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(skipped) != 0 || len(msgs) != 1 || msgs[0].ID != tt.id || msgs[0].Text != tt.text {
				t.Errorf("DecodeWebhook = %+v, %v, %v; want one message %s reading %q", msgs, skipped, err, tt.id, tt.text)
			}
		})
	}
}

func TestDecodeWebhookSkipsWhatItDoesNotHandle(t *testing.T) {
	tests := []struct{ name, body, skipped string }{
		{"reaction", `{"object":"instagram","entry":[{"id":"1784","time":1764000000,"messaging":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764000000000,"reaction":{"mid":"mid.1","action":"react","reaction":"love"}}]}]}`, "instagram/messaging: not a message"},
		{"comment removed", `{"object":"page","entry":[{"id":"106","time":1764000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"remove","comment_id":"2_3","post_id":"106_2","created_time":1764000000}}]}]}`, `verb "remove"`},
		{"mentions field", `{"object":"instagram","entry":[{"id":"1784","time":1764000000,"changes":[{"field":"mentions","value":{"media_id":"18","comment_id":"17"}}]}]}`, "instagram/mentions: not handled"},
		{"other object", `{"object":"user","entry":[{"id":"1","time":1764000000,"changes":[{"field":"photos","value":{}}]}]}`, "user/photos: not handled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, skipped, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(msgs) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0], tt.skipped) {
				t.Errorf("DecodeWebhook = %+v, %q, %v; want nothing but a skip mentioning %q", msgs, skipped, err, tt.skipped)
			}
		})
	}
	if _, _, err := meta.DecodeWebhook([]byte(`not json`)); err == nil {
		t.Error("DecodeWebhook(not json) = nil error")
	}
}

func TestVerifySubscriptionNeedsAToken(t *testing.T) {
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"42"}, "hub.verify_token": {""}}
	if _, ok := meta.VerifySubscription("")(q); ok {
		t.Error("an empty configured token matched an empty one")
	}
	q.Set("hub.verify_token", "tok")
	if got, ok := meta.VerifySubscription("tok")(q); !ok || got != "42" {
		t.Errorf("VerifySubscription = %q, %v; want 42", got, ok)
	}
}
