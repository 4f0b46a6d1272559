package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/triage-inbox/triage/inbox"
)

// KeyMap is every key binding of triage, in one place. Bindings follow mutt, aerc and vim;
// config can remap any of them by name ([keys] reply = ["r", "w"]).
type KeyMap struct {
	Up, Down, Top, Bottom, HalfDown, HalfUp key.Binding
	Open, Back                              key.Binding
	NextConv, PrevConv                      key.Binding
	Reply, Canned, QuickCanned              key.Binding
	PrivateReply                            key.Binding // a DM to a commenter, from the comments
	Tag, Escalate, Done, Snooze, Assign     key.Binding
	Note, Spam, Reopen, Undo, Moderate      key.Binding
	Retry, TakeBack                         key.Binding // a failed reply: send again, or edit
	Approve, SendBack                       key.Binding // a reply awaiting approval (leads; approval.go)
	Select, SelectQuery, ApplyToSelected    key.Binding
	Search, Views, Stats, Help, Quit, Log   key.Binding
	ViewKeys                                [9]key.Binding
	Send, Cancel, Accept                    key.Binding
	Editor, ContextUp, ContextDown          key.Binding
	NextField, PrevField                    key.Binding
	Commands                                []commandBinding // keys bound to shell commands in config
}

// DefaultKeyMap is the key map before config.
func DefaultKeyMap() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := &KeyMap{
		Up:              b("k/↑", "up", "k", "up"),
		Down:            b("j/↓", "down", "j", "down"),
		Top:             b("g", "top", "g", "home"),
		Bottom:          b("G", "bottom", "G", "end"),
		HalfDown:        b("ctrl+d", "half page down", "ctrl+d", "pgdown"),
		HalfUp:          b("ctrl+u", "half page up", "ctrl+u", "pgup"),
		Open:            b("enter", "open", "enter"),
		Back:            b("esc", "back", "esc"),
		NextConv:        b("J", "next conversation", "J"),
		PrevConv:        b("K", "prev conversation", "K"),
		Reply:           b("r", "reply", "r"),
		PrivateReply:    b("P", "private reply", "P"),
		Canned:          b("c", "canned reply", "c"),
		QuickCanned:     b("C", "canned+done+next", "C"),
		Tag:             b("t", "tag", "t"),
		Escalate:        b("e", "escalate", "e"),
		Done:            b("d", "done", "d"),
		Snooze:          b("s", "snooze", "s"),
		Assign:          b("a", "assign", "a"),
		Note:            b("n", "note", "n"),
		Spam:            b("!", "spam", "!"),
		Reopen:          b("o", "reopen", "o"),
		Undo:            b("u", "undo", "u"),
		Retry:           b("R", "resend failed", "R"),
		TakeBack:        b("E", "edit failed", "E"),
		Approve:         b("A", "approve reply", "A"),
		SendBack:        b("B", "send reply back", "B"),
		Moderate:        b("m", "moderate on the channel", "m"),
		Select:          b("space", "select", "space"),
		SelectQuery:     b("T", "select matching", "T"),
		ApplyToSelected: b(";", "apply to selected", ";"),
		Search:          b("/", "search", "/"),
		Views:           b("v", "views", "v"),
		Stats:           b("S", "stats", "S"),
		Help:            b("?", "help", "?"),
		Quit:            b("q", "quit", "q", "ctrl+c"),
		Log:             b("L", "log", "L"),
		Send:            b("ctrl+s", "send", "ctrl+s"),
		Editor:          b("ctrl+e", "edit in $EDITOR", "ctrl+e"),
		ContextUp:       b("alt+↑", "scroll message ↑", "alt+up", "ctrl+up"),
		ContextDown:     b("alt+↓", "scroll message ↓", "alt+down", "ctrl+down"),
		Cancel:          b("esc", "cancel", "esc"),
		Accept:          b("enter", "choose", "enter"),
		NextField:       b("tab", "next field", "tab"),
		PrevField:       b("shift+tab", "previous field", "shift+tab"),
	}
	for i := range k.ViewKeys {
		n := fmt.Sprint(i + 1)
		k.ViewKeys[i] = b("1–9", "views", n)
	}
	return k
}

// bindingsByName lets config remap keys by the names people see in help.
func (k *KeyMap) bindingsByName() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "top": &k.Top, "bottom": &k.Bottom, "half_down": &k.HalfDown, "half_up": &k.HalfUp,
		"open": &k.Open, "back": &k.Back, "next_conversation": &k.NextConv, "previous_conversation": &k.PrevConv, "reply": &k.Reply, "private_reply": &k.PrivateReply, "canned": &k.Canned, "quick_canned": &k.QuickCanned,
		"tag": &k.Tag, "escalate": &k.Escalate, "done": &k.Done, "snooze": &k.Snooze, "assign": &k.Assign, "note": &k.Note,
		"spam": &k.Spam, "reopen": &k.Reopen, "undo": &k.Undo, "retry": &k.Retry, "take_back": &k.TakeBack, "approve": &k.Approve, "send_back": &k.SendBack, "moderate": &k.Moderate, "select": &k.Select, "select_query": &k.SelectQuery,
		"apply_to_selected": &k.ApplyToSelected, "search": &k.Search, "views": &k.Views, "stats": &k.Stats,
		"help": &k.Help, "quit": &k.Quit, "log": &k.Log, "send": &k.Send, "editor": &k.Editor,
		"scroll_message_up": &k.ContextUp, "scroll_message_down": &k.ContextDown,
	}
}

// Remap applies [keys] from config: action name to a key or a list of keys, and
// [[keys.command]] tables. A key given to an action or a command that another action
// (or a view, or another command) still has is an error naming both, so no key ever
// silently stops doing one of its jobs; rebinding the other action too makes it fine.
// Errors are *inbox.KeyError, so the config loader can point at the line.
func (k *KeyMap) Remap(cfg map[string]any) error {
	byName := k.bindingsByName()
	names := slices.Sorted(maps.Keys(cfg))
	for _, name := range names {
		v := cfg[name]
		if name == "command" {
			cmds, err := parseCommands(v)
			if err != nil {
				return &inbox.KeyError{Key: []string{"keys", "command"}, Err: err}
			}
			k.Commands = cmds
			continue
		}
		b, ok := byName[name]
		if !ok {
			return keyErr(name, "no such action (actions: %s)", strings.Join(slices.Sorted(maps.Keys(byName)), ", "))
		}
		var keys []string
		switch v := v.(type) {
		case string:
			keys = []string{v}
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return keyErr(name, "want a key or a list of keys")
				}
				keys = append(keys, s)
			}
		default:
			return keyErr(name, "want a key or a list of keys")
		}
		if slices.Contains(keys, "") {
			return keyErr(name, "want a key or a list of keys")
		}
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	return k.checkRemapped(names)
}

// checkRemapped finds a key that a remapped action or a command shares with another
// binding of the queue: a named action, a view key or another command.
func (k *KeyMap) checkRemapped(names []string) error {
	type owner struct{ id, what, fix string }
	owners := map[string][]owner{} // key → every binding that has it
	byName := k.bindingsByName()
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		for _, key := range byName[name].Keys() {
			owners[key] = append(owners[key], owner{name, name, "rebind " + name + " too, or choose another key"})
		}
	}
	for i, b := range k.ViewKeys {
		for _, key := range b.Keys() {
			owners[key] = append(owners[key], owner{"view", fmt.Sprintf("view %d", i+1), "choose another key (1–9 choose the views)"})
		}
	}
	for i, c := range k.Commands {
		for _, key := range c.Key.Keys() {
			owners[key] = append(owners[key], owner{fmt.Sprint("command ", i), fmt.Sprintf("the command %q", c.Desc), "choose another key"})
		}
	}
	clash := func(id string, keys []string) (string, owner, bool) {
		for _, key := range keys {
			for _, o := range owners[key] {
				if o.id != id {
					return key, o, true
				}
			}
		}
		return "", owner{}, false
	}
	for _, name := range names {
		if name != "command" {
			if key, o, ok := clash(name, byName[name].Keys()); ok {
				return keyErr(name, "%q is already the key of %s; %s", key, o.what, o.fix)
			}
			continue
		}
		for i, c := range k.Commands {
			if key, o, ok := clash(fmt.Sprint("command ", i), c.Key.Keys()); ok {
				return &inbox.KeyError{Key: []string{"keys", "command"}, Nth: i + 1,
					Err: fmt.Errorf("%q of the command %q is already the key of %s; %s", key, c.Desc, o.what, o.fix)}
			}
		}
	}
	return nil
}

// keyErr is an error about keys.NAME.
func keyErr(name, format string, args ...any) error {
	return &inbox.KeyError{Key: []string{"keys", name}, Err: fmt.Errorf(format, args...)}
}

// FullHelp is every key that works, grouped for the help screen; a disabled binding (the
// moderation key where no channel can moderate) is left out.
func (k *KeyMap) FullHelp() [][]key.Binding {
	groups := [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.HalfDown, k.HalfUp, k.Open, k.Back, k.NextConv, k.PrevConv},
		{k.Reply, k.PrivateReply, k.Canned, k.QuickCanned, k.Note, k.Tag, k.Assign, k.Escalate, k.Retry, k.TakeBack},
		{k.Done, k.Snooze, k.Spam, k.Reopen, k.Undo, k.Moderate, k.Select, k.SelectQuery, k.ApplyToSelected},
		{k.Search, k.ViewKeys[0], k.Views, k.Stats, k.Log, k.Help, k.Quit},
	}
	for i, g := range groups {
		groups[i] = enabled(g)
	}
	return groups
}

// enabled keeps the bindings that do something now.
func enabled(bs []key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}
