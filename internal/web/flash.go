package web

import (
	"net/http"
	"net/url"
	"strings"

	"ward/internal/workspace"
)

// A flash is a one-line confirmation shown on the page a change
// redirects to ("Vendor OpenAI created."): the handler sets it with the
// redirect, the next page rendered shows it once and clears it. It is a
// short-lived cookie scoped to the site, HttpOnly; the layout escapes it
// like any text.
const flashCookie = "ward_flash"

// maxFlash bounds what a flash carries.
const maxFlash = 300

func setFlash(w http.ResponseWriter, msg string) {
	if len(msg) > maxFlash {
		msg = msg[:maxFlash]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads the pending flash and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || len(msg) > maxFlash {
		return ""
	}
	return msg
}

// savedMessage confirms a record's create (i < 0) or update.
func savedMessage(k recordKind, ws *workspace.Workspace, i int, rec any) string {
	verb := "saved"
	if i < 0 {
		verb = "created"
	}
	title := k.keyOf(rec)
	tmp := &workspace.Workspace{}
	k.set(tmp, -1, rec)
	if t := k.titleAt(tmp, 0); t != "" {
		title = t
	}
	return capitalize(k.meta().Singular) + " " + title + " " + verb + "."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
