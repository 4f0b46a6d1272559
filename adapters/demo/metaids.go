package demo

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/adapters/meta"
	"github.com/triage-inbox/triage/inbox"
)

// Instagram, Facebook and WhatsApp in the demo are what adapters/meta and
// adapters/instagram bring in (meta.DecodeWebhook's conventions): the account is the IG
// user id, page id or phone number id; a comment is threaded by its media
// (media:<media id>) or post (post:<page id>_<post id>), a DM by the customer's id
// (dm:<IGSID or PSID>), a WhatsApp chat by the number (wa:<wa_id>); ids are Meta's.

// isMeta says whether a channel is one of Meta's.
func isMeta(channel string) bool {
	return channel == meta.ChannelInstagram || channel == meta.ChannelFacebook || channel == meta.ChannelWhatsApp
}

// metaPost sets the Instagram media or Facebook post a public conversation is about.
// Meta's adapters thread comments by media or post, so each conversation has its own:
// two stories under one post would be one conversation. seq is the running number of
// the conversation's first message. An Instagram mention is someone's post that tags the
// brand; on Facebook a visitor's post on the Page is a comment, as the adapter has it.
// Either post is the first message of its conversation, and the comments under it follow.
func metaPost(c *conv, seq int) {
	if c.kind == inbox.KindDM || c.kind == inbox.KindReview {
		return
	}
	h := mix(hashString("post") + uint64(seq))
	switch c.channel {
	case meta.ChannelInstagram:
		c.post = fmt.Sprint(18_000_000_000_000_000 + h%100_000_000_000_000)
	case meta.ChannelFacebook:
		c.post = pageID + "_" + fmt.Sprint(122_000_000_000_000_000+h%1_000_000_000_000_000)
	}
}

// metaKey is the conversation key Meta's adapters give c; "" on other channels and for
// a Facebook review, which they do not bring in.
func metaKey(c *conv) string {
	switch {
	case !isMeta(c.channel):
		return ""
	case c.kind == inbox.KindDM:
		return dmKey(c)
	case c.channel == meta.ChannelInstagram:
		return "media:" + c.post
	case c.kind != inbox.KindReview:
		return "post:" + c.post
	}
	return ""
}

// dmKey is the key of the DM thread with c's author.
func dmKey(c *conv) string {
	switch c.channel {
	case meta.ChannelWhatsApp:
		return "wa:" + c.author.ID
	case "x":
		return "dm:" + xDMConversation(c.author.ID)
	}
	return "dm:" + c.author.ID
}

// metaMessageID is the id of c's next message: an Instagram comment id (179…), a
// Facebook comment id (<post id>_<comment id>) or visitor post id (<page id>_<post id>),
// an Instagram or Messenger message id (mid), a WhatsApp message id (wamid.…).
func metaMessageID(c *conv, dir inbox.Direction, t time.Time, n uint64) string {
	switch {
	case c.channel == meta.ChannelWhatsApp:
		return wamid(c.author.ID, dir, n)
	case c.channel == meta.ChannelInstagram && c.kind == inbox.KindDM:
		return "aWdfZAG" + b64(mix(n), 73)
	case (c.kind == inbox.KindMention || c.visitor) && len(c.msgs) == 0:
		return c.post // the post that tags the brand, or a visitor's post on the Page
	case c.channel == meta.ChannelInstagram:
		return fmt.Sprintf("179%08d%06d", t.Unix()%1e8, n%1e6)
	case c.kind == inbox.KindDM:
		return "m_" + b64(mix(n), 86)
	case c.kind == inbox.KindReview:
		return fmt.Sprintf("1%015d", mix(n)%1e15)
	}
	_, post, _ := strings.Cut(c.post, "_")
	return post + "_" + fmt.Sprint(1_000_000_000_000_000+mix(n)%1_000_000_000_000_000)
}

// wamid is a WhatsApp message id as Cloud API writes them: base64 of the customer's
// number and a message key, inbound and outbound alike.
func wamid(phone string, dir inbox.Direction, n uint64) string {
	b := []byte{0x1c, 0x18, byte(len(phone))}
	b = append(b, phone...)
	b = append(b, 0x15, 0x02, 0x00)
	key := fmt.Sprintf("%016X%016X", mix(n), mix(n+1))
	if dir == inbox.In {
		b = append(b, 0x12, 0x18, 0x14)
		b = append(b, key[:20]...)
	} else {
		b = append(b, 0x11, 0x18, 0x12)
		b = append(b, key[:18]...)
	}
	return "wamid." + base64.StdEncoding.EncodeToString(append(b, 0x00))
}

// b64 writes n characters of the URL-safe base64 alphabet Meta's ids use.
func b64(v uint64, n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	w := v
	for i := range b {
		if i%10 == 0 && i > 0 {
			w = mix(v + uint64(i))
		}
		b[i] = digits[w%64]
		w /= 64
	}
	return string(b)
}

// metaURL links to a public Instagram or Facebook message: the media's permalink, as
// the Instagram adapter gives it, or the Facebook post with the comment.
func metaURL(c *conv, id string) string {
	if c.channel == meta.ChannelInstagram {
		return "https://www.instagram.com/p/" + b64(mix(hashString(c.post)), 11) + "/"
	}
	if c.kind == inbox.KindReview || c.post == "" {
		return "https://www.facebook.com/" + id
	}
	page, post, _ := strings.Cut(c.post, "_")
	u := "https://www.facebook.com/" + page + "/posts/" + post
	if id != c.post {
		_, comment, _ := strings.Cut(id, "_")
		u += "?comment_id=" + comment
	}
	return u
}

// nativeShare is how many in eight of the brand's Instagram, Facebook and YouTube replies
// were written in the channel's own apps (Instagram, Business Suite, YouTube Studio)
// rather than in triage: they come back as echoes, by meta.NativeAgent ("(native app)",
// the name every adapter gives them). A WhatsApp number on the Cloud API has no app of
// its own to answer from.
const nativeShare = 1

// native says whether the reply with running number seq was written in Meta's own app.
func native(c *conv, seq int) bool {
	share := uint64(0)
	switch c.channel {
	case meta.ChannelInstagram, meta.ChannelFacebook, "youtube":
		share = nativeShare
	case "googleplay", "appstore":
		share = storeNativeShare
	}
	return mix(uint64(seq)^0x6e6174697665)%8 < share
}

// storeNativeShare is how many in eight review replies were written in the Play Console
// or App Store Connect, where the app team reads its reviews too.
const storeNativeShare = 2

// metaInReplyTo is what Meta's adapters say a message answers: under a comment, a reply
// names the top-level comment (Meta nests one level). A DM, and a comment under a post
// that tags the brand or a visitor wrote, name nothing, except the team's replies sent from triage,
// which name the message they answer.
func metaInReplyTo(c *conv, dir inbox.Direction, agent, given string) string {
	switch {
	case len(c.msgs) == 0:
		return ""
	case c.kind == inbox.KindDM || c.kind == inbox.KindMention || c.visitor:
		if dir == inbox.Out && agent != meta.NativeAgent {
			return given
		}
		return ""
	}
	return c.msgs[0].ID
}
