package demo

// The conversations that make a community manager's day: praise, questions, ideas,
// cafés that want to stock the gear, people waiting for a restock.
//
// A template may carry the team's answer to it after "||"; one without an answer gets
// one of its topic's general replies.

var praiseTopic = &topic{
	name: "praise", weight: 26, tag: "praise", products: allGear,
	short: []string{
		"Just unboxed my {product} and wow. The {colour} is even nicer in person 😍",
		"Third week with the {product} and my mornings are officially better ☕✨",
		"Not an ad, I just really love my {product}. Best coffee purchase I've made.",
		"The {product} arrived today, packaging was gorgeous and not a bit of plastic. Thank you! 🙌",
		"Made the best pour-over of my life this morning thanks to the {brewer} 🔥",
		"Gifted my dad a {product} for his birthday and he hasn't stopped texting me photos of his coffee 😂",
		"ok the {product} is a game changer. why did I wait so long",
		"Shout out to whoever answered my DM last week, super helpful and friendly 💛||That was me! So glad it helped, {name} 💛 ^{agent}",
		"Love the new {colour} colourway! Any chance of matching mugs?||Matching Sparrow mugs are on their way in a few weeks, {name} 🤫 ^{agent}",
		"{product} + Sunday morning + rain outside = perfect 🌧️☕",
		"Been using the {product} every day for a year now. Still flawless. Well done Kettlebird",
		"Your coffee guides are so good. Finally dialled in my grind thanks to you 🙏||So glad they helped, {name}! More guides are coming soon ☕ ^{agent}",
		"This is the prettiest {product} I own and I own way too many 😅",
	},
	long: []string{
		"I just wanted to say thank you. I ordered the {product} on a Sunday evening and it was on my doorstep in {city} by Tuesday. It looks beautiful on the counter and the coffee is noticeably better than with my old setup. Lovely little handwritten note in the box too. You've got a customer for life.",
		"Quick note of appreciation: I had a question about the {product} last month and the person who replied was patient, clear and genuinely kind. It's rare these days. The {product} itself is excellent, by the way.||Thank you, {name}! I'll make sure they see this; it'll make their week. ^{agent}",
		"I've been recommending the {product} to everyone at work. Three colleagues have bought one now, so I think you owe me a bag of beans 😄 Seriously though, great product and great service.||Ha! Check your DMs, {name} 😉 Thank you for spreading the word. ^{agent}",
		"Long-time lurker here. Picked up the {product} after reading about it in a few threads and it's been fantastic. Consistent, easy to clean, and it feels like it will last. Happy to answer questions from anyone on the fence.||Thanks for the kind words, {name}, and for helping people here! ^{agent}",
		"My partner surprised me with a {product} in {colour} and I'm honestly delighted. The build quality is wonderful and the little details (that handle!) show someone cared. Thank you for making nice things.",
	},
	review: []string{
		"★★★★★ Beautiful design, works perfectly, arrived fast. The {product} was worth every cent.||Thank you so much, {name}! Enjoy every cup ☕ ^{agent}",
		"★★★★★ Great customer service! They answered my question within an hour and my {product} is fantastic.||Thank you, {name}! We'll pass that on to the team 💛 ^{agent}",
		"★★★★★ Second purchase from Kettlebird and again really happy. Lovely packaging, well made.||Thank you for coming back, {name}! ^{agent}",
		"★★★★☆ Lovely {product}, only wish it came in more colours. Delivery to {city} was quick.||Thank you, {name}! More colours are on the way, promise 🎨 ^{agent}",
		"★★★★★ Recommended by a friend and I can see why. The {product} makes great coffee every time.||Thank you, {name}, and thanks to your friend too! ^{agent}",
		"★★★★★ Friendly team, fair prices and gear that lasts. What more could you want.||That's exactly what we aim for. Thank you, {name}! ^{agent}",
	},
	intl: map[string][]string{
		"es": {"¡Me encanta mi {product}! Llegó rapidísimo a {city} y el café sabe increíble ☕||¡Muchas gracias, {name}! Disfruta cada taza ☕ ^{agent}", "Gracias por el {product}, es precioso y funciona genial.||¡Gracias a ti, {name}! ^{agent}"},
		"fr": {"Je viens de recevoir mon {product}, il est magnifique ! Merci Kettlebird ☕||Merci beaucoup, {name} ! Bonne dégustation ☕ ^{agent}", "Franchement, le {product} est parfait. Merci pour le service !||Merci à vous, {name} ! ^{agent}"},
		"de": {"Mein {product} ist gestern angekommen. Richtig toll verarbeitet, danke!||Danke, {name}! Viel Freude damit ☕ ^{agent}", "Der {product} ist perfekt, sehr zufrieden 👍||Das freut uns sehr, {name}! ^{agent}"},
		"pt": {"Adorei o {product}! Chegou super rápido a {city}. Obrigada! ☕||Muito obrigada, {name}! Bons cafés ☕ ^{agent}", "O {product} é lindo e faz um café excelente. Parabéns!||Obrigada, {name}! ^{agent}"},
		"ja": {"{product}が届きました！デザインも最高で、毎朝のコーヒーが楽しみです☕||ありがとうございます、{name}さん！素敵なコーヒータイムを☕ ^{agent}", "{product}、本当に素晴らしいです。ありがとうございます！||こちらこそ、ありがとうございます！ ^{agent}"},
	},
	follow: []string{
		"Haha you're welcome! Keep up the good work 💛||Will do! Thanks, {name} ☕ ^{agent}",
		"Any chance you'll do a {colour} version of the Sparrow mug? Asking for me.||Not yet, but I've passed it to the product team with your vote! ^{agent}",
		"Will do! Already eyeing the Wren grinder next 👀||Ha, good choice. Enjoy! ^{agent}",
	},
	replies: []string{
		"This made our morning, {name}! Thank you for sharing it ☕ ^{agent}",
		"Thank you, {name}! So happy the {product} found a good home 💛 ^{agent}",
		"Love this! Enjoy every cup, {name} ^{agent}",
		"Thank you for the kind words, {name}. We'll pass them on to the whole team 🙌 ^{agent}",
		"That's the nicest thing to read over our own coffee. Thanks, {name}! ^{agent}",
	},
}

var questionTopic = &topic{
	name: "question", weight: 20, tag: "product-question", products: allGear,
	short: []string{
		"Does the {kettle} work with 110V? Moving to the US next month.||Hi {name}! The Heron comes in a 120V version for the US. Tell us before you order and we'll make sure you get the right one. ^{agent}||Great, I'll message you before I order then.||Perfect, talk soon! ^{agent}",
		"What grind setting on the {wren} do you recommend for a V60?||Great question, {name}. Start around 18 on the Wren and go finer if it tastes thin. ^{agent}||Thanks! Going to try 16 tomorrow then.||Perfect, let us know how it tastes! ^{agent}",
		"Is the {mug} dishwasher safe?||Hi {name}! Yes, on the top rack, though washing it by hand keeps the finish nicer for longer. ^{agent}||Thanks! And is the {colour} one in stock right now?||It is! The {colour} is in stock right now. ^{agent}",
		"How often should I descale the {kettle}? Getting white spots inside.||Every 4–6 weeks, {name}: half water, half vinegar or citric acid, boil, wait 20 min, rinse twice. The spots are just minerals ☕ ^{agent}",
		"Can I buy spare filters for the Kestrel cold brew jar somewhere?||Yes! Spare filters are on the Kestrel page under 'Parts', {name}, in packs of two. ^{agent}",
		"Is the {colour} {product} coming back or is it gone for good?||It's coming back, {name}! The next batch is due in about three weeks. ^{agent}",
		"Quick q: what's the difference between the Wren and the Swift hand grinder, apart from the motor?||Same burrs, {name}, so the cup is very similar. The Wren saves you time and is a touch more consistent for pour-over. ^{agent}",
		"Do you ship to {city}? Couldn't find it at checkout.||We do, {name}! It takes about {days} working days with {carrier}. If checkout won't take your address, message us and I'll sort it. ^{agent}||Tried again and it worked, thanks!||Great, enjoy! ^{agent}",
		"How accurate is the Robin scale? 0.1g or 0.5g?||0.1g up to 2kg, {name}, with a built-in timer. ^{agent}",
		"Does the {mug} keep coffee hot for a full commute (~1h)?||Comfortably, {name}: about 3 hours hot and 6 warm with the lid closed. ^{agent}",
	},
	long: []string{
		"Hi! I'm trying to choose between the Wren grinder and the Swift hand grinder. I mostly make pour-over, sometimes AeroPress, about two cups a day. Is the Wren worth the extra for that, or would the Swift be enough? I don't mind a bit of cranking.||Hi {name}! For two cups a day either is a good choice. The Wren saves you time and is a touch more consistent for pour-over; the Swift makes lovely coffee if you don't mind the cranking. ^{agent}||Great, that helps. And how long is the warranty on the Wren?||Two years, {name}, like everything we sell. ^{agent}",
		"Hello, I bought the {finch} a couple of weeks ago and I'm not sure I'm using it right. The coffee tastes a bit sour. I'm using 15g coffee to 250g water at around 92°C. Any tips on what to change first?||Hi {name}, sour usually means under-extracted: grind a little finer first, then try water just off the boil. Let us know how it goes! ^{agent}||Finer did it, so much sweeter now! Thank you 🙏||Brilliant! Happy brewing, {name} ☕ ^{agent}",
		"Quick question before I order: does the {kettle} have a keep-warm function, and can you set the temperature in single degrees? I brew a lot of green tea so I need around 75°C.||Hi {name}! Yes to both: it holds the temperature for 60 minutes and you can set it from 40 to 100°C in single degrees, so 75°C is no problem. ^{agent}",
		"Hi, I'd like to order the {product} as a gift for someone in {city}. Can you include a gift note and leave out the invoice? And roughly how long does delivery take there?||Of course, {name}! Tick 'gift' at checkout, add your note, and we'll leave out the invoice. Delivery to {city} takes about {days} working days. ^{agent}",
		"I've had my {mug} for about a year and the seal looks a bit worn. Do you sell replacement parts, or should I get in touch some other way?||Hi {name}! Spare seals are on the product page under 'Parts', or send me your order number and I'll post one free under the warranty. ^{agent}",
		"Is there a way to change the delivery address on an order I placed this morning ({order})? I just realised it's going to my old flat.||Hi {name}, caught it in time! I've changed the address on {order}; a new confirmation is on its way by email. ^{agent}",
	},
	intl: map[string][]string{
		"es": {"Hola, ¿hacéis envíos a {city}? ¿Cuánto tarda?||¡Hola {name}! Sí, enviamos a {city} con {carrier}; tarda unos {days} días laborables. ^{agent}"},
		"de": {"Hallo, ist der Sparrow-Becher spülmaschinenfest? Danke!||Hallo {name}! Ja, im oberen Korb. Von Hand gespült bleibt das Finish aber länger schön. ^{agent}"},
		"fr": {"Bonjour, est-ce que vous livrez à {city} ? Merci !||Bonjour {name} ! Oui, nous livrons à {city} en {days} jours ouvrés environ. ^{agent}"},
	},
	replies: []string{
		"Good question, {name}! Let me check with the team and come back to you today. ^{agent}",
	},
}

var featureTopic = &topic{
	name: "feature", weight: 4, tag: "feature-request", products: allGear,
	short: []string{
		"Please make a left-handed version of the Heron spout 🙏",
		"Would love a bigger Kestrel jar, 1L is gone in two days in our house.",
		"Any plans for a Bluetooth app for the Robin scale? Would love to log my brews.",
		"Feature request: a lid for the Finch dripper so it stays warm while blooming.",
		"Can you please do a UK version of the Starling with a UK plug in the box?",
		"Would buy a Sparrow mug in {colour} in a heartbeat. Just saying.",
	},
	long: []string{
		"Big fan of the Robin scale. One suggestion: a timer built into its display would save me juggling my phone while pouring. Lots of us would pay a bit more for it.",
		"I run a small coffee club and we all use your gear. A feature request from the group: interchangeable burr sets for the Wren, so we can switch between espresso and filter without losing our settings.",
	},
	follow: []string{
		"Thanks! Fingers crossed 🤞||Fingers crossed here too! ^{agent}",
		"Amazing, please let me know if it happens!||Will do! ^{agent}",
	},
	replies: []string{
		"Love this idea, {name}. I've added it to the list our product team reads every Friday. ^{agent}",
		"You're not the first to ask, {name}, which is a good sign! I've passed it on with your note. ^{agent}",
		"Noted and passed on, {name}. Thanks for taking the time to tell us. ^{agent}",
	},
}

var wholesaleTopic = &topic{
	name: "wholesale", weight: 3, tag: "wholesale", products: allGear,
	short: []string{
		"Do you do wholesale? We'd love to stock the {product} in our café in {city}.",
		"Hi! Is there a trade account for cafés? Looking at about 20 Finch drippers.",
	},
	long: []string{
		"Hello, I run a specialty café in {city} and we're opening a small retail corner next month. We'd love to carry the {product} and the Sparrow mugs. Do you offer wholesale pricing, and what are your minimum order quantities?",
		"Hi Kettlebird team, we're a roastery in {city} looking for a reseller partnership. Our customers keep asking where they can buy a good grinder. Could you send your wholesale terms and lead times for a bulk order of Wren grinders?",
		"We're opening our second location in {city} and want to use your Heron kettles at the brew bar (about 6 units) plus stock some for retail. Who should I talk to about a trade account?",
	},
	follow: []string{
		"Great, thanks. Roughly what discount should we expect?||They'll cover that in their reply, it depends on volume. Thanks, {name}! ^{agent}",
	},
	replies: []string{
		"Lovely to hear from you, {name}! Our wholesale team looks after cafés and shops: write to wholesale@kettlebird.example and they'll send prices within two working days. ^{agent}||Perfect, I've just emailed them. Thanks!||Great, they'll be in touch soon! ^{agent}",
		"Hi {name}, thanks for thinking of us! I've forwarded this to our wholesale team and they'll be in touch within two working days with prices and minimums. ^{agent}",
	},
}

var stockTopic = &topic{
	name: "stock", weight: 3, tag: "restock", products: []string{"Wren grinder", "Starling espresso machine", "Kestrel cold brew jar", "Sparrow travel mug"},
	short: []string{
		"When is the {product} back in stock?? Been waiting weeks 😩",
		"Any restock date for the {colour} {product}?",
		"Is the {product} sold out everywhere or just in {city}?",
		"Please tell me the {product} is coming back before Christmas 🙏",
		"Set a reminder to check for the {product} every morning lol. Any news?",
	},
	long: []string{
		"Hi, I've been trying to buy the {product} in {colour} for about a month and it always says sold out. Is it being discontinued? If there's a waiting list I'd love to be on it.",
	},
	follow: []string{
		"Signed up, thanks!||Brilliant, you'll hear from us soon! ^{agent}",
		"Two weeks, I can do that. Thank you!||Thanks for your patience, {name}! ^{agent}",
	},
	replies: []string{
		"It's coming back, {name}! The next batch lands in about two weeks. The restock email on the product page will tell you the moment it's live. ^{agent}",
		"Good news, {name}: more are on the way, roughly two weeks. Sign up on the product page and you'll hear first. ^{agent}",
	},
}
