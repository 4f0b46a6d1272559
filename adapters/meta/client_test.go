package meta_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
)

const (
	igUser = "17841400000000001"
	token  = "IGQVJ-secret-token-0123456789"
)

// client is a Graph client for the account "instagram" pointed at the fake.
func client(t *testing.T, f *metatest.Server, tok string) *meta.Client {
	t.Helper()
	return &meta.Client{BaseURL: f.URL, Version: meta.DefaultVersion, Account: "instagram",
		Token: func(context.Context) (string, error) { return tok, nil },
		HTTP:  &http.Client{Timeout: 5 * time.Second}}
}

// classOf returns the *adapters.Error of err, failing the test when there is none.
func classOf(t *testing.T, err error) *adapters.Error {
	t.Helper()
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *adapters.Error", err, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("error repeats the token: %v", err)
	}
	return ae
}

func getMedia(c *meta.Client) error {
	var p meta.Page[map[string]any]
	return c.Get(context.Background(), "/"+igUser+"/media", url.Values{"fields": {"id,caption"}}, &p)
}

// An expired token (190/463) and a token Graph cannot read (190) both tell the person to
// reconnect, naming the account, and are not retried.
func TestTokenErrorsSayReconnect(t *testing.T) {
	f := metatest.New(t, igUser, token)
	f.Fail(metatest.TokenExpired())
	for _, tc := range []struct {
		name string
		c    *meta.Client
	}{{"expired", client(t, f, token)}, {"wrong", client(t, f, "not-the-token-at-all")}} {
		name, err := tc.name, getMedia(tc.c)
		ae := classOf(t, err)
		if !ae.Permanent {
			t.Errorf("%s token: error is not permanent: %v", name, err)
		}
		if !strings.HasPrefix(err.Error(), "reconnect: the token for account instagram expired") {
			t.Errorf("%s token: error = %q, want it to start with reconnect: the token for account instagram expired", name, err)
		}
		var ge *meta.GraphError
		if !errors.As(err, &ge) || ge.Code != 190 {
			t.Errorf("%s token: Graph code not kept: %v", name, err)
		}
	}
}

// A rate limit waits as long as Meta said (estimated_time_to_regain_access, in minutes),
// or DefaultRateLimitWait when Meta only says the app is at 100%; it is retried.
func TestRateLimitWaitsTheTimeMetaSaid(t *testing.T) {
	cases := []struct {
		fail metatest.Failure
		want time.Duration
	}{
		{metatest.RateLimited(80002, "17841400000000001", 19), 19 * time.Minute},
		{metatest.RateLimited(613, "17841400000000001", 3), 3 * time.Minute},
		{metatest.RateLimited(4, "", 0), meta.DefaultRateLimitWait},
		{metatest.RateLimited(17, "", 0), meta.DefaultRateLimitWait},
		{metatest.RateLimited(32, "100000000000002", 7), 7 * time.Minute},
		// Graph's error code is not needed when the usage header says the limit is reached.
		{metatest.Failure{Status: 403, Code: 100, Message: "throttled", Header: map[string]string{
			"X-Business-Use-Case-Usage": `{"1":[{"type":"pages","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":2}]}`}}, 2 * time.Minute},
		{metatest.Failure{Status: 400, Code: 4, Message: "limit", Header: map[string]string{"Retry-After": "90"}}, 90 * time.Second},
	}
	for _, tc := range cases {
		f := metatest.New(t, igUser, token)
		f.Fail(tc.fail)
		err := getMedia(client(t, f, token))
		ae := classOf(t, err)
		if ae.Permanent || ae.RetryAfter != tc.want {
			t.Errorf("code %d: permanent=%v RetryAfter=%s, want temporary and %s (%v)", tc.fail.Code, ae.Permanent, ae.RetryAfter, tc.want, err)
		}
		if !strings.Contains(err.Error(), "rate limited") {
			t.Errorf("code %d: error does not say rate limited: %v", tc.fail.Code, err)
		}
	}
}

// A 500 and a dropped connection are retried; the next request succeeds.
func TestServerErrorsAndHangupsAreTemporary(t *testing.T) {
	f := metatest.New(t, igUser, token)
	c := client(t, f, token)
	f.Fail(metatest.ServerError())
	if ae := classOf(t, getMedia(c)); ae.Permanent || ae.Status != 500 {
		t.Errorf("500: permanent=%v status=%d, want temporary 500", ae.Permanent, ae.Status)
	}
	f.Down(true)
	if ae := classOf(t, getMedia(c)); ae.Permanent {
		t.Errorf("hang-up: permanent, want temporary: %v", ae)
	}
	f.Down(false)
	if err := getMedia(c); err != nil {
		t.Errorf("after the outage: %v", err)
	}
}

// Another 4xx is permanent and says what Meta said, with the request but not its query.
func TestOtherErrorsArePermanentWithMetasMessage(t *testing.T) {
	f := metatest.New(t, igUser, token)
	var out map[string]any
	err := client(t, f, token).Get(context.Background(), "/999/comments", url.Values{"fields": {"id"}}, &out)
	ae := classOf(t, err)
	if !ae.Permanent || ae.Status != 400 {
		t.Errorf("permanent=%v status=%d, want permanent 400", ae.Permanent, ae.Status)
	}
	for _, want := range []string{"GET 127.0.0.1:", "/v24.0/999/comments", "Graph error 100/33", "does not exist", "fbtrace_id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "fields=") {
		t.Errorf("error repeats the query: %v", err)
	}
}

// The token travels only in the Authorization header: never in a URL, never in an error,
// even when the server repeats it; a query with access_token is refused before sending.
func TestTokenNeverInURLOrError(t *testing.T) {
	f := metatest.New(t, igUser, token)
	c := client(t, f, token)
	f.Fail(metatest.Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) bad token " + token + " in request"})
	err := getMedia(c)
	classOf(t, err) // fails on the token
	if !strings.Contains(err.Error(), "bad token") {
		t.Errorf("Meta's message lost: %v", err)
	}
	err = c.Get(context.Background(), "/"+igUser+"/media", url.Values{"access_token": {token}}, nil)
	if ae := classOf(t, err); !ae.Permanent {
		t.Errorf("access_token in the query: %v, want a permanent refusal", err)
	}
	if err := getMedia(c); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Requests() {
		if strings.Contains(r.Query, token) || strings.Contains(r.Path, token) {
			t.Errorf("token in the URL of %s %s?%s", r.Method, r.Path, r.Query)
		}
	}
	if n := len(f.Requests()); n != 2 {
		t.Errorf("server saw %d requests, want 2 (the refused one is never sent)", n)
	}
}

// An answer that reports a limit nearly used pauses the account's calls (no request
// reaches Meta) for UsagePause, or for the time to regain access Meta names; then calls
// go through again.
func TestUsageNearTheLimitPauses(t *testing.T) {
	for _, c := range []struct {
		name, header, value string
		pause               time.Duration
	}{
		{"app usage 95%", "X-App-Usage", `{"call_count":95,"total_cputime":20,"total_time":30}`, meta.UsagePause},
		{"business use case with a regain time", "X-Business-Use-Case-Usage",
			`{"1234":[{"type":"pages","call_count":40,"total_cputime":91,"total_time":12,"estimated_time_to_regain_access":17}]}`, 17 * time.Minute},
		{"app usage 50%", "X-App-Usage", `{"call_count":50,"total_cputime":20,"total_time":30}`, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.Header().Set(c.header, c.value)
				w.Write([]byte(`{"data":[]}`))
			}))
			defer srv.Close()
			clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
			cl := &meta.Client{BaseURL: srv.URL, Version: meta.DefaultVersion, Account: "facebook",
				Token: func(context.Context) (string, error) { return token, nil }, HTTP: srv.Client(),
				Now: func() time.Time { return clock }}
			if err := getMedia(cl); err != nil {
				t.Fatal(err)
			}
			err := getMedia(cl)
			if c.pause == 0 {
				if err != nil || calls != 2 {
					t.Fatalf("at 50%%: %v after %d calls", err, calls)
				}
				return
			}
			ae := classOf(t, err)
			if ae.Permanent || ae.RetryAfter != c.pause || calls != 1 || !strings.Contains(err.Error(), "rate limit used") {
				t.Fatalf("second call: %v (retry after %s, %d calls); want a pause of %s without a call", err, ae.RetryAfter, calls, c.pause)
			}
			clock = clock.Add(c.pause)
			if err := getMedia(cl); err != nil || calls != 2 {
				t.Fatalf("after the pause: %v, %d calls", err, calls)
			}
		})
	}
}

// A token renewed outside triage (a token_cmd that prints the current one) is read again
// when Graph refuses the one sent as expired, and the request goes through without a
// restart; a token_cmd that still prints the refused one gives the reconnect error.
func TestExpiredTokenIsReadAgain(t *testing.T) {
	f := metatest.New(t, igUser, token)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("IGQVJ-the-expired-one-0000"), 0o600); err != nil {
		t.Fatal(err)
	}
	acct, err := adapters.NewAccount(0, map[string]any{"name": "instagram", "channel": "instagram", "ig_user_id": igUser,
		"graph_url": f.URL, "token_cmd": "cat " + file})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := meta.ParseAccount(acct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := getMedia(c); err == nil || !strings.Contains(err.Error(), "reconnect: the token for account instagram") {
		t.Fatalf("with the expired token still printed: %v", err)
	}
	if err := os.WriteFile(file, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := getMedia(c); err != nil {
		t.Fatalf("after the token was renewed: %v", err)
	}
	if err := getMedia(c); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/media") {
			n++
		}
	}
	if n != 4 { // refused, refused then renewed, and the next straight away
		t.Errorf("%d requests, want 4", n)
	}
}
