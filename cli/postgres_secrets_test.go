package cli

import (
	"context"
	"encoding/base64"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// pgSecret is the PostgreSQL password of the secrets tests: unique, so any copy of it is
// found by its bytes, and with characters a URL must escape, so its escaped forms differ.
const pgSecret = "S3CRET-PG/pa ss@w0rd%é"

// pgSecretNeedles are the forms of pgSecret that must appear nowhere triage prints or
// logs: as it is, escaped as a URL's user information, path or query carry it, and in
// base64.
func pgSecretNeedles() map[string]string {
	userinfo := strings.TrimPrefix(url.UserPassword("triage", pgSecret).String(), "triage:")
	return map[string]string{
		"password":          pgSecret,
		"URL user info":     userinfo,
		"URL query escaped": url.QueryEscape(pgSecret),
		"URL path escaped":  url.PathEscape(pgSecret),
		"base64":            base64.StdEncoding.EncodeToString([]byte(pgSecret)),
	}
}

// refusingPostgres speaks PostgreSQL's protocol far enough to ask every client for its
// password in clear, note it, and refuse it with an error that quotes it back, as a
// hostile or careless server might. What it was sent says where triage found a password.
type refusingPostgres struct {
	addr string
	mu   sync.Mutex
	got  []string
}

func startRefusingPostgres(t *testing.T) *refusingPostgres {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &refusingPostgres{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *refusingPostgres) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	be := pgproto3.NewBackend(c, c)
	for started := false; !started; {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return
		}
		switch msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := c.Write([]byte("N")); err != nil { // no TLS here: go on in clear
				return
			}
		case *pgproto3.StartupMessage:
			started = true
		default:
			return
		}
	}
	be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if be.Flush() != nil || be.SetAuthType(pgproto3.AuthTypeCleartextPassword) != nil {
		return
	}
	msg, err := be.Receive()
	if err != nil {
		return
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return
	}
	s.mu.Lock()
	s.got = append(s.got, pw.Password)
	s.mu.Unlock()
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01",
		Message: `password authentication failed for user "triage" with password ` + pw.Password})
	be.Flush()
}

// sent says whether the server was offered password.
func (s *refusingPostgres) sent(password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.got {
		if p == password {
			return true
		}
	}
	return false
}

// everyCommand runs every command that opens the database, each against db (which the
// server refuses), and returns all they printed and returned, with the log file's text.
func everyCommand(t *testing.T, db string) string {
	t.Helper()
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_TEST_PG_SERVE_SECRET", "a-long-shared-secret")
	serveCfg := writeFile(t, "serve.toml", "[serve]\nsecret_env = \"TRIAGE_TEST_PG_SERVE_SECRET\"\n")
	dir, _, _ := synthMaildir(t, 3)
	syncCfg := writeFile(t, "sync.toml", "[[account]]\nname = \"support\"\nchannel = \"email\"\naddress = \"support@acme.example\"\nsmtp = \"127.0.0.1:25\"\nmaildir = \""+dir+"\"\n")
	var all strings.Builder
	for _, args := range [][]string{
		{}, {"--demo"}, {"demo"}, {"demo", "--reset"}, {"stats"}, {"export"}, {"import", "-"},
		{"sync", "--once", "--config", syncCfg}, {"serve", "--listen", "127.0.0.1:0", "--config", serveCfg},
		{"team", "--listen", "127.0.0.1:0"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, errOut, err := runCapture(ctx, append(args, "--db", db)...)
		cancel()
		if err == nil {
			t.Errorf("triage %v on a server that refuses the password: no error", args)
		} else {
			all.WriteString(err.Error() + "\n")
		}
		all.WriteString(out + errOut)
	}
	filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			all.Write(data)
		}
		return nil
	})
	return all.String()
}

// wantNoPGSecret fails the test for every form of pgSecret in text.
func wantNoPGSecret(t *testing.T, where, text string) {
	t.Helper()
	for name, needle := range pgSecretNeedles() {
		if strings.Contains(text, needle) {
			t.Errorf("%s shows the PostgreSQL %s (%q):\n%s", where, name, needle, text)
		}
	}
}

// The password of a PostgreSQL --db is found where every PostgreSQL tool finds it — in
// the URL, in PGPASSWORD, in ~/.pgpass — and never shown: not by any command's output,
// error or log, even when the server quotes it back, and not by the real program's
// standard error.
func TestPostgresPasswordNeverShows(t *testing.T) {
	srv := startRefusingPostgres(t)
	host, port, _ := net.SplitHostPort(srv.addr)
	plain := "postgres://triage@" + srv.addr + "/inbox?sslmode=disable"
	inURL := (&url.URL{Scheme: "postgres", User: url.UserPassword("triage", pgSecret), Host: srv.addr, Path: "/inbox", RawQuery: "sslmode=disable"}).String()
	// libpq, and pgx after it, read a URL's query with %XX escapes only: + is a plus.
	inQuery := plain + "&password=" + url.PathEscape(pgSecret)
	for _, c := range []struct {
		name, db string
		setup    func(t *testing.T)
	}{
		{"in the URL", inURL, func(t *testing.T) {}},
		{"postgresql:// in the URL", "postgresql" + strings.TrimPrefix(inURL, "postgres"), func(t *testing.T) {}},
		{"in the URL's query", inQuery, func(t *testing.T) {}},
		{"PGPASSWORD", plain, func(t *testing.T) { t.Setenv("PGPASSWORD", pgSecret) }},
		{"~/.pgpass", plain, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			line := strings.Join([]string{host, port, "inbox", "triage", pgSecret}, ":") + "\n"
			if err := os.WriteFile(filepath.Join(home, ".pgpass"), []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PGPASSWORD", "")
			t.Setenv("PGPASSFILE", "")
			t.Setenv("TRIAGE_DB", "")
			c.setup(t)
			srv.mu.Lock()
			srv.got = nil
			srv.mu.Unlock()
			text := everyCommand(t, c.db)
			if !srv.sent(pgSecret) {
				t.Fatalf("the server was never offered the password from %s; it got %q", c.name, srv.got)
			}
			if !strings.Contains(text, "password authentication failed") {
				t.Errorf("the commands did not say why they failed:\n%s", text)
			}
			wantNoPGSecret(t, "a command", text)
			// The real program, as a person runs it: what Main prints on standard error.
			stdout, stderr, code := runBinary(t, "stats", "--db", c.db)
			if code != 1 || !strings.Contains(stderr, "password authentication failed") {
				t.Errorf("triage stats: exit %d, stderr %q", code, stderr)
			}
			wantNoPGSecret(t, "the triage program", stdout+stderr)
		})
	}
}

// A real PostgreSQL server refusing the user (one it does not know) is shown the same
// care: the password in the URL is in no output.
func TestPostgresUnknownRoleShowsNoPassword(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("nobody", pgSecret)
	text := everyCommand(t, u.String())
	if !strings.Contains(text, `role "nobody" does not exist`) {
		t.Errorf("the commands did not say why they failed:\n%s", text)
	}
	wantNoPGSecret(t, "a command", text)
}
