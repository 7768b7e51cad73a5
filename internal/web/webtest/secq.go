package webtest

import (
	"io"
	"net/http"

	"ward/internal/web/kit"
)

// As sends an API request as u, with a fresh session and its CSRF token.
func (e *TestEnv) As(u TestUser, method, path string, body io.Reader, contentType string) Response {
	e.T.Helper()
	cookie, csrf := e.Session(u.User)
	req, _ := http.NewRequest(method, e.HTTP.URL+path, body)
	req.AddCookie(&http.Cookie{Name: e.Server.CookieName(), Value: cookie})
	req.Header.Set(kit.CSRFHeader, csrf)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.Send(e.Client(), req)
}
