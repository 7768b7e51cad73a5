package login_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestFailedLoginsBehindOneProxyLockOutNobodyElse is issue 20 finding 7:
// 20 failed logins from one address locked out everyone behind the same
// proxy for 15 minutes. Now a browser that logged in to its account
// before (a device cookie) is counted on its own, and behind a trusted
// proxy each client is its X-Forwarded-For address; the guesser stays
// blocked.
func TestFailedLoginsBehindOneProxyLockOutNobodyElse(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	// The test client connects from 127.0.0.1: that is the office proxy.
	e := webtest.NewEnv(t, kit.Config{Now: clk.Now, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	u := e.Users[store.RoleEditor]
	login := func(c *http.Client, from, email, password string) webtest.Response {
		t.Helper()
		get, _ := http.NewRequest("GET", e.HTTP.URL+"/login", nil)
		if from != "" {
			get.Header.Set("X-Forwarded-For", from)
		}
		tok := webtest.FormToken(t, e.Send(c, get).Body)
		form := url.Values{"csrf": {tok}, "email": {email}, "password": {password}}
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		return e.Send(c, req)
	}
	// Dana's browser logged in yesterday through the proxy, without a
	// forwarded address (the proxy's own), and kept its device cookie.
	dana := e.Client()
	if r := login(dana, "", u.Email, u.Password); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login: %d", r.StatusCode)
	}
	device := e.Client()
	base, _ := url.Parse(e.HTTP.URL + "/login")
	for _, c := range dana.Jar.Cookies(base) {
		if c.Name == kit.DeviceCookie { // the device cookie, not the session
			device.Jar.SetCookies(base, []*http.Cookie{c})
		}
	}
	if len(device.Jar.Cookies(base)) != 1 {
		t.Fatal("no device cookie after a login")
	}

	// A guesser behind the same proxy (arriving without a forwarded
	// address: the proxy's own) fails 20 times on as many accounts.
	for i := range 20 {
		if r := login(e.Client(), "", "guess"+strconv.Itoa(i)+"@alpha.example", "Winter2027!"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	// The address is blocked for a browser it does not know...
	v := e.Users[store.RoleViewer]
	if r := login(e.Client(), "", v.Email, v.Password); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a new browser behind the blocked address: %d, want 429", r.StatusCode)
	}
	// ...but Dana's usual browser still gets in: its own counter.
	if r := login(device, "", u.Email, u.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the device that logged in before, behind the same address: %d, want 303", r.StatusCode)
	}
	// A colleague whose address the trusted proxy forwards: their own.
	if r := login(e.Client(), "203.0.113.7", v.Email, v.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("another client behind the trusted proxy: %d, want 303", r.StatusCode)
	}
	// A guesser whose address the proxy forwards is blocked there alone.
	for i := range 20 {
		login(e.Client(), "203.0.113.66", "more"+strconv.Itoa(i)+"@alpha.example", "Winter2027!")
	}
	a := e.Users[store.RoleAdmin]
	if r := login(e.Client(), "203.0.113.66", a.Email, a.Password); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the guesser's forwarded address after 20 failures: %d, want 429", r.StatusCode)
	}
	if r := login(e.Client(), "203.0.113.8", a.Email, a.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a third client behind the proxy: %d, want 303", r.StatusCode)
	}
}
