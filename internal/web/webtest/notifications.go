package webtest

import (
	"net/http"
	"strings"

	"ward/internal/store"
	"ward/internal/web/kit"
)

// APIPost is a JSON POST as the user's session, with its CSRF header.
func (e *TestEnv) APIPost(u store.User, path, body string) Response {
	e.T.Helper()
	cookie, csrf := e.Session(u)
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kit.CSRFHeader, csrf)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	return e.Send(e.Client(), req)
}

func (e *TestEnv) APIGet(u store.User, path string) Response {
	e.T.Helper()
	cookie, _ := e.Session(u)
	req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	return e.Send(e.Client(), req)
}
