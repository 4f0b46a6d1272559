package ui

import "github.com/triage-inbox/triage/internal/termsafe"

// Safe makes untrusted text (message bodies, names, handles, URLs, tags, agent names
// from imports) safe to put on a terminal, on one line: escape sequences (CSI, OSC, DCS,
// APC, …) are removed whole, other control characters are shown as visible symbols,
// bidirectional overrides and invisible format characters are dropped, and invalid UTF-8
// becomes U+FFFD. Every view renders outside text through this function or SafeText. It
// is termsafe.Safe, which the commands use for what they print of a file's content.
func Safe(s string) string { return termsafe.Safe(s) }

// SafeText is Safe for multi-line text: newlines are kept, everything else as Safe.
func SafeText(s string) string { return termsafe.SafeText(s) }
