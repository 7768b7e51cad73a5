package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ward/internal/store"
)

// TestFailedLoginsBehindOneProxyLockOutNobodyElse is issue 20 finding 7:
// 20 failed logins from one address locked out everyone behind the same
// proxy for 15 minutes. Now a browser that logged in to its account
// before (a device cookie) is counted on its own, and behind a trusted
// proxy each client is its X-Forwarded-For address; the guesser stays
// blocked.
func TestFailedLoginsBehindOneProxyLockOutNobodyElse(t *testing.T) {
	t.Parallel()
	clk := newClock()
	// The test client connects from 127.0.0.1: that is the office proxy.
	e := newEnv(t, Config{Now: clk.Now, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	u := e.users[store.RoleEditor]
	login := func(c *http.Client, from, email, password string) response {
		t.Helper()
		get, _ := http.NewRequest("GET", e.srv.URL+"/login", nil)
		if from != "" {
			get.Header.Set("X-Forwarded-For", from)
		}
		tok := formToken(t, e.send(c, get).Body)
		form := url.Values{"csrf": {tok}, "email": {email}, "password": {password}}
		req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		return e.send(c, req)
	}
	// Dana's browser logged in yesterday through the proxy, without a
	// forwarded address (the proxy's own), and kept its device cookie.
	dana := e.client()
	if r := login(dana, "", u.Email, u.Password); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login: %d", r.StatusCode)
	}
	device := e.client()
	base, _ := url.Parse(e.srv.URL + "/login")
	for _, c := range dana.Jar.Cookies(base) {
		if c.Name == deviceCookie { // the device cookie, not the session
			device.Jar.SetCookies(base, []*http.Cookie{c})
		}
	}
	if len(device.Jar.Cookies(base)) != 1 {
		t.Fatal("no device cookie after a login")
	}

	// A guesser behind the same proxy (arriving without a forwarded
	// address: the proxy's own) fails 20 times on as many accounts.
	for i := range 20 {
		if r := login(e.client(), "", "guess"+strconv.Itoa(i)+"@alpha.example", "Winter2027!"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	// The address is blocked for a browser it does not know...
	v := e.users[store.RoleViewer]
	if r := login(e.client(), "", v.Email, v.Password); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a new browser behind the blocked address: %d, want 429", r.StatusCode)
	}
	// ...but Dana's usual browser still gets in: its own counter.
	if r := login(device, "", u.Email, u.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the device that logged in before, behind the same address: %d, want 303", r.StatusCode)
	}
	// A colleague whose address the trusted proxy forwards: their own.
	if r := login(e.client(), "203.0.113.7", v.Email, v.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("another client behind the trusted proxy: %d, want 303", r.StatusCode)
	}
	// A guesser whose address the proxy forwards is blocked there alone.
	for i := range 20 {
		login(e.client(), "203.0.113.66", "more"+strconv.Itoa(i)+"@alpha.example", "Winter2027!")
	}
	a := e.users[store.RoleAdmin]
	if r := login(e.client(), "203.0.113.66", a.Email, a.Password); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the guesser's forwarded address after 20 failures: %d, want 429", r.StatusCode)
	}
	if r := login(e.client(), "203.0.113.8", a.Email, a.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a third client behind the proxy: %d, want 303", r.StatusCode)
	}
}
