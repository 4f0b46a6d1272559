package demo

// The rare cases that cannot wait, and the junk that should never reach a person.

var legalTopic = &topic{
	name: "legal", weight: 1, escalate: "legal", products: allGear,
	short: []string{
		"This is my last message before I get a lawyer involved. {order}, {days} weeks, no refund, no replies.",
	},
	long: []string{
		"I have now waited {days} weeks for a refund of {price} for order {order}, which you confirmed in writing. If the money is not back on my card within 7 days I will be filing a small claims case and reporting you to Trading Standards.",
		"Your 'lifetime' guarantee on the {product} was refused when the motor failed after 14 months. I have forwarded our correspondence to my solicitor. Please treat this as a formal complaint and send me your complaints procedure.",
	},
	follow: []string{
		"Thank you. I'll wait for their email.||Thank you, {name}. I'll keep an eye on it too. ^{agent}",
		"I've received the email, thank you for escalating it properly.||Thank you for your patience, {name}. ^{agent}",
	},
	replies: []string{
		"I'm sorry it has come to this, {name}. I've passed your case to our customer care lead with the full history, and they'll contact you by email today. ^{agent}",
		"Hi {name}, thank you for your patience. I've escalated this to our customer care team as a formal complaint, and they will write to you within one working day. ^{agent}",
	},
}

var safetyTopic = &topic{
	name: "safety", weight: 1, escalate: "safety", products: heaters,
	short: []string{
		"My {product} sparked when I plugged it in and now the socket smells of burning. Is this a known issue??",
		"The handle on my {product} melted a little while boiling. Bit scary tbh. Photos in DM.",
	},
	long: []string{
		"Hello, this morning my {product} made a popping sound and there was smoke coming from the base. I unplugged it straight away and nobody was hurt, but I'm not going to use it again. Order {order}. Please advise, I have a small child at home.",
		"The lid of my {product} came off while pouring and I scalded my hand. It's not serious but it could have been. I don't think the latch is holding properly.",
	},
	follow: []string{
		"Ok, I've unplugged it and put it away. Waiting for the email.||Thank you, {name}. They'll arrange a collection and a replacement. ^{agent}",
		"Thank you for taking it seriously.||Of course. Thank you for telling us, {name}. ^{agent}",
	},
	replies: []string{
		"I'm so sorry, {name}, and I'm glad you're alright. Please don't use it again. I've sent this straight to our safety team and they'll contact you today. ^{agent}",
		"Thank you for telling us, {name}. Please stop using it for now. Our safety team has your case and will be in touch within a few hours. ^{agent}",
	},
}

// spamTopic is junk. Most of it carries a config spam word and lands in spam on
// ingest; the rest slipped past the words and an agent marks it by hand.
var spamTopic = &topic{
	name: "spam", weight: 6, products: allGear,
	short: []string{
		"Get 5000 free followers today!! Visit our page 🚀🚀",
		"🎉 CRYPTO GIVEAWAY 🎉 send 0.1 ETH receive 1 ETH back, limited time",
		"Boost your page with real engagement, DM us for packages 💯",
		"Want guaranteed returns? Passive income from home, 10% daily. Link in bio",
		"Hey! We'd love to promote your brand to our 200k audience. DM for rates ✨",
		"Cheap followers, fast delivery, no password needed 👉 check bio",
		"Your page will be disabled in 24h. Verify your account at the link below to keep it.",
		"Exclusive investment opportunity in green coffee futures, 40% returns guaranteed",
	},
}

// sneakySpam is junk that carries no configured spam word: it lands in the queue and an
// agent marks it as spam by hand.
var sneakySpam = []string{
	"Hi dear, I am looking for a serious relationship, please check my profile 😘",
	"Congratulations!! You have been selected as our weekly winner, claim your prize within 48 hours",
	"nice post! check out my page for the best deals on phone cases 📱📱",
}
