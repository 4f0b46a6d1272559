package meta_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
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
			d, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(d.Skipped) != 0 || len(d.Messages) != 1 || d.Messages[0].ID != tt.id || d.Messages[0].Text != tt.text {
				t.Errorf("DecodeWebhook = %+v, %v; want one message %s reading %q", d, err, tt.id, tt.text)
			}
		})
	}
}

// Deliveries about messages already delivered, shaped as Meta's webhook references
// document them (Webhooks for Pages feed, Messenger message_edits, Instagram messaging,
// WhatsApp messages statuses), with non-ASCII text escaped as \uXXXX as Meta sends it.
func TestDecodeWebhookUpdates(t *testing.T) {
	yes, no := true, false
	text := func(s string) *string { return &s }
	at := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	tests := []struct {
		name, body string
		want       inbox.Update
	}{
		{"page comment edited",
			`{"object":"page","entry":[{"id":"106","time":1764000700,"changes":[{"field":"feed","value":{"from":{"id":"555","name":"Bea Costa"},"post":{"status_type":"added_photos","is_published":true,"id":"106_200"},"message":"C\u00e2mera chegou quebrada \ud83d\ude21","post_id":"106_200","comment_id":"200_300","created_time":1764000400,"item":"comment","parent_id":"106_200","verb":"edited"}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000700), Text: text("Câmera chegou quebrada 😡")}},
		{"page comment edit (the older verb)",
			`{"object":"page","entry":[{"id":"106","time":1764000701,"changes":[{"field":"feed","value":{"from":{"id":"555","name":"Bea Costa"},"message":"again","post_id":"106_200","comment_id":"200_300","created_time":1764000400,"item":"comment","parent_id":"106_200","verb":"edit"}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000701), Text: text("again")}},
		{"page comment removed",
			`{"object":"page","entry":[{"id":"106","time":1764000800,"changes":[{"field":"feed","value":{"from":{"id":"555","name":"Bea Costa"},"parent_id":"106_200","comment_id":"200_300","post_id":"106_200","verb":"remove","item":"comment","created_time":1764000800}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000800), Removed: true}},
		{"page comment hidden",
			`{"object":"page","entry":[{"id":"106","time":1764000900,"changes":[{"field":"feed","value":{"from":{"id":"555","name":"Bea Costa"},"parent_id":"106_200","comment_id":"200_300","post_id":"106_200","verb":"hide","item":"comment","created_time":1764000900}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000900), Hidden: &yes}},
		{"page comment unhidden",
			`{"object":"page","entry":[{"id":"106","time":1764000950,"changes":[{"field":"feed","value":{"parent_id":"106_200","comment_id":"200_300","post_id":"106_200","verb":"unhide","item":"comment","created_time":1764000950}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000950), Hidden: &no}},
		{"page comment hide saying is_hidden false",
			`{"object":"page","entry":[{"id":"106","time":1764000960,"changes":[{"field":"feed","value":{"comment_id":"200_300","post_id":"106_200","verb":"hide","item":"comment","is_hidden":false,"created_time":1764000960}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "200_300", At: at(1764000960), Hidden: &no}},
		{"visitor post edited",
			`{"object":"page","entry":[{"id":"106","time":1764001000,"changes":[{"field":"feed","value":{"from":{"id":"777","name":"Caio"},"post_id":"106_900","message":"Still waiting for a refund","created_time":1764000000,"item":"status","published":1,"verb":"edited"}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "106_900", At: at(1764001000), Text: text("Still waiting for a refund")}},
		{"messenger message_edit",
			`{"object":"page","entry":[{"id":"106","time":1764002000000,"messaging":[{"sender":{"id":"6100"},"recipient":{"id":"106"},"timestamp":1764002000123,"message_edit":{"mid":"m_AG5","text":"Pedido n\u00ba 4411, n\u00e3o 4412","num_edit":1}}]}]}`,
			inbox.Update{Channel: "facebook", Account: "106", ID: "m_AG5", At: time.UnixMilli(1764002000123).UTC(), Text: text("Pedido nº 4411, não 4412")}},
		{"instagram message_edit",
			`{"object":"instagram","entry":[{"id":"1784","time":1764003000,"messaging":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764003000456,"message_edit":{"mid":"aWdfZA","text":"size M please","num_edit":2}}]}]}`,
			inbox.Update{Channel: "instagram", Account: "1784", ID: "aWdfZA", At: time.UnixMilli(1764003000456).UTC(), Text: text("size M please")}},
		{"instagram DM unsent",
			`{"object":"instagram","entry":[{"id":"1784","time":1764004000,"messaging":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764004000789,"message":{"mid":"aWdfZA","is_deleted":true}}]}]}`,
			inbox.Update{Channel: "instagram", Account: "1784", ID: "aWdfZA", At: time.UnixMilli(1764004000789).UTC(), Removed: true}},
		{"whatsapp failed status",
			`{"object":"whatsapp_business_account","entry":[{"id":"102","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540"},"statuses":[{"id":"wamid.HBgLMTY1","status":"failed","timestamp":"1749416500","recipient_id":"16505551234","errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Message Undeliverable."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}]},"field":"messages"}]}]}`,
			inbox.Update{Channel: "whatsapp", Account: "106540", ID: "wamid.HBgLMTY1", At: at(1749416500), Failed: "WhatsApp could not deliver it: Message undeliverable (error 131026)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(d.Messages) != 0 || len(d.Skipped) != 0 || len(d.Updates) != 1 {
				t.Fatalf("DecodeWebhook = %+v, %v; want one update", d, err)
			}
			if got := d.Updates[0]; !sameUpdate(got, tt.want) {
				t.Errorf("update = %s, want %s", showUpdate(got), showUpdate(tt.want))
			}
			if err := d.Updates[0].Validate(); err != nil {
				t.Errorf("the update is not valid: %v", err)
			}
		})
	}
}

func sameUpdate(a, b inbox.Update) bool { return showUpdate(a) == showUpdate(b) }

func showUpdate(u inbox.Update) string {
	s := u.Channel + "/" + u.Account + "/" + u.ID + " at " + u.At.Format(time.RFC3339Nano)
	if u.Text != nil {
		s += " text=" + *u.Text
	}
	if u.Removed {
		s += " removed"
	}
	if u.Hidden != nil {
		s += map[bool]string{true: " hidden", false: " shown"}[*u.Hidden]
	}
	if u.Failed != "" {
		s += " failed=" + u.Failed
	}
	return s
}

// New messages in shapes that used to be skipped: standby (another app had the thread)
// and a visitor's post on the Page.
func TestDecodeWebhookStandbyAndVisitorPosts(t *testing.T) {
	tests := []struct {
		name, body string
		want       inbox.Message
	}{
		{"page standby",
			`{"object":"page","entry":[{"id":"106","time":1764000800000,"standby":[{"sender":{"id":"6100"},"recipient":{"id":"106"},"timestamp":1764000800000,"message":{"mid":"m_standby","text":"ol\u00e1, algu\u00e9m a\u00ed?"}}]}]}`,
			inbox.Message{Channel: "facebook", Account: "106", ID: "m_standby", Kind: inbox.KindDM, Conversation: "dm:6100",
				Author: &inbox.Author{ID: "6100"}, Text: "olá, alguém aí?", CreatedAt: time.UnixMilli(1764000800000).UTC()}},
		{"instagram standby",
			`{"object":"instagram","entry":[{"id":"1784","time":1764000900,"standby":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764000900000,"message":{"mid":"aWdfSB","text":"hi"}}]}]}`,
			inbox.Message{Channel: "instagram", Account: "1784", ID: "aWdfSB", Kind: inbox.KindDM, Conversation: "dm:900",
				Author: &inbox.Author{ID: "900"}, Text: "hi", CreatedAt: time.UnixMilli(1764000900000).UTC()}},
		{"standby echo from the Page inbox",
			`{"object":"page","entry":[{"id":"106","time":1764000950000,"standby":[{"sender":{"id":"106"},"recipient":{"id":"6100"},"timestamp":1764000950000,"message":{"mid":"m_echo","text":"Hello!","is_echo":true,"app_id":263902037430900}}]}]}`,
			inbox.Message{Channel: "facebook", Account: "106", ID: "m_echo", Kind: inbox.KindDM, Conversation: "dm:6100",
				Direction: inbox.Out, Agent: meta.NativeAgent, Text: "Hello!", CreatedAt: time.UnixMilli(1764000950000).UTC()}},
		{"visitor post",
			`{"object":"page","entry":[{"id":"106","time":1764001000,"changes":[{"field":"feed","value":{"from":{"id":"777","name":"Caio S\u00e1"},"post_id":"106_900","message":"Where is my order #4411?","created_time":1764000990,"item":"status","published":1,"verb":"add"}}]}]}`,
			inbox.Message{Channel: "facebook", Account: "106", ID: "106_900", Kind: inbox.KindComment, Conversation: "post:106_900",
				Author: &inbox.Author{ID: "777", Name: "Caio Sá"}, Text: "Where is my order #4411?", CreatedAt: time.Unix(1764000990, 0).UTC()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(d.Skipped) != 0 || len(d.Updates) != 0 || len(d.Messages) != 1 {
				t.Fatalf("DecodeWebhook = %+v, %v; want one message", d, err)
			}
			got, want := d.Messages[0], tt.want
			if got.Channel != want.Channel || got.Account != want.Account || got.ID != want.ID || got.Kind != want.Kind ||
				got.Conversation != want.Conversation || got.Direction != want.Direction || got.Agent != want.Agent ||
				got.Text != want.Text || !got.CreatedAt.Equal(want.CreatedAt) ||
				(got.Author == nil) != (want.Author == nil) || (got.Author != nil && *got.Author != *want.Author) {
				t.Errorf("message =\n %+v (author %+v)\nwant\n %+v (author %+v)", got, got.Author, want, want.Author)
			}
		})
	}
}

func TestDecodeWebhookSkipsWhatItDoesNotHandle(t *testing.T) {
	tests := []struct{ name, body, skipped string }{
		{"reaction", `{"object":"instagram","entry":[{"id":"1784","time":1764000000,"messaging":[{"sender":{"id":"900"},"recipient":{"id":"1784"},"timestamp":1764000000000,"reaction":{"mid":"mid.1","action":"react","reaction":"love","emoji":"\u2764\ufe0f"}}]}]}`, "instagram/messaging: reaction"},
		{"read", `{"object":"page","entry":[{"id":"106","time":1764000000,"messaging":[{"sender":{"id":"6100"},"recipient":{"id":"106"},"timestamp":1764000000000,"read":{"watermark":1764000000000}}]}]}`, "page/messaging: not a message"},
		{"the Page's own post", `{"object":"page","entry":[{"id":"106","time":1764000000,"changes":[{"field":"feed","value":{"from":{"id":"106","name":"Acme"},"post_id":"106_901","message":"New arrivals!","created_time":1764000000,"item":"status","published":1,"verb":"add"}}]}]}`, "the Page's own post"},
		{"a like", `{"object":"page","entry":[{"id":"106","time":1764000000,"changes":[{"field":"feed","value":{"item":"reaction","verb":"add","reaction_type":"like","post_id":"106_2","from":{"id":"555"},"created_time":1764000000}}]}]}`, `item "reaction" verb "add"`},
		{"whatsapp deleted status", `{"object":"whatsapp_business_account","entry":[{"id":"102","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540"},"statuses":[{"id":"wamid.D","status":"deleted","timestamp":"1749416500","recipient_id":"1650"}]},"field":"messages"}]}]}`, `status "deleted"`},
		{"mention without media", `{"object":"instagram","entry":[{"id":"1784","time":1764000000,"changes":[{"field":"mentions","value":{"comment_id":"17"}}]}]}`, "instagram/mentions: mention without media_id"},
		{"other object", `{"object":"user","entry":[{"id":"1","time":1764000000,"changes":[{"field":"photos","value":{}}]}]}`, "user/photos: not handled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := meta.DecodeWebhook([]byte(tt.body))
			if err != nil || len(d.Messages) != 0 || len(d.Updates) != 0 || len(d.Skipped) != 1 || !strings.Contains(d.Skipped[0], tt.skipped) {
				t.Errorf("DecodeWebhook = %+v, %v; want nothing but a skip mentioning %q", d, err, tt.skipped)
			}
		})
	}
	if _, err := meta.DecodeWebhook([]byte(`not json`)); err == nil {
		t.Error("DecodeWebhook(not json) = nil error")
	}
}

// Sent, delivered and read change nothing triage shows: no update, and no skip to log
// for every message a business sends.
func TestDecodeWebhookQuietStatuses(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"102","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540"},"statuses":[{"id":"wamid.A","status":"sent","timestamp":"1749416400","recipient_id":"1650","conversation":{"id":"c1","origin":{"type":"service"}},"pricing":{"billable":true,"pricing_model":"PMP","category":"service"}},{"id":"wamid.A","status":"delivered","timestamp":"1749416401","recipient_id":"1650"},{"id":"wamid.A","status":"read","timestamp":"1749416402","recipient_id":"1650"}]},"field":"messages"}]}]}`
	d, err := meta.DecodeWebhook([]byte(body))
	if err != nil || len(d.Messages)+len(d.Updates)+len(d.Skipped) != 0 {
		t.Errorf("DecodeWebhook = %+v, %v; want nothing at all", d, err)
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

// Meta's mentions webhook names the comment or the post that @mentions the account, and
// nothing more: it becomes a reference for the account's adapter to read.
func TestDecodeWebhookMentions(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        meta.Mention
	}{
		{"in a comment", `{"media_id":"17887498072083520","comment_id":"17894227972186120"}`, meta.Mention{Account: "17841405309211844", MediaID: "17887498072083520", CommentID: "17894227972186120"}},
		{"in a caption", `{"media_id":"17887498072083520"}`, meta.Mention{Account: "17841405309211844", MediaID: "17887498072083520"}},
	} {
		body := `{"object":"instagram","entry":[{"id":"17841405309211844","time":1764000000,"changes":[{"field":"mentions","value":` + tt.value + `}]}]}`
		d, err := meta.DecodeWebhook([]byte(body))
		if err != nil || len(d.Mentions) != 1 || d.Mentions[0] != tt.want || len(d.Messages)+len(d.Skipped) != 0 {
			t.Errorf("%s: %+v, %v; want the mention %+v", tt.name, d, err, tt.want)
		}
	}
}
