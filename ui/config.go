package ui

import (
	"fmt"

	"github.com/triage-inbox/triage/inbox"
)

// CheckConfig checks what the UI reads from config, [keys] and [ui], so that a mistake
// there is an error when the config loads, naming the file and line like every other
// config error, and not first when the screen opens. Pass it to inbox.LoadConfig.
func CheckConfig(cfg *inbox.Config) error {
	if err := DefaultKeyMap().Remap(cfg.Keys); err != nil {
		return err
	}
	for name, v := range cfg.UI {
		if name != "theme" {
			return &inbox.KeyError{Key: []string{"ui", name}, Err: fmt.Errorf("unknown key (want theme)")}
		}
		switch v {
		case "auto", "light", "dark":
		default:
			return &inbox.KeyError{Key: []string{"ui", "theme"}, Err: fmt.Errorf("%v: want auto, light or dark", v)}
		}
	}
	return nil
}
