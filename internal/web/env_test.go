package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/workspace"
)

// The tests run the real server over loopback HTTP against a real SQLite
// store in a temporary folder: two organizations, alpha (with one account
// per role, and some records) and bravo (with its own admin).

const (
	slugA = "alpha"
	slugB = "bravo"
)

type testUser struct {
	store.User
	Password string
	Role     string
}

type testEnv struct {
	t     *testing.T
	st    *store.Store
	srv   *httptest.Server
	s     *Server
	orgA  store.Org
	orgB  store.Org
	users map[string]testUser // by role, members of alpha only
	bravo testUser            // admin of bravo only
	now   func() time.Time
}

// cheap argon2id parameters keep account set-up fast; the login path
// itself is the same.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	return newEnvAt(t, cfg, "sqlite:"+filepath.Join(t.TempDir(), "ward.db"))
}

// newEnvAt is newEnv on the database db (a storetest.Engines URL), for
// tests that must hold on both engines.
func newEnvAt(t *testing.T, cfg Config, db string) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &testEnv{t: t, st: st, users: map[string]testUser{}, now: cfg.Now}
	if e.now == nil {
		e.now = time.Now
	}
	if e.orgA, err = st.CreateOrg(ctx, "test", slugA, "Alpha Health"); err != nil {
		t.Fatal(err)
	}
	if e.orgB, err = st.CreateOrg(ctx, "test", slugB, "Bravo Clinic"); err != nil {
		t.Fatal(err)
	}
	a := st.Org(e.orgA)
	for _, rec := range []struct {
		kind, key string
		v         any
	}{
		{store.KindPerson, "dana@alpha.example", workspace.Person{Email: "dana@alpha.example", Name: "Dana Kim", Role: "coo"}},
		{store.KindVendor, "aws", workspace.Vendor{ID: "aws", Name: "Amazon Web Services"}},
		{store.KindSystem, "patient-api", workspace.System{ID: "patient-api", Name: "Patient API", Kind: "service", Vendor: "aws", PHI: true, EncryptedAtRest: true}},
		{store.KindSystem, "billing-db", workspace.System{ID: "billing-db", Name: "Billing database", Kind: "datastore", PHI: true}},
	} {
		if _, err := a.Put(ctx, "dana@alpha.example", rec.kind, rec.key, rec.v); err != nil {
			t.Fatalf("seed %s %s: %v", rec.kind, rec.key, err)
		}
	}
	if _, err := st.Org(e.orgB).Put(ctx, "test", store.KindSystem, "bravo-ehr", workspace.System{ID: "bravo-ehr", Name: "Bravo EHR", Kind: "saas", PHI: true}); err != nil {
		t.Fatal(err)
	}
	for _, role := range store.Roles {
		e.users[role] = e.addUser(role+"@alpha.example", "Alpha "+role, e.orgA, role)
	}
	e.bravo = e.addUser("admin@bravo.example", "Bravo admin", e.orgB, store.RoleAdmin)
	e.s = New(st, cfg)
	e.srv = httptest.NewServer(e.s)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *testEnv) addUser(email, name string, org store.Org, role string) testUser {
	e.t.Helper()
	ctx := context.Background()
	pw, err := auth.NewPassword()
	if err != nil {
		e.t.Fatal(err)
	}
	hash, err := auth.HashPasswordWith(pw, cheap)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.st.CreateUser(ctx, "test", email, name, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SetRole(ctx, "test", u.ID, org, role); err != nil {
		e.t.Fatal(err)
	}
	return testUser{User: u, Password: pw, Role: role}
}

// session starts a session for u directly in the store, as a login would,
// and returns its cookie value and CSRF token. The login form itself is
// tested separately; this keeps the route walk fast and lets every
// request have a fresh session (one of the routes is logout).
func (e *testEnv) session(u store.User) (cookie, csrf string) {
	e.t.Helper()
	tok, _ := auth.NewToken()
	csrf, _ = auth.NewToken()
	now := e.now()
	if err := e.st.CreateSession(context.Background(), store.Session{TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, Created: now, LastSeen: now}); err != nil {
		e.t.Fatal(err)
	}
	return tok, csrf
}

// client keeps cookies and does not follow redirects, so tests see them.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

type response struct {
	*http.Response
	Body string
}

func (e *testEnv) send(c *http.Client, req *http.Request) response {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp, string(b)}
}

func (e *testEnv) get(c *http.Client, path string) response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	return e.send(c, req)
}

func (e *testEnv) postForm(c *http.Client, path string, form url.Values) response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.send(c, req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formToken is the hidden csrf field of a rendered page.
func formToken(t *testing.T, html string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no csrf field in the page:\n%s", html)
	}
	return m[1]
}

// login logs in through the form, as a browser does, and returns a
// client holding the session cookie and the page's CSRF token.
func (e *testEnv) login(u testUser) (*http.Client, string) {
	e.t.Helper()
	c := e.client()
	form := e.get(c, "/login")
	resp := e.postForm(c, "/login", url.Values{"csrf": {formToken(e.t, form.Body)}, "email": {u.Email}, "password": {u.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login as %s: status %d, want 303\n%s", u.Email, resp.StatusCode, resp.Body)
	}
	// Every user here has one organization, so / sends them to it.
	page := e.get(c, "/")
	if page.StatusCode == http.StatusFound {
		page = e.get(c, page.Header.Get("Location"))
	}
	return c, formToken(e.t, page.Body)
}

// clock is a settable time for idle and rate-limit tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seedDemo applies examples/acme-health to alpha (a business associate
// built with a gap for every rule) and returns the workspace as stored,
// for computing what a page must show.
func (e *testEnv) seedDemo() *workspace.Workspace {
	e.t.Helper()
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	o := e.st.Org(e.orgA)
	// The demo's files take over the seeded records they name (the
	// seed's are replaced); the seed's others stay, the web's.
	if _, err := o.Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.t.Fatalf("apply the demo: %v", err)
	}
	ws, err := o.Workspace(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return ws
}

// browserLogin logs u in through the form and waits for the app shell.
func (e *testEnv) browserLogin(b *browsertest.Browser, u testUser) {
	b.Navigate(e.srv.URL + "/login")
	b.Fill(`input[name="email"]`, u.Email)
	b.Fill(`input[name="password"]`, u.Password)
	b.Click(`button[type="submit"]`)
	b.WaitVisible(".sidebar")
}

// fetch downloads an audited export (exports.go): a POST carrying the
// session's CSRF token, as the page's download button sends it.
func (e *testEnv) fetch(c *http.Client, csrf, path string) response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, nil)
	req.Header.Set(csrfHeader, csrf)
	return e.send(c, req)
}
