package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestSafeNext: the post-login redirect is a path on this site, parsed
// with url.Parse, or "/". Issue 20 finding 5 was "/\t/evil.example":
// browsers strip the TAB and go to //evil.example.
func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ next, want string }{
		{"/orgs/alpha/audit?page=2", "/orgs/alpha/audit?page=2"},
		{"/orgs/alpha/risks/r-1#history", "/orgs/alpha/risks/r-1#history"},
		{"/orgs/alpha/evidence?q=a%2Fb", "/orgs/alpha/evidence?q=a%2Fb"},
		{"/", "/"},
		{"", "/"},
		{"orgs/alpha", "/"},
		{"//evil.example/", "/"},
		{"///evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5c%5cevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%0d%0aSet-Cookie:x=y", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/ /evil.example", "/ /evil.example"}, // a space is a path character, not a host
		{"/\u2028/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"data:text/html,x", "/"},
		{" /orgs", "/"},
		{"\t//evil.example", "/"},
		{"/login", "/"},
		{"/login?next=//evil.example", "/"},
		{"/%zz", "/"}, // not a URL
		{"/" + string(make([]byte, 3000)), "/"},
	} {
		if got := kit.SafeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// TestLoggedInNextStaysOnSite is finding 5 end to end: a logged-in person
// opening /login?next=/%09/evil.example stays on this site.
func TestLoggedInNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	for _, next := range []string{"/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"} {
		r := e.Get(c, "/login?next="+url.QueryEscape(next))
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d to %q, want 302 to /", next, r.StatusCode, r.Header.Get("Location"))
		}
	}
	r := e.Get(c, "/login?next="+url.QueryEscape("/orgs/"+webtest.SlugA))
	if r.Header.Get("Location") != "/orgs/"+webtest.SlugA {
		t.Errorf("a local next: redirected to %q", r.Header.Get("Location"))
	}
}
