package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// seedOrgs creates n client organizations, each a variation of the demo
// (fewer evidence items, SOC 2 pursued or not, risks or none), and makes
// userID a viewer of each.
func seedOrgs(tb testing.TB, st *store.Store, n int, userID int64) {
	tb.Helper()
	ctx := context.Background()
	l, err := workspace.Load("../../../examples/acme-health", workspace.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	demo := l.Workspace
	for i := range n {
		slug := fmt.Sprintf("client-%03d", i)
		org, err := st.CreateOrg(ctx, "test", slug, fmt.Sprintf("Client %03d", i))
		if err != nil {
			tb.Fatal(err)
		}
		ws := *demo
		ws.Organization.Name = org.Name
		ws.Organization.Slug = slug
		ws.Evidence = demo.Evidence[:len(demo.Evidence)-(i*7)%len(demo.Evidence)]
		if i%3 == 0 {
			ws.Organization.SOC2 = workspace.SOC2{Type: "none"}
		}
		if i%4 == 0 {
			ws.Risks = nil
		}
		if _, err := st.Org(org).Apply(ctx, "test", &ws, store.ApplyOptions{}); err != nil {
			tb.Fatalf("seed %s: %v", slug, err)
		}
		if err := st.SetRole(ctx, "test", userID, org, store.RoleViewer); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestOrgsOverviewSorts: one row per organization the caller belongs to
// (and no other), each column sorts both ways on the server, rows without
// a value stay last, and the home page of a many-organization account is
// this overview.
func TestOrgsOverviewSorts(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleViewer]
	seedOrgs(t, e.Store, 12, u.ID)
	c, _ := e.Login(u)

	get := func(q string) app.OrgsOverview {
		t.Helper()
		r := e.Get(c, "/api/v1/overview?as_of="+webtest.DemoAsOf+q)
		if r.StatusCode != 200 {
			t.Fatalf("overview%s: status %d: %s", q, r.StatusCode, r.Body)
		}
		var ov app.OrgsOverview
		if err := json.Unmarshal([]byte(r.Body), &ov); err != nil {
			t.Fatal(err)
		}
		return ov
	}
	ov := get("")
	if len(ov.Orgs) != 13 { // alpha and twelve clients; not bravo
		t.Fatalf("%d rows, want 13", len(ov.Orgs))
	}
	for _, row := range ov.Orgs {
		if row.Slug == webtest.SlugB {
			t.Error("bravo is listed to a user who is not a member")
		}
	}
	byName := map[string]kit.OrgRow{}
	for _, row := range ov.Orgs {
		byName[row.Slug] = row
	}
	// client-000 does not pursue SOC 2; client-001 is the whole demo, with
	// its October 2026 Type II exception.
	if byName["client-000"].Readiness["soc2"] != nil || byName["client-001"].Readiness["soc2"] == nil {
		t.Errorf("SOC 2 readiness: client-000 %v, client-001 %v", byName["client-000"].Readiness["soc2"], byName["client-001"].Readiness["soc2"])
	}
	if byName["client-001"].Exceptions == 0 || byName["client-001"].Failing == 0 || byName["client-001"].Next == nil {
		t.Errorf("client-001 (the demo): %+v", byName["client-001"])
	}

	for _, key := range []string{"name", "hipaa", "soc2", "csf", "failing", "findings", "exceptions", "requests", "deadline"} {
		for _, desc := range []bool{false, true} {
			q := key
			if desc {
				q = "-" + key
			}
			rows := get("&sort=" + q).Orgs
			value := func(r kit.OrgRow) (float64, bool) {
				switch key {
				case "hipaa", "soc2", "csf":
					if p := r.Readiness[key]; p != nil {
						return *p, true
					}
					return 0, false
				case "failing":
					return float64(r.Failing), true
				case "findings":
					return float64(r.OpenFindings), true
				case "exceptions":
					return float64(r.Exceptions), true
				case "requests":
					return float64(r.OverdueRequests), true
				case "deadline":
					if r.Next != nil {
						return float64(r.Next.Due.Time().Unix()), true
					}
					return 0, false
				}
				return 0, true
			}
			seenMissing := false
			for i := 1; i < len(rows); i++ {
				a, b := rows[i-1], rows[i]
				if key == "name" {
					if cmp := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); (cmp > 0) != desc && cmp != 0 {
						t.Errorf("sort=%s: %s before %s", q, a.Name, b.Name)
					}
					continue
				}
				va, oka := value(a)
				vb, okb := value(b)
				if !oka {
					seenMissing = true
				}
				if seenMissing && okb {
					t.Errorf("sort=%s: %s has a value after rows without one", q, b.Slug)
				}
				if oka && okb && ((!desc && va > vb) || (desc && va < vb)) {
					t.Errorf("sort=%s: %s (%v) before %s (%v)", q, a.Slug, va, b.Slug, vb)
				}
			}
		}
	}
	// A change to one organization shows at once (the cached row is
	// keyed by its audit head): October's scan removes an exception.
	org, err := e.Store.OrgBySlug(context.Background(), "client-001")
	if err != nil {
		t.Fatal(err)
	}
	before := byName["client-001"].Exceptions
	if _, err := e.Store.Org(org).AddEvidence(context.Background(), "test", workspace.Evidence{Control: "vulnerability-scanning", Collected: date.MustParse("2026-10-15"), Note: "late scan"}); err != nil {
		t.Fatal(err)
	}
	for _, row := range get("").Orgs {
		if row.Slug == "client-001" && row.Exceptions != before-1 {
			t.Errorf("after adding October's scan client-001 has %d exceptions, want %d", row.Exceptions, before-1)
		}
	}
	if r := e.Get(c, "/api/v1/overview?sort=size"); r.StatusCode != 400 {
		t.Errorf("unknown sort: status %d, want 400", r.StatusCode)
	}
	// The page: same rows, a link per column; and it is the home page.
	page := e.Get(c, "/?sort=-failing&as_of="+webtest.DemoAsOf)
	if page.StatusCode != 200 || strings.Count(page.Body, `<tr class="org"`) != 13 || !strings.Contains(page.Body, `aria-sort="descending"`) {
		t.Errorf("home for 13 organizations: status %d:\n%.600s", page.StatusCode, page.Body)
	}
}

// TestOrgsOverviewLinksKeepTheDate: the overview asked for a date
// (?as_of=) links each row to its organization's pages on that date, so
// the number clicked is the number the page shows; asked for no date, the
// links name none.
func TestOrgsOverviewLinksKeepTheDate(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleViewer]
	seedOrgs(t, e.Store, 3, u.ID)
	c, _ := e.Login(u)
	link := regexp.MustCompile(`<a (?:class="what" )?href="(/orgs/client-[^"]*)"`)
	for _, q := range []string{"?as_of=" + webtest.DemoAsOf, ""} {
		page := e.Get(c, "/orgs"+q)
		if page.StatusCode != 200 {
			t.Fatalf("/orgs%s: status %d", q, page.StatusCode)
		}
		links := link.FindAllStringSubmatch(page.Body, -1)
		deadlines := 0
		for _, m := range links {
			href := html.UnescapeString(m[1])
			if strings.Contains(m[0], `class="what"`) {
				deadlines++
			}
			if dated := strings.Contains(href, "as_of="+webtest.DemoAsOf); dated != (q != "") {
				t.Errorf("/orgs%s links %s", q, href)
			}
			if strings.Count(href, "?") > 1 {
				t.Errorf("/orgs%s links %s: two queries", q, href)
			}
		}
		if len(links) < 6 || deadlines == 0 {
			t.Fatalf("/orgs%s: %d links to the organizations, %d to a deadline:\n%.2000s", q, len(links), deadlines, page.Body)
		}
	}
	// The row's count is the organization page's.
	page := e.Get(c, "/orgs/client-001?as_of="+webtest.DemoAsOf)
	if !strings.Contains(page.Body, "on "+webtest.DemoAsOf) {
		t.Errorf("client-001 on %s does not say its date:\n%.1500s", webtest.DemoAsOf, page.Body)
	}
}

// TestBrowserOrgsOverview: with many organizations, clicking a heading
// sorts the table (no script involved), and clicking again reverses it.
func TestBrowserOrgsOverview(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	u := e.Users[store.RoleViewer]
	seedOrgs(t, e.Store, 40, u.ID)
	// Logging in lands on the overview: the account has many organizations.
	b.Navigate(e.HTTP.URL + "/login")
	b.Fill(`input[name="email"]`, u.Email)
	b.Fill(`input[name="password"]`, u.Password)
	b.Click(`button[type="submit"]`)
	b.WaitVisible("table.orgs")
	b.Navigate(e.HTTP.URL + "/orgs?as_of=" + webtest.DemoAsOf)
	b.WaitVisible("table.orgs")
	if n := b.Count("table.orgs tbody tr"); n != 41 {
		t.Fatalf("%d rows, want 41", n)
	}
	failing := func() []int {
		t.Helper()
		var out []int
		n := b.Count("table.orgs tbody tr")
		for i := 1; i <= n; i++ {
			var v int
			fmt.Sscan(b.Text(fmt.Sprintf("table.orgs tbody tr:nth-child(%d) td.failing", i)), &v)
			out = append(out, v)
		}
		return out
	}
	b.Click(`table.orgs th a[data-sort="failing"]`)
	b.WaitVisible(`table.orgs th[aria-sort="descending"] a[data-sort="failing"]`)
	got := failing()
	if !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) {
		t.Errorf("after clicking Failing checks: %v, want most first", got)
	}
	if got[0] == got[len(got)-1] {
		t.Errorf("every organization has %d failing checks: the seed does not vary", got[0])
	}
	b.Screenshot("orgs-failing")
	b.Click(`table.orgs th a[data-sort="failing"]`)
	b.WaitVisible(`table.orgs th[aria-sort="ascending"] a[data-sort="failing"]`)
	if got := failing(); !slices.IsSorted(got) {
		t.Errorf("after clicking again: %v, want fewest first", got)
	}
	if !strings.Contains(b.URL(), "as_of="+webtest.DemoAsOf) {
		t.Errorf("sorting lost the date: %s", b.URL())
	}
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems: %q", p)
	}
}

// BenchmarkOrgsOverview300 is the MSP overview for 300 organizations
// (each the demo: 30 controls, 2 years of dated evidence), computed as
// the page does: go test -run - -bench OrgsOverview300 ./internal/web/
func BenchmarkOrgsOverview300(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "ward.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, "test", "msp@example.com", "MSP", "x")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	seedOrgs(b, st, 300, u.ID)
	b.Logf("seeded 300 organizations in %v", time.Since(start).Round(time.Millisecond))
	s := kit.New(st, kit.Config{})
	ms, err := st.Memberships(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	asOf := date.MustParse(webtest.DemoAsOf)
	for _, warm := range []bool{false, true} {
		name := "cold" // every organization's records loaded and evaluated
		if warm {
			name = "warm" // nothing changed since the last look: audit heads only
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if !warm {
					s.Msp.Reset()
				}
				rows, err := app.OrgsOverviewRows(s, ctx, ms, asOf)
				if err != nil {
					b.Fatal(err)
				}
				app.SortOrgs(rows, "failing", true)
			}
		})
	}
	// A date not asked before on each pass: the summaries are held, every
	// row is evaluated (what /orgs?as_of= costs for a new date).
	b.Run("new-date", func(b *testing.B) {
		day := asOf
		for b.Loop() {
			day = day.AddDays(-1)
			if _, err := app.OrgsOverviewRows(s, ctx, ms, day); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The overview counts each organization's open failing findings of
// imported scans, once each (the sample's three FAILs), and refreshes the
// cached row when an import moves the audit trail.
func TestOrgsOverviewOpenScanFindings(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	open := func() int {
		t.Helper()
		var ov app.OrgsOverview
		if err := json.Unmarshal([]byte(e.Get(c, "/api/v1/overview?as_of="+webtest.DemoAsOf).Body), &ov); err != nil {
			t.Fatal(err)
		}
		for _, r := range ov.Orgs {
			if r.Slug == "alpha" {
				return r.OpenFindings
			}
		}
		t.Fatal("no alpha row")
		return 0
	}
	if n := open(); n != 0 {
		t.Fatalf("open scan findings before any import: %d", n)
	}
	e.ImportSample()
	if n := open(); n != 3 {
		t.Errorf("open scan findings after the sample: %d, want its 3 FAILs", n)
	}
	if page := e.Get(c, "/orgs?as_of="+webtest.DemoAsOf); !strings.Contains(page.Body, "Open scan findings") {
		t.Error("the page has no open scan findings column")
	}
}
