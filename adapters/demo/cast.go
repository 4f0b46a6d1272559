package demo

import (
	"fmt"
	"strings"

	"github.com/triage-inbox/triage/inbox"
)

// channels are the demo's channels, in the order figures list them.
var channels = []string{"x", "instagram", "facebook", "whatsapp", "reddit", "mastodon", "bluesky", "youtube", "telegram",
	"email", "googleplay", "appstore"}

// The Meta accounts are named as Meta's webhook and the Graph adapters name them (see
// adapters/meta): by the Instagram professional account's IG user id, the Page's id and
// the WhatsApp business number's phone number id, the ids of the README's example config.
const (
	igUserID      = "17841400000000001"
	pageID        = "100000000000002"
	phoneNumberID = "106540352242922"
)

// accounts are Kettlebird's own accounts, the account every message arrives on, as each
// channel's adapter names it.
var accounts = map[string]string{
	"x":         "@kettlebird",
	"instagram": igUserID,
	"facebook":  pageID,
	"whatsapp":  phoneNumberID,
	"reddit":    "u/Kettlebird_Official",
	"mastodon":  "@kettlebird@mastodon.social",
	"bluesky":   "@kettlebird.bsky.social",
	"email":     "hello@kettlebird.example",
	// YouTube and Telegram accounts are named by the handle config gives them (the
	// README's examples set one); the stores by what their adapters fall back on without
	// one: the app's package name on Google Play, its Apple id on the App Store.
	"youtube":    "@kettlebird",
	"telegram":   "@kettlebird_bot",
	"googleplay": playPackage,
	"appstore":   appleAppID,
}

// brandHandles are how a public post names the brand: "@kettlebird.coffee …".
var brandHandles = map[string]string{
	"x": "@kettlebird", "instagram": "@kettlebird.coffee", "facebook": "Kettlebird", "mastodon": "@kettlebird",
	"reddit": "u/Kettlebird_Official", "bluesky": "@kettlebird.bsky.social", "telegram": "@kettlebird_bot",
}

// person is a recurring customer. The cast is fixed, independent of the seed, so the
// same regulars turn up in every demo; the seed decides what they write and when.
type person struct {
	name   string   // as they sign, in their own script
	base   string   // the handle they use everywhere, ASCII
	city   string   // where their parcels go
	lang   string   // "" for English, or es, fr, de, pt, ja: some write in their own language
	chans  []string // the channels they write on; the first is where they write most
	domain string   // their email domain
	idx    int      // place in the cast, which their ids derive from
}

// place is a city with the courier that delivers there.
type place struct{ city, carrier string }

var places = []place{
	{"Lisbon", "CTT"}, {"Porto", "CTT"}, {"Leeds", "Royal Mail"}, {"Glasgow", "DPD"},
	{"Austin", "UPS"}, {"Portland", "USPS"}, {"Toronto", "Canada Post"}, {"Melbourne", "Australia Post"},
	{"Osaka", "Yamato"}, {"Lyon", "Colissimo"}, {"Berlin", "DHL"}, {"Madrid", "Correos"},
	{"Nairobi", "DHL"}, {"Utrecht", "PostNL"}, {"Dublin", "An Post"}, {"Seoul", "CJ Logistics"},
}

// langCities are where the cast who write in their own language live.
var langCities = map[string][]string{
	"es": {"Madrid"}, "fr": {"Lyon"}, "de": {"Berlin"}, "pt": {"Lisbon", "Porto"}, "ja": {"Osaka"},
}

var emailDomains = []string{"mailbox.example", "inbox.example", "post.example", "webmail.example", "fastpost.example"}

// homeChannels spreads the cast over channels roughly as a coffee brand's audience is
// spread: Instagram first, then X, Facebook and email, the smaller networks after.
var homeChannels = []string{
	"instagram", "x", "instagram", "facebook", "email", "x", "instagram", "facebook", "email", "reddit",
	"mastodon", "bluesky", "instagram", "x", "facebook", "email", "bluesky", "reddit", "mastodon", "instagram",
}

// A few regulars write mostly where the brand is smaller: under its brew videos on
// YouTube, or to the shop's bot on Telegram; they keep their home channel as a second.
// The app stores are no one's home: anyone may review the app (see appreviews.go).
func smallHome(i int) string {
	switch {
	case i%12 == 2:
		return "youtube"
	case i%24 == 6:
		return "telegram"
	}
	return ""
}

// castNames are the regulars: name, handle and language. A few names are written in
// their own script, because customers' display names are.
var castNames = []struct{ name, base, lang string }{
	{"Ana Ruiz", "anaruiz", "es"}, {"Kwame Mensah", "kwame.m", ""}, {"Yuki Tanaka", "yuki_t", "ja"},
	{"Olga Petrova", "olgapetrova", ""}, {"Liam O'Connor", "liamoc", ""}, {"Priya Raman", "priya.brews", ""},
	{"Mateo Fernández", "mateof", "es"}, {"Chloé Martin", "chloe.mtn", "fr"}, {"Jonas Becker", "jbecker", "de"},
	{"Fatima Zahra", "fatimazahra", ""}, {"Tom Hughes", "tomhughes", ""}, {"Aiko Sato", "aiko.sato", "ja"},
	{"Daniel Cohen", "dcohen", ""}, {"Sofia Rossi", "sofiarossi", ""}, {"Chen Wei", "chenwei88", ""},
	{"Grace Adeyemi", "graceade", ""}, {"Lucas Almeida", "lucas.almeida", "pt"}, {"Emma Johansson", "emmaj", ""},
	{"Noah Williams", "noahw", ""}, {"Amara Okafor", "amara.ok", ""}, {"Hannah Schmidt", "hannahs", "de"},
	{"Raj Patel", "rajpatel", ""}, {"Isabella García", "isagarcia", "es"}, {"Mehmet Yılmaz", "mehmety", ""},
	{"Zoe Clarke", "zoeclarke", ""}, {"Kenji Watanabe", "kenji.w", ""}, {"Léa Dubois", "leadubois", "fr"},
	{"Oliver Brown", "obrown", ""}, {"Nadia Haddad", "nadiah", ""}, {"Ethan Nguyen", "ethan.ng", ""},
	{"Maya Goldberg", "mayag", ""}, {"Samuel Osei", "samosei", ""}, {"Ingrid Larsen", "ingridl", ""},
	{"Diego Morales", "diegom", "es"}, {"Aisha Bello", "aishab", ""}, {"Finn Murphy", "finnmurphy", ""},
	{"Mei Lin", "meilin", ""}, {"Pedro Costa", "pedrocosta", "pt"}, {"Julia Nowak", "julianowak", ""},
	{"Arjun Mehta", "arjunm", ""}, {"Camille Laurent", "camille.l", "fr"}, {"Ben Carter", "bencarter", ""},
	{"Leila Karimi", "leilak", ""}, {"Tobias Weber", "tobiweber", "de"}, {"Hana Kobayashi", "hana.k", "ja"},
	{"Marcus Reid", "marcusreid", ""}, {"Elena Popescu", "elenap", ""}, {"Kofi Boateng", "kofib", ""},
	{"Sara Lindgren", "saral", ""}, {"Omar Farouk", "omarf", ""}, {"Lucy Evans", "lucyevans", ""},
	{"Ravi Kumar", "ravik", ""}, {"Nina Kowalski", "ninak", ""}, {"Hugo Lefebvre", "hugolef", "fr"},
	{"Chloe Tan", "chloetan", ""}, {"Jack Thompson", "jackt", ""}, {"Valentina Russo", "valerusso", ""},
	{"Thabo Nkosi", "thabon", ""}, {"Emily Davis", "emilyd", ""}, {"Carlos Mendes", "carlosm", "pt"},
	{"Anja Vogel", "anjavogel", "de"}, {"Sean Kelly", "seankelly", ""}, {"Laila Hassan", "lailah", ""},
	{"Ryo Yamamoto", "ryo.y", "ja"}, {"Clara Jiménez", "claraj", "es"}, {"Max Müller", "maxm", "de"},
	{"Ivy Chen", "ivychen", ""}, {"George Papadopoulos", "georgep", ""}, {"Ruth Mwangi", "ruthm", ""},
	{"Aaron Levi", "aaronlevi", ""}, {"Beatriz Souza", "biasouza", "pt"}, {"Will Foster", "willf", ""},
	{"Tanvir Ahmed", "tanvira", ""}, {"Eva Novak", "evanovak", ""}, {"Luca Bianchi", "lucab", ""},
	{"Zainab Yusuf", "zainaby", ""}, {"Pierre Moreau", "pierrem", "fr"}, {"Jade Wilson", "jadew", ""},
	{"Sven Olsen", "sveno", ""}, {"Rosa Delgado", "rosad", "es"}, {"Kai Okafor", "caffeine_kai", ""},
	{"Bea Lindqvist", "brewwithbea", ""}, {"Theo Marchetti", "thepourovernerd", ""}, {"Lena Hartmann", "latteartlena", "de"},
	{"Sam Rivera", "samrivera", ""}, {"Anika Das", "anikad", ""}, {"Joel Andersson", "joela", ""},
	{"Mira Shah", "mirashah", ""}, {"Felix Wagner", "felixw", "de"}, {"Ines Carvalho", "inescarvalho", "pt"},
	{"Patrick Byrne", "patbyrne", ""}, {"Lola Martínez", "lolam", "es"}, {"Victor Hugo Lima", "vhlima", "pt"},
	{"Harper Scott", "harpers", ""}, {"Dmitri Volkov", "dvolkov", ""}, {"Asha Nair", "ashanair", ""},
	{"Nils Eriksson", "nilse", ""}, {"Rachel Green", "rachelg", ""}, {"Yusuf Demir", "yusufd", ""},
	{"Charlotte Moore", "charlottem", ""}, {"Tariq Aziz", "tariqa", ""}, {"Elise Fournier", "elisef", "fr"},
	{"Matt Baker", "mattbaker", ""}, {"Keiko Ito", "keiko.ito", "ja"}, {"Oscar Lund", "oscarlund", ""},
	{"Dana Whitfield", "danaw", ""}, {"Ahmed Mansour", "ahmedm", ""}, {"Freya Collins", "freyac", ""},
	// Display names in their own script.
	{"田中 優希", "yuki.tanaka.jp", "ja"}, {"김민준", "minjun.kim", ""}, {"Ольга Смирнова", "olga.smirnova", ""},
	{"محمد الفارسي", "m.alfarsi", ""}, {"李娜", "lina.li", ""}, {"Δημήτρης Παπαδάκης", "dimitris.p", ""},
	{"Ana 🌿 Ferreira", "ana.ferreira", "pt"}, {"☕ Jess Moreno", "jessbrews", ""}, {"佐藤 健", "ken.sato", "ja"},
}

// cast is built once: the people in castNames with their cities and channels.
var cast = buildCast()

func buildCast() []*person {
	out := make([]*person, len(castNames))
	for i, c := range castNames {
		p := &person{name: c.name, base: c.base, lang: c.lang, idx: i}
		p.city = places[(i*7+3)%len(places)].city
		if c, ok := langCities[c.lang]; ok {
			p.city = c[i%len(c)] // people who write in Spanish mostly live where it is spoken
		}
		p.domain = emailDomains[i%len(emailDomains)]
		p.chans = []string{homeChannels[i%len(homeChannels)]}
		// Every seventh regular also writes elsewhere: the customer who tweets, then emails.
		if i%7 == 3 {
			second := homeChannels[(i*3+5)%len(homeChannels)]
			if second == p.chans[0] {
				second = "email"
			}
			if second != p.chans[0] {
				p.chans = append(p.chans, second)
			}
		}
		if home := smallHome(i); home != "" {
			p.chans = append([]string{home}, p.chans[0])
		}
		out[i] = p
	}
	// The influencers the config lists as VIPs live where their followers are.
	for _, p := range out {
		switch p.base {
		case "caffeine_kai":
			p.chans = []string{"x", "bluesky"}
		case "brewwithbea":
			p.chans = []string{"instagram", "x"}
		case "thepourovernerd":
			p.chans = []string{"instagram", "reddit"}
		case "latteartlena":
			p.chans = []string{"instagram", "mastodon"}
		}
	}
	return out
}

// firstName is how people are greeted and how they sign.
func (p *person) firstName() string {
	f := strings.Fields(p.name)
	for _, w := range f {
		if !strings.ContainsAny(w, "🌿☕") {
			return w
		}
	}
	return p.name
}

// carrier is the courier that delivers to the person's city.
func (p *person) carrier() string {
	for _, pl := range places {
		if pl.city == p.city {
			return pl.carrier
		}
	}
	return "DHL"
}

// mastodonServers are where the cast's Mastodon accounts live.
var mastodonServers = []string{"mastodon.social", "hachyderm.io", "fosstodon.org", "mstdn.jp", "chaos.social", "mas.to"}

// author is how the channel names the person: its own id scheme, handle and name. On
// Instagram the id is the Instagram-scoped id (IGSID) and the handle the username,
// without an @, as Graph gives them; on Facebook a page-scoped id (PSID) and a name; on
// WhatsApp the number (wa_id) and the profile name.
func (p *person) author(channel string) inbox.Author {
	i := uint64(p.idx)
	h := mix(i + 1)
	switch channel {
	case "x":
		return inbox.Author{ID: fmt.Sprint(1_200_000_000_000_000_000 + h%600_000_000_000_000_000), Handle: "@" + p.base, Name: p.name}
	case "instagram":
		return inbox.Author{ID: igsid(h), Handle: p.base, Name: p.name}
	case "facebook":
		return inbox.Author{ID: psid(h), Name: p.name}
	case "whatsapp":
		return inbox.Author{ID: p.phone(), Name: p.name}
	case "reddit":
		return inbox.Author{ID: "t2_" + base36(h%78_364_164_096), Handle: "u/" + p.base}
	case "mastodon":
		server := mastodonServers[i%uint64(len(mastodonServers))]
		return inbox.Author{ID: fmt.Sprintf("1093%014d", h%1e14), Handle: "@" + p.base + "@" + server, Name: p.name}
	case "bluesky":
		return inbox.Author{ID: "did:plc:" + base32(h, 24), Handle: "@" + strings.ReplaceAll(p.base, "_", "-") + ".bsky.social", Name: p.name}
	case "youtube":
		return youtubeAuthor(h, p.base)
	case "telegram":
		return telegramAuthor(h, p.base, p.name)
	case "googleplay", "appstore":
		// The stores name a reviewer by the review alone: reviewAuthor sets it per review.
		return inbox.Author{Name: p.name}
	}
	addr := strings.ReplaceAll(p.base, "_", ".") + "@" + p.domain
	return inbox.Author{ID: addr, Handle: addr, Name: p.name}
}

// spammer is an account that only ever sells followers or coins.
type spammer struct{ handle, name string }

var spammers = []spammer{
	{"growthguru_88", "Growth Guru"}, {"crypto.kingz.official", "CryptoKingz 👑"}, {"insta_boost_pro", "Boost Pro"},
	{"brand.collab.hub", "Collab Hub"}, {"winner_notice_2026", "Prize Team"}, {"followers4less", "Followers 4 Less"},
	{"meta.support.team.help", "Support Team"}, {"passive_income_jay", "Jay | Passive Income"},
}

func (s spammer) author(channel string, i int) inbox.Author {
	h := mix(uint64(1000 + i))
	switch channel {
	case "x":
		return inbox.Author{ID: fmt.Sprint(1_800_000_000_000_000_000 + h%100_000_000_000_000_000), Handle: "@" + s.handle, Name: s.name}
	case "facebook":
		return inbox.Author{ID: psid(h), Name: s.name}
	case "reddit":
		return inbox.Author{ID: "t2_" + base36(h%78_364_164_096), Handle: "u/" + strings.ReplaceAll(s.handle, ".", "_")}
	case "mastodon":
		return inbox.Author{ID: fmt.Sprintf("1124%014d", h%1e14), Handle: "@" + strings.ReplaceAll(s.handle, ".", "_") + "@mas.to", Name: s.name}
	case "bluesky":
		return inbox.Author{ID: "did:plc:" + base32(h, 24), Handle: "@" + strings.ReplaceAll(s.handle, "_", "-") + ".bsky.social", Name: s.name}
	case "email":
		addr := strings.ReplaceAll(s.handle, "_", ".") + "@promo-mail.example"
		return inbox.Author{ID: addr, Handle: addr, Name: s.name}
	case "youtube":
		return youtubeAuthor(h, strings.ReplaceAll(s.handle, "_", "-"))
	case "telegram":
		return telegramAuthor(h, s.handle, s.name)
	}
	return inbox.Author{ID: igsid(h), Handle: s.handle, Name: s.name}
}

// igsid is an Instagram-scoped user id: 16 digits, never the 1784… of a business account.
func igsid(h uint64) string { return fmt.Sprint(5_000_000_000_000_000 + h%4_000_000_000_000_000) }

// psid is a page-scoped user id: 16 digits.
func psid(h uint64) string { return fmt.Sprint(2_000_000_000_000_000 + h%7_000_000_000_000_000) }

// waPrefixes are the numbers of each city's mobile phones, with the digits that follow.
// Where a country keeps numbers for drama (UK, North America, Australia) the demo uses
// them, so no real person's number turns up.
var waPrefixes = map[string]struct {
	prefix string
	digits int
}{
	"Lisbon": {"3519", 8}, "Porto": {"3519", 8}, "Leeds": {"447700900", 3}, "Glasgow": {"447700900", 3},
	"Austin": {"1512555", 4}, "Portland": {"1503555", 4}, "Toronto": {"1416555", 4}, "Melbourne": {"614915700", 2},
	"Osaka": {"8190", 8}, "Lyon": {"336", 8}, "Berlin": {"49151", 8}, "Madrid": {"346", 8},
	"Nairobi": {"2547", 8}, "Utrecht": {"316", 8}, "Dublin": {"35387", 7}, "Seoul": {"8210", 8},
}

// phone is the person's WhatsApp number as WhatsApp writes it (wa_id): country code and
// number, digits only.
func (p *person) phone() string {
	w, ok := waPrefixes[p.city]
	if !ok {
		w = waPrefixes["Lisbon"]
	}
	n := mix(uint64(p.idx) + 7777)
	if w.prefix[0] == '1' && w.digits == 4 {
		return w.prefix + fmt.Sprintf("01%02d", n%100) // 555-0100 to 555-0199
	}
	mod := uint64(1)
	for range w.digits {
		mod *= 10
	}
	return w.prefix + fmt.Sprintf("%0*d", w.digits, n%mod)
}

// onWhatsApp says whether the person writes to the shop on WhatsApp rather than in an
// Instagram or Facebook DM: a few regulars in places where WhatsApp is how people talk.
func (p *person) onWhatsApp() bool {
	switch p.city {
	case "Lisbon", "Porto", "Madrid", "Nairobi", "Berlin", "Utrecht":
		return p.idx%3 != 0
	}
	return false
}

// mix is splitmix64's finalizer: fixed ids that look random and never collide.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func base36(v uint64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 36 {
		b = append([]byte{digits[v%36]}, b...)
	}
	return string(b)
}

// base32 writes n characters of the sortable base32 alphabet Bluesky uses for ids.
func base32(v uint64, n int) string {
	const digits = "234567abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		if i%12 == 0 && i > 0 {
			v = mix(v)
		}
		b[i] = digits[v%32]
		v /= 32
	}
	return string(b)
}
