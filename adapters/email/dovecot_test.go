package email

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triage-inbox/triage/internal/syncbuf"
)

// dovecot is a real Dovecot IMAP server that a test started on a loopback port, with one
// user whose mail is a Maildir in the test's temporary folder.
type dovecot struct {
	addr     string
	maildir  string
	uid, gid int // owner of the mail files
}

// startDovecot runs `dovecot -F -c CONF` with a config of its own (no system config, no
// system service, no TLS) and stops it when the test ends. Without dovecot the test is
// skipped, except under CI, which must install it (apt-get install dovecot-imapd).
func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot" // not on an ordinary user's PATH on Debian
		if _, serr := os.Stat(bin); serr != nil {
			need(t, "dovecot not installed (apt-get install dovecot-imapd)")
		}
	}
	if _, err := os.Stat("/usr/lib/dovecot/imap"); err != nil {
		need(t, "dovecot's IMAP server not installed (apt-get install dovecot-imapd)")
	}
	out, _ := exec.Command(bin, "--version").Output()
	if !strings.HasPrefix(string(out), "2.3.") {
		// 2.4 rewrote the config language; this config is 2.3's (Debian 12).
		need(t, fmt.Sprintf("dovecot %q: this test writes a dovecot 2.3 config", strings.TrimSpace(string(out))))
	}

	dir := t.TempDir()
	d := &dovecot{}
	login := ""
	if os.Geteuid() == 0 {
		// Dovecot will not read mail as root: the files belong to the system's mail user,
		// which must be able to walk down to them.
		u, err := user.Lookup("mail")
		if err != nil {
			t.Fatalf("dovecot as root needs the mail user: %v", err)
		}
		d.uid, _ = strconv.Atoi(u.Uid)
		d.gid, _ = strconv.Atoi(u.Gid)
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o711); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		// Unprivileged: every dovecot process runs as us.
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		d.uid, d.gid = os.Getuid(), os.Getgid()
		g, err := user.LookupGroupId(strconv.Itoa(d.gid))
		if err != nil {
			t.Fatal(err)
		}
		login = fmt.Sprintf("default_internal_user = %s\ndefault_internal_group = %s\ndefault_login_user = %s\n", u.Username, g.Name, u.Username)
	}
	home := filepath.Join(dir, "home")
	d.maildir = filepath.Join(home, "Maildir")
	for _, p := range []string{home, d.maildir, filepath.Join(d.maildir, "cur"), filepath.Join(d.maildir, "new"), filepath.Join(d.maildir, "tmp")} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, d.uid, d.gid); err != nil {
			t.Fatal(err)
		}
	}
	passwd := filepath.Join(dir, "passwd")
	if err := os.WriteFile(passwd, []byte(testAddress+":{PLAIN}"+testPassword+"::::::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	d.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf := filepath.Join(dir, "dovecot.conf")
	config := fmt.Sprintf(dovecotConf, filepath.Join(dir, "run"), filepath.Join(dir, "state"), d.uid,
		login, passwd, d.uid, d.gid, home, port)
	if err := os.WriteFile(conf, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	logs := &syncbuf.Buffer{} // dovecot's log, from the goroutines os/exec copies it with
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, so the workers can be stopped with the master.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan struct{}) // closed when the master has exited, with waitErr set
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", d.addr, time.Second)
		if err == nil {
			_ = conn.Close()
			return d
		}
		select {
		case <-exited:
			t.Fatalf("dovecot exited: %v\n%s", waitErr, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot did not listen on %s:\n%s", d.addr, logs.String())
		}
	}
}

// need skips the test for a missing tool, or fails it under CI, which must have it.
func need(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: CI must install it", why)
	}
	t.Skip(why)
}

// dovecotConf: base_dir, state_dir, first_valid_uid, login users, passwd-file, uid, gid,
// home, port. Plain-text login on loopback without TLS; no chroot (that needs root-owned
// directories); no delay after a failed login and no penalty for the logins after it
// (anvil-auth-penalty), which the wrong-password test would otherwise slow down.
const dovecotConf = `protocols = imap
listen = 127.0.0.1
base_dir = %s
state_dir = %s
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
first_valid_uid = %d
%s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %s
}
userdb {
  driver = static
  args = uid=%d gid=%d home=%s
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %d
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`

// deliver puts a testdata message into the Maildir the way an MDA does: written in tmp/,
// then renamed into new/.
func (d *dovecot) deliver(t *testing.T, name, file string) {
	t.Helper()
	tmp := filepath.Join(d.maildir, "tmp", name)
	if err := os.WriteFile(tmp, readEML(t, file), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tmp, d.uid, d.gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(d.maildir, "new", name)); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
