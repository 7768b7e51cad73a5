package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// rowSlugs are the organizations /orgs draws a row for, in order.
func rowSlugs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr class="org" data-slug="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestOrgsOverviewKeptPerAccount: the overview's answer is kept and
// served again while nothing it shows has changed, but only to an
// account holding the same roles in the same organizations: another
// account's page never carries a row of an organization it does not
// belong to, its layout is its own (name, CSRF token), and a role given,
// or a change to one of the organizations, is on the next page. On both
// engines.
func TestOrgsOverviewKeptPerAccount(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			viewer := e.Users[store.RoleViewer]
			seedOrgs(t, e.Store, 2, viewer.ID) // client-000, client-001
			ms, err := e.Store.Memberships(ctx, viewer.ID)
			if err != nil {
				t.Fatal(err)
			}
			orgs := map[string]store.Org{}
			for _, m := range ms {
				orgs[m.Org.Slug] = m.Org
			}
			hits := func() int {
				e.Server.Pc.Mu.Lock()
				defer e.Server.Pc.Mu.Unlock()
				return e.Server.Pc.Hits
			}
			get := func(who string, c *http.Client, path string) (string, []string) {
				t.Helper()
				r := e.Get(c, path)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%s: %s status %d", who, path, r.StatusCode)
				}
				return r.Body, rowSlugs(r.Body)
			}
			csrfOf := func(body string) string {
				m := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)
				if m == nil {
					t.Fatal("no CSRF token on the page")
				}
				return m[1]
			}

			// A: viewer of alpha, client-000 and client-001.
			ca, _ := e.Login(viewer)
			bodyA, rowsA := get("A", ca, "/orgs")
			if want := []string{"alpha", "client-000", "client-001"}; !slices.Equal(rowsA, want) {
				t.Fatalf("A's rows %v, want %v", rowsA, want)
			}
			h := hits()
			bodyA2, _ := get("A again", ca, "/orgs")
			if hits() != h+1 {
				t.Errorf("A's second /orgs, nothing changed: %d kept answers served, want 1", hits()-h)
			}
			if bodyA2 != bodyA {
				t.Error("A's kept /orgs differs from the one made for it")
			}

			// B: admin of bravo, viewer of client-000, a workforce member
			// of client-001 (its tasks, no row). A's answer is not B's.
			b := e.Bravo
			if err := e.Store.SetRole(ctx, "test", b.ID, orgs["client-000"], store.RoleViewer); err != nil {
				t.Fatal(err)
			}
			if err := e.Store.SetRole(ctx, "test", b.ID, orgs["client-001"], store.RoleMember); err != nil {
				t.Fatal(err)
			}
			cb, _ := e.Login(b)
			h = hits()
			bodyB, rowsB := get("B", cb, "/orgs")
			if want := []string{"bravo", "client-000"}; !slices.Equal(rowsB, want) {
				t.Errorf("B's rows %v, want %v", rowsB, want)
			}
			if hits() != h {
				t.Error("B was served a kept answer made for another account")
			}
			for _, leak := range []string{`data-slug="alpha"`, "Alpha Health", "Alpha viewer", csrfOf(bodyA)} {
				if strings.Contains(bodyB, leak) {
					t.Errorf("B's /orgs holds %q, from A's", leak)
				}
			}
			if !strings.Contains(bodyB, `href="/orgs/client-001/my"`) || !strings.Contains(bodyB, "Bravo admin") {
				t.Error("B's /orgs lacks its own tasks link or its own name")
			}

			// C holds exactly A's roles: A's content is C's too, in C's
			// own layout with C's own CSRF token.
			c := e.AddUser("carol@alpha.example", "Carol Reyes", e.OrgA, store.RoleViewer)
			for _, slug := range []string{"client-000", "client-001"} {
				if err := e.Store.SetRole(ctx, "test", c.ID, orgs[slug], store.RoleViewer); err != nil {
					t.Fatal(err)
				}
			}
			cc, _ := e.Login(c)
			// Giving roles is audited in each organization: A's page is
			// made again first, under the heads that C's request reads.
			bodyA, _ = get("A after C's roles", ca, "/orgs")
			h = hits()
			bodyC, rowsC := get("C", cc, "/orgs")
			if hits() != h+1 {
				t.Errorf("C, with A's roles: %d kept answers served, want 1", hits()-h)
			}
			if !slices.Equal(rowsC, rowsA) {
				t.Errorf("C's rows %v, A's %v", rowsC, rowsA)
			}
			if strings.Contains(bodyC, "Alpha viewer") || !strings.Contains(bodyC, "Carol Reyes") {
				t.Error("C's /orgs shows A's name, or not C's")
			}
			if csrfOf(bodyC) == csrfOf(bodyA) || strings.Contains(bodyC, csrfOf(bodyA)) {
				t.Error("C's /orgs carries A's CSRF token")
			}
			if strings.Contains(bodyC, kit.CSRFPlaceholder) {
				t.Error("C's /orgs carries the CSRF placeholder")
			}

			// A role given to B: its next page has the row.
			if err := e.Store.SetRole(ctx, "test", b.ID, e.OrgA, store.RoleAuditor); err != nil {
				t.Fatal(err)
			}
			if _, rows := get("B with alpha", cb, "/orgs"); !slices.Equal(rows, []string{"alpha", "bravo", "client-000"}) {
				t.Errorf("B's rows after a role in alpha: %v", rows)
			}

			// A change to client-000 (another server, ward apply: the
			// store) moves its head: A's next page is made again, and
			// shows it (the data-flow gate fails once more).
			_, before := overviewJSON(t, e, ca)
			if _, err := e.Store.Org(orgs["client-000"]).Put(ctx, "test", store.KindSystem, "fax-gateway",
				workspace.System{ID: "fax-gateway", Name: "Fax gateway", Kind: "saas", PHI: true, LivePHI: true, Vendor: "aws"}); err != nil {
				t.Fatal(err)
			}
			h = hits()
			get("A after a change", ca, "/orgs")
			if hits() != h {
				t.Error("A was served the answer kept before client-000 changed")
			}
			_, after := overviewJSON(t, e, ca)
			if after["client-000"].BlockingLivePHI == before["client-000"].BlockingLivePHI && after["client-000"].Failing == before["client-000"].Failing {
				t.Errorf("client-000's row did not change after a live-PHI system was added: %+v", after["client-000"])
			}
		})
	}
}

// overviewJSON is GET /api/v1/overview (today) by row.
func overviewJSON(t *testing.T, e *webtest.TestEnv, c *http.Client) (string, map[string]kit.OrgRow) {
	t.Helper()
	r := e.Get(c, "/api/v1/overview")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("overview API: status %d", r.StatusCode)
	}
	var ov struct {
		Orgs []kit.OrgRow `json:"orgs"`
	}
	if err := json.Unmarshal([]byte(r.Body), &ov); err != nil {
		t.Fatal(err)
	}
	m := map[string]kit.OrgRow{}
	for _, row := range ov.Orgs {
		m[row.Slug] = row
	}
	return r.Body, m
}
