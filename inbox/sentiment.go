package inbox

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The thresholds that split scores into negative, neutral and positive, for stats
// and for the sentiment:neg and sentiment:pos queries.
const (
	NegativeThreshold = -0.05 // a Score at or below this is negative
	PositiveThreshold = 0.05  // a Score at or above this is positive
)

// SentimentConfig extends the built-in lexicon from config:
//
//	[sentiment.words]
//	"meh" = -1
//	"rip-off" = -3
//	"🙄" = -1.5
//
// A key may be a word, a phrase of a few words, an emoji or an emoticon; a weight
// of 0 makes a built-in entry neutral.
type SentimentConfig struct {
	Words map[string]float64 `toml:"words"`
}

// Sentiment scores the mood of a message from a lexicon of weighted words and
// emoji, with negation, intensifiers and contrast ("but") taken into account.
// It is a fast heuristic meant to sort a queue, not a classifier. A nil
// *Sentiment scores with the built-in lexicon.
type Sentiment struct {
	words     map[string]float64
	maxPhrase int // longest entry in words, so lookups try no longer phrases
}

// NewSentiment returns a scorer with the built-in lexicon, overridden and
// extended by c.Words (keys are matched the way message text is read, so
// case, hyphens and spacing do not matter).
func NewSentiment(c SentimentConfig) *Sentiment {
	s := &Sentiment{words: make(map[string]float64, len(sentimentLexicon)+len(c.Words))}
	for k, w := range sentimentLexicon {
		s.add(sentimentKey(k), w)
	}
	for k, w := range c.Words {
		s.add(sentimentKey(k), w)
	}
	return s
}

func (s *Sentiment) add(key string, w float64) {
	if key == "" {
		return
	}
	s.words[key] = w
	if n := strings.Count(key, " ") + 1; n > s.maxPhrase {
		s.maxPhrase = n
	}
}

// sentimentKey reads a config key with the same tokenizer as messages, so that
// "Rip-Off" in config matches "rip off" in a message.
func sentimentKey(k string) string {
	toks := sentimentTokens(k)
	if len(toks) == 1 && toks[0].kind == sentSymbol {
		return toks[0].text
	}
	var words []string
	for _, t := range toks {
		if t.kind == sentWord {
			words = append(words, t.text)
		}
	}
	return strings.Join(words, " ")
}

var defaultSentiment = NewSentiment(SentimentConfig{})

// The shape of the scoring, after VADER (Hutto & Gilbert, 2014): a negated word
// is flipped and dampened rather than mirrored, since "not good" is milder than
// "bad"; the sum is squashed by x/sqrt(x²+α) so one strong word does not
// saturate the scale but several do.
const (
	sentNegate      = -0.74 // factor on a negated word
	sentNegatedNeed = -1.5  // weight of a neutral "expectation" word when negated: "never arrived"
	sentNegScope    = 3     // words a negator reaches
	sentBoostScope  = 2     // words an intensifier reaches
	sentCaps        = 1.25  // factor on an ALL-CAPS word in mixed-case text
	sentBang        = 0.25  // added per "!" (up to 4) in the direction of the sum
	sentBangMax     = 4
	sentBefore      = 0.5 // factor before a contrast word: "great product but awful support"
	sentAfter       = 1.5 // and after it
	sentAlpha       = 15.0
)

// Score rates text from -1 (very negative) to 1 (very positive); neutral or empty
// text scores 0.
func (s *Sentiment) Score(text string) float64 {
	if s == nil {
		s = defaultSentiment
	}
	toks := sentimentTokens(text)
	mixedCase := strings.ContainsFunc(text, unicode.IsLower)

	var (
		vals      []float64
		butAt     = -1 // index in vals where the first contrast word fell
		negLeft   int
		boostLeft int
		boost     float64
		bangs     int
	)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case sentBoundary:
			negLeft, boostLeft = 0, 0
			bangs += strings.Count(t.text, "!")
			continue
		case sentSymbol:
			if w := s.words[t.text]; w != 0 {
				vals = append(vals, w)
			}
			continue
		}
		// A phrase is tried first so that config can weigh "not bad" as a whole.
		w, n, ok := s.phrase(toks, i)
		if !ok {
			form := sentimentForm(t.text)
			switch {
			case sentimentNegator(form):
				negLeft = sentNegScope + 1 // +1: this word counts down too
			case sentimentBoosters[form] != 0:
				boost, boostLeft = sentimentBoosters[form], sentBoostScope+1
			case sentimentContrast[form]:
				if butAt < 0 {
					butAt = len(vals)
				}
				negLeft = 0
			default:
				w, ok = s.word(t.text)
				if !ok && negLeft > 0 && sentimentNeeds[form] {
					w, ok = sentNegatedNeed/sentNegate, true // flipped below
				}
			}
		}
		if ok && w != 0 {
			if t.caps && mixedCase {
				w *= sentCaps
			}
			if boostLeft > 0 {
				w *= boost
			}
			if negLeft > 0 {
				w *= sentNegate
			}
			vals = append(vals, w)
		}
		// Every word of a phrase spends the scope of negators and boosters.
		negLeft -= n
		boostLeft -= n
		i += n - 1
	}

	sum := 0.0
	for i, v := range vals {
		switch {
		case butAt < 0:
		case i < butAt:
			v *= sentBefore
		default:
			v *= sentAfter
		}
		sum += v
	}
	if sum == 0 {
		return 0
	}
	sum += math.Copysign(sentBang*float64(min(bangs, sentBangMax)), sum)
	return sum / math.Sqrt(sum*sum+sentAlpha)
}

// phrase finds the longest entry of two words or more starting at toks[i].
func (s *Sentiment) phrase(toks []sentToken, i int) (w float64, n int, ok bool) {
	for n = min(s.maxPhrase, len(toks)-i); n > 1; n-- {
		parts := make([]string, 0, n)
		for _, t := range toks[i : i+n] {
			if t.kind != sentWord {
				break
			}
			parts = append(parts, t.text)
		}
		if len(parts) == n {
			if w, ok = s.words[strings.Join(parts, " ")]; ok {
				return w, n, true
			}
		}
	}
	return 0, 1, false
}

// word looks a word up as written, then with elongations shortened: "goood"
// reads "good", "loooove" reads "love".
func (s *Sentiment) word(word string) (float64, bool) {
	if w, ok := s.words[word]; ok {
		return w, true
	}
	for _, keep := range []int{2, 1} {
		if short := sentimentSqueeze(word, keep); short != word {
			if w, ok := s.words[short]; ok {
				return w, true
			}
		}
	}
	return 0, false
}

// sentimentForm returns the form of a word under which it is a negator, booster,
// contrast or need word, trying elongations shortened ("sooo", "nooo").
func sentimentForm(word string) string {
	known := func(w string) bool {
		return sentimentNegator(w) || sentimentBoosters[w] != 0 || sentimentContrast[w] || sentimentNeeds[w]
	}
	if known(word) {
		return word
	}
	for _, keep := range []int{2, 1} {
		if short := sentimentSqueeze(word, keep); known(short) {
			return short
		}
	}
	return word
}

// sentimentSqueeze shortens every run of three or more equal runes to keep runes.
func sentimentSqueeze(word string, keep int) string {
	rs := []rune(word)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = keep
		}
		for range n {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

type sentTokenKind int

const (
	sentWord     sentTokenKind = iota
	sentSymbol                 // an emoji or emoticon
	sentBoundary               // a clause break (. , ; : ? !), which ends negation
)

type sentToken struct {
	kind sentTokenKind
	text string // lowercased
	caps bool   // the word was written in capitals (two letters or more)
}

// URLs and handles carry no mood of their own ("@happycustomer", ".../bad-request")
// and are dropped before reading.
var sentimentNoise = regexp.MustCompile(`(?i)\bhttps?://\S+|\bwww\.\S+|@[\p{L}\p{N}_.@-]+`)

// curlyApostrophes reads typographic apostrophes as the ASCII one. Made once: a
// Replacer builds its lookup on first use, which was a fifth of scoring a message.
var curlyApostrophes = strings.NewReplacer("’", "'", "‘", "'")

// sentimentTokens splits text into lowercased words, emoji/emoticons and clause
// boundaries. Apostrophes stay inside words ("isn't"); French elisions are
// dropped ("j'adore" reads "adore").
func sentimentTokens(text string) []sentToken {
	text = sentimentNoise.ReplaceAllString(text, " ")
	text = curlyApostrophes.Replace(text)
	var toks []sentToken
	for _, field := range strings.Fields(text) {
		if emo := strings.ToLower(strings.TrimRight(field, ".,!?")); sentimentEmoticons[emo] {
			toks = append(toks, sentToken{kind: sentSymbol, text: emo})
			if rest := field[len(emo):]; rest != "" {
				toks = append(toks, sentToken{kind: sentBoundary, text: rest})
			}
			continue
		}
		toks = sentimentFieldTokens(toks, field)
	}
	return toks
}

func sentimentFieldTokens(toks []sentToken, field string) []sentToken {
	start := -1 // byte offset of the word being read
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, sentimentWordToken(field[start:end]))
			start = -1
		}
	}
	for i, r := range field {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || start >= 0 && isSentimentMark(r):
			if start < 0 {
				start = i
			}
		case r == '\'' && start >= 0 && i+1 < len(field) && unicode.IsLetter(sentimentRuneAt(field, i+1)):
			// inside a word: isn't, j'adore
		default:
			flush(i)
			switch {
			case strings.ContainsRune(".,;:?!", r):
				toks = append(toks, sentToken{kind: sentBoundary, text: string(r)})
			case unicode.Is(unicode.So, r):
				toks = append(toks, sentToken{kind: sentSymbol, text: string(r)})
			}
		}
	}
	flush(len(field))
	return toks
}

func sentimentRuneAt(s string, i int) rune {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// isSentimentMark reports combining accents, which belong to the word before
// them; variation selectors (the U+FE0F of "❤️") belong to emoji and are skipped.
func isSentimentMark(r rune) bool {
	return unicode.IsMark(r) && !unicode.Is(unicode.Variation_Selector, r)
}

func sentimentWordToken(word string) sentToken {
	letters, upper := 0, 0
	for _, r := range word {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	lower := strings.ToLower(word)
	if i := strings.IndexByte(lower, '\''); i > 0 && sentimentElisions[lower[:i]] {
		lower = lower[i+1:]
	}
	return sentToken{kind: sentWord, text: lower, caps: letters >= 2 && upper == letters}
}

// French elided articles and pronouns, dropped from the front of a word. "n'" is
// dropped too: French negation is carried by the "pas"/"jamais" that follows.
var sentimentElisions = map[string]bool{
	"l": true, "d": true, "j": true, "c": true, "n": true, "s": true, "m": true, "t": true, "qu": true,
}

func sentimentNegator(w string) bool {
	return sentimentNegators[w] || strings.HasSuffix(w, "n't")
}

// Negators flip the next few words: "not good", "never received", "no help".
var sentimentNegators = map[string]bool{
	// English, including apostrophe-less forms common in posts
	"not": true, "no": true, "never": true, "none": true, "nobody": true, "nothing": true,
	"neither": true, "nor": true, "cannot": true, "without": true, "aint": true,
	"dont": true, "doesnt": true, "didnt": true, "isnt": true, "wasnt": true, "arent": true,
	"werent": true, "cant": true, "couldnt": true, "wouldnt": true, "shouldnt": true,
	"wont": true, "havent": true, "hasnt": true, "hadnt": true,
	// Spanish
	"nunca": true, "jamás": true, "jamas": true, "ni": true, "sin": true, "nada": true,
	"nadie": true, "tampoco": true,
	// French
	"pas": true, "jamais": true, "rien": true, "sans": true, "aucun": true, "aucune": true,
	// German
	"nicht": true, "kein": true, "keine": true, "keinen": true, "keinem": true, "keiner": true,
	"keines": true, "nie": true, "niemals": true, "nichts": true, "niemand": true, "ohne": true,
}

// Needs are neutral words for what a customer expected. Alone they say nothing
// ("my order arrived"), negated they are a complaint ("never arrived", "no reply").
var sentimentNeeds = map[string]bool{
	"arrive": true, "arrived": true, "receive": true, "received": true, "came": true,
	"come": true, "got": true, "get": true, "delivered": true, "shipped": true,
	"work": true, "working": true, "respond": true, "responded": true, "response": true,
	"reply": true, "replied": true, "answer": true, "answered": true, "heard": true,
	"help": true, "helping": true, "refund": true, "refunded": true, "update": true,
	"updates": true, "tracking": true, "sense": true, "luck": true, "contact": true,
	"ayuda": true, "llegó": true, "llego": true, "recibido": true, "respuesta": true, "funciona": true,
	"reçu": true, "recu": true, "arrivé": true, "réponse": true, "marche": true, "fonctionne": true,
	"angekommen": true, "erhalten": true, "antwort": true, "hilfe": true, "funktioniert": true,
}

// Boosters scale the next word or two: "very good", "so slow"; dampeners shrink it.
var sentimentBoosters = map[string]float64{
	"very": 1.3, "so": 1.3, "really": 1.3, "extremely": 1.5, "super": 1.3, "totally": 1.3,
	"absolutely": 1.4, "incredibly": 1.4, "completely": 1.4, "utterly": 1.5, "truly": 1.3,
	"highly": 1.3, "hugely": 1.3, "most": 1.2, "too": 1.2, "beyond": 1.3,
	"muy": 1.3, "tan": 1.3, "realmente": 1.3, "súper": 1.3, "bastante": 1.2,
	"très": 1.3, "trop": 1.3, "vraiment": 1.3, "tellement": 1.4, "hyper": 1.3,
	"sehr": 1.3, "wirklich": 1.3, "echt": 1.3, "total": 1.3, "extrem": 1.5, "mega": 1.3,
	"slightly": 0.6, "somewhat": 0.7, "kinda": 0.7, "sorta": 0.7, "fairly": 0.8,
	"barely": 0.5, "etwas": 0.7, "poco": 0.6,
}

// Contrast words shift weight to the clause after them.
var sentimentContrast = map[string]bool{"but": true, "however": true, "pero": true, "mais": true, "aber": true}

// Emoticons are read whole from a space-separated field.
var sentimentEmoticons = map[string]bool{
	":)": true, ":-)": true, ":d": true, ":-d": true, ";)": true, ";-)": true, "<3": true, "xd": true,
	":(": true, ":-(": true, ":'(": true, ":/": true, ":-/": true, ">:(": true, "</3": true, ":|": true,
}

// sentimentLexicon is the built-in lexicon, weights in [-3, 3], written for
// customer messages: delivery, support and product words weigh more here than
// in a general-purpose list. Emoji are keyed without their variation selector.
var sentimentLexicon = map[string]float64{
	// English, positive
	"love": 3, "loved": 3, "loves": 3, "loving": 2.5, "lovely": 2.5, "adore": 3,
	"amazing": 3, "awesome": 3, "excellent": 3, "fantastic": 3, "wonderful": 3,
	"perfect": 3, "brilliant": 3, "outstanding": 3, "superb": 3, "stellar": 3,
	"flawless": 3, "incredible": 2.5, "great": 2.5, "good": 2, "nice": 2, "best": 3,
	"better": 1.5, "fine": 0.8, "ok": 0.5, "okay": 0.5, "cool": 1.5, "beautiful": 2.5,
	"happy": 2.5, "glad": 2, "pleased": 2, "delighted": 3, "thrilled": 3, "excited": 2.5,
	"satisfied": 2, "impressed": 2.5, "impressive": 2.5, "enjoy": 2, "enjoyed": 2,
	"fun": 2, "yay": 2, "wow": 1.5, "lol": 1, "haha": 1.5, "favorite": 2, "favourite": 2,
	"thanks": 2, "thank": 2, "thx": 2, "ty": 1.5, "cheers": 1.5, "grateful": 2.5,
	"appreciate": 2, "appreciated": 2, "kudos": 2.5, "bravo": 2.5, "congrats": 2.5,
	"congratulations": 2.5, "legend": 2, "helpful": 2, "helped": 1.5, "friendly": 2,
	"polite": 1.5, "patient": 1.5, "professional": 1.5, "reliable": 2, "fast": 1,
	"quick": 1, "quickly": 1, "easy": 1.5, "smooth": 1.5, "recommend": 2,
	"recommended": 2, "worth": 1.5, "fixed": 1.5, "resolved": 2, "solved": 2,
	"works": 1, "worked": 1.5, "win": 1.5, "welcome": 1.5, "fair": 1,
	"well done": 2.5, "top notch": 3, "spot on": 2, "on time": 1, "no problem": 1.5,
	"no worries": 1.5,

	// English, negative
	"hate": -3, "hated": -3, "hates": -3, "awful": -3, "terrible": -3, "horrible": -3,
	"worst": -3, "bad": -2.5, "worse": -2.5, "poor": -2, "useless": -2.5,
	"unusable": -3, "broken": -2, "broke": -1.5, "damaged": -2, "defective": -2.5,
	"faulty": -2, "wrong": -1.5, "incorrect": -1.5, "mistake": -1.5, "missing": -1.5,
	"lost": -1.5, "late": -1.5, "delayed": -1.5, "delay": -1, "slow": -1.5,
	"stuck": -1.5, "angry": -2.5, "furious": -3, "mad": -2, "annoyed": -2,
	"annoying": -2, "frustrated": -2.5, "frustrating": -2.5, "disappointed": -2.5,
	"disappointing": -2.5, "disappointment": -2.5, "disappoints": -2, "upset": -2,
	"sad": -2, "unhappy": -2.5, "ridiculous": -2.5, "unacceptable": -3,
	"pathetic": -3, "joke": -1.5, "scam": -3, "scammed": -3, "fraud": -3,
	"ripoff": -3, "rip off": -3, "ripped off": -3, "cheated": -3, "lie": -2,
	"lied": -2.5, "lies": -2, "liar": -3, "stole": -3, "stolen": -2.5, "rude": -2.5,
	"waste": -2.5, "wasted": -2.5, "garbage": -3, "trash": -3, "crap": -2.5,
	"shit": -2.5, "sucks": -2.5, "suck": -2.5, "wtf": -2.5, "ugh": -2, "fail": -2,
	"failed": -2, "fails": -2, "failure": -2.5, "problem": -1.5, "problems": -1.5,
	"issue": -1, "issues": -1, "error": -1.5, "bug": -1.5, "buggy": -2, "crash": -2,
	"crashed": -2, "crashes": -2, "complaint": -1.5, "complain": -1.5,
	"worried": -1.5, "worry": -1.5, "worries": -1.5, "confused": -1.5,
	"confusing": -1.5, "ignored": -2.5, "ignoring": -2.5, "unresponsive": -2.5,
	"incompetent": -3, "nightmare": -3, "disaster": -3, "disgusting": -3,
	"disgusted": -3, "shame": -2, "shameful": -2.5, "embarrassing": -2,
	"hopeless": -2.5, "overcharged": -2.5, "overpriced": -2, "expensive": -1,
	"dirty": -2, "mess": -2, "dangerous": -2.5, "unsafe": -2.5, "hurt": -2,
	"painful": -2, "avoid": -2, "beware": -2.5, "sorry": -0.5, "unfortunately": -1,
	"sadly": -1.5, "still waiting": -1.5, "fed up": -2.5,

	// Spanish
	"gracias": 2, "excelente": 3, "bueno": 2, "buena": 2, "genial": 3, "encanta": 3,
	"perfecto": 3, "feliz": 2.5, "increíble": 2.5, "increible": 2.5, "amable": 2,
	"rápido": 1, "rapido": 1, "malo": -2.5, "mala": -2.5, "pésimo": -3, "pesimo": -3,
	"fatal": -2.5, "odio": -3, "estafa": -3, "roto": -2, "rota": -2, "problema": -1.5,
	"enojado": -2.5, "decepcionado": -2.5, "lento": -1.5, "basura": -3, "mierda": -3,
	"vergüenza": -2.5,

	// French
	"merci": 2, "génial": 3, "parfait": 3, "bon": 2, "bonne": 2, "bien": 1.5,
	"aime": 2, "ravi": 3, "ravie": 3, "magnifique": 3, "formidable": 3,
	"nul": -2.5, "nulle": -2.5, "mauvais": -2.5, "mauvaise": -2.5, "déçu": -2.5,
	"déçue": -2.5, "decu": -2.5, "arnaque": -3, "cassé": -2, "lent": -1.5,
	"problème": -1.5, "honte": -2.5, "inadmissible": -3, "inacceptable": -3,
	"merde": -3,

	// German
	"danke": 2, "toll": 2.5, "gut": 2, "großartig": 3, "grossartig": 3, "prima": 2,
	"klasse": 2, "perfekt": 3, "hilfreich": 2, "freundlich": 2, "schnell": 1,
	"zufrieden": 2, "liebe": 2.5, "schlecht": -2.5, "schrecklich": -3,
	"furchtbar": -3, "enttäuscht": -2.5, "enttäuschend": -2.5, "kaputt": -2,
	"defekt": -2.5, "betrug": -3, "ärgerlich": -2, "sauer": -2, "langsam": -1.5,
	"mist": -2, "scheiße": -3, "scheisse": -3, "unverschämt": -3, "unzufrieden": -2.5,

	// Emoji and emoticons
	"😡": -3, "🤬": -3, "😠": -2.5, "👎": -2, "💩": -2.5, "😢": -2, "😭": -2,
	"😞": -2, "😔": -1.5, "😩": -2, "😫": -2, "😤": -2, "🙄": -1.5, "😒": -1.5,
	"😕": -1, "🙁": -1.5, "☹": -2, "😣": -1.5, "😖": -2, "💔": -2.5, "🤮": -3,
	"🤢": -2.5, "😱": -1.5, "😰": -1.5, "😓": -1, "🖕": -3, "🤦": -1.5,
	"❤": 3, "💕": 3, "💖": 3, "💗": 3, "💙": 2.5, "💚": 2.5, "💛": 2.5, "💜": 2.5,
	"🧡": 2.5, "😍": 3, "🥰": 3, "🤩": 3, "🫶": 3, "😘": 2.5, "🙏": 1.5, "👍": 2,
	"👏": 2, "🙌": 2, "🎉": 2.5, "🥳": 2.5, "😊": 2, "🙂": 1, "😀": 2, "😃": 2,
	"😄": 2, "😁": 2, "😆": 1.5, "😂": 1.5, "🤣": 1.5, "😉": 1, "😎": 1.5,
	"🤗": 2, "😇": 1.5, "✨": 1, "🌟": 2, "⭐": 1.5, "💯": 2, "🔥": 1.5, "💪": 1.5,
	"👌": 1.5, "✅": 1,
	":)": 1.5, ":-)": 1.5, ":d": 2, ":-d": 2, ";)": 1, ";-)": 1, "<3": 3, "xd": 1.5,
	":(": -2, ":-(": -2, ":'(": -2, ":/": -1, ":-/": -1, ">:(": -3, "</3": -2.5,
}
