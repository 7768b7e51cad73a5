package kit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleEditor]

	t.Run("right password", func(t *testing.T) {
		c := e.Client()
		tok := webtest.FormToken(t, e.Get(c, "/login").Body)
		r := e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {"  EDITOR@alpha.example "}, "password": {u.Password}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("status %d Location %q, want 303 to /", r.StatusCode, r.Header.Get("Location"))
		}
		var sc *http.Cookie
		for _, c := range r.Cookies() {
			if c.Name == "ward_session" {
				sc = c
			}
		}
		if sc == nil {
			t.Fatal("no session cookie")
		}
		if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != "/" {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure without TLS, Path=/", sc)
		}
		// Only the hash is stored.
		if _, err := e.Store.SessionByHash(context.Background(), sc.Value); err == nil {
			t.Error("the session is findable by its raw cookie value: the store must hold only its hash")
		}
		sess, err := e.Store.SessionByHash(context.Background(), auth.TokenHash(sc.Value))
		if err != nil || sess.UserID != u.ID || sess.CSRF == "" {
			t.Fatalf("stored session %+v, %v", sess, err)
		}
		if r := e.Get(c, "/"); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/orgs/"+webtest.SlugA {
			t.Errorf("GET / with one organization: %d %q, want 302 to it", r.StatusCode, r.Header.Get("Location"))
		}
		// Logged in, the login form sends the person on.
		if r := e.Get(c, "/login"); r.StatusCode != http.StatusFound {
			t.Errorf("GET /login when logged in: %d, want 302", r.StatusCode)
		}
	})

	fails := []struct {
		name   string
		form   func(tok string) url.Values
		status int
		says   string
	}{
		{"wrong password", func(tok string) url.Values {
			return url.Values{"csrf": {tok}, "email": {u.Email}, "password": {u.Password + "x"}}
		}, 401, "do not match an account"},
		{"unknown account", func(tok string) url.Values {
			return url.Values{"csrf": {tok}, "email": {"nobody@alpha.example"}, "password": {u.Password}}
		}, 401, "do not match an account"},
		{"no password", func(tok string) url.Values {
			return url.Values{"csrf": {tok}, "email": {u.Email}}
		}, 400, "Enter your e-mail address and password"},
		{"no form token", func(tok string) url.Values {
			return url.Values{"email": {u.Email}, "password": {u.Password}}
		}, 400, "expired"},
		{"wrong form token", func(tok string) url.Values {
			return url.Values{"csrf": {tok + "x"}, "email": {u.Email}, "password": {u.Password}}
		}, 400, "expired"},
	}
	for _, tt := range fails {
		t.Run(tt.name, func(t *testing.T) {
			c := e.Client()
			tok := webtest.FormToken(t, e.Get(c, "/login").Body)
			r := e.PostForm(c, "/login", tt.form(tok))
			if r.StatusCode != tt.status || !strings.Contains(r.Body, tt.says) {
				t.Errorf("status %d, want %d saying %q:\n%.400s", r.StatusCode, tt.status, tt.says, r.Body)
			}
			for _, ck := range r.Cookies() {
				if ck.Name == "ward_session" && ck.Value != "" {
					t.Error("a failed login set a session cookie")
				}
			}
			if strings.Contains(r.Body, u.Password) {
				t.Error("the password is echoed back in the page")
			}
		})
	}

	t.Run("next stays on this site", func(t *testing.T) {
		for next, want := range map[string]string{
			"/orgs/alpha/audit?page=2": "/orgs/alpha/audit?page=2",
			"//evil.example/":          "/",
			"/\\evil.example":          "/",
			"https://evil.example/":    "/",
			"/login":                   "/",
		} {
			c := e.Client()
			tok := webtest.FormToken(t, e.Get(c, "/login?next="+url.QueryEscape(next)).Body)
			r := e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {u.Email}, "password": {u.Password}, "next": {next}})
			if got := r.Header.Get("Location"); got != want {
				t.Errorf("next=%q: redirected to %q, want %q", next, got, want)
			}
		}
	})
}

func TestAnonymousPageRemembersWhereItWas(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	r := e.Get(e.Client(), "/orgs/alpha/audit?page=2")
	loc, _ := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || loc.Path != "/login" || loc.Query().Get("next") != "/orgs/alpha/audit?page=2" {
		t.Errorf("status %d Location %q, want 302 to /login with next", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, csrf := e.Login(e.Users[store.RoleViewer])
	r := e.PostForm(c, "/logout", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("logout: %d %q, want 303 to /login", r.StatusCode, r.Header.Get("Location"))
	}
	if r := e.Get(c, "/login?reason=loggedout"); !strings.Contains(r.Body, "You have logged out") {
		t.Errorf("login page after logout does not say so:\n%.400s", r.Body)
	}
	if r := e.Get(c, "/orgs/"+webtest.SlugA); r.StatusCode != http.StatusFound {
		t.Errorf("after logout the overview answers %d, want 302 to the login", r.StatusCode)
	}
}

// TestLogoutEndsSessionServerSide: a copy of the cookie is worthless after
// logout, not only the browser's.
func TestLogoutEndsSessionServerSide(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	cookie, csrf := e.Session(e.Users[store.RoleViewer].User)
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/logout", strings.NewReader("csrf="+csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	e.Send(e.Client(), req)
	req, _ = http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs", nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	if r := e.Send(e.Client(), req); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed cookie after logout: %d, want 401", r.StatusCode)
	}
}

// TestCSRF: every state-changing route reached with a session cookie needs
// the session's own token, in the form body or the X-CSRF-Token header;
// API bearer tokens need none.
func TestCSRF(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	admin := e.Users[store.RoleAdmin].User
	_, otherCSRF := e.Session(e.Users[store.RoleEditor].User)
	tok, _ := auth.NewToken()
	if _, err := e.Store.CreateToken(context.Background(), "test", admin.ID, "test", auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range kit.Routes() {
		if !kit.IsMutating(rt.Method) || rt.Role == kit.Public {
			continue
		}
		n++
		path, _ := fillPattern(rt.Pattern, webtest.SlugA)
		cases := []struct {
			name      string
			body      func(csrf string) string
			header    func(csrf string) string
			query     bool
			bearer    bool
			multipart bool
			ok        bool
		}{
			{name: "no token", body: func(string) string { return "" }},
			{name: "wrong token", body: func(c string) string { return "csrf=" + c + "x" }},
			{name: "another session's token", body: func(string) string { return "csrf=" + otherCSRF }},
			{name: "token only in the query string", body: func(string) string { return "" }, query: true},
			{name: "token in the form", body: func(c string) string { return "csrf=" + c }, ok: true},
			{name: "token in the header", body: func(string) string { return "" }, header: func(c string) string { return c }, ok: true},
			{name: "token in a multipart form", body: func(c string) string { return "csrf=" + c }, multipart: true, ok: true},
			{name: "multipart form without token", body: func(string) string { return "" }, multipart: true},
			{name: "bearer token without CSRF", body: func(string) string { return "" }, bearer: true, ok: true},
		}
		for _, tc := range cases {
			t.Run(rt.Method+" "+rt.Pattern+" "+tc.name, func(t *testing.T) {
				cookie, csrf := e.Session(admin)
				u := e.HTTP.URL + path
				if tc.query {
					u += "?csrf=" + csrf
				}
				req, _ := http.NewRequest(rt.Method, u, strings.NewReader(tc.body(csrf)))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tc.multipart {
					var buf bytes.Buffer
					mw := multipart.NewWriter(&buf)
					if f := tc.body(csrf); f != "" {
						mw.WriteField("csrf", strings.TrimPrefix(f, "csrf="))
					}
					fw, _ := mw.CreateFormFile("file", "evidence.txt")
					fw.Write([]byte("quarterly access review"))
					mw.Close()
					req, _ = http.NewRequest(rt.Method, u, &buf)
					req.Header.Set("Content-Type", mw.FormDataContentType())
				}
				if tc.header != nil {
					req.Header.Set("X-CSRF-Token", tc.header(csrf))
				}
				if tc.bearer {
					req.Header.Set("Authorization", "Bearer "+tok)
				} else {
					req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
				}
				r := e.Send(e.Client(), req)
				if tc.ok && (r.StatusCode == http.StatusForbidden || r.StatusCode == http.StatusUnauthorized) {
					t.Errorf("status %d, want it accepted", r.StatusCode)
				}
				if !tc.ok && r.StatusCode != http.StatusForbidden {
					t.Errorf("status %d, want 403", r.StatusCode)
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no state-changing route to test (logout should be one)")
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	tok, _ := auth.NewToken()
	if _, err := e.Store.CreateToken(context.Background(), "test", e.Users[store.RoleAuditor].ID, "ci", auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header string
		status int
	}{
		{"Bearer " + tok, 200},
		{"bearer " + tok, 200},
		{"Bearer " + tok + "x", 401},
		{"Basic " + tok, 401},
		{"Bearer ", 401},
	} {
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/audit", nil)
		req.Header.Set("Authorization", tc.header)
		if r := e.Send(e.Client(), req); r.StatusCode != tc.status {
			t.Errorf("Authorization %.12q…: status %d, want %d (%s)", tc.header, r.StatusCode, tc.status, r.Body)
		}
	}
}

// TestIdleLogoff: HIPAA automatic logoff, 45 CFR 164.312(a)(2)(iii). With
// a 1-second idle timeout, a request 1.1 s after the last one ends the
// session on the server and sends the browser to the login, which says
// why.
func TestIdleLogoff(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{IdleTimeout: time.Second, Now: clk.Now})
	c, _ := e.Login(e.Users[store.RoleViewer])
	cookie := webtest.SessionCookie(t, e, c)

	steps := []struct {
		advance time.Duration
		path    string
		status  int
	}{
		{500 * time.Millisecond, "/orgs/alpha", 200},
		{900 * time.Millisecond, "/orgs/alpha", 200}, // 0.9 s after the last request: still active
		{900 * time.Millisecond, "/api/v1/session", 200},
		// Asking for the session status is not activity: 1.8 s since the
		// last page.
		{900 * time.Millisecond, "/orgs/alpha/audit", 302},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		r := e.Get(c, s.path)
		if r.StatusCode != s.status {
			t.Fatalf("step %d: GET %s: %d, want %d", i, s.path, r.StatusCode, s.status)
		}
		if i == 2 && !strings.Contains(r.Body, `"active": true`) {
			t.Errorf("session status before the timeout: %s", r.Body)
		}
	}
	// The store finds only live sessions.
	if _, err := e.Store.SessionByHash(context.Background(), auth.TokenHash(cookie)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the idle session was not ended in the store: %v", err)
	}
	// The replayed cookie stays dead even if it comes back at once.
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/orgs/alpha", nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	if r := e.Send(e.Client(), req); r.StatusCode != http.StatusFound {
		t.Errorf("ended session reused: %d, want 302", r.StatusCode)
	}
}

func TestIdleLogoffRedirectAndMessage(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{IdleTimeout: time.Second, Now: clk.Now})
	c, _ := e.Login(e.Users[store.RoleViewer])
	clk.Advance(1100 * time.Millisecond)
	r := e.Get(c, "/orgs/alpha/audit")
	loc, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || err != nil || loc.Path != "/login" || loc.Query().Get("reason") != "idle" || loc.Query().Get("next") != "/orgs/alpha/audit" {
		t.Fatalf("idle request: %d %q, want 302 to /login?reason=idle&next=/orgs/alpha/audit", r.StatusCode, r.Header.Get("Location"))
	}
	page := e.Get(c, loc.String())
	if !strings.Contains(page.Body, "You were logged off after 1 second of inactivity.") {
		t.Errorf("login page does not explain the logoff:\n%.600s", page.Body)
	}
	if !strings.Contains(page.Body, `name="next" value="/orgs/alpha/audit"`) {
		t.Error("login form forgets where the person was")
	}

	// The API says the same in JSON.
	c2, _ := e.Login(e.Users[store.RoleViewer])
	clk.Advance(2 * time.Second)
	r = e.Get(c2, "/api/v1/orgs")
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "inactivity") {
		t.Errorf("idle API call: %d %s, want 401 mentioning inactivity", r.StatusCode, r.Body)
	}
}

// TestSessionLifetime: however active, a session ends after 12 hours.
func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{IdleTimeout: time.Hour, Now: clk.Now})
	c, _ := e.Login(e.Users[store.RoleViewer])
	for i := 0; i < 24; i++ { // a request every 30 minutes for 12 hours
		clk.Advance(30 * time.Minute)
		r := e.Get(c, "/api/v1/orgs")
		if i < 23 && r.StatusCode != 200 {
			t.Fatalf("after %v of activity: %d, want 200", time.Duration(i+1)*30*time.Minute, r.StatusCode)
		}
	}
	clk.Advance(time.Second)
	r := e.Get(c, "/orgs/alpha")
	if r.StatusCode != http.StatusFound || !strings.Contains(r.Header.Get("Location"), "reason=expired") {
		t.Errorf("after 12 h: %d %q, want 302 to /login?reason=expired", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestLoginRateLimit: after 5 failed logins for one account within 15
// minutes, even the right password gets 429 with Retry-After, until the
// failures age out.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{Now: clk.Now})
	u := e.Users[store.RoleEditor]
	try := func(password string) webtest.Response {
		t.Helper()
		c := e.Client()
		tok := webtest.FormToken(t, e.Get(c, "/login").Body)
		return e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {u.Email}, "password": {password}})
	}
	for i := 1; i <= 5; i++ {
		clk.Advance(time.Minute)
		if r := try("wrong"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, r.StatusCode)
		}
	}
	r := try(u.Password)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: %d, want 429", r.StatusCode)
	}
	// The first failure was 4 minutes ago; it ages out in 11 more.
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs != 660 {
		t.Errorf("Retry-After %q, want 660 (seconds until the oldest failure is 15 minutes old)", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Body, "Too many failed logins") {
		t.Errorf("429 page does not say why:\n%.400s", r.Body)
	}
	clk.Advance(11*time.Minute + time.Second)
	if r := try(u.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303 (logged in)", r.StatusCode)
	}
	// A success forgets the account's failures: four more are not a block.
	for i := 0; i < 4; i++ {
		try("wrong")
	}
	if r := try(u.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("4 failures after a success: %d, want 303", r.StatusCode)
	}
}

// TestLoginRateLimitPerAddress: one client trying one password against
// many accounts is stopped after 20 failures.
func TestLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{Now: clk.Now})
	for i := 0; i < 20; i++ {
		c := e.Client()
		tok := webtest.FormToken(t, e.Get(c, "/login").Body)
		r := e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {"guess" + strconv.Itoa(i) + "@alpha.example"}, "password": {"Winter2027!"}})
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, r.StatusCode)
		}
	}
	u := e.Users[store.RoleViewer]
	c := e.Client()
	tok := webtest.FormToken(t, e.Get(c, "/login").Body)
	r := e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {u.Email}, "password": {u.Password}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("21st attempt from the same address: %d, want 429 with Retry-After", r.StatusCode)
	}
}

func TestSecureCookiesAndHSTS(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{Secure: true})
	// Behind TLS the cookie is __Host-ward_session; over this plain test
	// connection the client would not send it back, so only the answer
	// to the login is checked.
	c := e.Client()
	form := e.Get(c, "/login")
	if got := form.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS = %q with Secure", got)
	}
	u := e.Users[store.RoleViewer]
	var loginCookie string
	for _, ck := range form.Cookies() {
		if ck.Name == "ward_login" {
			loginCookie = ck.Value
			if !ck.Secure {
				t.Error("login form cookie not Secure")
			}
		}
	}
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/login", strings.NewReader(url.Values{"csrf": {loginCookie}, "email": {u.Email}, "password": {u.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "ward_login", Value: loginCookie})
	r := e.Send(e.Client(), req)
	found := false
	for _, ck := range r.Cookies() {
		if ck.Name == "__Host-ward_session" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
				t.Errorf("session cookie %+v: want Secure, HttpOnly, Path=/, no Domain", ck)
			}
		}
	}
	if !found {
		t.Errorf("no __Host-ward_session cookie in %v (status %d)", r.Cookies(), r.StatusCode)
	}
	plain := webtest.NewEnv(t, kit.Config{})
	if got := plain.Get(plain.Client(), "/login").Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS = %q without Secure: it would pin plain-HTTP users out", got)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second:      "1 second",
		3 * time.Second:  "3 seconds",
		time.Minute:      "1 minute",
		15 * time.Minute: "15 minutes",
		90 * time.Second: "2 minutes",
		12 * time.Hour:   "12 hours",
	} {
		if got := kit.HumanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestLoginLogsNoSecrets: logins, failures and logouts are logged for
// review (164.308(a)(5)(ii)(C), log-in monitoring), never with the
// password, the session cookie or the CSRF token, nor what was typed as
// the e-mail address, which is sometimes a password (issue 20).
func TestLoginLogsNoSecrets(t *testing.T) {
	t.Parallel()
	var buf webtest.SyncBuffer
	e := webtest.NewEnv(t, kit.Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	u := e.Users[store.RoleViewer]
	c := e.Client()
	tok := webtest.FormToken(t, e.Get(c, "/login").Body)
	e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {u.Email}, "password": {"not-" + u.Password}})
	// A password typed into the e-mail field.
	typed := "Tr0ub4dor-and-3-more"
	tok = webtest.FormToken(t, e.Get(c, "/login").Body)
	e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {typed}, "password": {"x"}})
	c, csrf := e.Login(u)
	cookie := webtest.SessionCookie(t, e, c)
	e.PostForm(c, "/logout", url.Values{"csrf": {csrf}})
	logs := buf.String()
	for _, want := range []string{"login failed", "msg=login", "msg=logout", "user_id=" + strconv.FormatInt(u.ID, 10)} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for name, secret := range map[string]string{"password": u.Password, "session cookie": cookie, "session hash": auth.TokenHash(cookie), "CSRF token": csrf,
		"typed e-mail": typed, "lower-cased typed e-mail": strings.ToLower(typed)} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

// TestLoginUpgradesOldHash: a hash made with weaker parameters than
// auth.Default is replaced at the next successful login.
func TestLoginUpgradesOldHash(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleViewer] // made with the cheap test parameters
	if !auth.NeedsRehash(u.PasswordHash) {
		t.Fatal("test account unexpectedly uses the default parameters")
	}
	e.Login(u)
	after, err := e.Store.UserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if auth.NeedsRehash(after.PasswordHash) {
		t.Errorf("hash after login %q still needs a rehash", after.PasswordHash)
	}
	if ok, _ := auth.CheckPassword(u.Password, after.PasswordHash); !ok {
		t.Error("the upgraded hash does not match the password")
	}
	e.Login(u) // and the password still works
}

// TestDisabledAccount: a disabled account cannot log in, and its live
// sessions and tokens stop working.
func TestDisabledAccount(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleViewer]
	cookie, _ := e.Session(u.User)
	if err := e.Store.DisableUser(context.Background(), "test", u.ID); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs", nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	if r := e.Send(e.Client(), req); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled account's session: %d, want 401", r.StatusCode)
	}
	c := e.Client()
	tok := webtest.FormToken(t, e.Get(c, "/login").Body)
	if r := e.PostForm(c, "/login", url.Values{"csrf": {tok}, "email": {u.Email}, "password": {u.Password}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled account's login: %d, want 401", r.StatusCode)
	}
}
