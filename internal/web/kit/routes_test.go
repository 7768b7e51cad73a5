package kit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ward/internal/audit"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/public"
	"ward/internal/web/webtest"
)

// wantHeaders are on every response, whoever asks for whatever.
var wantHeaders = map[string]string{
	"Content-Security-Policy":    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
	"X-Content-Type-Options":     "nosniff",
	"Referrer-Policy":            "no-referrer",
	"X-Frame-Options":            "DENY",
	"Cross-Origin-Opener-Policy": "same-origin",
}

func checkHeaders(t *testing.T, what string, r webtest.Response) {
	t.Helper()
	for k, v := range wantHeaders {
		if k == "Content-Security-Policy" && webtest.IsTrustPath(r.Request.URL.Path) {
			// The public trust center has its own, stricter policy.
			v = public.TrustCSP
		}
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", what, k, got, v)
		}
	}
}

// Values for path wildcards other than {org}; a route whose wildcard is
// not listed gets "sample", and may answer its own 404 (not the
// organization's).
var sampleValues = map[string]string{"file": "ward.css"}

func fillPattern(pattern, org string) (path string, otherWildcards bool) {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	path = webtest.Wildcard.ReplaceAllStringFunc(pattern, func(w string) string {
		name := webtest.Wildcard.FindStringSubmatch(w)[1]
		if name == "org" {
			return org
		}
		otherWildcards = true
		if v, ok := sampleValues[name]; ok {
			return v
		}
		return "sample"
	})
	return path, otherWildcards
}

// rank is the role order the brief sets, written out here independently
// of the implementation: viewer < auditor < editor < admin.
func rank(role string) int { return slices.Index(store.Roles, role) }

type outcome string

const (
	allowed   outcome = "allowed"
	mustLogIn outcome = "log in"
	forbidden outcome = "403"
	notFound  outcome = "404"
)

// adminSomewhere are the AnyUser routes that also need the caller to be
// an admin of some organization (neworg.go: adding an organization); the
// walk's callers belong to alpha only, with their role there.
var adminSomewhere = map[string]bool{"/organizations/new": true, "/api/v1/organizations": true}

// expected derives what a caller gets from the route's declaration only.
func expected(rt kit.Route, callerRole string, sameOrg bool) outcome {
	switch {
	case rt.Role == kit.Public:
		return allowed
	case callerRole == "":
		return mustLogIn
	case rt.Role == kit.AnyUser && adminSomewhere[rt.Pattern] && callerRole != store.RoleAdmin:
		return forbidden
	case rt.Role == kit.AnyUser:
		return allowed
	case !sameOrg:
		return notFound
	case rank(callerRole) >= rank(rt.Role):
		return allowed
	}
	return forbidden
}

// TestRouteRoleOrganization walks every registered route for anonymous
// callers and for each role in alpha, against alpha, against bravo (which
// exists but they do not belong to) and against an organization that does
// not exist, and checks the answer against the route's declared role.
func TestRouteRoleOrganization(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	routes := kit.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	callers := append([]string{""}, store.Roles...)
	for _, rt := range routes {
		orgs := []string{webtest.SlugA}
		if rt.HasOrg() {
			orgs = []string{webtest.SlugA, webtest.SlugB, "no-such-org"}
		}
		for _, callerRole := range callers {
			for _, slug := range orgs {
				who := callerRole
				if who == "" {
					who = "anonymous"
				}
				name := fmt.Sprintf("%s %s as %s in %s", rt.Method, rt.Pattern, who, slug)
				t.Run(name, func(t *testing.T) {
					path, otherWildcards := fillPattern(rt.Pattern, slug)
					var cookie, csrf string
					if callerRole != "" {
						cookie, csrf = e.Session(e.Users[callerRole].User)
					}
					var body io.Reader
					if kit.IsMutating(rt.Method) {
						form := url.Values{}
						if csrf != "" {
							form.Set("csrf", csrf)
						}
						body = strings.NewReader(form.Encode())
					}
					req, _ := http.NewRequest(rt.Method, e.HTTP.URL+path, body)
					if body != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					if cookie != "" {
						req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
					}
					before := orgHead(t, e)
					r := e.Send(e.Client(), req)
					if !kit.IsMutating(rt.Method) {
						// A GET reuses the audit head read with the session as
						// the key of what it keeps (kit/pagecache.go), so it
						// must not write to the organization's trail itself.
						if after := orgHead(t, e); after != before {
							t.Errorf("%s moved %s's audit head from %v to %v: a GET wrote to the organization", rt.Method, webtest.SlugA, before, after)
						}
					}
					checkHeaders(t, name, r)
					want := expected(rt, callerRole, slug == webtest.SlugA)
					checkOutcome(t, rt, r, want, otherWildcards)
					if callerRole != "" && !strings.HasPrefix(rt.Pattern, "/static/") && rt.Pattern != "/favicon.ico" && !webtest.IsTrustPath(rt.Pattern) && r.Header.Get("Cache-Control") != "no-store" {
						t.Errorf("Cache-Control = %q on an authenticated response, want no-store", r.Header.Get("Cache-Control"))
					}
				})
			}
		}
	}
}

func checkOutcome(t *testing.T, rt kit.Route, r webtest.Response, want outcome, otherWildcards bool) {
	t.Helper()
	got := r.StatusCode
	switch want {
	case mustLogIn:
		if rt.IsAPI() {
			if got != http.StatusUnauthorized || !strings.Contains(r.Body, `"error"`) {
				t.Errorf("status %d body %q, want 401 with a JSON error", got, r.Body)
			}
		} else if got != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("status %d Location %q, want 302 to /login", got, r.Header.Get("Location"))
		}
	case forbidden:
		if got != http.StatusForbidden {
			t.Errorf("status %d, want 403 (role too weak)", got)
		}
	case notFound:
		if got != http.StatusNotFound || !strings.Contains(r.Body, kit.MsgNoOrg) {
			t.Errorf("status %d, want 404 %q for an organization the caller does not belong to", got, kit.MsgNoOrg)
		}
	case allowed:
		switch {
		case got == http.StatusUnauthorized || got == http.StatusForbidden || got >= 500:
			t.Errorf("status %d, want the route served: %.300s", got, r.Body)
		case got == http.StatusNotFound && (!otherWildcards || strings.Contains(r.Body, kit.MsgNoOrg)):
			t.Errorf("status 404, want the route served: %.300s", r.Body)
		case got == http.StatusFound && strings.HasPrefix(r.Header.Get("Location"), "/login") && rt.Role != kit.Public:
			t.Errorf("redirected to the login although logged in")
		}
	}
}

// TestRegisteredRoutesAreValid fails when a page author declares a route
// the server would refuse to serve.
func TestRegisteredRoutesAreValid(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, rt := range kit.Routes() {
		if p := rt.Problem(); p != "" {
			t.Errorf("%s %s: %s", rt.Method, rt.Pattern, p)
		}
		k := rt.Method + " " + rt.Pattern
		if seen[k] {
			t.Errorf("%s registered twice", k)
		}
		seen[k] = true
	}
}

// TestDenyByDefault: a route with no role, an unknown role, or a role that
// does not fit its path or method is never served, to anyone.
func TestDenyByDefault(t *testing.T) {
	t.Parallel()
	called := false
	h := func(s *kit.Server, w http.ResponseWriter, r *http.Request) {
		called = true
		w.Write([]byte("served"))
	}
	bad := []kit.Route{
		{Method: "GET", Pattern: "/orgs/{org}/undeclared", Handler: h},
		{Method: "GET", Pattern: "/undeclared", Handler: h},
		{Method: "GET", Pattern: "/api/v1/orgs/{org}/undeclared", Handler: h},
		{Method: "GET", Pattern: "/orgs/{org}/superuser", Role: "superuser", Handler: h},
		{Method: "GET", Pattern: "/orgs/{org}/public", Role: kit.Public, Handler: h},
		{Method: "GET", Pattern: "/orgs/{org}/anyone", Role: kit.AnyUser, Handler: h},
		{Method: "GET", Pattern: "/orgless", Role: store.RoleViewer, Handler: h},
		{Method: "POST", Pattern: "/orgs/{org}/viewer-writes", Role: store.RoleViewer, Handler: h},
		{Method: "DELETE", Pattern: "/orgs/{org}/auditor-deletes", Role: store.RoleAuditor, Handler: h},
		{Method: "", Pattern: "/orgs/{org}/any-method", Role: store.RoleAdmin, Handler: h},
		{Method: "GET", Pattern: "/orgs/{org}/no-handler", Role: store.RoleAdmin},
		{Method: "GET", Pattern: "/anonymous-user", Role: kit.AnyUser, Anonymous: true, Handler: h},
	}
	e := webtest.NewEnv(t, kit.Config{})
	srv := kit.NewServer(e.Store, kit.Config{}, append(kit.Routes(), bad...))
	for _, rt := range bad {
		if rt.Problem() == "" {
			t.Errorf("%s %s with role %q: Problem() = \"\", want a reason", rt.Method, rt.Pattern, rt.Role)
		}
		method := rt.Method
		if method == "" {
			method = "GET"
		}
		path, _ := fillPattern(rt.Pattern, webtest.SlugA)
		for _, who := range []string{"", store.RoleAdmin} {
			called = false
			req := httptest.NewRequest(method, path, nil)
			if who != "" {
				cookie, csrf := e.Session(e.Users[who].User)
				req = httptest.NewRequest(method, path, strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
				req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if called {
				t.Errorf("%s %s (role %q) served to %q", method, rt.Pattern, rt.Role, who)
			}
			if w.Code != http.StatusInternalServerError {
				t.Errorf("%s %s (role %q) as %q: status %d, want 500 (misconfigured)", method, rt.Pattern, rt.Role, who, w.Code)
			}
		}
	}
}

// orgHead is alpha's audit head.
func orgHead(t *testing.T, e *webtest.TestEnv) audit.Head {
	t.Helper()
	h, err := e.Store.Org(e.OrgA).AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}
