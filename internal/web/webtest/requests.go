package webtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
)

// multipartBody is an upload form: fields, then files (name -> content).
func multipartBody(t *testing.T, fields map[string]string, files [][2]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *TestEnv) Upload(c *http.Client, path string, fields map[string]string, files [][2]string, header map[string]string) Response {
	e.T.Helper()
	body, ct := multipartBody(e.T, fields, files)
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, body)
	req.Header.Set("Content-Type", ct)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.Send(c, req)
}

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

func (e *TestEnv) PostJSON(c *http.Client, method, path, csrf string, body any) Response {
	e.T.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.HTTP.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kit.CSRFHeader, csrf)
	return e.Send(c, req)
}

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

func SessionCookie(t *testing.T, e *TestEnv, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(e.HTTP.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "ward_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie in the jar")
	return ""
}
