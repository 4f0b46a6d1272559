package echotest

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// Passwords are the passwords the redaction tests try: every character that
// changes in one of the encodings a secret travels in.
var Passwords = []string{
	`pa"ss\word+/=&%é€😀`,
	`a"b"c"d`,
	`back\slash\\`,
	`plus+slash/eq=`,
	`amp&pct%20sp ace`,
	`ünïcødé-pässwörd`,
	`<html>&'tags'`,
}

// Forms returns every form of pw (and the SASL strings with user) that a server might
// echo, by name, written here independently of the redaction it tests.
func Forms(user, pw string) map[string]string {
	b64 := base64.StdEncoding.EncodeToString
	j, _ := json.Marshal(pw)
	var ascii strings.Builder
	for _, r := range string(j[1 : len(j)-1]) {
		if r < 0x80 {
			ascii.WriteRune(r)
		} else {
			ascii.WriteString(mustJSONASCII(r)) // as Python's json.dumps writes it
		}
	}
	return map[string]string{
		"raw":               pw,
		"base64":            b64([]byte(pw)),
		"base64 url":        base64.RawURLEncoding.EncodeToString([]byte(pw)),
		"SASL PLAIN":        b64([]byte("\x00" + user + "\x00" + pw)),
		"SASL PLAIN authz":  b64([]byte(user + "\x00" + user + "\x00" + pw)),
		"basic auth":        b64([]byte(user + ":" + pw)),
		"JSON":              string(j[1 : len(j)-1]),
		"JSON \\/":          strings.ReplaceAll(string(j[1:len(j)-1]), "/", `\/`),
		"JSON ASCII":        ascii.String(),
		"IMAP quoted":       strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(pw),
		"query":             url.QueryEscape(pw),
		"query lower hex":   strings.ToLower(url.QueryEscape(pw)),
		"path":              url.PathEscape(pw),
		"userinfo":          strings.TrimPrefix(url.UserPassword("u", pw).String(), "u:"),
		"JSON of base64 \\": strings.ReplaceAll(b64([]byte("\x00"+user+"\x00"+pw)), "/", `\/`),
	}
}

// mustJSONASCII is r as a \uXXXX escape (a surrogate pair above the BMP).
func mustJSONASCII(r rune) string {
	if r > 0xffff {
		r -= 0x10000
		return `\u` + hex4(0xd800+(r>>10)) + `\u` + hex4(0xdc00+(r&0x3ff))
	}
	return `\u` + hex4(r)
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}

// Leaks returns the names of the forms of each password found in text: empty when none
// of them is there.
func Leaks(text, user string, passwords ...string) []string {
	var found []string
	for _, pw := range passwords {
		for name, form := range Forms(user, pw) {
			if strings.Contains(text, form) {
				found = append(found, name+" of "+strconv.Quote(pw))
			}
		}
	}
	return found
}
