package app_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

var svgGroupID = regexp.MustCompile(`<g id="((?:system|vendor)-[^"]+)" class="([^"]*)"`)

// drawn maps each system and vendor element of the page's diagram to its
// class attribute.
func drawn(body string) map[string]string {
	m := map[string]string{}
	for _, g := range svgGroupID.FindAllStringSubmatch(body, -1) {
		m[g[1]] = g[2]
	}
	return m
}

// TestFlowsDiagramViews: issue 5 item 4 asks that a large inventory stay
// readable on the page by grouping, collapsing and filtering to PHI. The
// data-flow page offers one box per vendor (?collapse=1) and a focus on
// one vendor and its neighbours (?vendor=ID), alongside ?phi=1; the links
// that switch views keep the as-of date and the other choices, and an
// unknown vendor is a 404 that says what it can be instead.
func TestFlowsDiagramViews(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(q string) (int, string) {
		t.Helper()
		res := e.Get(c, "/orgs/alpha/flows?as_of=2026-11-23"+q)
		return res.StatusCode, res.Body
	}

	code, full := get("")
	if code != 200 {
		t.Fatalf("flows page: %d", code)
	}
	all := drawn(full)
	if _, ok := all["system-visit-summaries"]; !ok {
		t.Fatal("the full diagram does not draw system-visit-summaries")
	}

	cases := []struct {
		name      string
		query     string
		want      []string // element ids drawn
		absent    []string // element ids not drawn
		failing   []string // element ids drawn red (class fail)
		noSystems bool
		links     []string // view links on the page
	}{
		{
			name:      "one box per vendor",
			query:     "&collapse=1",
			want:      []string{"vendor-openai", "vendor-snowflake", "vendor-aws", "vendor-in-house"},
			failing:   []string{"vendor-openai", "vendor-snowflake"},
			noSystems: true,
			links:     []string{"Show each system", "Show only PHI"},
		},
		{
			name:   "focused on one vendor: its systems and their neighbours",
			query:  "&vendor=openai",
			want:   []string{"system-visit-summaries", "system-patient-api"},
			absent: []string{"system-source-code", "system-warehouse", "system-product-analytics"},
			// The vendor without a BAA stays red in the focused view.
			failing: []string{"vendor-openai"},
			links:   []string{"Show every vendor", "One box per vendor"},
		},
		{
			name:    "PHI only and collapsed: vendors without PHI are left out",
			query:   "&phi=1&collapse=1",
			want:    []string{"vendor-openai", "vendor-aws"},
			absent:  []string{"vendor-github", "vendor-mixpanel"},
			failing: []string{"vendor-openai"},
			links:   []string{"Show every system", "Show each system"},
		},
		{
			name:   "in-house systems",
			query:  "&vendor=in-house",
			want:   []string{"system-laptops"},
			absent: []string{"system-source-code"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.query)
			if code != 200 {
				t.Fatalf("%s: %d", tc.query, code)
			}
			got := drawn(body)
			for _, id := range tc.want {
				if _, ok := got[id]; !ok {
					t.Errorf("%s not drawn; drawn: %v", id, got)
				}
			}
			for _, id := range tc.absent {
				if _, ok := got[id]; ok {
					t.Errorf("%s drawn, want it left out", id)
				}
			}
			for _, id := range tc.failing {
				if !strings.Contains(" "+got[id]+" ", " fail ") {
					t.Errorf("%s has class %q, want it drawn as failing", id, got[id])
				}
			}
			if tc.noSystems {
				for id := range got {
					if strings.HasPrefix(id, "system-") {
						t.Errorf("collapsed diagram draws %s", id)
					}
				}
			}
			if len(got) >= len(all) {
				t.Errorf("%s draws %d elements, the full diagram %d: nothing was reduced", tc.query, len(got), len(all))
			}
			if strings.Contains(body, `style="`) {
				t.Error("the page carries a style attribute, which the CSP blocks")
			}
			text := html.UnescapeString(body)
			for _, l := range tc.links {
				if !strings.Contains(text, ">"+l+"</a>") {
					t.Errorf("no %q link", l)
				}
			}
			// Every view link keeps the as-of date.
			for _, m := range regexp.MustCompile(`<span class="diagram-views">(.*?)</span>`).FindAllStringSubmatch(text, -1) {
				if n := strings.Count(m[1], "href="); n != strings.Count(m[1], "as_of=2026-11-23") {
					t.Errorf("a view link drops the as-of date: %s", m[1])
				}
			}
		})
	}

	if code, body := get("&vendor=no-such-vendor"); code != 404 || !strings.Contains(body, "no-such-vendor") {
		t.Errorf("unknown vendor: %d, want 404 naming it", code)
	}
}

// An inventory of more systems than a diagram can show one by one opens
// with one box per vendor; ?collapse=0 draws every system, and the page
// says why it is collapsed and how to see each.
func TestFlowsLargeInventoryOpensCollapsed(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	for i := range app.AutoCollapse + 1 {
		id := fmt.Sprintf("svc-%03d", i)
		ws.Systems = append(ws.Systems, workspace.System{ID: id, Kind: "service", Vendor: "aws"})
		ws.Flows = append(ws.Flows, workspace.Flow{From: "patient-api", To: id})
	}
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", ws, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := e.Login(e.Users[store.RoleViewer])
	page := e.Get(c, "/orgs/alpha/flows?as_of=2026-11-23")
	got := drawn(page.Body)
	if _, ok := got["vendor-aws"]; !ok || !strings.Contains(page.Body, "each vendor is one box") {
		t.Fatalf("a large inventory does not open collapsed; drawn: %d elements", len(got))
	}
	for id := range got {
		if strings.HasPrefix(id, "system-") {
			t.Fatalf("the collapsed view draws %s", id)
		}
	}
	if !strings.Contains(html.UnescapeString(page.Body), `collapse=0`) {
		t.Error("no link to show each system")
	}
	every := drawn(e.Get(c, "/orgs/alpha/flows?as_of=2026-11-23&collapse=0").Body)
	if _, ok := every["system-svc-060"]; !ok {
		t.Error("?collapse=0 does not draw every system")
	}
	// Focused on a vendor, it draws that vendor's systems.
	if _, ok := drawn(e.Get(c, "/orgs/alpha/flows?as_of=2026-11-23&vendor=openai").Body)["system-visit-summaries"]; !ok {
		t.Error("the focused view is collapsed too")
	}
}
