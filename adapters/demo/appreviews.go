package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/triage-inbox/triage/inbox"
)

// Kettlebird's companion app, Kettlebird Brew (recipes, a brew timer, the Robin scale and
// the Heron kettle over Bluetooth, the bean subscription), is reviewed on Google Play and
// the App Store. The reviews are what adapters/googleplay and adapters/appstore bring in:
// one conversation per review ("gp:<review id>", "as:<review id>"), kind review, the
// rating on every review. A review's message id changes when its author edits it (Play:
// the review id and the time of the edit; Apple: the review id and a hash of rating,
// title and body), so an edit is a new inbound message in the same conversation, with its
// new rating, and reopens it. The developer's reply is outbound: from triage it names the
// review it answers; from the Play Console or App Store Connect it comes back by the
// native app and names nothing. Play gives the app version and the reviewer's language;
// Apple gives neither, only the storefront, which ends the text.

const (
	playPackage = "com.kettlebird.brew"
	appleAppID  = "6446312087"
)

// isStore says whether a channel is one of the app stores.
func isStore(channel string) bool { return channel == "googleplay" || channel == "appstore" }

// review is the state of one store review as its author last left it.
type review struct {
	id     string // the store's review id
	respID string // Apple's id for the review's one response
	stars  int
	title  string // Apple's title; Play has none
	body   string
	lang   string // Play's reviewerLanguage, "" on the App Store
	text   *appText
}

// The app's releases: 3.1.0 broke sign-in, sync and pairing for some; 3.1.1, which fixes
// them, has been rolling out in stages since early in the demo's two weeks, so many
// phones are still on 3.1.0.
const (
	brokenVersion = "3.1.0"
	fixedVersion  = "3.1.1"
	fixedAge      = 13 * 24 * time.Hour // how long before now 3.1.1 started rolling out
)

// appVersion is the version a review written at t was about: trouble comes from 3.1.0;
// anyone else has 3.1.1 once it is out, unless the rollout has not reached them yet, and
// an edit after the fix is on it.
func (g *gen) appVersion(c *conv, t time.Time, edited bool) string {
	switch {
	case edited:
		return fixedVersion
	case c.topic == appTroubleTopic && c.review.stars <= 2:
		return brokenVersion
	case t.After(g.now.Add(-fixedAge)) && g.r.IntN(100) < 60:
		return fixedVersion
	}
	return brokenVersion
}

// store is where a person reviews the app: Android or iPhone, fixed per person.
func (p *person) store() string {
	if mix(uint64(p.idx)+0x706c6179)%5 < 3 {
		return "googleplay"
	}
	return "appstore"
}

// territories are the App Store storefronts of the cast's cities (ISO 3166-1 alpha-3).
var territories = map[string]string{
	"Lisbon": "PRT", "Porto": "PRT", "Leeds": "GBR", "Glasgow": "GBR", "Austin": "USA", "Portland": "USA",
	"Toronto": "CAN", "Melbourne": "AUS", "Osaka": "JPN", "Lyon": "FRA", "Berlin": "DEU", "Madrid": "ESP",
	"Nairobi": "KEN", "Utrecht": "NLD", "Dublin": "IRL", "Seoul": "KOR",
}

// locale is the language of a reviewer's phone, as Play's reviewerLanguage gives it.
func (p *person) locale() string {
	switch p.lang {
	case "es":
		return "es-ES"
	case "fr":
		return "fr-FR"
	case "de":
		return "de-DE"
	case "pt":
		return "pt-PT"
	case "ja":
		return "ja-JP"
	}
	switch territories[p.city] {
	case "GBR":
		return "en-GB"
	case "CAN":
		return "en-CA"
	case "AUS":
		return "en-AU"
	case "IRL":
		return "en-IE"
	}
	return "en-US"
}

// appReview sets up a review of the app: the store, the reviewer as the store names
// them, what they wrote and the stars they gave.
func (g *gen) appReview(c *conv) {
	c.channel, c.kind = c.who.store(), inbox.KindReview
	c.account = accounts[c.channel]
	n := mix(uint64(g.seq+1) ^ 0x7265766965)
	rv := &review{}
	if c.channel == "googleplay" {
		rv.id = "gp:AOqpTO" + b64(n, 79)
		rv.lang = c.who.locale()
		c.author = inbox.Author{ID: rv.id, Name: c.who.name}
	} else {
		rv.id, rv.respID = appleID(n), appleID(mix(n))
		c.author = inbox.Author{ID: rv.id, Name: c.who.base}
	}
	pool := appTexts[c.topic.name]
	if intl := appIntl[c.who.lang]; len(intl) > 0 && g.r.IntN(100) < 60 {
		pool = intl[c.topic.name]
	}
	t := pick(g.r, pool)
	rv.text, rv.stars, rv.title, rv.body = &t, t.stars, t.title, t.body
	c.review = rv
}

// appleID is an id in the form App Store Connect gives reviews and responses.
func appleID(n uint64) string {
	h := fmt.Sprintf("%016x%016x", n, mix(n))
	return "0000002" + h[:1] + "-" + h[1:5] + "-" + h[5:9] + "-" + h[9:13] + "-" + h[13:25]
}

// reviewText is what the store gives as the review's text.
func reviewText(c *conv) string {
	rv := c.review
	if c.channel == "googleplay" {
		return rv.body
	}
	text := rv.title + "\n\n" + rv.body
	if t := territories[c.who.city]; t != "" {
		text += "\n\n(App Store " + t + ")"
	}
	return text
}

// reviewMessage writes the review as it stands now into c at t, with its rating and,
// on Play, the app version and language.
func (g *gen) reviewMessage(c *conv, at time.Time) *inbox.Message {
	edited := len(c.msgs) > 0
	m := g.message(c, inbox.In, at, reviewText(c), "")
	m.Rating = c.review.stars
	if c.channel == "googleplay" {
		m.AppVersion, m.Language = g.appVersion(c, at, edited), c.review.lang
	}
	return m
}

// reviewID is the id of the review's next message: the review as edited, or the
// developer's reply with that text.
func reviewID(c *conv, dir inbox.Direction, t time.Time, text string) string {
	rv := c.review
	switch {
	case c.channel == "googleplay" && dir == inbox.In:
		return rv.id + "@" + strconv.FormatInt(t.Unix(), 10)
	case c.channel == "googleplay":
		return rv.id + "/reply/" + shortHash(text)
	case dir == inbox.In:
		return rv.id + "@" + shortHash(strconv.Itoa(rv.stars)+"\x00"+rv.title+"\x00"+rv.body)
	}
	return rv.respID + "@" + shortHash(text)
}

// shortHash is the adapters' short hash of a text, its runs of whitespace made one space.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(s), " ")))
	return hex.EncodeToString(sum[:6])
}

// reviewURL is where Play shows the review; Apple links to none.
func reviewURL(c *conv) string {
	if c.channel != "googleplay" {
		return ""
	}
	return "https://play.google.com/store/apps/details?id=" + playPackage + "&reviewId=" + url.QueryEscape(c.review.id)
}

// reviewExchange plays out a review: the developer's reply, when the team got to it
// (some praise needs none), and now and then the author's edit after it, with new stars,
// which reopens the conversation until someone answers that too.
func (g *gen) reviewExchange(c *conv) {
	if c.topic == appPraiseTopic && g.r.IntN(100) < 35 {
		c.noReply = true // five stars and nothing to answer
		g.noReplyNeeded(c.first())
		return
	}
	rv := c.review
	replyAt, ok := g.answerTime(c, c.msgs[0])
	if !ok {
		g.recentWaiting += g.waiting(c)
		return
	}
	answer := rv.text.answer
	if answer == "" {
		answer = pick(g.r, appReplies[min(rv.stars, 5)-1])
	}
	g.message(c, inbox.Out, replyAt, g.teamText(c, answer), c.msgs[0].ID)
	if rv.text.update == "" || g.r.IntN(100) >= 65 {
		return
	}
	at := replyAt.Add(g.between(2*time.Hour, 2*24*time.Hour))
	if !at.Before(g.now) {
		return
	}
	rv.stars, rv.body = rv.text.upStars, rv.text.update
	if c.channel == "appstore" {
		rv.title = rv.text.upTitle
	}
	edit := g.reviewMessage(c, at)
	// The edit reopened the conversation; the team has yet to see some of them again.
	if g.r.IntN(100) < 40 {
		g.recentWaiting += g.waiting(c)
		return
	}
	if replyAt, ok = g.answerTime(c, *edit); !ok {
		g.recentWaiting += g.waiting(c)
		return
	}
	g.message(c, inbox.Out, replyAt, g.teamText(c, pick(g.r, updateReplies)), edit.ID)
}
