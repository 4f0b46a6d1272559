package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// YouTube in the demo is what adapters/youtube brings in: one conversation per comment
// thread, "yt:<thread id>", the thread's id being its top comment's; kind comment; under
// one of Kettlebird's brew videos. Ids are YouTube's: a top comment "Ug…4AaABAg", a reply
// "<top comment id>.<22 characters>", which names the top comment it is under (YouTube
// nests one level). People are named by their channel id (UC…) and their @handle, which
// YouTube gives as the display name. A reply made in YouTube Studio is the channel's own
// comment: it comes back as an answer by the native app.
//
// Telegram is what adapters/telegram brings in: a private chat with the shop's bot is one
// conversation, "dm:<chat id>", the chat id being the person's user id; message ids are
// "<chat id>:<message id>", counted per chat from the /start that opened it. The shop's
// community group, where people mention the bot, is a public supergroup: a message that
// answers nothing starts a conversation and a reply joins the one it answers, so those
// messages carry no key of their own (the inbox follows the reply chain, as it does for
// the adapter's); their ids are "<chat id>:<message id>:<author id>".

// brandVideos are how many of Kettlebird's videos (grinder setup, pour-over guides,
// descaling the kettle) customers comment under.
const brandVideos = 9

// videoID is the id of one of the brand's videos: 11 characters of YouTube's alphabet.
func videoID(i int) string { return b64(mix(hashString("video")+uint64(i)), 11) }

// youtubeVideo sets the video a YouTube conversation is under: comments spread over
// the videos by the running number of the thread's first message.
func youtubeVideo(c *conv, seq int) {
	if c.channel == "youtube" {
		c.post = videoID(int(mix(uint64(seq)) % brandVideos))
	}
}

// youtubeAuthor is a YouTube commenter: a channel id and the @handle YouTube shows as
// their name.
func youtubeAuthor(h uint64, handle string) inbox.Author {
	return inbox.Author{ID: "UC" + b64(mix(h^0x7974), 22), Handle: "@" + handle, Name: "@" + handle}
}

// youtubeCommentID is the id of c's next comment: a top comment starts the thread, every
// other comment is a reply under it.
func youtubeCommentID(c *conv, n uint64) string {
	if len(c.msgs) == 0 {
		return "Ug" + string("wxyz"[n%4]) + b64(mix(n), 16) + "4AaABAg"
	}
	return c.msgs[0].ID + ".9" + b64(mix(n^0x5265), 21)
}

// youtubeURL links to a comment as the adapter does: the video, with the comment first.
func youtubeURL(c *conv, id string) string {
	return "https://www.youtube.com/watch?v=" + c.post + "&lc=" + id
}

// The shop's Telegram bot and its community group.
const (
	telegramBotID    = 7412993105     // the bot's user id, the number its token starts with
	telegramGroupID  = -1001873645290 // a supergroup's chat id
	telegramGroupURL = "https://t.me/kettlebirdclub/"
	// telegramGroupStart is the group's message number when the demo's window opens.
	telegramGroupStart = 48_000
)

// telegramAuthor is a Telegram user: their id, their @username when they have one
// (Telegram's take 5 to 32 letters, digits and underscores), and their name.
func telegramAuthor(h uint64, base, name string) inbox.Author {
	a := inbox.Author{ID: fmt.Sprint(100_000_000 + h%7_000_000_000), Name: name}
	if u := strings.NewReplacer(".", "_", "-", "_").Replace(base); len(u) >= 5 {
		a.Handle = "@" + u
	}
	return a
}

// telegramGroup says whether c is in the community group rather than a private chat.
func telegramGroup(c *conv) bool { return c.channel == "telegram" && c.kind != inbox.KindDM }

// telegramID is the id of c's next message. In a private chat messages count from 2 (the
// /start was 1); in the group they count on from the group's number at the window's start,
// about one a minute, and never repeat.
func (g *gen) telegramID(c *conv, dir inbox.Direction, at time.Time) string {
	if !telegramGroup(c) {
		return fmt.Sprintf("%s:%d", c.author.ID, len(c.msgs)+2) // a private chat's id is the person's
	}
	n := telegramGroupStart + int(at.Sub(g.now.Add(-window))/time.Minute)
	for g.groupIDs[n] {
		n++
	}
	g.groupIDs[n] = true
	from := c.author.ID
	if dir == inbox.Out {
		from = fmt.Sprint(telegramBotID)
	}
	return fmt.Sprintf("%d:%d:%s", telegramGroupID, n, from)
}

// telegramURL links to a message in the group, "" in a private chat.
func telegramURL(c *conv, id string) string {
	if !telegramGroup(c) {
		return ""
	}
	parts := strings.Split(id, ":")
	return telegramGroupURL + parts[1]
}
