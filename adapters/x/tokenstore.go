package x

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters"
)

// tokenStore keeps the refresh token X rotates. X answers every refresh with a new
// refresh token and refuses the old one from then on, so the new one must outlive the
// process, and never in the database:
//
//   - refresh_token_file: the new token replaces the file's content (atomically, its
//     mode kept);
//   - refresh_token_cmd with refresh_token_store_cmd: the store command gets the new
//     token on its standard input (`pass insert -e acme/x`);
//   - otherwise (refresh_token_env, refresh_token_cmd alone): a file of the state folder,
//     $XDG_STATE_HOME/triage/x-<account>.refresh_token (0600, folder 0700), which wins
//     over the env or the command at the next start, since theirs was used up.
type tokenStore struct {
	file     string // where the token is written; "" when storeCmd takes it
	storeCmd string
	keepMode bool             // file is the configured refresh_token_file: keep its mode
	acct     adapters.Account // for refresh_token_cmd, which reads back what storeCmd stored
}

// openTokenStore reads the refresh token from where the account says, and returns
// where a rotated one goes.
func openTokenStore(ctx context.Context, acct adapters.Account) (*tokenStore, string, error) {
	file, err := acct.String("refresh_token_file", "")
	if err != nil {
		return nil, "", err
	}
	storeCmd, err := acct.String("refresh_token_store_cmd", "")
	if err != nil {
		return nil, "", err
	}
	if file != "" {
		file = expandHome(file)
		tok, err := readTokenFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("account %q: refresh_token_file: %w", acct.Name, err)
		}
		if tok == "" {
			return nil, "", fmt.Errorf("account %q: refresh_token_file %s is empty", acct.Name, file)
		}
		adapters.Remember(tok)
		return &tokenStore{file: file, keepMode: true}, tok, nil
	}
	cmd, _ := acct.String("refresh_token_cmd", "")
	if cmd != "" && storeCmd != "" {
		tok, err := acct.Secret(ctx, "refresh_token")
		return &tokenStore{storeCmd: storeCmd, acct: acct}, tok, err
	}
	stateFile, err := stateTokenFile(acct.Name)
	if err != nil {
		return nil, "", fmt.Errorf("account %q: %w", acct.Name, err)
	}
	st := &tokenStore{file: stateFile}
	tok, err := readTokenFile(stateFile)
	switch {
	case err == nil && tok != "":
		adapters.Remember(tok)
		return st, tok, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("account %q: the saved refresh token: %w", acct.Name, err)
	}
	tok, err = acct.Secret(ctx, "refresh_token")
	if err != nil {
		return nil, "", err
	}
	return st, tok, nil
}

// load reads the refresh token the store holds now, "" when it holds none: another
// process on the same account (the UI's sync beside `triage sync`) may have rotated it
// since this one read it.
func (s *tokenStore) load(ctx context.Context) string {
	if s.storeCmd != "" {
		tok, err := s.acct.Secret(ctx, "refresh_token")
		if err != nil {
			return ""
		}
		return tok
	}
	tok, err := readTokenFile(s.file)
	if err != nil {
		return ""
	}
	if tok != "" {
		adapters.Remember(tok)
	}
	return tok
}

// save keeps a new refresh token where the next start reads it.
func (s *tokenStore) save(ctx context.Context, tok string) error {
	if s.storeCmd != "" {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, "sh", "-c", s.storeCmd)
		c.Stdin = strings.NewReader(tok + "\n")
		if err := c.Run(); err != nil {
			// Neither the command's output nor its input is quoted: they may hold the token.
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return fmt.Errorf("refresh_token_store_cmd failed: exit status %d", ee.ExitCode())
			}
			return fmt.Errorf("refresh_token_store_cmd failed: %v", err)
		}
		return nil
	}
	mode := fs.FileMode(0o600)
	if s.keepMode {
		if fi, err := os.Stat(s.file); err == nil {
			mode = fi.Mode().Perm()
		}
	} else if err := os.MkdirAll(filepath.Dir(s.file), 0o700); err != nil {
		return fmt.Errorf("save the refresh token: %w", err)
	}
	return writeAtomic(s.file, tok+"\n", mode)
}

// where names the store in errors.
func (s *tokenStore) where() string {
	if s.storeCmd != "" {
		return "refresh_token_store_cmd"
	}
	return s.file
}

// writeAtomic replaces path with content: a temporary file in the same folder, synced,
// then renamed over it, so a crash leaves the old token or the new one, never half.
func writeAtomic(path, content string, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save the refresh token: %w", err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("save the refresh token to %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("save the refresh token to %s: %w", path, err)
	}
	return nil
}

func readTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("read %s: %w", path, pe.Err)
		}
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// stateTokenFile is where an account's rotated refresh token lives in the state folder.
func stateTokenFile(account string) (string, error) {
	dir, err := adapters.StateDir()
	if err != nil {
		return "", err
	}
	name := strings.Trim(unsafeName.ReplaceAllString(account, "_"), ".")
	return filepath.Join(dir, "x-"+name+".refresh_token"), nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
