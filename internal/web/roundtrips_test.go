package web_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// statementsOf is how many statements the request that answered resp
// sent to the database, from its log line (db_statements). The line is
// written once the handler returns, which may be just after the client
// has the answer: wait for it.
func statementsOf(t *testing.T, buf *webtest.SyncBuffer, resp webtest.Response) int {
	t.Helper()
	id := resp.Header.Get(kit.RequestIDHeader)
	for try := 0; try < 200; try++ {
		for _, l := range webtest.LinesOf(webtest.LogLines(t, buf.String()), id) {
			if l["msg"] == "request" {
				n, ok := l["db_statements"].(float64)
				if !ok {
					t.Fatalf("request line without db_statements: %v", l)
				}
				return int(n)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no request line for %s", id)
	return 0
}

// roundTripRoutes are the routes a person opens most, as pages and API.
// A warm request of each sends one statement: the session (or token), the
// account, the role, the audit head and, for a page, the organization
// switcher are read together; the rest comes from the workspace and page
// caches under that head.
var roundTripRoutes = []struct {
	path string
	max  int
}{
	{"/orgs/alpha", 1},
	{"/api/v1/orgs/alpha/overview", 1},
	{"/orgs/alpha/plan", 1},
	{"/api/v1/orgs/alpha/plan", 1},
	{"/orgs/alpha/controls", 1},
	{"/api/v1/orgs/alpha/controls", 1},
	{"/orgs/alpha/controls/access-review", 1},
	{"/api/v1/orgs/alpha/controls/access-review", 1},
	{"/api/v1/orgs/alpha/posture", 1},
	{"/orgs/alpha/risks", 1},
	{"/api/v1/orgs/alpha/risks", 1},
	{"/orgs/alpha/evidence", 1},
	{"/api/v1/orgs/alpha/incidents", 1},
	{"/orgs/alpha/systems", 1},
	{"/api/v1/orgs/alpha/flows", 1},
	// The MSP overview: a page has the memberships, with their heads,
	// from the session's statement; the API reads them in one more.
	{"/orgs", 1},
	{"/api/v1/overview", 2},
}

// TestStatementsPerRequest: a warm GET of an organization's page or API
// sends at most the statements listed above (round trips, on
// PostgreSQL), for a browser session and for an API token, on both
// engines; a change that adds a round trip to every request fails here,
// by count, not by time. The table it logs (-v) is the count per route.
func TestStatementsPerRequest(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			var buf webtest.SyncBuffer
			e := webtest.NewEnvAt(t, kit.Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, eng.URL(t))
			e.SeedDemo()
			c, _ := e.Login(e.Users[store.RoleEditor])
			tok, err := auth.NewToken()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Store.CreateToken(t.Context(), "test", e.Users[store.RoleEditor].ID, "bench", auth.TokenHash(tok), e.Now().AddDate(0, 1, 0)); err != nil {
				t.Fatal(err)
			}
			byToken := func(path string) webtest.Response {
				req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				return e.Send(e.Client(), req)
			}
			var table strings.Builder
			fmt.Fprintf(&table, "%-44s %6s %6s %6s\n", "route", "first", "warm", "token")
			for _, rt := range roundTripRoutes {
				first := e.Get(c, rt.path)
				e.Get(c, rt.path)
				warm := e.Get(c, rt.path)
				byToken(rt.path)
				token := byToken(rt.path)
				for _, r := range []webtest.Response{first, warm, token} {
					if r.StatusCode != http.StatusOK {
						t.Fatalf("GET %s: status %d", rt.path, r.StatusCode)
					}
				}
				nw, nt := statementsOf(t, &buf, warm), statementsOf(t, &buf, token)
				fmt.Fprintf(&table, "%-44s %6d %6d %6d\n", rt.path, statementsOf(t, &buf, first), nw, nt)
				if nw > rt.max || nt > rt.max {
					t.Errorf("GET %s, warm: %d statements with a session, %d with a token; want at most %d", rt.path, nw, nt, rt.max)
				}
			}
			t.Logf("statements per request on %s:\n%s", eng.Name, table.String())
			// A static asset is the same for everyone: the session is
			// not looked up.
			for _, path := range []string{"/static/forms.js", "/favicon.ico"} {
				r := e.Get(c, path)
				if n := statementsOf(t, &buf, r); r.StatusCode != http.StatusOK || n != 0 {
					t.Errorf("GET %s with a session: status %d, %d statements; want 200 and none", path, r.StatusCode, n)
				}
			}
		})
	}
}

// TestIdleLogoffWithCoalescedTouches: with the default 15-minute idle
// timeout a request records the session's activity only when the
// recorded time is a minute old or more (touchEvery), so most requests
// write nothing; the log-off then comes at most a minute early, never
// late: 15 minutes after the last recorded activity.
func TestIdleLogoffWithCoalescedTouches(t *testing.T) {
	t.Parallel()
	clk := webtest.NewClock()
	e := webtest.NewEnv(t, kit.Config{Now: clk.Now})
	c, _ := e.Login(e.Users[store.RoleViewer])
	hash := auth.TokenHash(webtest.SessionCookie(t, e, c))
	seen := func() time.Time {
		t.Helper()
		s, err := e.Store.SessionByHash(t.Context(), hash)
		if err != nil {
			t.Fatal(err)
		}
		return s.LastSeen
	}
	login := seen()
	clk.Advance(30 * time.Second)
	if r := e.Get(c, "/api/v1/orgs/alpha/plan"); r.StatusCode != http.StatusOK {
		t.Fatalf("30 s after the login: %d", r.StatusCode)
	}
	if !seen().Equal(login) {
		t.Errorf("a request 30 s after the last recorded one wrote the session (last seen %v, was %v)", seen(), login)
	}
	clk.Advance(45 * time.Second)
	if r := e.Get(c, "/api/v1/orgs/alpha/plan"); r.StatusCode != http.StatusOK {
		t.Fatalf("75 s after the login: %d", r.StatusCode)
	}
	recorded := seen()
	if !recorded.Equal(clk.Now()) {
		t.Fatalf("a request 75 s after the last recorded one: last seen %v, want %v", recorded, clk.Now())
	}
	clk.Advance(kit.DefaultIdleTimeout)
	if r := e.Get(c, "/api/v1/orgs/alpha/plan"); r.StatusCode != http.StatusOK {
		t.Fatalf("exactly the idle timeout after the recorded activity: %d, want 200", r.StatusCode)
	}
	// That request was recorded; 30 s later one is not, and the log-off
	// counts from the recorded one.
	clk.Advance(30 * time.Second)
	e.Get(c, "/api/v1/orgs/alpha/plan")
	clk.Advance(kit.DefaultIdleTimeout - 30*time.Second + time.Second)
	if r := e.Get(c, "/api/v1/orgs/alpha/plan"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("15 min 1 s after the recorded activity (14 min 31 s after the last request): %d, want 401", r.StatusCode)
	}
}
