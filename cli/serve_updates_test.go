package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

// News about messages already delivered, shaped as Meta documents them, non-ASCII escaped
// as \uXXXX as Meta sends it.
const (
	// Bea edits her comment (fbComment): "Está em estoque? 🤔".
	fbEdited = `{"object":"page","entry":[{"id":"106000000000001","time":1764000700,"changes":[{"field":"feed","value":{"from":{"id":"5550000000001","name":"Bea Costa"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2025-11-24T16:11:40+0000","permalink_url":"https://www.facebook.com/acme/posts/1","id":"106000000000001_200000000000001"},"message":"Est\u00e1 em estoque? \ud83e\udd14","post_id":"106000000000001_200000000000001","comment_id":"200000000000001_300000000000001","created_time":1764000400,"item":"comment","parent_id":"106000000000001_200000000000001","verb":"edited"}}]}]}`
	// The same edit with other words, signed with a wrong key.
	fbForged = `{"object":"page","entry":[{"id":"106000000000001","time":1764000750,"changes":[{"field":"feed","value":{"from":{"id":"5550000000001","name":"Bea Costa"},"message":"forged","post_id":"106000000000001_200000000000001","comment_id":"200000000000001_300000000000001","created_time":1764000400,"item":"comment","parent_id":"106000000000001_200000000000001","verb":"edited"}}]}]}`
	// The Page hides Caio's comment (fbReply).
	fbHidden = `{"object":"page","entry":[{"id":"106000000000001","time":1764000800,"changes":[{"field":"feed","value":{"from":{"id":"5550000000002","name":"Caio"},"parent_id":"200000000000001_300000000000001","comment_id":"200000000000001_300000000000002","post_id":"106000000000001_200000000000001","verb":"hide","item":"comment","created_time":1764000800}}]}]}`
	// The customer unsends the DM igDM.
	igUnsent = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000900,"messaging":[{"sender":{"id":"9000000000000001"},"recipient":{"id":"17841400000000001"},"timestamp":1764000900321,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","is_deleted":true}}]}]}`
	// The customer edits the DM igDM: "Vocês entregam em Lisboa?".
	igEdited = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1764000250,"messaging":[{"sender":{"id":"9000000000000001"},"recipient":{"id":"17841400000000001"},"timestamp":1764000250000,"message_edit":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"Voc\u00eas entregam em Lisboa?","num_edit":1}}]}]}`
	// WhatsApp's statuses of our reply wamid.REPLY1: delivered, then failed.
	waDelivered = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.REPLY1","status":"delivered","timestamp":"1749417000","recipient_id":"16505551234"}]},"field":"messages"}]}]}`
	waFailed    = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.REPLY1","status":"failed","timestamp":"1749417010","recipient_id":"16505551234","errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Message Undeliverable."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}]},"field":"messages"}]}]}`
)

// metaInbox opens serve's database as another triage would (the UI, sync), at a time.
func metaInbox(t *testing.T, db string, now time.Time) *inbox.Service {
	t.Helper()
	ctx := context.Background()
	sdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	svc, err := inbox.New(ctx, sdb, nil, inbox.WithClock(func() time.Time { return now }), inbox.WithAgent("maria"))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// metaMessage reads a stored message of a conversation by its channel id.
func metaMessage(t *testing.T, svc *inbox.Service, channel, account, conv, id string) inbox.MessageRow {
	t.Helper()
	ctx := context.Background()
	cid, err := svc.ConversationID(ctx, channel, account, conv)
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Thread(ctx, cid, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.ExtID == id {
			return m
		}
	}
	t.Fatalf("no message %s in %s", id, conv)
	return inbox.MessageRow{}
}

func deliverOK(t *testing.T, url, body, want string) {
	t.Helper()
	status, ans := deliver(t, url, []byte(body), hubSignature([]byte(body)))
	if status != http.StatusOK || !strings.Contains(ans, want) {
		t.Errorf("deliver %.70s… = %d %s, want 200 with %s", body, status, ans, want)
	}
}

func TestServeMetaEditsRemovalsAndHides(t *testing.T) {
	db, _, base, stop, _ := startMetaServe(t)
	defer stop()
	for _, body := range []string{fbComment, fbReply, igDM} {
		deliverOK(t, base, body, `"new":1`)
	}
	deliverOK(t, base, fbEdited, `"applied":1`)
	deliverOK(t, base, fbHidden, `"applied":1`)
	deliverOK(t, base, igUnsent, `"applied":1`)
	// Delivered again: nothing applied.
	for _, body := range []string{fbEdited, fbHidden, igUnsent} {
		status, ans := deliver(t, base, []byte(body), hubSignature([]byte(body)))
		if status != http.StatusOK || !strings.Contains(ans, `"updates":1`) || strings.Contains(ans, `"applied"`) {
			t.Errorf("repeated %.50s… = %d %s, want 200 with nothing applied", body, status, ans)
		}
	}
	// A forged edit changes nothing.
	if status, ans := deliver(t, base, []byte(fbForged), hubSignature([]byte(fbEdited))); status != http.StatusUnauthorized {
		t.Errorf("forged edit = %d %s, want 401", status, ans)
	}

	svc := metaInbox(t, db, time.Unix(1764001000, 0))
	bea := metaMessage(t, svc, "facebook", "106000000000001", "post:106000000000001_200000000000001", "200000000000001_300000000000001")
	if bea.Text != "Está em estoque? 🤔" || bea.Original != "Is this in stock?" || bea.EditedAt != 1764000700000 {
		t.Errorf("Bea's comment: %q, first %q, edited at %d; want the edit, the original kept, at 16:11:40", bea.Text, bea.Original, bea.EditedAt)
	}
	// Still asked at 16:06:40: the customer waited from then.
	if bea.CreatedAt != 1764000400000 || bea.AnsweredAt != 0 {
		t.Errorf("Bea's comment: created %d, answered %d; want 16:06:40, unanswered", bea.CreatedAt, bea.AnsweredAt)
	}
	caio := metaMessage(t, svc, "facebook", "106000000000001", "post:106000000000001_200000000000001", "200000000000001_300000000000002")
	if !caio.Hidden || caio.Text != "Same question" {
		t.Errorf("Caio's comment: hidden %v, text %q; want hidden, kept", caio.Hidden, caio.Text)
	}
	dm := metaMessage(t, svc, "instagram", "17841400000000001", "dm:9000000000000001", "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx")
	if dm.RemovedAt != 1764000900321 || dm.Text != "Do you ship to Lisbon?" {
		t.Errorf("unsent DM: removed at %d, text %q; want removed at 16:15:00.321, its text kept", dm.RemovedAt, dm.Text)
	}
	// Search follows the edited text.
	for q, want := range map[string]int{"estoque": 1, "stock": 0} {
		rows, err := svc.Queue(context.Background(), inbox.QueuePage{View: inbox.View{Name: "All"}, Query: q, Limit: 10})
		if err != nil || len(rows) != want {
			t.Errorf("search %q = %d conversations, %v; want %d", q, len(rows), err, want)
		}
	}
}

// Meta does not promise order: an edit delivered before its message is kept and applied
// when the message arrives.
func TestServeMetaEditBeforeItsMessage(t *testing.T) {
	db, _, base, stop, _ := startMetaServe(t)
	defer stop()
	deliverOK(t, base, igEdited, `"kept":1`)
	deliverOK(t, base, igEdited, `"kept":1`)
	deliverOK(t, base, igDM, `"new":1`)
	svc := metaInbox(t, db, time.Unix(1764001000, 0))
	dm := metaMessage(t, svc, "instagram", "17841400000000001", "dm:9000000000000001", "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx")
	if dm.Text != "Vocês entregam em Lisboa?" || dm.Original != "Do you ship to Lisbon?" || dm.EditedAt != 1764000250000 {
		t.Errorf("DM after its early edit: %q, first %q, edited at %d; want the edit, the original kept, 16:04:10", dm.Text, dm.Original, dm.EditedAt)
	}
	// Applied once: delivered again now, it changes nothing.
	status, ans := deliver(t, base, []byte(igEdited), hubSignature([]byte(igEdited)))
	if status != http.StatusOK || strings.Contains(ans, `"applied"`) || strings.Contains(ans, `"kept"`) {
		t.Errorf("the edit again = %d %s, want nothing applied or kept", status, ans)
	}
}

// A reply WhatsApp accepted and then failed to deliver stops answering: Sheena's question
// at 20:59:43, answered at 21:09:43 (first response 10m), is unanswered again and its
// conversation open, the reply failed with WhatsApp's reason, as if the channel had
// refused it. A delivered status changes nothing.
func TestServeMetaWhatsAppFailedStatus(t *testing.T) {
	db, _, base, stop, _ := startMetaServe(t)
	defer stop()
	ctx := context.Background()
	deliverOK(t, base, waText, `"new":1`)
	asked := time.Unix(1749416383, 0)
	svc := metaInbox(t, db, asked.Add(10*time.Minute))
	conv, err := svc.ConversationID(ctx, "whatsapp", "106540352242922", "wa:16505551234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, conv, "Yes, in blue and green"); err != nil {
		t.Fatal(err)
	}
	// The sender, after the undo window: WhatsApp accepts the reply as wamid.REPLY1.
	sender := svc.Clocked(func() time.Time { return asked.Add(11 * time.Minute) })
	due, err := sender.DueReplies(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if err := sender.ClaimOutbox(ctx, due[0].OutboxID); err != nil {
		t.Fatal(err)
	}
	if err := sender.ReplySent(ctx, due[0].OutboxID, "wamid.REPLY1"); err != nil {
		t.Fatal(err)
	}
	question := func() inbox.MessageRow {
		return metaMessage(t, svc, "whatsapp", "106540352242922", "wa:16505551234", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")
	}
	if q := question(); time.Duration(q.AnsweredAt-q.CreatedAt)*time.Millisecond != 10*time.Minute {
		t.Fatalf("first response = %v, want 10m", time.Duration(q.AnsweredAt-q.CreatedAt)*time.Millisecond)
	}

	status, ans := deliver(t, base, []byte(waDelivered), hubSignature([]byte(waDelivered)))
	if status != http.StatusOK || strings.Contains(ans, `"updates"`) {
		t.Errorf("delivered status = %d %s, want 200 with no update", status, ans)
	}
	if q := question(); time.Duration(q.AnsweredAt-q.CreatedAt)*time.Millisecond != 10*time.Minute {
		t.Errorf("after a delivered status the first response is %v, want 10m still", time.Duration(q.AnsweredAt-q.CreatedAt)*time.Millisecond)
	}

	deliverOK(t, base, waFailed, `"applied":1`)
	if q := question(); q.AnsweredAt != 0 || q.DueAt == 0 {
		t.Errorf("after the failed status: answered at %d, due %d; want unanswered, due again", q.AnsweredAt, q.DueAt)
	}
	reply := metaMessage(t, svc, "whatsapp", "106540352242922", "wa:16505551234", "wamid.REPLY1")
	if reply.OutboxStatus != inbox.OutboxFailed || reply.OutboxError != "WhatsApp could not deliver it: Message undeliverable (error 131026)" {
		t.Errorf("the reply: %s %q, want failed with WhatsApp's title and code", reply.OutboxStatus, reply.OutboxError)
	}
	th, err := svc.Thread(ctx, conv, 0)
	if err != nil || th.Info.State != string(inbox.StateOpen) || th.Info.Unanswered != 1 {
		t.Errorf("conversation: %s, %d unanswered, %v; want open, 1", th.Info.State, th.Info.Unanswered, err)
	}
	if n, _ := svc.FailedReplies(ctx); n != 1 {
		t.Errorf("failed replies = %d, want 1", n)
	}
	// Delivered again: nothing more.
	status, ans = deliver(t, base, []byte(waFailed), hubSignature([]byte(waFailed)))
	if status != http.StatusOK || strings.Contains(ans, `"applied"`) {
		t.Errorf("the failed status again = %d %s, want nothing applied", status, ans)
	}
}
