package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/benchgen"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/todo"
	"ward/internal/web/app"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// referenceRow is an organization's row computed the plain way, from
// the workspace as the store loads it, one framework at a time: what the
// overview showed before it kept summaries.
func referenceRow(t *testing.T, st *store.Store, org store.Org, role string, asOf date.Date) kit.OrgRow {
	t.Helper()
	ctx := context.Background()
	o := st.Org(org)
	ws, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.Default()
	row := kit.OrgRow{Slug: org.Slug, Name: org.Name, Role: role, Readiness: map[string]*float64{}}
	for _, fw := range controls.ReadinessFrameworks {
		if fw == "soc2" && ws.Organization.SOC2.Type != "type1" && ws.Organization.SOC2.Type != "type2" {
			row.Readiness[fw] = nil
			continue
		}
		p, err := posture.Evaluate(ws, cat, fw, asOf)
		if err != nil {
			t.Fatal(err)
		}
		pct := p.Score.Percent
		row.Readiness[fw] = &pct
		if fw == "soc2" {
			row.Exceptions = len(p.Exceptions)
		}
	}
	l := todo.Build(ws, asOf, org.Slug)
	row.Failing, row.Warnings = l.Errors, l.Warnings
	row.NeedsAttention, row.Overdue, row.BlockingLivePHI = l.Open, l.Overdue, l.BlockingLivePHI
	row.OverdueRequests = privacy.Overdue(ws, asOf)
	if it := l.Next(); it != nil {
		row.Next = &kit.Deadline{Due: it.Due, What: it.Title, Days: *it.DaysLeft, Overdue: it.Overdue, Link: it.Link}
	}
	if row.OpenFindings, err = o.OpenFindingTotal(ctx); err != nil {
		t.Fatal(err)
	}
	return row
}

// seedVaried adds benchgen practices of several shapes (SOC 2 or not, a
// larger one, one with no evidence) beside seedOrgs' variations of the
// demo, and makes userID a viewer of each.
func seedVaried(t *testing.T, st *store.Store, userID int64) {
	t.Helper()
	ctx := context.Background()
	seedOrgs(t, st, 5, userID)
	sizes := []benchgen.Size{benchgen.Practice, benchgen.Practice.Scale(0.4), benchgen.Large.Scale(0.02), {People: 2, Systems: 3, Flows: 2, Controls: 5}}
	for i, sz := range sizes {
		ws := benchgen.Org(uint64(100+i), fmt.Sprintf("practice-%d", i), fmt.Sprintf("Practice %d", i), sz)
		if i == 1 {
			ws.Organization.SOC2 = workspace.SOC2{Type: "none"}
			ws.Organization.Roles = []string{workspace.RoleCoveredEntity}
		}
		org, err := st.CreateOrg(ctx, "test", ws.Organization.Slug, ws.Organization.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Org(org).Apply(ctx, "test", ws, store.ApplyOptions{}); err != nil {
			t.Fatalf("seed %s: %v", ws.Organization.Slug, err)
		}
		if err := st.SetRole(ctx, "test", userID, org, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
}

// overviewDates are as-of dates before, inside and after the seeded
// evidence and deadlines.
var overviewDates = []string{"2025-06-15", "2026-08-30", webtest.DemoAsOf, "2026-11-30", "2027-03-01"}

// TestOrgsSummaryRowsMatchWorkspace is the differential test of the
// overview's summaries: on both engines, on varied organizations (the
// demo, its variations, benchgen practices, scan findings), every row
// computed from a summary equals the row computed from the whole
// workspace, for several dates; a second server (a restart) reads the
// stored summaries, makes none and computes the same rows.
func TestOrgsSummaryRowsMatchWorkspace(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			e.SeedDemo()
			e.ImportSample() // alpha: open failing findings, ScanFailing
			u := e.Users[store.RoleViewer]
			seedVaried(t, e.Store, u.ID)
			ctx := context.Background()
			ms, err := e.Store.Memberships(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			check := func(s *kit.Server, what string) {
				t.Helper()
				for _, d := range overviewDates {
					asOf := date.MustParse(d)
					rows, err := app.OrgsOverviewRows(s, ctx, ms, asOf)
					if err != nil {
						t.Fatal(err)
					}
					for i, m := range ms {
						want := referenceRow(t, e.Store, m.Org, m.Role, asOf)
						if !reflect.DeepEqual(rows[i], want) {
							got, _ := json.Marshal(rows[i])
							exp, _ := json.Marshal(want)
							t.Errorf("%s, %s on %s:\n got %s\nwant %s", what, m.Org.Slug, d, got, exp)
						}
					}
				}
			}
			check(e.Server, "first server")
			if n := e.Server.Msp.Builds.Load(); n != int64(len(ms)) {
				t.Errorf("first server made %d summaries for %d organizations", n, len(ms))
			}
			restarted := kit.New(e.Store, kit.Config{})
			check(restarted, "restarted server")
			if n := restarted.Msp.Builds.Load(); n != 0 {
				t.Errorf("a restarted server made %d summaries, want 0 (all stored and current)", n)
			}

			// Summaries held in memory are bounded: a server holding
			// half of them (or one) drops the least used and reads them
			// again from the store, and its rows are the same.
			held, total := e.Server.Msp.Held()
			if held != len(ms) || total == 0 {
				t.Fatalf("first server holds %d summaries (%d bytes) of %d", held, total, len(ms))
			}
			for _, limit := range []int{total / 2, 1} {
				bounded := kit.New(e.Store, kit.Config{})
				bounded.Msp.MaxBytes = limit
				check(bounded, fmt.Sprintf("a server holding %d bytes of summaries", limit))
				n, b := bounded.Msp.Held()
				if n >= len(ms) || (b > limit && n > 1) {
					t.Errorf("bound %d bytes: %d summaries held (%d bytes) of %d", limit, n, b, len(ms))
				}
				if n := bounded.Msp.Builds.Load(); n != 0 {
					t.Errorf("bound %d bytes: %d summaries made again from the records, want 0 (read from the store)", limit, n)
				}
			}
		})
	}
}

// overviewRow is one organization's row of GET /api/v1/overview.
func overviewRow(t *testing.T, base string, cookie, slug string) kit.OrgRow {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/overview?as_of="+webtest.DemoAsOf, nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ov app.OrgsOverview
	if err := json.NewDecoder(resp.Body).Decode(&ov); err != nil {
		t.Fatal(err)
	}
	for _, r := range ov.Orgs {
		if r.Slug == slug {
			r.Slug, r.Name, r.Role = "", "", ""
			return r
		}
	}
	t.Fatalf("no row for %s", slug)
	return kit.OrgRow{}
}

// TestOrgsOverviewSeesChangesElsewhere: a change made through another
// server on the same database, or by ward apply, moves the
// organization's audit head, and the next overview shows it, making that
// organization's summary again and no other's.
func TestOrgsOverviewSeesChangesElsewhere(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			editor := e.Users[store.RoleEditor]
			seedOrgs(t, e.Store, 3, editor.ID)
			cookie, _ := e.Session(editor.User)
			ms, err := e.Store.Memberships(ctx, editor.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := func(slug string) kit.OrgRow {
				t.Helper()
				for _, m := range ms {
					if m.Org.Slug == slug {
						r := referenceRow(t, e.Store, m.Org, m.Role, date.MustParse(webtest.DemoAsOf))
						r.Slug, r.Name, r.Role = "", "", ""
						return r
					}
				}
				t.Fatalf("no membership of %s", slug)
				return kit.OrgRow{}
			}
			before := overviewRow(t, e.HTTP.URL, cookie, webtest.SlugA)
			built := e.Server.Msp.Builds.Load()

			// Another server on the same database adds a system holding
			// live PHI with no BAA on its path: alpha's gate fails more.
			other := httptest.NewServer(kit.New(e.Store, kit.Config{}))
			defer other.Close()
			c2, csrf := e.Session(editor.User)
			req, _ := http.NewRequest("POST", other.URL+"/api/v1/orgs/alpha/systems",
				strings.NewReader(`{"id":"fax-gateway","name":"Fax gateway","kind":"saas","phi":true,"live_phi":true,"vendor":"aws"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(kit.CSRFHeader, csrf)
			req.AddCookie(&http.Cookie{Name: "ward_session", Value: c2})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				t.Fatalf("add a system through the other server: status %d", resp.StatusCode)
			}
			after := overviewRow(t, e.HTTP.URL, cookie, webtest.SlugA)
			if reflect.DeepEqual(after, before) {
				t.Errorf("alpha's row did not change after a live-PHI system was added elsewhere: %+v", after)
			}
			if w := want(webtest.SlugA); !reflect.DeepEqual(after, w) {
				t.Errorf("alpha after the change:\n got %+v\nwant %+v", after, w)
			}
			if n := e.Server.Msp.Builds.Load() - built; n != 1 {
				t.Errorf("%d summaries made after one organization changed, want 1", n)
			}

			// ward apply (the store's apply path) retires client-001's
			// evidence: its readiness falls.
			built = e.Server.Msp.Builds.Load()
			before = overviewRow(t, e.HTTP.URL, cookie, "client-001")
			var org store.Org
			for _, m := range ms {
				if m.Org.Slug == "client-001" {
					org = m.Org
				}
			}
			ws, err := e.Store.Org(org).Workspace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws.Evidence = nil
			ws.ScanFailing, ws.ScanFailingBy, ws.ScanChecks = nil, nil, nil
			if _, err := e.Store.Org(org).Apply(ctx, "test", ws, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
				t.Fatal(err)
			}
			after = overviewRow(t, e.HTTP.URL, cookie, "client-001")
			if reflect.DeepEqual(after, before) {
				t.Errorf("client-001's row did not change after its evidence was retired: %+v", after)
			}
			if w := want("client-001"); !reflect.DeepEqual(after, w) {
				t.Errorf("client-001 after apply:\n got %+v\nwant %+v", after, w)
			}
			if n := e.Server.Msp.Builds.Load() - built; n != 1 {
				t.Errorf("%d summaries made after ward apply changed one organization, want 1", n)
			}
		})
	}
}

// TestOrgsOverviewColdOnce: concurrent requests for an uncached overview
// make each summary and each row once, on a first start (nothing
// stored) and after a restart (summaries stored, a date not seen yet).
func TestOrgsOverviewColdOnce(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			u := e.Users[store.RoleViewer]
			seedOrgs(t, e.Store, 6, u.ID)
			n := int64(7) // alpha and six clients
			cookie, _ := e.Session(u.User)
			concurrent := func(s *kit.Server, asOf string) {
				t.Helper()
				srv := httptest.NewServer(s)
				defer srv.Close()
				var wg sync.WaitGroup
				codes := make([]int, 8)
				for i := range codes {
					wg.Go(func() {
						req, _ := http.NewRequest("GET", srv.URL+"/api/v1/overview?as_of="+asOf, nil)
						req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						resp.Body.Close()
						codes[i] = resp.StatusCode
					})
				}
				wg.Wait()
				for _, c := range codes {
					if c != 200 {
						t.Fatalf("statuses %v", codes)
					}
				}
			}
			// Widen the window in which the requests overlap; nothing
			// here measures it.
			slow := func() { time.Sleep(20 * time.Millisecond) }

			first := kit.New(e.Store, kit.Config{})
			first.Msp.Building = slow
			concurrent(first, webtest.DemoAsOf)
			if b, r := first.Msp.Builds.Load(), first.Msp.Evals.Load(); b != n || r != n {
				t.Errorf("first start: %d summaries and %d rows made for %d organizations, want %d each", b, r, n, n)
			}
			restarted := kit.New(e.Store, kit.Config{})
			restarted.Msp.Building = slow
			concurrent(restarted, "2026-10-01")
			if b, r := restarted.Msp.Builds.Load(), restarted.Msp.Evals.Load(); b != 0 || r != n {
				t.Errorf("after a restart: %d summaries and %d rows made, want 0 and %d", b, r, n)
			}
		})
	}
}
