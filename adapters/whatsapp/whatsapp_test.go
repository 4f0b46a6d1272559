package whatsapp_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/engine"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
	"github.com/triage-inbox/triage/adapters/whatsapp"
	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/internal/inboxtest"
)

const (
	phoneID  = "106540352242922"
	token    = "EAAG-whatsapp-secret-token-0123456789"
	customer = "16505551234"
)

// clock is the test's time: 2026-12-06 12:00 UTC, moved by tests.
var clock = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func now() time.Time { return clock }

func newAdapter(t *testing.T, f *metatest.WhatsApp) *whatsapp.Adapter {
	t.Helper()
	a, err := adapters.NewAccount(0, map[string]any{"name": "whatsapp", "channel": "whatsapp", "phone_number_id": phoneID, "graph_url": f.URL})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := meta.ParseAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	c := &meta.Client{BaseURL: cfg.GraphURL, Version: cfg.Version, Account: cfg.Account,
		Token: func(context.Context) (string, error) { return token, nil }, HTTP: &http.Client{Timeout: 5 * time.Second}}
	return whatsapp.NewWithClient(cfg, c)
}

// delivery is a WhatsApp Business Account webhook as Meta documents it: one text
// message from the customer, with the contact's profile name.
func delivery(wamid, text string, at time.Time) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + phoneID + `"},` +
		`"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"` + customer + `"}],` +
		`"messages":[{"from":"` + customer + `","id":"` + wamid + `","timestamp":"` + strconv.FormatInt(at.Unix(), 10) + `","text":{"body":"` + text + `"},"type":"text"}]}}]}]}`)
}

// A reply is a text message to the customer's number, in the documented body, and
// comes back as WhatsApp's wamid.
func TestSendWritesToTheCustomer(t *testing.T) {
	f := metatest.NewWhatsApp(t, phoneID, token, now)
	f.CustomerWrote(customer, clock.Add(-time.Hour))
	a := newAdapter(t, f)
	id, err := a.Send(context.Background(), inbox.Outgoing{Channel: "whatsapp", Account: phoneID, Conversation: "wa:" + customer,
		Kind: inbox.KindDM, Text: "Your order ships Monday.", InReplyTo: "wamid.in1"})
	if err != nil {
		t.Fatal(err)
	}
	sent := f.Sent()
	if len(sent) != 1 || sent[0].ID != id || sent[0].To != customer || sent[0].Body != "Your order ships Monday." {
		t.Fatalf("sent %+v, id %q", sent, id)
	}
	if raw := sent[0].Raw; raw["messaging_product"] != "whatsapp" || raw["recipient_type"] != "individual" || raw["type"] != "text" {
		t.Errorf("request body %v", raw)
	}
}

// What WhatsApp refuses is a permanent failure that says why in plain words first, and
// the token never shows.
func TestSendRefusals(t *testing.T) {
	for _, c := range []struct {
		name      string
		lastIn    time.Duration // how long ago the customer wrote; 0: never
		fail      *metatest.Failure
		permanent bool
		want      string
	}{
		{"outside the 24-hour window", 25 * time.Hour, nil, true, "outside WhatsApp's 24-hour customer service window"},
		{"not on WhatsApp", 0, nil, true, "WhatsApp cannot deliver to this number"},
		{"token expired", time.Hour, ptr(metatest.TokenExpired()), true, "reconnect: the token for account whatsapp expired"},
		{"throughput limit", time.Hour, ptr(metatest.Failure{Status: 400, Code: 130429, Type: "OAuthException", Message: "(#130429) Rate limit hit"}), false, "rate limited by Meta"},
		{"server error", time.Hour, ptr(metatest.ServerError()), false, "HTTP 500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := metatest.NewWhatsApp(t, phoneID, token, now)
			if c.lastIn > 0 {
				f.CustomerWrote(customer, clock.Add(-c.lastIn))
			}
			if c.fail != nil {
				f.Fail(*c.fail)
			}
			_, err := newAdapter(t, f).Send(context.Background(), inbox.Outgoing{Conversation: "wa:" + customer, Kind: inbox.KindDM, Text: "Hello again"})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), token) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
			var ae *adapters.Error
			if !errors.As(err, &ae) || ae.Permanent != c.permanent {
				t.Errorf("permanent = %v, want %v", ae != nil && ae.Permanent, c.permanent)
			}
			if len(f.Sent()) != 0 {
				t.Errorf("sent %+v", f.Sent())
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Through the real engine and inbox: a customer's message delivered by webhook is
// answered once on WhatsApp, the reply marked sent with its wamid; a send whose answer
// is lost is left for a person to check, never sent twice.
func TestEngineWhatsAppReply(t *testing.T) {
	ctx := context.Background()
	f := metatest.NewWhatsApp(t, phoneID, token, now)
	svc := inboxtest.Open(t, inboxtest.SendAtOnce(t), now)
	a := newAdapter(t, f)
	eng := engine.New(svc, []engine.Account{{Name: "whatsapp", Channel: "whatsapp", Handle: a.Handle(), Adapter: a}}, engine.Options{})

	ingest := func(wamid, text string, at time.Time) int64 {
		d, err := meta.DecodeWebhook(delivery(wamid, text, at))
		if err != nil || len(d.Messages) != 1 {
			t.Fatalf("decode: %+v, %v", d, err)
		}
		if _, err := svc.IngestMessages(ctx, d.Messages...); err != nil {
			t.Fatal(err)
		}
		f.CustomerWrote(customer, at)
		conv, err := svc.ConversationID(ctx, "whatsapp", phoneID, "wa:"+customer)
		if err != nil {
			t.Fatal(err)
		}
		return conv
	}
	conv := ingest("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdCRTQ2", "is my order on its way?", clock.Add(-10*time.Minute))
	if _, err := svc.Reply(ctx, conv, "Yes, it ships Monday."); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := eng.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sent := f.Sent()
	if len(sent) != 1 || sent[0].To != customer || sent[0].Body != "Yes, it ships Monday." {
		t.Fatalf("sent %+v", sent)
	}
	out, err := svc.DB().Outbox(ctx)
	if err != nil || len(out) != 1 || out[0].Status != inbox.OutboxSent || out[0].RemoteID != sent[0].ID {
		t.Fatalf("outbox %+v, %v", out, err)
	}

	ingest("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdCRTQ3", "thanks! and the invoice?", clock.Add(-5*time.Minute))
	if _, err := svc.Reply(ctx, conv, "Sent to your email."); err != nil {
		t.Fatal(err)
	}
	f.LoseNextAnswer()
	for range 3 {
		eng.Once(ctx)
		clock = clock.Add(time.Hour)
	}
	if n := len(f.Sent()); n != 2 {
		t.Errorf("%d messages sent, want 2: a lost answer must not be sent again", n)
	}
	out, _ = svc.DB().Outbox(ctx)
	if len(out) != 2 || out[1].Status != "unknown" || !strings.Contains(out[1].LastError, "check the channel") {
		t.Errorf("outbox after a lost answer: %+v", out)
	}
}
