package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/login"
	"ward/internal/web/webtest"
)

// TestPasskeyRelyingParty: the relying party comes from --base-url
// whatever the request says; without it, only a request to localhost
// has one (an IP address cannot be one, and a Host header from anyone
// else is not trusted to name ward).
func TestPasskeyRelyingParty(t *testing.T) {
	for _, c := range []struct {
		base, host   string
		rpID, origin string
	}{
		{"https://ward.example.com", "10.0.0.5:8080", "ward.example.com", "https://ward.example.com"},
		{"https://ward.example.com:8443/", "localhost:8080", "ward.example.com", "https://ward.example.com:8443"},
		{"", "localhost:8080", "localhost", "http://localhost:8080"},
		{"", "localhost", "localhost", "http://localhost"},
		{"", "127.0.0.1:8080", "", ""},
		{"", "[::1]:8080", "", ""},
		{"", "ward.example.com", "", ""},
		{"ftp://ward.example.com", "localhost:8080", "", ""},
	} {
		s := &kit.Server{Config: kit.Config{BaseURL: c.base}}
		r := httptest.NewRequest("GET", "/account/mfa", nil)
		r.Host = c.host
		party, err := login.PasskeyParty(s, r)
		if c.rpID == "" {
			if !errors.Is(err, login.ErrNoParty) {
				t.Errorf("base %q host %q: %v, want errNoParty", c.base, c.host, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("base %q host %q: %v", c.base, c.host, err)
			continue
		}
		if party.Config.RPID != c.rpID || !slices.Equal(party.Config.RPOrigins, []string{c.origin}) {
			t.Errorf("base %q host %q: rp %q origins %v, want %q %q", c.base, c.host, party.Config.RPID, party.Config.RPOrigins, c.rpID, c.origin)
		}
	}
}

// TestPasskeyCeremonyGuards, over HTTP: the registration endpoints need
// the session's CSRF token and a relying party; a challenge belongs to
// the session that began it, is taken once, and expires; an answer that
// is not a passkey's is refused and recorded; the login's endpoints need
// a login under way and the login form's token.
func TestPasskeyCeremonyGuards(t *testing.T) {
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{Now: clk.Now})
	u := e.Users[store.RoleEditor]
	c, csrf := e.Login(u)
	host := strings.Replace(strings.TrimPrefix(e.HTTP.URL, "http://"), "127.0.0.1", "localhost", 1)
	post := func(c *http.Client, path, csrf, body string, localhost bool) webtest.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set(kit.CSRFHeader, csrf)
		}
		if localhost {
			// The client's jar goes by the Host header: hand it the
			// cookies it holds for the loopback address.
			for _, ck := range c.Jar.Cookies(req.URL) {
				req.AddCookie(ck)
			}
			req.Host = host
		}
		return e.Send(c, req)
	}
	begin := func(c *http.Client, csrf string) string {
		t.Helper()
		r := post(c, "/api/v1/account/mfa/passkeys/begin", csrf, "", true)
		var start struct {
			Ceremony  string `json:"ceremony"`
			PublicKey struct {
				Challenge string `json:"challenge"`
				RP        struct {
					ID string `json:"id"`
				} `json:"rp"`
				User struct {
					Name string `json:"name"`
				} `json:"user"`
			} `json:"publicKey"`
		}
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &start) != nil || start.Ceremony == "" || start.PublicKey.Challenge == "" {
			t.Fatalf("begin: %d %s", r.StatusCode, r.Body)
		}
		if start.PublicKey.RP.ID != "localhost" || start.PublicKey.User.Name != u.Email {
			t.Errorf("begin offered rp %q user %q", start.PublicKey.RP.ID, start.PublicKey.User.Name)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("a challenge may be cached: %q", r.Header.Get("Cache-Control"))
		}
		return start.Ceremony
	}
	finish := func(c *http.Client, csrf, ceremony string) webtest.Response {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"ceremony": ceremony, "name": "laptop", "credential": map[string]string{"id": "AAAA", "type": "public-key"}})
		return post(c, "/api/v1/account/mfa/passkeys/finish", csrf, string(body), true)
	}

	if r := post(c, "/api/v1/account/mfa/passkeys/begin", "", "", true); r.StatusCode != http.StatusForbidden {
		t.Errorf("begin without the CSRF token: %d", r.StatusCode)
	}
	if r := post(c, "/api/v1/account/mfa/passkeys/begin", csrf, "", false); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "--base-url") {
		t.Errorf("begin at 127.0.0.1 without --base-url: %d %s", r.StatusCode, r.Body)
	}
	if page := e.Get(c, "/api/v1/account/mfa"); !strings.Contains(page.Body, `"passkey_unavailable"`) || !strings.Contains(page.Body, `"passkey_list": []`) {
		t.Errorf("the account's MFA JSON at 127.0.0.1: %s", page.Body)
	}

	// Not a passkey's answer: refused and on the trail; the challenge is
	// then spent.
	cer := begin(c, csrf)
	if r := finish(c, csrf, cer); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "could not be verified") {
		t.Errorf("a made-up answer: %d %s", r.StatusCode, r.Body)
	}
	if !slices.Contains(trailActions(t, e, u.Email), store.EventPasskeyRefused) {
		t.Error("the refused registration is not on the trail")
	}
	if r := finish(c, csrf, cer); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "used already") {
		t.Errorf("the same challenge again: %d %s", r.StatusCode, r.Body)
	}
	// Another session of the same account cannot finish it.
	cer = begin(c, csrf)
	c2, csrf2 := e.Login(u)
	if r := finish(c2, csrf2, cer); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "another login") {
		t.Errorf("a challenge finished by another session: %d %s", r.StatusCode, r.Body)
	}
	// Nor can anyone after it expired.
	cer = begin(c, csrf)
	clk.Advance(login.PasskeyWindow + time.Minute)
	if r := finish(c, csrf, cer); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "expired") {
		t.Errorf("an expired challenge: %d %s", r.StatusCode, r.Body)
	}
	if keys, _ := e.Store.Passkeys(context.Background(), u.ID); len(keys) != 0 {
		t.Errorf("passkeys kept from refused answers: %+v", keys)
	}

	// The login's endpoints: nothing without a login under way.
	anon := e.Client()
	if r := post(anon, "/login/mfa/passkey/begin", "x", "", true); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "No login is under way") {
		t.Errorf("login begin with no login under way: %d %s", r.StatusCode, r.Body)
	}
	if _, err := e.Store.AddPasskey(context.Background(), u.Email, u.ID, store.Passkey{Name: "key", RPID: "localhost", CredentialID: "a2V5", Credential: []byte(`{"id":"a2V5","publicKey":"AQ=="}`)}); err != nil {
		t.Fatal(err)
	}
	if r := passwordStep(t, e, anon, u); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login/mfa") {
		t.Fatalf("with a passkey, the password leads to %d %q, want the second step", r.StatusCode, r.Header.Get("Location"))
	}
	form := e.Get(anon, "/login/mfa")
	if !strings.Contains(form.Body, `id="passkey-login"`) || !strings.Contains(form.Body, `/static/passkey.js`) {
		t.Errorf("the second step offers no passkey:\n%s", form.Body)
	}
	if r := post(anon, "/login/mfa/passkey/begin", "", "", true); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "expired") {
		t.Errorf("login begin without the form's token: %d %s", r.StatusCode, r.Body)
	}
	r := post(anon, "/login/mfa/passkey/begin", webtest.FormToken(t, form.Body), "", true)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"allowCredentials"`) || !strings.Contains(r.Body, `"a2V5"`) {
		t.Errorf("login begin: %d %s", r.StatusCode, r.Body)
	}
}
