package synth

// Names as people show them, with an ASCII form for handles. Latin names are combined
// given × family; the others are whole.
var (
	latinGiven = [][2]string{{"Maya", "maya"}, {"Jonas", "jonas"}, {"Lucía", "lucia"}, {"Tom", "tom"}, {"Chloé", "chloe"},
		{"Priya", "priya"}, {"Noah", "noah"}, {"Emma", "emma"}, {"Mateus", "mateus"}, {"Zoë", "zoe"}, {"Kwame", "kwame"},
		{"Fatima", "fatima"}, {"Liam", "liam"}, {"Sofia", "sofia"}, {"Oskar", "oskar"}, {"Amara", "amara"}}
	latinFamily = [][2]string{{"Patel", "patel"}, {"Becker", "becker"}, {"Fernández", "fernandez"}, {"O'Brien", "obrien"},
		{"Martin", "martin"}, {"Nair", "nair"}, {"Williams", "williams"}, {"Johansson", "johansson"}, {"Silva", "silva"},
		{"de Vries", "devries"}, {"Mensah", "mensah"}, {"Nowak", "nowak"}, {"Rossi", "rossi"}, {"Okafor", "okafor"}}
	otherNames = [][2]string{{"佐藤 健", "ken_sato"}, {"田中 愛子", "aiko.t"}, {"Олена Шевченко", "olena_sh"},
		{"Дмитрий Иванов", "dima_iv"}, {"محمد علي", "m_ali"}, {"김민지", "minji.kim"}, {"王芳", "wangfang"}, {"Ελένη Παππά", "eleni_p"}}
	mailDomains = []string{"mailbox.example", "inbox.example", "post.example", "webmail.example"}
	products    = []string{"grinder", "gooseneck kettle", "pour-over set", "espresso machine", "scale", "travel mug", "milk frother"}
	cities      = []string{"Lisbon", "Toronto", "Osaka", "Berlin", "Austin", "Leeds", "Madrid", "Seoul", "Nairobi", "Melbourne"}
)

// comments are public comments and mentions: short, often with emoji.
var comments = []string{
	"Where is my order {order}? It's been {n} days 😤",
	"Love the new {product}, best purchase this year ❤️",
	"My {product} arrived broken. I want a refund.",
	"Do you ship to {city}?",
	"The app keeps crashing at checkout, please fix",
	"Still waiting for an answer, this is getting ridiculous",
	"Thanks for the quick help yesterday! 🙏",
	"is the {product} back in stock anytime soon?",
	"ok but why is shipping to {city} €{n}.99 now",
	"{product} + oat milk = perfect morning ☕✨",
	"Your customer service is a joke. Order {order}, nobody answers.",
	"🔥🔥🔥",
	"Just unboxed my {product} 😍 the packaging is gorgeous",
	"コーヒーミルはいつ再入荷しますか？",
	"¿Tienen tienda física en {city}?",
	"Заказ {order} до сих пор не пришёл. Что случилось?",
	"هل يتوفر الشحن إلى {city}؟",
	"배송이 너무 늦어요 😢 주문번호 {order}",
}

// dms are private messages: a little longer, with an order number.
var dms = []string{
	"Hi! I ordered a {product} and tracking hasn't moved in {n} days. Order {order}, can you check?",
	"Hey, I got charged twice for order {order}. Can you refund one of them please? Thanks",
	"Hi there, can I change my delivery address to {city}? I'm moving this week and the order ({order}) hasn't shipped yet.",
	"Your {product} is leaking from the bottom after two weeks of use. Is that covered by the warranty?",
	"hola! quería saber si el {product} tiene garantía en España 🙂",
}

// followUps come after a first message nobody answered yet.
var followUps = []string{"Hello??", "Any update on this?", "@acme please answer", "It's been {n} days.",
	"Never mind, found it 👍", "Adding a photo of the damage", "???", "Can someone help me please"}

// reviews are Facebook recommendations, with their stars.
var reviews = []string{
	"★★★★★ Beautiful {product}, arrived in {n} days to {city} and works perfectly. Customer service answered all my questions before I bought. Would buy again.",
	"★☆☆☆☆ Ordered a {product} for my partner's birthday. It arrived late and with a dent in the side. Three emails later I'm still waiting for a replacement. Very disappointed.",
	"★★★☆☆ The {product} itself is great but shipping took almost {n} weeks and nobody answered my messages in between.",
	"★★★★☆ Good quality, a bit pricey. The instructions could be clearer about descaling.",
}

var greetings = []string{"Hello,", "Hi there,", "Dear Acme team,", "Good morning,", "Hi,"}
var signOffs = []string{"Best regards,", "Thanks,", "Kind regards,", "Cheers,", "Many thanks in advance,"}

// emailBodies are the heart of a first email: a paragraph or two.
var emailBodies = []string{
	"I ordered a {product} (order {order}) and paid for express delivery. The tracking page has said \"label created\" for {n} days now and the courier tells me they never received the parcel. Could you please look into this and let me know when I can expect it? If it is lost, I would prefer a refund rather than a replacement.",
	"The {product} I received last week stopped working this morning. It powers on, the light blinks twice and then nothing happens. I have tried a different socket and followed the reset steps in the manual.\n\nI still have the box and the receipt. What are my options under the warranty?",
	"We run a small café in {city} and are interested in ordering {n}0 units of the {product} for our shop. Do you offer wholesale prices or a trade account? We would also need VAT invoices for every delivery.",
	"I was charged twice for order {order}. My bank statement shows two identical payments on the same day. Please refund the duplicate charge to the original card.",
	"I would like to return the {product}. It is unused and still in its original packaging. Could you send me a return label? My order number is {order}.",
	"Bonjour, j'ai commandé un {product} il y a {n} jours et je n'ai toujours rien reçu. Pourriez-vous vérifier le statut de ma commande {order} ? Merci d'avance.",
	"Sehr geehrte Damen und Herren, leider ist mein {product} beschädigt angekommen. Im Anhang finden Sie Fotos. Bitte senden Sie mir einen Ersatz an meine Adresse in {city}.",
	"お世話になっております。注文番号{order}の商品がまだ届いておりません。配送状況を確認していただけますでしょうか。よろしくお願いいたします。",
}

var emailExtras = []string{
	"To be honest this is the second time this has happened, and I have recommended you to several friends, so I was surprised.",
	"I have attached photos of the box and the receipt.",
	"I am away for {n} days from Friday, so please do not send anything before then.",
	"Please reply by email; I don't use social media.",
}

var emailFollowUps = []string{
	"I'm writing again about my message below: I still have not heard back. Could someone please reply?",
	"Just following up on this. Order {order} is still missing and I need it by the weekend.",
	"Sorry, I forgot to add: the order number is {order}.",
}

// replies are the team's answers on social channels, signed with an initial.
var replies = []string{
	"Hi {first}, sorry about the wait! I've looked into order {order} and sent you the details by DM.",
	"Thanks so much {first}! We'll pass this on to the team ☕",
	"Hi {first}, that's not the experience we want you to have. Could you DM us your order number so we can sort it out?",
	"Yes, we ship to {city}! Delivery usually takes 3–5 working days.",
	"Hi {first}, a replacement is on its way; you'll get a tracking link by email today. Sorry for the trouble!",
	"The {product} is back in stock next week 🙌 Turn on notifications on the product page and you'll be the first to know.",
}

var reviewReplies = []string{
	"Thank you for taking the time to review us, {first}. We're so glad the {product} made it safely to {city}!",
	"{first}, we're sorry to read this. We've sent you a private message to put it right today.",
}

var emailReplies = []string{
	"Hello {first},\n\nThank you for getting in touch, and I'm sorry for the trouble with your order. I have checked with our warehouse: order {order} left us on time but was held at the courier's depot. They have now released it, and you should receive it within {n} working days. I have refunded the express shipping to your card.",
	"Hello {first},\n\nI'm sorry to hear the {product} stopped working. It is covered by our two-year warranty, so I have arranged a replacement; a prepaid label to send back the faulty one is attached.",
	"Hello {first},\n\nThank you for your interest in stocking our products in {city}! I have passed your details to our wholesale team, who will send you our trade price list this week.",
}
