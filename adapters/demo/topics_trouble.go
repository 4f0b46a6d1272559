package demo

// The conversations that need care: late parcels, disappointments, damage, money.

var shippingTopic = &topic{
	name: "shipping", weight: 15, tag: "shipping", products: allGear,
	short: []string{
		"Where is my order? {order}, placed {days} days ago and tracking hasn't moved since Monday.",
		"My parcel has been 'in transit' with {carrier} for {days} days now. Any idea what's going on?",
		"Hi, order {order} hasn't arrived yet and it's been over a week. Can someone check?",
		"Tracking says delivered but there's nothing at my door 😕 {order}||Sorry, {name}! {carrier} sometimes marks parcels a day early. If it's not there by tomorrow evening, we'll send a new one. ^{agent}||It turned up this morning, you were right!||So glad! Enjoy, {name} ☕ ^{agent}",
		"Is anyone else's {product} stuck in customs? Mine's been sitting there for {days} days.||Sorry, {name}! Customs in {city} are slow this month. Send us your order number and we'll send them the paperwork directly. ^{agent}||Order number is {order}.||Thanks, {name}. The paperwork is with customs in {city}; it should be released in a day or two. ^{agent}",
		"Ordered the {product} for a birthday on Saturday, will it arrive in time? {order}||Hi {name}, I've checked {order}: it's due Friday, so you're fine. I've added a gift note too 🎁 ^{agent}",
		"No tracking email yet for {order}, is that normal?||Hi {name}, it shipped this morning; the tracking email sometimes lags a few hours behind. ^{agent}",
		"{carrier} says the address is incomplete but it's the same address I always use 🙄||Sorry, {name}! Send us your full address and I'll update it with {carrier} straight away. ^{agent}||Sent you the full address by DM.||Got it, and updated with {carrier}. It should arrive in 1-2 days. ^{agent}",
	},
	long: []string{
		"Hi, I ordered the {product} (order {order}) {days} days ago and the tracking page hasn't updated since it left your warehouse. The {carrier} site just says 'awaiting information'. Could you check with them? It's a gift, so I'm a bit anxious about the date.",
		"Hello, my order {order} was marked as delivered yesterday afternoon, but I was home all day and nothing came. I've checked with the neighbours and the building's mailroom. What's the next step?||I'm sorry, {name}. I've opened a claim with {carrier}, and rather than make you wait for it, a new parcel goes out today. ^{agent}",
		"Hi there, my parcel is held at customs in {city} and they're asking for an invoice and a fee. I wasn't told about any extra charges when I ordered. Can you send the invoice and explain what the fee is for?||Hi {name}, I've sent the invoice to your email. The fee is local import tax; send us the receipt and we'll cover it. Sorry nobody told you at checkout. ^{agent}",
		"Good morning. Order {order} still hasn't arrived after {days} working days. Your site says 3-5 days to {city}. I'm not angry, just wondering if it's been lost, and whether I should wait a bit longer or if you can resend it.",
	},
	review: []string{
		"★★★☆☆ Good product, but delivery to {city} took {days} days and tracking never updated.||Thanks for the review, {name}, and sorry about the tracking. We're changing couriers for {city} next month. ^{agent}",
		"★★★★☆ Parcel got lost but they sent a new one straight away. Fair service.||Thanks for the fair review, {name}, and sorry about the lost parcel! ^{agent}",
	},
	intl: map[string][]string{
		"es": {"Hola, mi pedido {order} todavía no ha llegado a {city}. ¿Me podéis ayudar? El seguimiento no se actualiza.||Hola {name}, lo siento mucho. He pedido a {carrier} que revise el envío {order} y te escribo en cuanto sepa algo. ^{agent}"},
		"fr": {"Bonjour, ma commande {order} n'est toujours pas arrivée. Le suivi {carrier} ne bouge plus depuis {days} jours.||Bonjour {name}, désolés pour l'attente. J'ai relancé {carrier} pour {order} et je reviens vers vous dès que j'ai des nouvelles. ^{agent}"},
		"de": {"Hallo, meine Bestellung {order} ist noch nicht angekommen. Könnt ihr bitte nachsehen? Danke!||Hallo {name}, das tut mir leid. Ich habe bei {carrier} nachgefragt und melde mich, sobald ich mehr weiß. ^{agent}"},
	},
	follow: []string{
		"Tracking now says out for delivery 🎉||Yay! Enjoy your {product}, {name} ☕ ^{agent}",
		"Still nothing today. Should I wait till Monday?||Let's give it until Monday. If it's not there by then, we'll send a new one. ^{agent}",
		"It just arrived! Sorry for the fuss 🙈||No fuss at all! Enjoy ☕ ^{agent}",
		"Thanks. Any idea why it got stuck?||{carrier} sent it to the wrong depot. It's back on its way now, so 1-2 days. ^{agent}",
	},
	replies: []string{
		"Sorry for the wait, {name}! I've asked {carrier} for an update on {order} and I'll message you as soon as I hear back. ^{agent}",
		"Hi {name}, I've checked {order}: it's with {carrier} in {city} and due tomorrow. Sorry for the wait! ^{agent}",
		"Sorry about this, {name}. If {order} hasn't turned up by Friday we'll send a new one straight away, no need to wait on the courier. ^{agent}||Ok, I'll give it until Friday then.||Thanks, {name}. Fingers crossed it turns up before then! ^{agent}",
	},
}

var complaintTopic = &topic{
	name: "complaint", weight: 10, tag: "feedback", products: allGear,
	short: []string{
		"Honestly disappointed. The {product} looked great online but the finish is already scratched after a week 😞",
		"Your beans arrived stale. Roast date was 6 weeks ago. Not what I pay a subscription for.||Thanks for telling us, {name}. That bag sat too long in our warehouse; fresh ones are on their way, on us. ^{agent}||Thanks, the fresh bag smells amazing.||Glad to hear it, {name}! ^{agent}",
		"Three emails and no reply. This is really frustrating.||You're right to call this out, {name}, and I'm sorry. I've found your emails and I'm on it now; you'll hear from me today. ^{agent}",
		"The lid on my {mug} doesn't sit flat and it drips everywhere. Not impressed.",
		"Why does the {wren} make such a racket? Louder than my old grinder, disappointing for the price.||Sorry it's louder than you hoped, {name}. It's noisiest for the first couple of weeks while the burrs settle; if it still is after that, we'll swap it. ^{agent}||Fair enough, I'll give it a couple of weeks.||Thanks, {name}. Shout if it doesn't settle. ^{agent}",
		"Paid for express shipping, got standard. Annoyed tbh.||Sorry, {name}! That's on us. I've sent the express fee back to your card. ^{agent}",
		"The {kettle} handle gets way too hot. Bad design choice imo 👎||Thanks for the honest feedback, {name}. I've passed it to our product team, and if it's too hot to hold we'll send you the insulated sleeve. ^{agent}",
	},
	long: []string{
		"I'm writing because I'm frustrated. I've emailed twice about my {product} and not heard anything back. The product itself is fine but the silence is not. I've been a customer for two years and this is the first time I've felt ignored.||You're right, {name}, and I'm sorry. I've found your emails and I'm on it now; you'll hear from me today. ^{agent}",
		"I really wanted to love the {wren}, but the grind is gritty and uneven at the finer settings, and it's noticeably worse than the reviews led me to believe. For €189 I expected better. Is this normal or is mine a bad one?||Sorry, {name}, that's not normal. It sounds like the burrs are out of line; I can send a free realignment kit today, or a replacement if you'd rather. ^{agent}",
		"The Flock subscription bags used to be fresh and lovely. The last two deliveries have been flat and stale, and one bag was half the weight it should be. I'd like to know what's changed before my next payment goes out.||Thanks for telling us, {name}. Our roaster changed couriers last month and it has not gone well. Two fresh bags are on their way, on us. ^{agent}",
		"Ordered the {colour} {product} and received matte black instead. I know it's a small thing but it was meant to match my kitchen and now I have to deal with returning it.||I'm sorry, {name}, that's our mistake. The {colour} one ships today, and a prepaid return label for the black one is in your inbox. ^{agent}",
	},
	review: []string{
		"★★☆☆☆ Nice design but the {product} feels cheaper than the price suggests, and it took {days} days to arrive.||Thanks for the honest review, {name}. I'm sorry it didn't feel worth the price; I've sent you a message so we can put it right. ^{agent}",
		"★★☆☆☆ Product is ok, customer service was slow to answer my emails. Expected better.||You're right, {name}, and I'm sorry. I've found your emails and replied just now. ^{agent}",
		"★☆☆☆☆ Wrong colour sent and I had to chase twice for an answer. Disappointed.||I'm sorry, {name}, that's our mistake twice over. The right colour ships today, and I've messaged you a return label. ^{agent}",
	},
	follow: []string{
		"Ok, thanks for actually replying. Photo sent.||Thank you, {name}. A replacement is on its way; here's to it being perfect this time. ^{agent}",
		"Appreciate it. Let's see if the replacement is better.||Fingers crossed! Let us know either way, {name}. ^{agent}",
		"That's fair. Thanks for being straight with me.||Always. Thanks for your patience, {name}. ^{agent}",
		"Fine. But please fix your email replies, it shouldn't take a public post.||Fair point, and I've passed it on to the team. Thanks for your patience, {name}. ^{agent}",
	},
	replies: []string{
		"I'm sorry, {name}, that's not the experience we want you to have. Could you send us a photo and your order number? We'll put it right. ^{agent}",
		"Sorry, {name}. That's not good enough and we'll fix it: send us your order number and a replacement goes out today. ^{agent}",
	},
}

var damagedTopic = &topic{
	name: "damaged", weight: 5, tag: "damaged", escalate: "refund", products: fragile,
	short: []string{
		"My {product} arrived cracked 😭 Box looked fine from the outside. {order}",
		"Opened the parcel and the {product} is broken. Not a great start.",
		"The {device} stopped working after 3 weeks. Just won't turn on.||Sorry, {name}! That's covered by the two-year warranty. I've passed it to our care team and they'll arrange a repair or a swap. ^{agent}",
		"Glass on my {glass} shattered the first time I poured hot water in. Is that normal??||I'm so sorry, {name}. It should handle boiling water, so that's a faulty one. Please don't use it; a replacement goes out today. ^{agent}",
		"Box arrived smashed and the {glass} inside is in pieces. {order}",
	},
	long: []string{
		"Hi, my {product} (order {order}) arrived this morning and the base is cracked right through. The outer box had a big dent in one corner so I think it was dropped in transit. I've kept all the packaging. Can you send a replacement, or a refund if that's easier?",
		"Hello, my {device} stopped working after about a month of light use. The light comes on but nothing happens. I've tried a different socket. It's still under warranty I assume? I'd rather have it fixed than a refund.||Sorry, {name}! Yes, it's under the two-year warranty. Our care team will arrange a collection and a repair, and lend you one in the meantime. ^{agent}",
		"The {glass} I received is defective: there's a hairline crack along the side and it leaks when filled. I bought it as a wedding present, so I'm quite upset. Photos attached.||I'm so sorry, {name}, especially with a wedding present. A new one ships today by express, and there's no need to return the cracked one. ^{agent}",
	},
	review: []string{
		"★☆☆☆☆ Arrived broken, badly packed. Waiting to hear back about a replacement.||I'm so sorry, {name}. I've messaged you, and a replacement goes out today. ^{agent}",
		"★★☆☆☆ The {device} stopped working after a month. Lovely when it worked.||Sorry, {name}! That's covered by the warranty; I've messaged you to arrange a repair. ^{agent}",
	},
	follow: []string{
		"Thank you, that's a relief. Will it come with the same courier?||It will, with tracking, and we've asked them to handle it with care. ^{agent}",
	},
	replies: []string{
		"Oh no, I'm so sorry, {name}. Could you send us a photo and your order number? We'll send a replacement right away. ^{agent}||Photos sent. Order is {order}.||Got them, thank you. A new one ships today; tracking will follow by email. ^{agent}",
		"I'm sorry it arrived like that, {name}. A replacement {product} is on its way today, and there's no need to send the broken one back. ^{agent}||Replacement arrived and it's perfect. Thanks for sorting it so fast!||So glad to hear it! Enjoy, {name} ☕ ^{agent}",
	},
}

var refundTopic = &topic{
	name: "refund", weight: 5, escalate: "refund", products: allGear,
	short: []string{
		"I returned my {product} 3 weeks ago and still no refund. {order}",
		"How long do refunds take? Sent the {product} back on the 2nd.||Hi {name}, refunds go out within 5 working days of the parcel reaching us. Yours arrived yesterday, so expect it this week. ^{agent}",
		"I want my money back. The {product} is nothing like the photos.||I'm sorry it's not what you expected, {name}. Send it back with the free label I've just emailed you and I'll refund you as soon as it's scanned. ^{agent}",
		"Refund for {order} please. Changed my mind, it's unopened.||Of course, {name}. I've emailed you a return label; the refund goes out as soon as it's scanned. ^{agent}||Dropped it off at the post office today.||Thanks, {name}! The refund goes out as soon as it's scanned. ^{agent}",
	},
	long: []string{
		"Hello, I sent back the {product} on the 4th with tracked post and your warehouse signed for it on the 8th. It's now been {days} days and there's no refund on my card. Order {order}. Could you tell me when to expect it?",
		"I'd like a refund for order {order}. The {product} doesn't suit our kitchen and it's unused, still in the box. What's the process? Do I pay for the return?||Hi {name}, returns are free: I've emailed you a label, and the refund goes out as soon as it's scanned. ^{agent}",
		"I was promised a refund by someone on your team over a week ago and nothing has happened. I'm out {price} and getting quite worried. Please can someone look at this today.||I'm sorry, {name}. I've escalated this to our customer care team with everything you've told us, so nobody will ask you to repeat it. ^{agent}",
	},
	follow: []string{
		"Order number is {order}.",
		"It's showing on my card now, thank you!||Wonderful, thanks for letting us know, {name}. ^{agent}",
	},
	replies: []string{
		"Sorry for the wait, {name}. I've found your return and asked our finance team to push it through today; you'll get an email when it's done. ^{agent}||Thanks. Please let me know once it's processed.||Will do. You'll get an email the moment it goes through. ^{agent}",
		"Hi {name}, I'm sorry. I've passed this to our customer care team with everything you've told us, and they'll sort it today. ^{agent}",
	},
}

var cancelTopic = &topic{
	name: "cancel", weight: 4, escalate: "billing", products: subscribed,
	short: []string{
		"How do I cancel my Flock subscription? Can't find it in my account.||Hi {name}! Account → Subscriptions → Manage, then 'Cancel'. Or say the word and I'll do it for you. ^{agent}||Yes please, do it for me.||Done: cancelled, and nothing more will be charged. ^{agent}",
		"Please cancel order {order}, I ordered the wrong colour 🙈||Done, {name}! {order} is cancelled and the money goes back to your card in 3 to 5 working days. Want me to place it again in the right colour? ^{agent}",
		"Cancel my subscription please. Moving abroad.",
		"Trying to cancel for 2 days, the button just spins. Help?||Sorry about the spinning button, {name}, it's a known problem we're fixing. I've cancelled it for you from our side. ^{agent}",
	},
	long: []string{
		"Hi, I'd like to cancel my Flock bean subscription. It's not that anything is wrong, we're just drinking less coffee with a new baby in the house. Can you make sure the next payment doesn't go out on the 1st?||All done, {name}, and congratulations! Nothing more will be charged, so the 1st is safe. ^{agent}",
		"Please cancel order {order} placed an hour ago. I've found the same grinder locally. If it has already shipped, let me know how to return it.||No problem, {name}. It hadn't shipped yet, so it's cancelled and the money goes back to your card in 3 to 5 working days. ^{agent}",
		"I tried to cancel my subscription online last month and was charged again this month anyway. Please cancel it and refund the last payment.||I'm sorry, {name}. I've cancelled it properly this time and sent the last payment back; it'll show in 3 to 5 working days. ^{agent}",
	},
	follow: []string{
		"Thank you! And congrats on the great beans, we'll be back.||We'll be here! Thanks, {name} 💛 ^{agent}",
		"Got the confirmation, thanks.||Perfect. Take care, {name}! ^{agent}",
	},
	replies: []string{
		"All done, {name}: I've cancelled it and nothing more will be charged. If you ever want to come back, we're here. ^{agent}",
	},
}

var billingTopic = &topic{
	name: "billing", weight: 4, tag: "billing", escalate: "billing", products: allGear,
	short: []string{
		"I've been charged twice for {order} 😬||Sorry, {name}! The second payment is a pending hold that usually drops off in a couple of days; if it doesn't, we'll reverse it. ^{agent}||It's gone now, thanks!||Great, thanks for letting us know! ^{agent}",
		"The promo code WELCOME10 didn't apply at checkout, can you fix it?||Hi {name}, I've applied the discount and the difference is on its way back to your card. ^{agent}",
		"Why was I charged {price} when the site said it was on sale?||Sorry, {name}! The sale price didn't carry over to your basket. I've sent the difference back to your card. ^{agent}",
		"Can I get a VAT invoice for my order {order}? Need it for work.||Of course, {name}. Send us the company name and VAT number and I'll email the invoice today. ^{agent}||Sent by DM. Thanks!||The invoice is on its way to your email, {name}. ^{agent}",
	},
	long: []string{
		"Hi, I placed order {order} yesterday and my bank shows two payments of {price}. I only received one confirmation email. Could you check and reverse the duplicate?||Sorry, {name}! The second payment is usually a pending hold that drops off in a couple of days. If it's still there on Friday, we'll reverse it.||Here's a screenshot of the two payments, both say completed.||Thanks, {name}. You're right, that's a real double charge: I've passed it to our billing team and they'll reverse it today. ^{agent}",
		"Hello, I'm buying the {product} for our office and need an invoice with our company name and VAT number on it. Is that something you can add after purchase?||Of course, {name}. Send us the company name and VAT number and I'll email the invoice today. ^{agent}",
		"My Flock subscription charged me for three bags this month instead of two. I haven't changed anything in my account. Could you look into it please?||Sorry, {name}! An extra bag was added by mistake. I've sent that payment back and fixed your plan. ^{agent}",
	},
	follow: []string{
		"Ok thanks, I'll keep an eye on my statement.||Perfect. Shout if anything looks off. ^{agent}",
	},
	replies: []string{
		"Sorry, {name}! I've asked our billing team to look into it, and they'll confirm by email today. ^{agent}",
	},
}

var bugTopic = &topic{
	name: "bug", weight: 3, tag: "bug", escalate: "bug", products: allGear,
	short: []string{
		"Your checkout page keeps throwing an error when I pay with PayPal.",
		"Can't log in to my account, password reset email never comes.",
		"The site won't let me change my delivery address, the save button does nothing.",
		"Website shows the {product} in stock but the cart says unavailable?",
	},
	long: []string{
		"Hi, I've been trying to place an order for about an hour. Every time I get to payment it shows 'Something went wrong (code 502)' and sends me back to the cart. I've tried two browsers and two cards. Is the site having problems?",
		"The subscription page shows my next delivery as 1970-01-01 and won't let me skip a month. Screenshot attached. It's a bit funny but I'd still like to skip.",
	},
	follow: []string{
		"Works now, thanks!||Great! Thanks for your patience, {name}. ^{agent}",
		"Still the same for me, just tried again.||Thanks for trying, {name}. I've added that to the ticket, and I can place the order for you by hand meanwhile. ^{agent}",
		"Tried again on my phone, same error.||Sorry, {name}! I've added that to the ticket. ^{agent}",
	},
	replies: []string{
		"Thanks for flagging this, {name}, and sorry! I've passed it to our web team with your details; I'll let you know when it's fixed. ^{agent}",
		"Sorry, {name}! Our web team is on it now. In the meantime I can place the order for you by hand if you like. ^{agent}",
	},
}
