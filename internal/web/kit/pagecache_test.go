package kit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/app"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/risks"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// pcHits is how many requests the page cache has answered.
func pcHits(s *kit.Server) int {
	s.Pc.Mu.Lock()
	defer s.Pc.Mu.Unlock()
	return s.Pc.Hits
}

// A change made elsewhere — a second server on the same database, or
// `ward apply` — is on the very next request of every cached page and
// API: the kept answers are keyed by the audit head. Two Store handles on
// one database stand for the two servers.
func TestPageCacheSeesOtherServer(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			db := eng.URL(t)
			e := webtest.NewEnvAt(t, kit.Config{}, db)
			ctx := context.Background()
			other := e.OtherServer()
			c, _ := e.Login(e.Users[store.RoleViewer])
			get := func(path string) string {
				t.Helper()
				r := e.Get(c, path)
				if r.StatusCode != 200 {
					t.Fatalf("%s: status %d: %.300s", path, r.StatusCode, r.Body)
				}
				return r.Body
			}
			// What each route says about the systems, as a person reads it.
			routes := []struct {
				path string
				says func(body string, systems int, newest string) bool
			}{
				{"/orgs/alpha", func(b string, n int, _ string) bool {
					return strings.Contains(b, `<span class="n">`+strconv.Itoa(n)+`</span><span class="label">Systems</span>`)
				}},
				{"/api/v1/orgs/alpha/overview", func(b string, n int, _ string) bool {
					var ov app.Overview
					json.Unmarshal([]byte(b), &ov)
					return slices.Contains(ov.Counts, app.KindCount{Kind: store.KindSystem, Label: kit.KindNoun(store.KindSystem, n), Count: n})
				}},
				{"/orgs/alpha/systems", func(b string, n int, newest string) bool {
					return strings.Contains(b, strconv.Itoa(n)+" recorded") && strings.Contains(b, newest)
				}},
				{"/api/v1/orgs/alpha/systems", func(b string, n int, newest string) bool {
					return strings.Count(b, `"kind":`) == n && strings.Contains(b, newest)
				}},
				{"/orgs/alpha/flows?collapse=0", func(b string, _ int, newest string) bool { return strings.Contains(b, newest) }},
			}
			check := func(when string, n int, newest string) {
				t.Helper()
				for _, rt := range routes {
					if b := get(rt.path); !rt.says(b, n, newest) {
						t.Errorf("%s, %s does not show %d systems with %s:\n%.2000s", when, rt.path, n, newest, b)
					}
				}
			}
			check("at first", 2, "billing-db")
			hits := pcHits(e.Server)
			check("again", 2, "billing-db")
			if got := pcHits(e.Server) - hits; got != len(routes) {
				t.Errorf("the second walk was answered %d times from the cache, want %d (one per route)", got, len(routes))
			}

			o := other.Org(e.OrgA)
			if _, err := o.Put(ctx, "other-server", store.KindSystem, "fax-gateway", workspace.System{ID: "fax-gateway", Name: "Fax gateway", Kind: "service", PHI: true}); err != nil {
				t.Fatal(err)
			}
			check("after the other server's put", 3, "fax-gateway")
			ws, err := o.Workspace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws.Systems = append(ws.Systems, workspace.System{ID: "applied-db", Name: "Applied database", Kind: "datastore", PHI: true})
			if _, err := o.Apply(ctx, "ward apply", ws, store.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			check("after ward apply", 4, "applied-db")
		})
	}
}

var (
	metaCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
	anyCSRF  = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
)

// A kept page is shared by the people of one role, never their session:
// each gets the page with their own CSRF token in every form and their
// own name, and a role sees what it may do (downloads for auditors and
// above), whoever opened the page first.
func TestPageCacheKeepsNothingPersonal(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ws := e.SeedDemo()
			second := e.AddUser("second-admin@alpha.example", "Second Admin", e.OrgA, store.RoleAdmin)
			people := []webtest.TestUser{e.Users[store.RoleAdmin], second, e.Users[store.RoleViewer], e.Users[store.RoleAuditor]}
			type session struct {
				c    *http.Client
				csrf string
			}
			var sessions []session
			for _, u := range people {
				c, csrf := e.Login(u)
				sessions = append(sessions, session{c, csrf})
			}
			paths := []string{"/orgs/alpha", "/orgs/alpha/evidence", "/orgs/alpha/controls/" + ws.Controls[0].ID, "/orgs/alpha/risks", "/orgs/alpha/agreements", "/orgs/alpha/flows"}
			hits := pcHits(e.Server)
			for round := range 2 {
				for i, u := range people {
					for _, p := range paths {
						r := e.Get(sessions[i].c, p)
						if r.StatusCode != 200 {
							t.Fatalf("%s as %s: %d", p, u.Email, r.StatusCode)
						}
						if strings.Contains(r.Body, kit.CSRFPlaceholder) {
							t.Errorf("%s as %s: the CSRF placeholder was served", p, u.Email)
						}
						m := metaCSRF.FindStringSubmatch(r.Body)
						if m == nil || m[1] != sessions[i].csrf {
							t.Errorf("%s as %s (round %d): the page's token is %v, want the session's", p, u.Email, round, m)
						}
						forms := anyCSRF.FindAllStringSubmatch(r.Body, -1)
						for _, f := range forms {
							if f[1] != sessions[i].csrf {
								t.Errorf("%s as %s: a form carries the token %q, not the session's", p, u.Email, f[1])
							}
						}
						if !strings.Contains(r.Body, ">"+html.EscapeString(u.Name)+"</a>") {
							t.Errorf("%s as %s: the page does not name %s", p, u.Email, u.Name)
						}
						for j, o := range people {
							if o.Name != u.Name && strings.Contains(r.Body, html.EscapeString(o.Name)) {
								t.Errorf("%s as %s: the page names %s", p, u.Email, o.Name)
							}
							if j != i && strings.Contains(r.Body, sessions[j].csrf) {
								t.Errorf("%s as %s: the page carries %s's token", p, u.Email, o.Email)
							}
						}
						// Downloads are for auditors and above.
						if p == "/orgs/alpha/evidence" {
							has := strings.Contains(r.Body, "request-list/xlsx")
							if has != kit.AtLeast(u.Role, store.RoleAuditor) {
								t.Errorf("evidence as %s (%s): the auditor's downloads shown = %v", u.Email, u.Role, has)
							}
							if has && len(forms) < 3 {
								t.Errorf("evidence as %s: %d forms with a token, want the downloads' too", u.Email, len(forms))
							}
						}
					}
				}
			}
			// A flash is the person's own: shown once, on a kept page, to
			// the one whose change set it.
			u, _ := url.Parse(e.HTTP.URL)
			sessions[1].c.Jar.SetCookies(u, []*http.Cookie{{Name: kit.FlashCookie, Value: url.QueryEscape("Vendor Zeta retired."), Path: "/"}})
			for i, want := range []bool{true, false} {
				r := e.Get(sessions[1].c, "/orgs/alpha/agreements")
				if got := strings.Contains(r.Body, `<p class="flash" role="status">Vendor Zeta retired.</p>`); got != want {
					t.Errorf("request %d after the change: flash shown = %v, want %v", i+1, got, want)
				}
			}
			if r := e.Get(sessions[0].c, "/orgs/alpha/agreements"); strings.Contains(r.Body, "Vendor Zeta") {
				t.Error("another person's flash was shown")
			}
			// The second admin and every second round were served kept pages.
			if got, min := pcHits(e.Server)-hits, len(paths)*(len(people)+1); got < min {
				t.Errorf("%d answers from the cache, want at least %d", got, min)
			}
		})
	}
}

var (
	evidenceRow = regexp.MustCompile(`<tr class="ev[^"]*" data-id="([^"]+)"`)
	findingRule = regexp.MustCompile(`<small class="rule">([^<]+)</small>`)
	recordRow   = regexp.MustCompile(`<tr class="record[^"]*">\s*<td><a href="([^"]+)"`)
)

// Issue 21's organization: the evidence list (2,640 items) and the
// systems (2,000) are paged; following the pages shows every item once,
// with the filter kept; each heavy page stays under 300 KB; an unknown
// page number is refused.
func TestHeavyPagesAtScale(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedLarge()
	c, _ := e.Login(e.Users[store.RoleAuditor])
	get := func(path string) string {
		t.Helper()
		r := e.Get(c, path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d %.300s", path, r.StatusCode, r.Body)
		}
		if len(r.Body) >= 300_000 {
			t.Errorf("%s weighs %d bytes, want under 300 KB", path, len(r.Body))
		}
		return r.Body
	}
	ids := func(re *regexp.Regexp, bodies []string) []string {
		var out []string
		for _, b := range bodies {
			for _, m := range re.FindAllStringSubmatch(b, -1) {
				out = append(out, html.UnescapeString(m[1]))
			}
		}
		return out
	}
	once := func(what string, got, want []string) {
		t.Helper()
		slices.Sort(got)
		slices.Sort(want)
		if len(got) != len(want) || !slices.Equal(got, want) {
			t.Errorf("%s: the pages list %d items, want each of %d once", what, len(got), len(want))
		}
	}

	var all []string
	for _, ev := range ws.Evidence {
		all = append(all, ev.ID)
	}
	if len(all) < 2*controls.EvidencePerPage {
		t.Fatalf("%d evidence items: the test proves nothing", len(all))
	}
	pages := webtest.WalkPages(t, get, "/orgs/alpha/evidence")
	if len(pages) != (len(all)+controls.EvidencePerPage-1)/controls.EvidencePerPage {
		t.Errorf("%d evidence pages for %d items", len(pages), len(all))
	}
	once("evidence", ids(evidenceRow, pages), all)

	// A filter is kept from page to page.
	control := ws.Controls[0].ID
	var ofControl []string
	for _, ev := range ws.Evidence {
		if slices.Contains(ev.ControlIDs(), control) {
			ofControl = append(ofControl, ev.ID)
		}
	}
	once("evidence of "+control, ids(evidenceRow, webtest.WalkPages(t, get, "/orgs/alpha/evidence?control="+control+"&page=1")), ofControl)
	var api controls.EvidenceList
	if err := json.Unmarshal([]byte(e.Get(c, "/api/v1/orgs/alpha/evidence").Body), &api); err != nil || len(api.Evidence) != len(all) {
		t.Errorf("the API lists %d items (%v), want all %d", len(api.Evidence), err, len(all))
	}

	// The flows API's megabytes go compressed to a client that asks,
	// and decompress to exactly the plain answer.
	raw := &http.Client{Jar: c.Jar, Transport: &http.Transport{DisableCompression: true}}
	fetch := func(enc string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs/alpha/flows", nil)
		req.Header.Set("Accept-Encoding", enc)
		r := e.Send(raw, req)
		return r.Response, []byte(r.Body)
	}
	plainRes, plain := fetch("identity")
	zres, zbody := fetch("br, gzip")
	if plainRes.Header.Get("Content-Encoding") != "" || zres.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding %q for identity, %q for gzip", plainRes.Header.Get("Content-Encoding"), zres.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) || len(plain) < kit.GzipFrom {
		t.Errorf("the gzip answer decompresses to %d bytes (%v), the plain one is %d", len(unzipped), err, len(plain))
	}
	t.Logf("the flows API: %d bytes, %d gzipped", len(plain), len(zbody))

	var systems []string
	for _, s := range ws.Systems {
		systems = append(systems, "/orgs/alpha/systems/"+s.ID)
	}
	once("systems", ids(recordRow, webtest.WalkPages(t, get, "/orgs/alpha/systems")), systems)

	// The register's coverage findings, FindingsPerPage to a page.
	var reg risks.RiskRegister
	if err := json.Unmarshal([]byte(e.Get(c, "/api/v1/orgs/alpha/risks").Body), &reg); err != nil || len(reg.Findings) < 2*risks.FindingsPerPage {
		t.Fatalf("the register has %d findings (%v): the test proves nothing", len(reg.Findings), err)
	}
	var findings []string
	for _, f := range reg.Findings {
		findings = append(findings, f.Rule+" · "+f.Subject)
	}
	once("the register's findings", ids(findingRule, webtest.WalkPages(t, get, "/orgs/alpha/risks")), findings)

	for _, p := range []string{"/orgs/alpha/agreements", "/orgs/alpha/vendors", "/orgs/alpha/flows", "/orgs/alpha/controls"} {
		get(p)
	}
	for _, p := range []string{"/orgs/alpha/evidence?page=0", "/orgs/alpha/systems?page=x", "/orgs/alpha?all=risk&page=-1"} {
		if r := e.Get(c, p); r.StatusCode != 400 || !strings.Contains(r.Body, "page must be a whole number") {
			t.Errorf("%s: %d, want 400 naming the page parameter", p, r.StatusCode)
		}
	}
}

// Concurrent requests of people of one role for answers not kept yet:
// each gets the answer with their own token (go test -race checks that
// nothing kept is written to while shared).
func TestPageCacheConcurrent(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		u := e.AddUser("viewer"+strconv.Itoa(i)+"@alpha.example", "Viewer "+strconv.Itoa(i), e.OrgA, store.RoleViewer)
		c, csrf := e.Login(u)
		wg.Go(func() {
			for _, p := range []string{"/orgs/alpha/evidence", "/api/v1/orgs/alpha/incidents", "/orgs/alpha/risks", "/api/v1/orgs/alpha/flows"} {
				r := e.Get(c, p)
				if r.StatusCode != 200 {
					t.Errorf("%s as %s: %d", p, u.Email, r.StatusCode)
					continue
				}
				if strings.HasPrefix(p, "/orgs/") {
					if m := metaCSRF.FindStringSubmatch(r.Body); m == nil || m[1] != csrf {
						t.Errorf("%s as %s: not the session's token", p, u.Email)
					}
				}
			}
		})
	}
	wg.Wait()
}
