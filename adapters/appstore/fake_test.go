package appstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

const (
	appID    = "1234567890"
	issuerID = "57246542-96fe-1a63-e053-0824d011072a"
	keyID    = "2X9R4HXF34"
)

// testKey is the API key's P-256 key, made once for the package's tests.
var testKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// p8 is the key as App Store Connect's download holds it: PKCS#8 in PEM.
func p8(k *ecdsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// noSecret fails when text holds the private key (a line of it is enough) or a token.
func noSecret(t *testing.T, text string) {
	t.Helper()
	for _, line := range strings.Split(p8(testKey()), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(text, line) {
			t.Errorf("a line of the private key is in %q", text)
		}
	}
	if strings.Contains(text, "eyJ") {
		t.Errorf("a JWT is in %q", text)
	}
}

// fake is a local App Store Connect API, following the documented requests and
// payloads: customerReviews of an app (sort, include=response, limit, paged by
// links.next), customerReviewResponses created or replaced by POST, a review's response
// read, bearer JWTs verified (ES256 signature with the key's public half, kid, iss, aud,
// at most 20 minutes), Apple's error bodies ({"errors":[{"status","code","title",
// "detail"}]}) and its X-Rate-Limit header.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	now      time.Time
	reviews  []*freview
	pageSize int // 0: limit
	calls    []fcall
	nextID   int
	tokens   map[string]bool // tokens seen, to count how many were made

	revoked    bool // the key was revoked: every token is refused
	forbidden  bool // the key's role may not read reviews (403)
	limited    bool // the next call is refused 429
	retryAfter string
	loseNext   int // so many responses are made but answered 500
	echo       bool
}

type freview struct {
	id, nickname, title, body, territory string
	rating                               int
	created                              time.Time
	resp                                 *fresponse
}

type fresponse struct {
	id, body, state string
	modified        time.Time
}

type fcall struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/apps/{id}/customerReviews", f.authed(f.list))
	mux.HandleFunc("POST /v1/customerReviewResponses", f.authed(f.respond))
	mux.HandleFunc("GET /v1/customerReviews/{id}/response", f.authed(f.response))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) keyFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "AuthKey_"+keyID+".p8")
	if err := os.WriteFile(p, []byte(p8(testKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fake) account(t *testing.T, extra map[string]any) adapters.Account {
	keys := map[string]any{"name": "acme-ios", "channel": "appstore", "app_id": appID, "issuer_id": issuerID,
		"key_id": keyID, "private_key_file": f.keyFile(t), "api_url": f.srv.URL}
	for k, v := range extra {
		keys[k] = v
	}
	return adapters.Account{Name: "acme-ios", Channel: "appstore", Keys: keys}
}

// newAdapter builds the adapter on the fake; its clock is the fake's.
func newAdapter(t *testing.T, f *fake, extra map[string]any) *Adapter {
	t.Helper()
	ad, err := New(context.Background(), f.account(t, extra))
	if err != nil {
		t.Fatal(err)
	}
	a := ad.(*Adapter)
	a.now = f.clock
	return a
}

func (f *fake) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fake) wait(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// review adds a review at the fake's clock, a minute later each, and returns its id.
func (f *fake) review(nickname, title, body string, rating int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.now = f.now.Add(time.Minute)
	id := fmt.Sprintf("00000024-%04d-5be0-a000-7c8f3c3a2b1d", f.nextID)
	f.reviews = append(f.reviews, &freview{id: id, nickname: nickname, title: title, body: body, rating: rating,
		territory: "USA", created: f.now})
	return id
}

// edit changes a review as its author does; Apple keeps its createdDate (redate false)
// or dates it anew.
func (f *fake) edit(id, body string, rating int, redate bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Minute)
	r := f.find(id)
	r.body, r.rating = body, rating
	if redate {
		r.created = f.now
	}
}

// connectResponse sets a review's response as App Store Connect does.
func (f *fake) connectResponse(id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Minute)
	f.setResponse(f.find(id), body)
}

func (f *fake) setResponse(r *freview, body string) {
	if r.resp == nil {
		r.resp = &fresponse{id: "resp-" + r.id}
	}
	r.resp.body, r.resp.state, r.resp.modified = body, "PENDING_PUBLISH", f.now
}

// publish ends Apple's review of every pending response.
func (f *fake) publish() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.reviews {
		if r.resp != nil {
			r.resp.state = "PUBLISHED"
		}
	}
}

func (f *fake) find(id string) *freview {
	for _, r := range f.reviews {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (f *fake) responseOf(id string) *fresponse {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.find(id); r != nil && r.resp != nil {
		c := *r.resp
		return &c
	}
	return nil
}

func (f *fake) callsTo(method, path string) []fcall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fcall
	for _, c := range f.calls {
		if c.Method == method && strings.HasSuffix(c.Path, path) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fake) tokensMade() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}

func appleError(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"id": "5f1e0a2c-1b2d-4c3e-9f4a-0123456789ab",
		"status": strconv.Itoa(status), "code": code, "title": title, "detail": detail}}})
}

// verify checks a bearer token as App Store Connect does; why says what is wrong.
func (f *fake) verify(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "not a JWT"
	}
	var h struct{ Alg, Kid, Typ string }
	var c struct {
		Iss      string
		Aud      string
		Iat, Exp int64
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		return "undecodable JWT"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	now := f.now.Unix()
	switch {
	case h.Alg != "ES256" || h.Kid != keyID || h.Typ != "JWT":
		return fmt.Sprintf("header %+v", h)
	case len(sig) != 64 || !ecdsa.Verify(&testKey().PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])):
		return "bad signature"
	case c.Iss != issuerID || c.Aud != "appstoreconnect-v1":
		return fmt.Sprintf("claims %+v", c)
	case c.Exp-c.Iat > 1200 || c.Iat > now+60:
		return fmt.Sprintf("times iat %d exp %d now %d", c.Iat, c.Exp, now)
	case c.Exp <= now:
		return "expired" // a token used too long: refused, as Apple does, but no fault
	}
	return ""
}

func (f *fake) authed(h func(http.ResponseWriter, *http.Request, map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var body map[string]any
		if r.Body != nil {
			json.NewDecoder(r.Body).Decode(&body)
		}
		f.calls = append(f.calls, fcall{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body})
		w.Header().Set("X-Rate-Limit", "user-hour-lim:3600;user-hour-rem:3500;")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok {
			f.tokens[tok] = true
		}
		why := "no bearer token"
		if ok {
			why = f.verify(tok)
		}
		switch {
		case f.revoked || why != "":
			if why != "" && why != "expired" && !f.revoked {
				f.t.Errorf("App Store Connect refused the token: %s", why)
			}
			appleError(w, 401, "NOT_AUTHORIZED", "Authentication credentials are missing or invalid.",
				"Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens")
		case f.echo:
			appleError(w, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value", "bad request from "+r.Header.Get("Authorization"))
		case f.forbidden:
			appleError(w, 403, "FORBIDDEN_ERROR", "This request is forbidden for security reasons", "The API key in use does not allow this request")
		case f.limited:
			f.limited = false
			w.Header().Set("X-Rate-Limit", "user-hour-lim:3600;user-hour-rem:0;")
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			appleError(w, 429, "RATE_LIMIT_EXCEEDED", "The request rate limit has been reached.",
				"We've received too many requests for this API. Please wait and try again or slow down your request rate.")
		default:
			h(w, r, body)
		}
	}
}

func (f *fake) reviewResource(r *freview) map[string]any {
	res := map[string]any{"type": "customerReviews", "id": r.id,
		"attributes": map[string]any{"rating": r.rating, "title": r.title, "body": r.body, "reviewerNickname": r.nickname,
			"createdDate": r.created.In(time.FixedZone("PST", -8*3600)).Format(time.RFC3339), "territory": r.territory},
		"links": map[string]any{"self": f.srv.URL + "/v1/customerReviews/" + r.id}}
	rel := map[string]any{"links": map[string]any{"self": f.srv.URL + "/v1/customerReviews/" + r.id + "/relationships/response"}}
	if r.resp != nil {
		rel["data"] = map[string]any{"type": "customerReviewResponses", "id": r.resp.id}
	}
	res["relationships"] = map[string]any{"response": rel}
	return res
}

func (f *fake) responseResource(r *freview) map[string]any {
	return map[string]any{"type": "customerReviewResponses", "id": r.resp.id,
		"attributes":    map[string]any{"responseBody": r.resp.body, "lastModifiedDate": r.resp.modified.Format(time.RFC3339), "state": r.resp.state},
		"relationships": map[string]any{"review": map[string]any{"data": map[string]any{"type": "customerReviews", "id": r.id}}},
		"links":         map[string]any{"self": f.srv.URL + "/v1/customerReviewResponses/" + r.resp.id}}
}

// list is "List all customer reviews for an app": sorted, with the responses included,
// by pages of limit (at most 200) behind links.next.
func (f *fake) list(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	if r.PathValue("id") != appID {
		appleError(w, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'apps' with id '"+r.PathValue("id")+"'")
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if q.Get("sort") != "-createdDate" || q.Get("include") != "response" || limit < 1 || limit > 200 {
		appleError(w, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value", "sort, include or limit: "+r.URL.RawQuery)
		return
	}
	if f.pageSize > 0 {
		limit = f.pageSize
	}
	list := slices.Clone(f.reviews)
	slices.SortStableFunc(list, func(x, y *freview) int { return y.created.Compare(x.created) })
	lo, _ := strconv.Atoi(q.Get("cursor"))
	lo = min(lo, len(list))
	hi := min(lo+limit, len(list))
	data, included := []map[string]any{}, []map[string]any{}
	for _, rv := range list[lo:hi] {
		data = append(data, f.reviewResource(rv))
		if rv.resp != nil {
			included = append(included, f.responseResource(rv))
		}
	}
	links := map[string]any{"self": f.srv.URL + r.URL.RequestURI()}
	if hi < len(list) {
		nq := url.Values{"sort": {"-createdDate"}, "include": {"response"}, "limit": {q.Get("limit")}, "cursor": {strconv.Itoa(hi)}}
		links["next"] = f.srv.URL + r.URL.Path + "?" + nq.Encode()
	}
	json.NewEncoder(w).Encode(map[string]any{"data": data, "included": included, "links": links,
		"meta": map[string]any{"paging": map[string]any{"total": len(list), "limit": limit}}})
}

// respond is "Create or update a response to a customer review".
func (f *fake) respond(w http.ResponseWriter, r *http.Request, body map[string]any) {
	data, _ := body["data"].(map[string]any)
	attrs, _ := data["attributes"].(map[string]any)
	text, _ := attrs["responseBody"].(string)
	rel, _ := data["relationships"].(map[string]any)
	rev, _ := rel["review"].(map[string]any)
	rd, _ := rev["data"].(map[string]any)
	id, _ := rd["id"].(string)
	rv := f.find(id)
	switch {
	case data["type"] != "customerReviewResponses" || rd["type"] != "customerReviews":
		appleError(w, 409, "ENTITY_ERROR.INCLUDED.INVALID_TYPE", "The provided entity includes an invalid type", "types")
		return
	case rv == nil:
		appleError(w, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'customerReviews' with id '"+id+"'")
		return
	case text == "" || len([]rune(text)) > 5970:
		appleError(w, 409, "ENTITY_ERROR.ATTRIBUTE.INVALID", "An attribute value is invalid.", "responseBody must be between 1 and 5970 characters")
		return
	}
	f.now = f.now.Add(time.Second)
	f.setResponse(rv, text)
	if f.loseNext > 0 {
		f.loseNext--
		appleError(w, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.", "An unexpected error occurred on the server side.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"data": f.responseResource(rv), "links": map[string]any{"self": f.srv.URL + r.URL.Path}})
}

// response is "Get the response to a customer review": 404 when there is none.
func (f *fake) response(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	rv := f.find(r.PathValue("id"))
	if rv == nil || rv.resp == nil {
		appleError(w, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'customerReviewResponses' for this review")
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"data": f.responseResource(rv), "links": map[string]any{"self": f.srv.URL + r.URL.Path}})
}
