package kit

import (
	"net/http"
	"net/url"
)

// A flash is a one-line confirmation shown on the page a change
// redirects to ("Vendor OpenAI created."): the handler sets it with the
// redirect, the next page rendered shows it once and clears it. It is a
// short-lived cookie scoped to the site, HttpOnly; the layout escapes it
// like any text.
const FlashCookie = "ward_flash"

// maxFlash bounds what a flash carries.
const maxFlash = 300

func SetFlash(w http.ResponseWriter, msg string) {
	if len(msg) > maxFlash {
		msg = msg[:maxFlash]
	}
	http.SetCookie(w, &http.Cookie{Name: FlashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads the pending flash and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(FlashCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: FlashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || len(msg) > maxFlash {
		return ""
	}
	return msg
}
