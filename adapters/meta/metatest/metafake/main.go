// Command metafake serves the metatest fakes of Meta's Graph API by hand, so the
// Instagram, Facebook and WhatsApp accounts of the README can be tried without Meta:
//
//	IG_TOKEN=ig FB_PAGE_TOKEN=fb WA_TOKEN=wa go run ./adapters/meta/metatest/metafake
//
// It seeds an Instagram post with comments and a DM, a Page post with a visitor's comment
// and a Messenger conversation, all from the last hours, prints the graph_url of each
// account, and logs every request the accounts make until ctrl+c. WhatsApp takes replies
// to +1 650 555 1234 (its customers' messages come only by triage serve's webhook).
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/triage-inbox/triage/adapters/meta/metatest"
)

// Graph ids of the README's example accounts.
const (
	igUser   = "17841400000000001"
	pageID   = "100000000000002"
	phoneID  = "106540352242922"
	customer = "16505551234"
)

// handRun is what the fakes need of a test, for a person at a terminal: errors are
// logged, and the servers close when the command ends.
type handRun struct{ cleanups []func() }

func (h *handRun) Errorf(format string, args ...any) { log.Printf("metafake: "+format, args...) }
func (h *handRun) Fatalf(format string, args ...any) { log.Fatalf("metafake: "+format, args...) }
func (h *handRun) Cleanup(f func())                  { h.cleanups = append(h.cleanups, f) }

func main() {
	tokens := map[string]string{}
	for _, env := range []string{"IG_TOKEN", "FB_PAGE_TOKEN", "WA_TOKEN"} {
		tokens[env] = os.Getenv(env)
		if tokens[env] == "" {
			fmt.Fprintf(os.Stderr, "metafake: set %s to the token triage will send (any text), as in the README\n", env)
			os.Exit(2)
		}
	}
	h := &handRun{}
	now := time.Now().UTC()
	ago := func(d time.Duration) string { return now.Add(-d).Format("2006-01-02T15:04:05-0700") }

	ig := metatest.New(h, igUser, tokens["IG_TOKEN"])
	post := ig.AddMedia("Our winter blend is here", ago(26*time.Hour))
	q := ig.AddComment(post, "", "maria.r", "when does it ship to Portugal?", ago(3*time.Hour))
	ig.AddComment(post, q, "joao.p", "asking the same!", ago(2*time.Hour))
	ig.AddComment(post, "", "kim_brews", "this is a SCAM, my order never came", ago(90*time.Minute))
	ig.AddConversation("ana.ruiz", "hi! my grinder arrived broken, what do I do?", ago(40*time.Minute))

	page := metatest.NewPage(h, pageID, tokens["FB_PAGE_TOKEN"])
	page.Now = now
	fbPost := page.AddPost(pageID, "Acme Coffee", "Holiday opening hours", ago(30*time.Hour))
	page.AddComment(fbPost, "", "9001", "George Papadopoulos", "Are you open on the 26th?", ago(5*time.Hour))
	page.AddMessage("7001", "Dmitri Volkov", false, "Where is my refund?", ago(20*time.Minute))

	wa := metatest.NewWhatsApp(h, phoneID, tokens["WA_TOKEN"], time.Now)
	wa.CustomerWrote(customer, now.Add(-10*time.Minute))

	fmt.Printf("Instagram  graph_url = %q  (ig_user_id %s)\n", ig.URL, igUser)
	fmt.Printf("Facebook   graph_url = %q  (page_id %s)\n", page.URL, pageID)
	fmt.Printf("WhatsApp   graph_url = %q  (phone_number_id %s; replies to %s)\n", wa.URL, phoneID, customer)
	fmt.Println("ctrl+c stops; the requests are logged below.")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	seen := map[*metatest.Server]int{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			for i := len(h.cleanups) - 1; i >= 0; i-- {
				h.cleanups[i]()
			}
			return
		case <-tick.C:
			for name, s := range map[string]*metatest.Server{"instagram": ig, "facebook": page.Server, "whatsapp": wa.Server} {
				rs := s.Requests()
				for _, r := range rs[seen[s]:] {
					log.Printf("%-9s %s %s %s", name, r.Method, r.Path, r.Query)
				}
				seen[s] = len(rs)
			}
		}
	}
}
