// Package echotest has servers for tests that refuse every login and repeat, in their
// refusal, everything they were sent: the careless servers that put a client's
// credentials into its error messages. Each speaks just enough of its protocol (SMTP,
// IMAP, HTTP with JSON errors) for triage's clients to log in and be refused.
package echotest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Log is what a server received, line by line, for a test to check that the secret
// was really sent (finding no secret in the output proves nothing otherwise).
type Log struct {
	mu    sync.Mutex
	lines []string
}

func (l *Log) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

// Received returns everything received so far, one entry per line or request.
func (l *Log) Received() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// listen accepts connections on a loopback port until the test ends.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); serve(c) }()
		}
	}()
	return ln.Addr().String()
}

// SMTP starts a server that offers AUTH PLAIN and LOGIN and answers every AUTH with
// "535 5.7.8 … you sent: <the AUTH line and what followed>", and every other command
// after EHLO with 530. It returns host:port.
func SMTP(t *testing.T) (string, *Log) {
	log := &Log{}
	addr := listen(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
		say("220 localhost ESMTP echo")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			log.add(line)
			verb := strings.ToUpper(strings.Fields(line + " x")[0])
			switch verb {
			case "EHLO", "HELO":
				say("250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")
			case "AUTH":
				sent := line
				if f := strings.Fields(line); len(f) == 2 && strings.EqualFold(f[1], "LOGIN") {
					// LOGIN: user and password come as two base64 lines.
					for _, prompt := range []string{"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"} {
						say(prompt)
						l, err := r.ReadString('\n')
						if err != nil {
							return
						}
						l = strings.TrimRight(l, "\r\n")
						log.add(l)
						sent += " " + l
					}
				} else if len(f) == 2 {
					say("334 ")
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					l = strings.TrimRight(l, "\r\n")
					log.add(l)
					sent += " " + l
				}
				say("535 5.7.8 Authentication credentials invalid; you sent: " + sent)
			case "QUIT":
				say("221 2.0.0 bye")
				return
			case "RSET", "NOOP":
				say("250 2.0.0 ok")
			default:
				say("530 5.7.0 Authentication required; you sent: " + line)
			}
		}
	})
	return addr, log
}

// literal is an IMAP literal announced at the end of a line: {n} or {n+}.
var literal = regexp.MustCompile(`\{(\d+)(\+?)\}$`)

// IMAP starts a server (IMAP4rev1, LOGIN and AUTH=PLAIN) that refuses every LOGIN and
// AUTHENTICATE with "NO [AUTHENTICATIONFAILED] you sent: <the command as received>",
// literals included. It returns host:port.
func IMAP(t *testing.T) (string, *Log) {
	log := &Log{}
	addr := listen(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
		say("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] echo ready")
		for {
			cmd, err := readCommand(r, func() { say("+ go ahead") })
			if err != nil {
				return
			}
			log.add(cmd)
			f := strings.Fields(cmd + " x x")
			tag, verb := f[0], strings.ToUpper(f[1])
			switch verb {
			case "CAPABILITY":
				say("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
				say(tag + " OK done")
			case "AUTHENTICATE":
				if len(strings.Fields(cmd)) == 3 { // no initial response: ask for it
					say("+ ")
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					l = strings.TrimRight(l, "\r\n")
					log.add(l)
					cmd += " " + l
				}
				say(tag + " NO [AUTHENTICATIONFAILED] you sent: " + cmd)
			case "LOGIN":
				say(tag + " NO [AUTHENTICATIONFAILED] you sent: " + cmd)
			case "LOGOUT":
				say("* BYE echo")
				say(tag + " OK bye")
				return
			default:
				say(tag + " BAD log in first; you sent: " + cmd)
			}
		}
	})
	return addr, log
}

// readCommand reads one IMAP command with its literals (asking for each synchronizing
// one), as one line: CR and LF inside a literal become spaces.
func readCommand(r *bufio.Reader, more func()) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		b.WriteString(line)
		m := literal.FindStringSubmatch(line)
		if m == nil {
			return b.String(), nil
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] == "" {
			more()
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(r, lit); err != nil {
			return "", err
		}
		b.WriteString(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(lit)))
	}
}

// HTTP starts a server that answers every request with 401 and a JSON error whose
// message repeats the request: method, URL with its query, the string fields of a JSON
// body, the body itself and every header.
// The JSON is written by encoding/json, so what it repeats is JSON-escaped.
func HTTP(t *testing.T) (*httptest.Server, *Log) {
	log := &Log{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var h []string
		for k, vs := range r.Header {
			h = append(h, k+": "+strings.Join(vs, ", "))
		}
		sort.Strings(h)
		// The URL first, then the fields of a JSON body as plain text (as a server that
		// says "wrong password 'x'" does), then the body and headers as received.
		var fields map[string]any
		var said []string
		if json.Unmarshal(body, &fields) == nil {
			for k, v := range fields {
				if s, ok := v.(string); ok {
					said = append(said, k+"="+s)
				}
			}
			sort.Strings(said)
		}
		sent := r.Method + " " + r.URL.RequestURI() + " " + strings.Join(said, " ") + " " + string(body) + " " + strings.Join(h, "; ")
		log.add(sent)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error":   "AuthenticationRequired",
			"message": "Invalid identifier or password; you sent: " + sent,
		})
	}))
	t.Cleanup(srv.Close)
	return srv, log
}
