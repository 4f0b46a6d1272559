package adapters

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Account is one [[account]] table of config.toml: at least name and channel, plus the
// channel's own keys. Secrets are never in it: a key like password_env or password_cmd
// names where the secret comes from, and Secret fetches it when needed.
type Account struct {
	Name    string
	Channel string
	Keys    map[string]any
}

// NewAccount reads an [[account]] table.
func NewAccount(i int, table map[string]any) (Account, error) {
	a := Account{Keys: table}
	a.Name, _ = table["name"].(string)
	a.Channel, _ = table["channel"].(string)
	if a.Name == "" {
		return a, fmt.Errorf("account[%d]: name is required", i)
	}
	if a.Channel == "" {
		return a, fmt.Errorf("account %q: channel is required", a.Name)
	}
	return a, nil
}

// String returns a text key, or def when absent; a key of another type is an error.
func (a Account) String(key, def string) (string, error) {
	v, ok := a.Keys[key]
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("account %q: %s: want text, got %v", a.Name, key, v)
	}
	return s, nil
}

// Required returns a text key that must be there.
func (a Account) Required(key string) (string, error) {
	s, err := a.String(key, "")
	if err == nil && s == "" {
		err = fmt.Errorf("account %q: %s is required for channel %s", a.Name, key, a.Channel)
	}
	return s, err
}

// Duration returns a duration key ("90s", "5m"), or def when absent.
func (a Account) Duration(key string, def time.Duration) (time.Duration, error) {
	s, err := a.String(key, "")
	if err != nil || s == "" {
		return def, err
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("account %q: %s: %q is not a duration like 90s or 5m", a.Name, key, s)
	}
	return d, nil
}

// Bool returns a true/false key, or def when absent.
func (a Account) Bool(key string, def bool) (bool, error) {
	switch v := a.Keys[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	default:
		return def, fmt.Errorf("account %q: %s: want true or false, like %s = %t, not %v", a.Name, key, key, !def, v)
	}
}

// Int returns a whole-number key between lo and hi, or def when absent; what is what
// the number counts ("posts"), for the error.
func (a Account) Int(key string, def, lo, hi int, what string) (int, error) {
	switch v := a.Keys[key].(type) {
	case nil:
		return def, nil
	case int64:
		if v < int64(lo) || v > int64(hi) {
			return def, fmt.Errorf("account %q: %s: %d is not between %d and %d", a.Name, key, v, lo, hi)
		}
		return int(v), nil
	default:
		return def, fmt.Errorf("account %q: %s: want a number of %s, like %s = %d", a.Name, key, what, key, def)
	}
}

// ErrNoSecret means neither KEY_env nor KEY_cmd is configured for a secret.
var ErrNoSecret = errors.New("no secret configured")

// Secret fetches the secret named key: from the environment variable named by key_env, or
// from the output of the command in key_cmd (like `pass show acme/support`), trimmed. The
// secret is returned to the caller only; errors never contain it. It is remembered (see
// Remember), so Redact and ServerText remove it from whatever a server says back.
func (a Account) Secret(ctx context.Context, key string) (string, error) {
	if env, _ := a.String(key+"_env", ""); env != "" {
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return "", fmt.Errorf("account %q: %s_env: environment variable %s is not set", a.Name, key, env)
		}
		Remember(v)
		return v, nil
	}
	if cmdline, _ := a.String(key+"_cmd", ""); cmdline != "" {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "sh", "-c", cmdline).Output()
		if err != nil {
			// The command's output is not quoted: it may hold the secret.
			return "", fmt.Errorf("account %q: %s_cmd failed: %v", a.Name, key, errorKind(err))
		}
		s := strings.TrimRight(string(out), "\r\n")
		if s == "" {
			return "", fmt.Errorf("account %q: %s_cmd printed nothing", a.Name, key)
		}
		Remember(s)
		return s, nil
	}
	return "", fmt.Errorf("account %q: set %s_env or %s_cmd: %w", a.Name, key, key, ErrNoSecret)
}

// errorKind describes a command failure without its output.
func errorKind(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	return err.Error()
}

// With is the account with key set to value, the config's table left as it was.
func (a Account) With(key string, value any) Account {
	keys := make(map[string]any, len(a.Keys)+1)
	for k, v := range a.Keys {
		keys[k] = v
	}
	keys[key] = value
	a.Keys = keys
	return a
}
