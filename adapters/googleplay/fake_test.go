package googleplay

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	pkgName     = "com.acme.app"
	clientEmail = "triage@acme-play.iam.gserviceaccount.com"
	keyID       = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
)

// testKey is the service account's RSA key, made once for the package's tests.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// keyPEM is the key as a service account's JSON key holds it: PKCS#8 in PEM.
func keyPEM(k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// keyLine is a line of the PEM body, looked for in every error and log.
func keyLine() string { return strings.Split(keyPEM(testKey()), "\n")[3] }

// noSecret fails when text holds the private key (a line of it is enough) or a token.
func noSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{keyLine(), "ya29.play-", "eyJ"} {
		if strings.Contains(text, s) {
			t.Errorf("a secret (%s…) is in %q", s[:5], text)
		}
	}
}

// fake is a local Google Play Developer API (Reply to Reviews) and Google's OAuth token
// endpoint for service accounts, following the documented requests and payloads:
// reviews.list (maxResults, token, translationLanguage; tokenPagination.nextPageToken),
// reviews.get, reviews.reply ({"replyText"} → {"result":{"replyText","lastEdited"}}), the
// JWT bearer grant (the assertion's RS256 signature and claims verified), and Google's
// error bodies ({"error":{"code","message","status"}}).
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	now      time.Time
	reviews  []*freview
	pageSize int // 0: maxResults
	access   map[string]bool
	issued   int
	calls    []fcall
	nextID   int

	revoked    bool   // the key was deleted: every assertion is refused (invalid_grant)
	echoGrant  bool   // the token endpoint refuses, repeating the assertion
	tokenDown  bool   // the token endpoint answers 503
	forbidden  bool   // the service account lacks the app's permission (403)
	limited    bool   // the next API call is answered 429 with Retry-After: 30
	loseNext   int    // so many replies are made but answered 500
	replyLimit int    // replies longer are refused (400); 0 = 350
	stripHTML  bool   // Play strips HTML tags from a reply
	echo       bool   // API calls are refused with a message repeating the Authorization header
	lastClaims claims // of the last assertion accepted
}

type freview struct {
	id, author, text, lang, version string
	code                            int64
	stars                           int
	at                              time.Time // the author's last change
	reply                           string
	replyAt                         time.Time
}

type fcall struct {
	Method, Path string
	Query        map[string][]string
	Body         map[string]any
}

type claims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, access: map[string]bool{}, now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /androidpublisher/v3/applications/{pkg}/reviews", f.authed(f.list))
	mux.HandleFunc("GET /androidpublisher/v3/applications/{pkg}/reviews/{id}", f.authed(f.get))
	mux.HandleFunc("POST /androidpublisher/v3/applications/{pkg}/reviews/{id}", f.authed(f.reply))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// keyFile writes the service account's JSON key as Google Cloud gives it.
func (f *fake) keyFile(t *testing.T) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "acme-play", "private_key_id": keyID,
		"private_key": keyPEM(testKey()), "client_email": clientEmail, "client_id": "100000000000000000001",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": f.srv.URL + "/token",
	})
	p := filepath.Join(t.TempDir(), "play-key.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fake) account(t *testing.T, extra map[string]any) adapters.Account {
	keys := map[string]any{"name": "acme-play", "channel": "googleplay", "package_name": pkgName,
		"service_account_file": f.keyFile(t), "api_url": f.srv.URL}
	for k, v := range extra {
		keys[k] = v
	}
	return adapters.Account{Name: "acme-play", Channel: "googleplay", Keys: keys}
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

// review adds a review at the fake's clock, a second later each, and returns its id.
func (f *fake) review(author, text string, stars int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.now = f.now.Add(time.Second)
	id := fmt.Sprintf("gp:AOqpTOH%04dreview", f.nextID)
	f.reviews = append(f.reviews, &freview{id: id, author: author, text: text, stars: stars, lang: "en",
		version: "2.4.1", code: 241, at: f.now})
	return id
}

// edit changes a review's text and stars, as its author does in the Play Store.
func (f *fake) edit(id, text string, stars int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Second)
	r := f.find(id)
	r.text, r.stars, r.at = text, stars, f.now
}

// consoleReply sets the developer's reply as the Play Console does.
func (f *fake) consoleReply(id, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Second)
	r := f.find(id)
	r.reply, r.replyAt = text, f.now
}

func (f *fake) find(id string) *freview {
	for _, r := range f.reviews {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (f *fake) replyOf(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.find(id).reply
}

func (f *fake) callsTo(method, suffix string) []fcall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fcall
	for _, c := range f.calls {
		if c.Method == method && strings.HasSuffix(c.Path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func oauthError(w http.ResponseWriter, code int, e, d string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": e, "error_description": d})
}

// token is Google's token endpoint for the JWT bearer grant (RFC 7523): the assertion
// must be signed RS256 with the service account's key (kid its private_key_id), issued
// by its client_email, for the androidpublisher scope, addressed to this endpoint, and
// valid for at most an hour.
func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ParseForm()
	f.calls = append(f.calls, fcall{Method: r.Method, Path: r.URL.Path})
	assertion := r.PostForm.Get("assertion")
	switch {
	case f.tokenDown:
		oauthError(w, 503, "temporarily_unavailable", "The service is unavailable; try again later.")
		return
	case r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
		oauthError(w, 400, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	case f.echoGrant:
		oauthError(w, 400, "invalid_grant", "Invalid JWT: "+assertion)
		return
	case f.revoked:
		oauthError(w, 400, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	c, why := f.verify(assertion, f.srv.URL+"/token")
	if why != "" {
		f.t.Errorf("the token endpoint refused the assertion: %s", why)
		oauthError(w, 400, "invalid_grant", why)
		return
	}
	f.lastClaims = c
	f.issued++
	tok := fmt.Sprintf("ya29.play-access-%d", f.issued)
	f.access[tok] = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
}

// verify checks a JWT assertion as Google does; why says what is wrong, "" if nothing.
func (f *fake) verify(jwt, aud string) (claims, string) {
	var c claims
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return c, "not a JWT"
	}
	var h struct{ Alg, Typ, Kid string }
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		return c, "undecodable JWT"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch now := time.Now().Unix(); {
	case h.Alg != "RS256" || h.Kid != keyID:
		return c, fmt.Sprintf("header %+v", h)
	case rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, sum[:], sig) != nil:
		return c, "Invalid JWT Signature."
	case c.Iss != clientEmail || c.Scope != "https://www.googleapis.com/auth/androidpublisher" || c.Aud != aud:
		return c, fmt.Sprintf("claims %+v", c)
	case c.Exp-c.Iat > 3600 || c.Exp <= now || c.Iat > now+60:
		return c, fmt.Sprintf("times iat %d exp %d now %d", c.Iat, c.Exp, now)
	}
	return c, ""
}

// expireTokens makes every access token issued so far invalid, as an hour does.
func (f *fake) expireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.access)
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
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case !ok || !f.access[tok]:
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		case r.PathValue("pkg") != pkgName:
			googleError(w, 404, "NOT_FOUND", "Package not found: "+r.PathValue("pkg")+".")
		case f.echo:
			googleError(w, 400, "INVALID_ARGUMENT", "bad request from "+r.Header.Get("Authorization"))
		case f.forbidden:
			googleError(w, 403, "PERMISSION_DENIED", "The caller does not have permission")
		case f.limited:
			f.limited = false
			w.Header().Set("Retry-After", "30")
			googleError(w, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
		default:
			h(w, r, body)
		}
	}
}

func ts(t time.Time) map[string]any {
	return map[string]any{"seconds": strconv.FormatInt(t.Unix(), 10), "nanos": t.Nanosecond()}
}

func (f *fake) resource(r *freview) map[string]any {
	text := r.text // Play's form: "title<TAB>body", the title empty when there is none
	if !strings.Contains(text, "\t") {
		text = "\t" + text
	}
	comments := []map[string]any{{"userComment": map[string]any{
		"text": text, "lastModified": ts(r.at), "starRating": r.stars, "reviewerLanguage": r.lang,
		"device": "a54x", "androidOsVersion": 34, "appVersionCode": r.code, "appVersionName": r.version,
		"thumbsUpCount": 2, "thumbsDownCount": 0,
		"deviceMetadata": map[string]any{"productName": "a54x (Galaxy A54)", "manufacturer": "Samsung"},
	}}}
	if r.reply != "" {
		comments = append(comments, map[string]any{"developerComment": map[string]any{"text": r.reply, "lastModified": ts(r.replyAt)}})
	}
	return map[string]any{"reviewId": r.id, "authorName": r.author, "comments": comments}
}

// list is reviews.list: the reviews created or modified in the last week, the latest
// change first, by pages of maxResults behind a token.
func (f *fake) list(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	var recent []*freview
	for _, rv := range f.reviews {
		if last := latest(rv); f.now.Sub(last) <= 7*24*time.Hour {
			recent = append(recent, rv)
		}
	}
	slices.SortStableFunc(recent, func(x, y *freview) int { return latest(y).Compare(latest(x)) })
	size, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if f.pageSize > 0 {
		size = f.pageSize
	}
	if size <= 0 {
		size = 10
	}
	lo := 0
	if tok := r.URL.Query().Get("token"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "tok-"))
		if err != nil {
			googleError(w, 400, "INVALID_ARGUMENT", "Invalid pagination token.")
			return
		}
		lo = min(n, len(recent))
	}
	hi := min(lo+size, len(recent))
	items := []map[string]any{}
	for _, rv := range recent[lo:hi] {
		items = append(items, f.resource(rv))
	}
	resp := map[string]any{"reviews": items, "pageInfo": map[string]any{"totalResults": len(recent), "resultPerPage": size, "startIndex": lo}}
	if hi < len(recent) {
		resp["tokenPagination"] = map[string]any{"nextPageToken": fmt.Sprintf("tok-%d", hi)}
	}
	json.NewEncoder(w).Encode(resp)
}

func latest(r *freview) time.Time {
	if r.replyAt.After(r.at) {
		return r.replyAt
	}
	return r.at
}

func (f *fake) get(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	rv := f.find(r.PathValue("id"))
	if rv == nil {
		googleError(w, 404, "NOT_FOUND", "Review not found.")
		return
	}
	json.NewEncoder(w).Encode(f.resource(rv))
}

// reply is reviews.reply ("{reviewId}:reply"): it sets the review's one reply.
func (f *fake) reply(w http.ResponseWriter, r *http.Request, body map[string]any) {
	id, ok := strings.CutSuffix(r.PathValue("id"), ":reply")
	rv := f.find(id)
	text, _ := body["replyText"].(string)
	limit := cmpInt(f.replyLimit, 350)
	switch {
	case !ok || rv == nil:
		googleError(w, 404, "NOT_FOUND", "Review not found.")
		return
	case text == "":
		googleError(w, 400, "INVALID_ARGUMENT", "Reply text is empty.")
		return
	case len([]rune(text)) > limit:
		googleError(w, 400, "INVALID_ARGUMENT", "The reply is too long.")
		return
	}
	if f.stripHTML {
		text = strings.NewReplacer("<b>", "", "</b>", "").Replace(text)
	}
	f.now = f.now.Add(time.Second)
	rv.reply, rv.replyAt = text, f.now
	if f.loseNext > 0 {
		f.loseNext--
		googleError(w, 500, "INTERNAL", "Internal error encountered.")
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{"replyText": text, "lastEdited": ts(f.now)}})
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
