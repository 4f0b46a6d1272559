package metatest

// This file is @mentions as the Instagram API (Facebook Login) documents reading them:
// GET /{ig-user-id}?fields=mentioned_comment.comment_id({id}){fields} for a comment that
// @mentions the user, and mentioned_media.media_id({id}){fields} for a caption (the media
// AddTag adds), each answered {"mentioned_comment"|"mentioned_media": {…}, "id": user}.

import (
	"net/http"
	"regexp"
)

// AddMentioningComment adds a comment by username on someone else's media (mediaID, with
// its permalink) that @mentions the account, as Meta's mentions webhook announces it,
// and returns the comment's id.
func (s *Server) AddMentioningComment(mediaID, username, text, timestamp string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	if s.mentioned == nil {
		s.mentioned = map[string]map[string]any{}
	}
	s.mentioned[id] = map[string]any{"id": id, "text": text, "timestamp": timestamp, "username": username,
		"like_count": 0, "media": map[string]any{"id": mediaID, "permalink": "https://www.instagram.com/p/M" + mediaID[len(mediaID)-6:] + "/"}}
	return id
}

var mentionedField = regexp.MustCompile(`^mentioned_(comment|media)\.(?:comment|media)_id\(([0-9]+)\)(?:\{(.*)\})?$`)

// serveMentioned answers GET /{ig-user-id}?fields=mentioned_…; false for other requests.
func (s *Server) serveMentioned(w http.ResponseWriter, r *http.Request, parts []string) bool {
	if r.Method != http.MethodGet || len(parts) != 1 || parts[0] != s.IGUserID {
		return false
	}
	m := mentionedField.FindStringSubmatch(r.Form.Get("fields"))
	if m == nil {
		return false
	}
	kind, id, fields := m[1], m[2], m[3]
	var obj map[string]any
	if kind == "comment" {
		obj = s.mentioned[id]
	} else {
		for _, t := range s.tags {
			if t["id"] == id {
				obj = t
			}
		}
	}
	if obj == nil {
		s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException",
			"(#100) The user has not been mentioned in "+kind+" "+id+", or it does not exist")
		return true
	}
	if fields == "" {
		fields = "id"
	}
	writeJSON(w, http.StatusOK, nil, map[string]any{"mentioned_" + kind: pick(obj, parseFields(fields)), "id": s.IGUserID})
	return true
}
