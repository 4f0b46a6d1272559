package metatest

// This file is comment moderation and mentions as the Instagram API documents them:
// POST /{ig-comment-id} hide=true|false, DELETE /{ig-comment-id}, and the media the user
// is tagged in (GET /{ig-user-id}/tags).

import (
	"net/http"
	"slices"
)

// AddTag adds a media by username in which the account is tagged, newest first as
// Graph lists them, and returns its id.
func (s *Server) AddTag(username, caption, timestamp string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	m := map[string]any{"id": id, "caption": caption, "media_type": "IMAGE", "username": username,
		"timestamp": timestamp, "permalink": "https://www.instagram.com/p/T" + id[len(id)-6:] + "/"}
	s.tags = append([]map[string]any{m}, s.tags...)
	return id
}

// Comment says whether a comment exists and whether it is hidden.
func (s *Server) Comment(id string) (exists, hidden bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.comments[id]
	if c == nil {
		return false, false
	}
	return true, c["hidden"] == true
}

// serveModeration answers hide, unhide and delete on a comment; false for other requests.
func (s *Server) serveModeration(w http.ResponseWriter, r *http.Request, parts []string) bool {
	if len(parts) != 1 || s.comments[parts[0]] == nil {
		return false
	}
	id := parts[0]
	switch r.Method {
	case http.MethodPost:
		switch r.Form.Get("hide") {
		case "true":
			s.comments[id]["hidden"] = true
		case "false":
			s.comments[id]["hidden"] = false
		default:
			s.graphError(w, http.StatusBadRequest, nil, 100, 0, "OAuthException", "(#100) The parameter hide is required")
			return true
		}
	case http.MethodDelete:
		for _, child := range s.commentsOf("", id) {
			s.removeComment(child["id"].(string))
		}
		s.removeComment(id)
	default:
		return false
	}
	WriteJSON(w, map[string]any{"success": true})
	return true
}

func (s *Server) removeComment(id string) {
	mediaID := s.comments[id]["media"].(map[string]any)["id"]
	for _, m := range s.media {
		if m["id"] == mediaID {
			m["comments_count"] = m["comments_count"].(int) - 1
		}
	}
	delete(s.comments, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}
