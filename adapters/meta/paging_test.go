package meta_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/adapters/meta/metatest"
)

type media struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Timestamp string `json:"timestamp"`
}

// List reaches the last page and returns its after cursor; bounded, it says more remain,
// and a later walk from that cursor picks up exactly where it stopped.
func TestListReachesTheLastPage(t *testing.T) {
	f := metatest.New(t, igUser, token)
	for i := range 60 {
		f.AddMedia(fmt.Sprintf("post %02d", i), fmt.Sprintf("2026-12-01T10:%02d:00+0000", i))
	}
	c := client(t, f, token)
	q := url.Values{"fields": {"id,caption,timestamp"}, "limit": {"25"}}
	all, err := meta.List[media](context.Background(), c, "/"+igUser+"/media", q, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 60 || all.More || all.After == "" {
		t.Fatalf("got %d items, More=%v, After=%q; want 60, false, the last page's cursor", len(all.Items), all.More, all.After)
	}
	if all.Items[0].Caption != "post 59" || all.Items[59].Caption != "post 00" {
		t.Errorf("first %q last %q, want newest first: post 59 … post 00", all.Items[0].Caption, all.Items[59].Caption)
	}
	if n := len(f.Requests()); n != 3 {
		t.Errorf("%d requests for 60 items at 25 a page, want 3", n)
	}
	for _, r := range f.Requests() {
		if r.Version != meta.DefaultVersion || r.Path != "/"+igUser+"/media" {
			t.Errorf("request to version %q path %q, want %s /%s/media", r.Version, r.Path, meta.DefaultVersion, igUser)
		}
	}

	part, err := meta.List[media](context.Background(), c, "/"+igUser+"/media", q, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(part.Items) != 50 || !part.More {
		t.Fatalf("bounded to 2 pages: %d items, More=%v; want 50, true", len(part.Items), part.More)
	}
	rest, err := meta.List[media](context.Background(), c, "/"+igUser+"/media", q, part.After, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Items) != 10 || rest.Items[0].Caption != "post 09" || rest.More || rest.After != all.After {
		t.Errorf("from the cursor: %d items from %q, More=%v, After=%q; want 10 from post 09, false, %q",
			len(rest.Items), first(rest.Items), rest.More, rest.After, all.After)
	}
}

// An empty list keeps the cursor it started from, so nothing is read twice later.
func TestListEmptyKeepsTheCursor(t *testing.T) {
	f := metatest.New(t, igUser, token)
	got, err := meta.List[media](context.Background(), client(t, f, token), "/"+igUser+"/media", nil, "", 5)
	if err != nil || len(got.Items) != 0 || got.After != "" || got.More {
		t.Fatalf("empty list: %+v, %v", got, err)
	}
}

func first(ms []media) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].Caption
}

type comment struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Username  string `json:"username"`
	Timestamp string `json:"timestamp"`
	ParentID  string `json:"parent_id"`
	From      struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Replies meta.Page[comment] `json:"replies"`
}

// The fake speaks the documented comment shapes: comments with their replies nested when
// fields asks for replies{…}, the documented defaults without fields, and a reply posted
// with message= lands under the top-level comment (a reply to a reply too).
func TestFakeCommentsRepliesAndConversations(t *testing.T) {
	f := metatest.New(t, igUser, token)
	c := client(t, f, token)
	ctx := context.Background()
	post := f.AddMedia("new beans", "2026-12-06T09:00:00+0000")
	top := f.AddComment(post, "", "maria.r", "when do they ship?", "2026-12-06T09:05:00+0000")
	f.AddComment(post, top, "joao", "+1", "2026-12-06T09:06:00+0000")

	q := url.Values{"fields": {"id,text,username,timestamp,from,replies{id,text,username,timestamp,parent_id}"}}
	got, err := meta.List[comment](ctx, c, "/"+post+"/comments", q, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Text != "when do they ship?" || got.Items[0].From.Username != "maria.r" {
		t.Fatalf("comments: %+v", got.Items)
	}
	if r := got.Items[0].Replies.Data; len(r) != 1 || r[0].Text != "+1" || r[0].ParentID != top {
		t.Fatalf("replies: %+v", r)
	}
	var plain meta.Page[map[string]any]
	if err := c.Get(ctx, "/"+post+"/comments", nil, &plain); err != nil {
		t.Fatal(err)
	}
	if d := plain.Data[0]; len(d) != 3 || d["timestamp"] == nil || d["text"] == nil || d["id"] == nil {
		t.Errorf("default fields: %v, want timestamp, text, id", d)
	}

	var created struct {
		ID string `json:"id"`
	}
	reply := got.Items[0].Replies.Data[0].ID
	if err := c.PostForm(ctx, "/"+reply+"/replies", url.Values{"message": {"Monday!"}}, &created); err != nil {
		t.Fatal(err)
	}
	if rs := f.Replies(); len(rs) != 1 || rs[0].CommentID != top || rs[0].ID != created.ID || rs[0].Message != "Monday!" {
		t.Errorf("replies posted: %+v, want Monday! under %s as %s", rs, top, created.ID)
	}

	f.AddConversation("maria.r", "is the shop open?", "2026-12-06T11:00:00+0000")
	convs, err := meta.List[struct {
		ID          string `json:"id"`
		UpdatedTime string `json:"updated_time"`
		Messages    meta.Page[struct {
			Message string `json:"message"`
		}] `json:"messages"`
	}](ctx, c, "/me/conversations", url.Values{"platform": {"instagram"}, "fields": {"id,updated_time,messages{message,from,created_time}"}}, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs.Items) != 1 || convs.Items[0].UpdatedTime == "" || convs.Items[0].Messages.Data[0].Message != "is the shop open?" {
		t.Errorf("conversations: %+v", convs.Items)
	}
}
