package ui

import "github.com/triage-inbox/triage/inbox"

// moveToUnsigned moves the cursor down to the first conversation in the queue whose
// replies carry no sign-off (the demo's config signs replies on email only) and returns
// it: tests that type a reply, or keep a draft, and read it back word for word use one.
func (a *app) moveToUnsigned() inbox.QueueRow {
	a.t.Helper()
	for _, r := range a.m.queue.rows {
		if r.Channel != "email" {
			a.moveTo(r.ID)
			return a.row()
		}
	}
	a.t.Fatalf("no conversation off email in %s", a.m.queue.currentView().Name)
	return inbox.QueueRow{}
}
