package x

import (
	"net/http"
	"strings"
)

// The fake's DM events and the moderation of users (see fake_test.go).

func (f *fake) dmEvents(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	conv, pid := r.PathValue("id"), r.PathValue("pid")
	if pid != "" {
		conv = dmConvWith(pid)
	}
	var list []*fdm
	for i := len(f.dms) - 1; i >= 0; i-- {
		if conv == "" || f.dms[i].conv == conv {
			list = append(list, f.dms[i])
		}
	}
	lo, hi, next, ok := f.window(w, q, len(list), 1)
	if !ok {
		return
	}
	data := []map[string]any{}
	var senders []map[string]any
	for _, d := range list[lo:hi] {
		data = append(data, f.dmObj(d))
		senders = append(senders, f.userObj(d.sender))
	}
	meta := map[string]any{"result_count": len(data)}
	if next != "" {
		meta["next_token"] = next
	}
	resp := map[string]any{"meta": meta}
	if len(data) > 0 {
		resp["data"] = data
	}
	if strings.Contains(q.Get("expansions"), "sender_id") {
		resp["includes"] = map[string]any{"users": senders}
	}
	writeJSON(w, 200, resp)
}

func (f *fake) dmObj(d *fdm) map[string]any {
	return map[string]any{"id": d.id, "event_type": "MessageCreate", "text": d.text, "sender_id": d.sender,
		"dm_conversation_id": d.conv, "created_at": d.at.Format("2006-01-02T15:04:05.000Z")}
}

func (f *fake) dmEvent(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	for _, d := range f.dms {
		if d.id == r.PathValue("id") {
			writeJSON(w, 200, map[string]any{"data": f.dmObj(d)})
			return
		}
	}
	xProblem(w, 404, "Not Found Error", "Could not find the DM event.", "https://api.twitter.com/2/problems/resource-not-found")
}

// dmConvWith is the id X gives a one-to-one conversation: both user ids, smaller first.
func dmConvWith(pid string) string {
	a, b := userID, pid
	if newer(a, b) {
		a, b = b, a
	}
	return a + "-" + b
}

func (f *fake) sendDM(w http.ResponseWriter, r *http.Request, body map[string]any) {
	text, _ := body["text"].(string)
	conv := r.PathValue("id")
	if pid := r.PathValue("pid"); pid != "" {
		conv = dmConvWith(pid)
	}
	if text == "" || conv == "" {
		xProblem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.", "https://api.twitter.com/2/problems/invalid-request")
		return
	}
	id := f.nextID()
	f.dms = append(f.dms, &fdm{id: id, conv: conv, sender: userID, text: text, at: f.now})
	if f.loseNext > 0 {
		f.loseNext--
		xProblem(w, 500, "Internal Server Error", "Internal Server Error", "about:blank")
		return
	}
	writeJSON(w, 201, map[string]any{"data": map[string]any{"dm_conversation_id": conv, "dm_event_id": id}})
}

func (f *fake) mute(w http.ResponseWriter, r *http.Request, body map[string]any) {
	target, _ := body["target_user_id"].(string)
	if r.PathValue("id") != userID || target == "" {
		xProblem(w, 400, "Invalid Request", "One or more parameters to your request was invalid.", "https://api.twitter.com/2/problems/invalid-request")
		return
	}
	f.muted = append(f.muted, target)
	writeJSON(w, 200, map[string]any{"data": map[string]any{"muting": true}})
}

func (f *fake) block(w http.ResponseWriter, r *http.Request, body map[string]any) {
	if !f.enterprise {
		writeJSON(w, 403, map[string]any{"title": "Client Forbidden", "detail": "This endpoint is only available to Enterprise plans.",
			"reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden"})
		return
	}
	target, _ := body["target_user_id"].(string)
	f.blocked = append(f.blocked, target)
	writeJSON(w, 200, map[string]any{"data": map[string]any{"blocking": true}})
}
