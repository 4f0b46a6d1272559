package inbox

import "time"

// SyncState is how one configured account stands with the sync engine; the UI shows it in
// the footer. It lives here so the UI can show it without knowing any adapter.
type SyncState struct {
	Account   string // the [[account]] name
	Channel   string
	Status    string    // "ok", "fetching", "backing off", "error"
	LastFetch time.Time // last successful fetch
	NextTry   time.Time // when backing off
	Err       string    // the last error, never holding a secret
	New       int       // messages the last fetch brought
	Settled   int       // replies of this account the outbox sent, failed or put off: a running count
}
