package webtest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	_ "ward/internal/web" // the assembled server: every part's routes
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// The tests run the real server over loopback HTTP against a real SQLite
// store in a temporary folder: two organizations, alpha (with one account
// per role, and some records) and bravo (with its own admin).

const (
	SlugA = "alpha"
	SlugB = "bravo"
)

type TestUser struct {
	store.User
	Password string
	Role     string
}

type TestEnv struct {
	T      *testing.T
	Store  *store.Store
	DB     string // the store's database URL
	HTTP   *httptest.Server
	Server *kit.Server
	OrgA   store.Org
	OrgB   store.Org
	Users  map[string]TestUser // by role, members of alpha only
	Bravo  TestUser            // admin of bravo only
	Now    func() time.Time
}

// cheap argon2id parameters keep account set-up fast; the login path
// itself is the same.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func NewEnv(t *testing.T, cfg kit.Config) *TestEnv {
	t.Helper()
	return NewEnvAt(t, cfg, "sqlite:"+filepath.Join(t.TempDir(), "ward.db"))
}

// NewEnvAt is NewEnv on the database db (a storetest.Engines URL), for
// tests that must hold on both engines.
func NewEnvAt(t *testing.T, cfg kit.Config, db string) *TestEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &TestEnv{T: t, Store: st, DB: db, Users: map[string]TestUser{}, Now: cfg.Now}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.OrgA, err = st.CreateOrg(ctx, "test", SlugA, "Alpha Health"); err != nil {
		t.Fatal(err)
	}
	if e.OrgB, err = st.CreateOrg(ctx, "test", SlugB, "Bravo Clinic"); err != nil {
		t.Fatal(err)
	}
	a := st.Org(e.OrgA)
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
	if _, err := st.Org(e.OrgB).Put(ctx, "test", store.KindSystem, "bravo-ehr", workspace.System{ID: "bravo-ehr", Name: "Bravo EHR", Kind: "saas", PHI: true}); err != nil {
		t.Fatal(err)
	}
	for _, role := range store.Roles {
		e.Users[role] = e.AddUser(role+"@alpha.example", "Alpha "+role, e.OrgA, role)
	}
	e.Bravo = e.AddUser("admin@bravo.example", "Bravo admin", e.OrgB, store.RoleAdmin)
	e.Server = kit.New(st, cfg)
	e.HTTP = httptest.NewServer(e.Server)
	t.Cleanup(e.HTTP.Close)
	return e
}

// OtherServer opens a second Store on the same database, closed when
// the test ends: it stands for another ward server, or `ward apply` from
// a terminal, changing the data behind this server's back.
func (e *TestEnv) OtherServer() *store.Store {
	e.T.Helper()
	other, err := store.Open(context.Background(), e.DB, store.Options{BlobDir: e.T.TempDir()})
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { other.Close() })
	return other
}

func (e *TestEnv) AddUser(email, name string, org store.Org, role string) TestUser {
	e.T.Helper()
	ctx := context.Background()
	pw, err := auth.NewPassword()
	if err != nil {
		e.T.Fatal(err)
	}
	hash, err := auth.HashPasswordWith(pw, cheap)
	if err != nil {
		e.T.Fatal(err)
	}
	u, err := e.Store.CreateUser(ctx, "test", email, name, hash)
	if err != nil {
		e.T.Fatal(err)
	}
	if err := e.Store.SetRole(ctx, "test", u.ID, org, role); err != nil {
		e.T.Fatal(err)
	}
	return TestUser{User: u, Password: pw, Role: role}
}

// Session starts a session for u directly in the store, as a login would,
// and returns its cookie value and CSRF token. The login form itself is
// tested separately; this keeps the route walk fast and lets every
// request have a fresh session (one of the routes is logout).
func (e *TestEnv) Session(u store.User) (cookie, csrf string) {
	e.T.Helper()
	tok, _ := auth.NewToken()
	csrf, _ = auth.NewToken()
	now := e.Now()
	if err := e.Store.CreateSession(context.Background(), store.Session{TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, Created: now, LastSeen: now}); err != nil {
		e.T.Fatal(err)
	}
	return tok, csrf
}

// Client keeps cookies and does not follow redirects, so tests see them.
func (e *TestEnv) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

type Response struct {
	*http.Response
	Body string
}

func (e *TestEnv) Send(c *http.Client, req *http.Request) Response {
	e.T.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{resp, string(b)}
}

func (e *TestEnv) Get(c *http.Client, path string) Response {
	e.T.Helper()
	req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
	return e.Send(c, req)
}

func (e *TestEnv) PostForm(c *http.Client, path string, form url.Values) Response {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.Send(c, req)
}

// Login logs in through the form, as a browser does, and returns a
// client holding the session cookie and the page's CSRF token.
func (e *TestEnv) Login(u TestUser) (*http.Client, string) {
	e.T.Helper()
	c := e.Client()
	form := e.Get(c, "/login")
	resp := e.PostForm(c, "/login", url.Values{"csrf": {FormToken(e.T, form.Body)}, "email": {u.Email}, "password": {u.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("login as %s: status %d, want 303\n%s", u.Email, resp.StatusCode, resp.Body)
	}
	// Every user here has one organization, so / sends them to it.
	page := e.Get(c, "/")
	if page.StatusCode == http.StatusFound {
		page = e.Get(c, page.Header.Get("Location"))
	}
	return c, FormToken(e.T, page.Body)
}

// clock is a settable time for idle and rate-limit tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func NewClock() *clock { return &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)} }

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

// Fetch downloads an audited export (downloads.go): a POST carrying the
// session's CSRF token, as the page's download button sends it.
func (e *TestEnv) Fetch(c *http.Client, csrf, path string) Response {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, nil)
	req.Header.Set(kit.CSRFHeader, csrf)
	return e.Send(c, req)
}
