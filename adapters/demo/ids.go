package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Ids and links follow each channel's own scheme, so the demo looks like what the real
// adapters bring in. They derive from the message's time and a running number, never from
// the random stream, which keeps them unique and the same for the same seed.

// xEpoch is where X's snowflake ids count milliseconds from.
const xEpoch = 1288834974657

// brandDID is Kettlebird's Bluesky account.
const brandDID = "did:plc:k3ttl3b1rdc0ff33g34r2xyz"

// messageID returns the id of c's next message in the channel's format; an email's
// Message-ID ends with the sender's domain. Meta's channels have theirs in metaids.go.
func messageID(c *conv, dir inbox.Direction, t time.Time, seq int, mailDomain string) string {
	n := uint64(seq)
	switch c.channel {
	case "x":
		return fmt.Sprint((t.UnixMilli()-xEpoch)<<22 | int64(n&0x3fffff))
	case "instagram", "facebook", "whatsapp":
		return metaMessageID(c, dir, t, n)
	case "reddit":
		if c.kind == inbox.KindDM {
			return "t4_" + base36(2_000_000_000+n)
		}
		return "t1_" + base36(60_000_000_000+n*7919)
	case "mastodon":
		return fmt.Sprint(t.UnixMilli()<<16 | int64(n&0xffff))
	case "bluesky":
		if c.kind == inbox.KindDM {
			return tid(t, n)
		}
		return "at://" + brandDID + "/app.bsky.feed.post/" + tid(t, n)
	case "youtube":
		return youtubeCommentID(c, n)
	}
	return fmt.Sprintf("<%s.%s@%s>", base36(uint64(t.Unix())), base36(mix(n)%1e12), mailDomain)
}

// tid is Bluesky's record key: microseconds since 1970 in sortable base32, then a clock id.
func tid(t time.Time, n uint64) string {
	const digits = "234567abcdefghijklmnopqrstuvwxyz"
	v := uint64(t.UnixMicro())<<10 | n&0x3ff
	b := make([]byte, 13)
	for i := 12; i >= 0; i-- {
		b[i] = digits[v&31]
		v >>= 5
	}
	return string(b)
}

// postURL links to c's public message id by a, "" for private ones.
func postURL(c *conv, a inbox.Author, id string) string {
	if c.channel == "x" && c.kind == inbox.KindDM {
		return "https://x.com/messages/" + xDMConversation(c.author.ID)
	}
	if c.kind == inbox.KindDM || c.kind == inbox.KindEmail {
		return ""
	}
	switch c.channel {
	case "x":
		return "https://x.com/" + strings.TrimPrefix(a.Handle, "@") + "/status/" + id
	case "instagram", "facebook":
		return metaURL(c, id)
	case "reddit":
		return "https://www.reddit.com/r/Coffee/comments/" + base36(hashString(id)%2_000_000_000) + "/comment/" + strings.TrimPrefix(id, "t1_") + "/"
	case "mastodon":
		user, server, _ := strings.Cut(strings.TrimPrefix(a.Handle, "@"), "@")
		return "https://" + server + "/@" + user + "/" + id
	case "bluesky":
		return "https://bsky.app/profile/" + strings.TrimPrefix(a.Handle, "@") + "/post/" + id[strings.LastIndexByte(id, '/')+1:]
	case "youtube":
		return youtubeURL(c, id)
	case "telegram":
		return telegramURL(c, id)
	}
	return ""
}

// brandPost is one of the brand's own posts that customers comment under.
func brandPost(channel string, i int) string {
	h := mix(hashString(channel) + uint64(i))
	switch channel {
	case "x":
		return fmt.Sprint(1_900_000_000_000_000_000 + h%10_000_000_000_000_000)
	case "reddit":
		return "t3_" + base36(h%2_000_000_000)
	case "mastodon":
		return fmt.Sprint(113_000_000_000_000_000 + h%1e15)
	case "bluesky":
		return "at://" + brandDID + "/app.bsky.feed.post/" + base32(h, 13)
	}
	return fmt.Sprint(h)
}

// hashString is FNV-1a: a fixed number for a fixed string.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
