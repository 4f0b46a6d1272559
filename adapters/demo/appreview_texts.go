package demo

// The reviews of Kettlebird Brew, the shop's app, and the team's replies to them. Low
// ratings are about crashes, sync, signing in, Bluetooth and billing, mostly since 3.1.0;
// three stars are mixed; four and five are praise. Replies stay well under Play's 350
// characters, since the same words go to either store.

// appText is one review: the stars, Apple's title and the text, the team's answer to it
// ("" for a general one by its stars), and what the author changed it to after the
// answer ("" when they leave it as it is), with the new title and stars.
type appText struct {
	stars       int
	title, body string
	answer      string
	update      string
	upTitle     string
	upStars     int
}

// The app's reviews carry no tag of their own: the channel says they are reviews of the
// app, and the "app trouble" rule tags the crashes, sign-outs and sync trouble app-bug.
var appTroubleTopic = &topic{
	name: "app-trouble", weight: 7, escalate: "bug", products: []string{"Robin scale", "Heron kettle"},
}

var appPraiseTopic = &topic{
	name: "app-praise", weight: 4, products: []string{"Robin scale", "Heron kettle"},
}

// appTexts are the reviews in English, by topic.
var appTexts = map[string][]appText{
	"app-trouble": {
		{stars: 1, title: "Crashes on the brew timer", body: "Since the last update the app crashes every time I start the brew timer. Reinstalled twice, same thing. The one feature I use.",
			answer: "Sorry, {name}! That crash came with 3.1.0 and 3.1.1 fixes it; it's rolling out now. If the timer still crashes after you update, write to app@kettlebird.example and we'll dig in with you. ^{agent}",
			update: "Update: 3.1.1 fixed it, timer works again. Thanks for the quick reply.", upTitle: "Fixed in 3.1.1", upStars: 4},
		{stars: 1, title: "Keeps logging me out", body: "Every single time I open it I have to sign in again and wait for the code email. Makes it useless first thing in the morning.",
			answer: "Sorry about the sign-outs, {name}. 3.1.1 keeps you signed in; update and it should stop. Still happening after that? Email app@kettlebird.example and we'll look at your account. ^{agent}",
			update: "Edit: updated and it remembers me now. Much better.", upTitle: "Sign-in fixed", upStars: 4},
		{stars: 1, title: "All my recipes are gone", body: "Lost every recipe I saved after the update. Sync says up to date but the list is empty. Two years of tweaking, gone.",
			answer: "So sorry, {name}, your recipes are safe on our side. Update to 3.1.1 and pull down on the recipe list to sync; they'll come back. If they don't, email app@kettlebird.example. ^{agent}",
			update: "Update: they're all back after the update and a sync. Phew. Thanks for answering so fast.", upTitle: "Recipes back!", upStars: 5},
		{stars: 1, title: "Charged twice", body: "The app charged my card twice for the Flock subscription and there's no way to contact anyone from inside it.",
			answer: "Sorry, {name}! A double charge needs our billing team: email app@kettlebird.example with the date of the charges and they'll put it right today. ^{agent}"},
		{stars: 2, title: "Scale won't pair anymore", body: "The Robin scale used to connect instantly. Since the update it finds it, then drops it after a few seconds. Pretty pointless without it.",
			answer: "Sorry, {name}! 3.1.0 broke pairing on some phones, and 3.1.1 fixes it. After updating, forget the scale in Bluetooth settings and pair again from the app. ^{agent}",
			update: "Edit: re-paired after the update and it holds the connection now. Back to weighing my pours.", upTitle: "Pairs again", upStars: 4},
		{stars: 2, title: "Slow and buggy lately", body: "Used to be great. Now it takes ages to open, the scale disconnects mid-brew and the recipes load twice.",
			update: "Better since 3.1.1: the scale stays connected. Still slow to open some mornings.", upTitle: "Better, not perfect", upStars: 3},
		{stars: 2, title: "Notifications", body: "Turned off offer notifications and the update turned them back on. Twice now. Please respect the setting.",
			answer: "You're right, {name}, and sorry. The update reset that setting by mistake; 3.1.1 keeps your choice. ^{agent}",
			update: "Edit: after 3.1.1 the setting sticks. Thanks for owning it.", upTitle: "Sorted", upStars: 4},
		{stars: 3, title: "Good, but the timer stops", body: "Nice recipes and the pour guide is clever, but the timer stops when the screen locks. Makes it hard to use with wet hands."},
		{stars: 3, title: "Why an account?", body: "Decent app. I don't see why I need an account just to use the timer and the recipes, though."},
		{stars: 3, title: "Needs a dark mode", body: "Does the job. A dark mode would be nice, the white screen at 6am is brutal."},
	},
	"app-praise": {
		{stars: 5, title: "Brilliant with the Robin scale", body: "The pour-over guide with the Robin scale is brilliant. My V60 has never been this consistent."},
		{stars: 5, title: "Love it", body: "Reordering beans takes two taps and the brew log is so useful. Best coffee app I've used."},
		{stars: 5, title: "Kettle control is a game changer", body: "Setting the Heron kettle's temperature from my phone is a game changer. Recipes are lovely too."},
		{stars: 4, title: "Nearly perfect", body: "Really handy with the scale. Would be five stars if it remembered my grind setting per bean."},
		{stars: 4, title: "Great recipes", body: "Great recipes and the timer is spot on. The odd sync hiccup between phone and tablet."},
		{stars: 5, title: "Simple and pretty", body: "Clean design, no clutter, does exactly what I need every morning. Thank you!"},
	},
}

// appIntl are reviews in the reviewer's own language.
var appIntl = map[string]map[string][]appText{
	"es": {
		"app-trouble": {{stars: 1, title: "Se cierra sola", body: "Desde la última actualización la app se cierra cada vez que abro el temporizador.",
			answer: "¡Lo sentimos, {name}! Es un fallo de la 3.1.0; la 3.1.1 lo corrige y ya se está publicando. ^{agent}",
			update: "Actualizo: con la 3.1.1 funciona de nuevo. Gracias por responder tan rápido.", upTitle: "Arreglado", upStars: 4}},
		"app-praise": {{stars: 5, title: "Genial", body: "Las recetas son geniales y con la báscula Robin todo es más fácil.",
			answer: "¡Muchas gracias, {name}! Disfruta cada taza ☕ ^{agent}"}},
	},
	"fr": {
		"app-trouble": {{stars: 2, title: "Synchronisation", body: "Mes recettes se dupliquent entre mon téléphone et ma tablette. Agaçant.",
			answer: "Désolés, {name} ! C'est un bug de la 3.1.0, corrigé dans la 3.1.1 en cours de déploiement. ^{agent}"}},
		"app-praise": {{stars: 5, title: "Parfait", body: "Le minuteur et les recettes sont parfaits. Merci Kettlebird !",
			answer: "Merci beaucoup, {name} ! Bonne dégustation ☕ ^{agent}"}},
	},
	"de": {
		"app-trouble": {{stars: 1, title: "Ständig abgemeldet", body: "Seit dem Update muss ich mich bei jedem Öffnen neu anmelden. So nicht nutzbar.",
			answer: "Sorry, {name}! Das kam mit 3.1.0; 3.1.1 behebt es und wird gerade verteilt. ^{agent}",
			update: "Nachtrag: Mit 3.1.1 bleibe ich angemeldet. Danke!", upTitle: "Behoben", upStars: 4}},
		"app-praise": {{stars: 4, title: "Sehr praktisch", body: "Sehr praktisch mit der Robin-Waage. Ein dunkles Design wäre schön.",
			answer: "Danke, {name}! Ein dunkles Design ist schon in Arbeit ☕ ^{agent}"}},
	},
	"pt": {
		"app-trouble": {{stars: 1, title: "Perdi as receitas", body: "Depois da atualização todas as minhas receitas desapareceram.",
			answer: "Desculpa, {name}! As receitas estão guardadas: atualiza para a 3.1.1 e puxa a lista para sincronizar. ^{agent}",
			update: "Atualização: voltaram todas depois da 3.1.1. Obrigada!", upTitle: "Resolvido", upStars: 5}},
		"app-praise": {{stars: 5, title: "Adoro", body: "A melhor app de café. O guia de pour-over com a balança é fantástico.",
			answer: "Muito obrigada, {name}! Bons cafés ☕ ^{agent}"}},
	},
	"ja": {
		"app-trouble": {{stars: 2, title: "接続が切れる", body: "アップデート後、Robinスケールとの接続がすぐ切れます。",
			answer: "ご不便をおかけしてすみません、{name}さん。3.1.1で修正済みで、現在配信中です。 ^{agent}"}},
		"app-praise": {{stars: 5, title: "最高です", body: "レシピもタイマーも使いやすくて、毎朝のコーヒーが楽しみです。",
			answer: "ありがとうございます、{name}さん！素敵なコーヒータイムを☕ ^{agent}"}},
	},
}

// appReplies answer a review that carries no answer of its own, by its stars.
var appReplies = [5][]string{
	{
		"Sorry, {name}, that's not the app we want you to have. Could you email app@kettlebird.example with your phone model? We'll look into it with you. ^{agent}",
		"Sorry to hear that, {name}. Most problems since 3.1.0 are fixed in 3.1.1, rolling out now. If yours isn't, app@kettlebird.example reaches the app team. ^{agent}",
	},
	{
		"Thanks for telling us, {name}, and sorry. 3.1.1 fixes the slow start and the scale dropping out; it's rolling out now. ^{agent}",
		"Sorry, {name}! We've passed this to the app team. If it keeps happening, app@kettlebird.example reaches them directly. ^{agent}",
	},
	{
		"Thanks for the honest review, {name}! It's on the list for the next version. ^{agent}",
		"Thanks, {name}! Good news: that's what the team is working on right now. ^{agent}",
	},
	{
		"Thanks so much, {name}! Grind memory per bean is coming in the next update 😊 ^{agent}",
		"Thank you, {name}! We've passed the idea on to the app team. ^{agent}",
	},
	{
		"Thank you, {name}! Happy brewing ☕ ^{agent}",
		"This made our day, {name}. Thanks for the lovely review! ^{agent}",
	},
}

// updateReplies thank an author who changed their review after an answer.
var updateReplies = []string{
	"Thanks for updating your review, {name}, and for your patience! ^{agent}",
	"So glad it's working again, {name}. Thanks for coming back to tell us ☕ ^{agent}",
}
