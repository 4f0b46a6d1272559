// Package zendesktest is a Zendesk Support API stand-in for tests: an httptest server
// that keeps tickets in memory and answers the two calls triage makes, as Zendesk
// documents them:
//
//	GET  /api/v2/tickets.json?external_id=KEY  -> 200 {"tickets": [...], "count": n, "next_page": null, …}
//	POST /api/v2/tickets.json {"ticket": {…}}  -> 201 {"ticket": {"id": 123, …}}
//
// with basic auth "email/token:TOKEN" (401 {"error": "Couldn't authenticate you"}
// otherwise), 422 RecordInvalid for a ticket without a comment or with an unknown
// priority, and failures queued on demand (500, 429 with Retry-After, a ticket created
// whose response is lost).
package zendesktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// Ticket is a ticket as the server stores and returns it.
type Ticket struct {
	ID          int64    `json:"id"`
	URL         string   `json:"url"`
	Subject     string   `json:"subject"`
	Description string   `json:"description"` // the first comment's body
	Priority    string   `json:"priority"`
	Status      string   `json:"status"`
	Tags        []string `json:"tags"`
	ExternalID  string   `json:"external_id"`
	Requester   string   `json:"-"` // who created it: the "email" part of the credentials
}

// Fail is a failure queued for the next request of a method.
type Fail struct {
	Method      string // "GET" or "POST"; "" matches either
	Status      int    // 500, 429, 401, …
	RetryAfter  string // the Retry-After header, if any
	AfterCreate bool   // POST only: create the ticket, then answer with the failure (a lost response)
}

// Server is the stand-in. Email and Token are the credentials it accepts.
type Server struct {
	*httptest.Server
	Email, Token string

	mu       sync.Mutex
	tickets  []Ticket
	fails    []Fail
	requests []string
}

// New starts a server that accepts the agent email and API token; Close stops it.
func New(email, token string) *Server {
	s := &Server{Email: email, Token: token}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// FailNext queues failures, answered in order by the next matching requests.
func (s *Server) FailNext(f ...Fail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, f...)
}

// Add stores a ticket as if created earlier (say, by a request whose answer was lost in
// a crash) and returns it with its id.
func (s *Server) Add(t Ticket) Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(t)
}

func (s *Server) add(t Ticket) Ticket {
	t.ID = int64(1000 + len(s.tickets) + 1)
	t.URL = fmt.Sprintf("%s/api/v2/tickets/%d.json", s.URL, t.ID)
	t.Status = "new"
	s.tickets = append(s.tickets, t)
	return t
}

// Tickets returns the stored tickets, oldest first.
func (s *Server) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tickets)
}

// Requests returns "METHOD /path?query" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	if user, pass, ok := r.BasicAuth(); !ok || user != s.Email+"/token" || pass != s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Couldn't authenticate you"})
		return
	}
	if r.URL.Path != "/api/v2/tickets.json" {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "InvalidEndpoint", "description": "Not found"})
		return
	}
	var fail *Fail
	if i := slices.IndexFunc(s.fails, func(f Fail) bool { return f.Method == "" || f.Method == r.Method }); i >= 0 {
		f := s.fails[i]
		s.fails = slices.Delete(s.fails, i, i+1)
		fail = &f
	}
	if fail != nil && !fail.AfterCreate {
		s.writeFail(w, *fail)
		return
	}
	switch r.Method {
	case http.MethodGet:
		key := r.URL.Query().Get("external_id")
		found := []Ticket{}
		for _, t := range s.tickets {
			if key != "" && t.ExternalID == key {
				found = append(found, t)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"tickets": found, "count": len(found), "next_page": nil, "previous_page": nil})
	case http.MethodPost:
		s.create(w, r, fail)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "MethodNotAllowed"})
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, fail *Fail) {
	var body struct {
		Ticket struct {
			Subject string `json:"subject"`
			Comment *struct {
				Body string `json:"body"`
			} `json:"comment"`
			Priority   string   `json:"priority"`
			Tags       []string `json:"tags"`
			ExternalID string   `json:"external_id"`
		} `json:"ticket"`
	}
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Unprocessable Entity", "description": "Invalid JSON"})
		return
	}
	t := body.Ticket
	if t.Comment == nil || t.Comment.Body == "" || !slices.Contains([]string{"", "low", "normal", "high", "urgent"}, t.Priority) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "RecordInvalid",
			"description": "Record validation errors", "details": map[string]any{"base": []any{map[string]any{"description": "invalid ticket"}}}})
		return
	}
	created := s.add(Ticket{Subject: t.Subject, Description: t.Comment.Body, Priority: t.Priority, Tags: t.Tags,
		ExternalID: t.ExternalID, Requester: s.Email})
	if fail != nil {
		s.writeFail(w, *fail)
		return
	}
	w.Header().Set("Location", created.URL)
	writeJSON(w, http.StatusCreated, map[string]any{"ticket": created})
}

func (s *Server) writeFail(w http.ResponseWriter, f Fail) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	msg := http.StatusText(f.Status)
	if f.Status == http.StatusTooManyRequests {
		msg = "Rate limit exceeded"
	}
	writeJSON(w, f.Status, map[string]any{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
