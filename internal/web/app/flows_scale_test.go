package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/auth"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// bigFlowsWorkspace is an organization at the size of issue 21's
// measurements: systems spread over vendors (a tenth in-house), flows
// between random systems (no two with the same ends), a share carrying
// PHI and a few of those unencrypted, and BAAs for most vendors. The
// same seed gives the same workspace.
func bigFlowsWorkspace(systems, flows, vendors int) *workspace.Workspace {
	r := rand.New(rand.NewPCG(21, 2))
	ws := &workspace.Workspace{}
	for v := range vendors {
		id := fmt.Sprintf("vendor-%03d", v)
		ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: id, Name: fmt.Sprintf("Vendor %d", v)})
		if r.IntN(15) == 0 {
			continue // no BAA: its PHI systems fail the gate
		}
		ws.Agreements = append(ws.Agreements, workspace.Agreement{ID: "baa-" + id, Kind: "baa", Counterparty: id,
			Direction: "downstream", Status: "executed", Effective: date.MustParse("2026-01-01"), BreachNoticeDays: 10})
	}
	for i := range systems {
		s := workspace.System{ID: fmt.Sprintf("sys-%04d", i), Name: fmt.Sprintf("System %d", i),
			Kind: workspace.SystemKinds[r.IntN(len(workspace.SystemKinds))], EncryptedAtRest: true}
		if r.IntN(10) != 0 {
			s.Vendor = fmt.Sprintf("vendor-%03d", r.IntN(vendors))
		}
		if r.IntN(10) == 0 {
			s.PHI, s.LivePHI = true, r.IntN(3) == 0
		}
		ws.Systems = append(ws.Systems, s)
	}
	seen := map[[2]int]bool{}
	for len(ws.Flows) < flows {
		a, b := r.IntN(systems), r.IntN(systems)
		if a == b || seen[[2]int{a, b}] {
			continue
		}
		seen[[2]int{a, b}] = true
		ws.Flows = append(ws.Flows, workspace.Flow{From: ws.Systems[a].ID, To: ws.Systems[b].ID,
			PHI: r.IntN(100) < 3, EncryptedInTransit: r.IntN(20) != 0})
	}
	return ws
}

// bigFlowsEnv applies that organization as alpha's workspace.
func bigFlowsEnv(t testing.TB, e *webtest.TestEnv) *workspace.Workspace {
	ws := bigFlowsWorkspace(2000, 10000, 300)
	start := time.Now()
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", ws, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		t.Fatal(err)
	}
	t.Logf("applied 2,000 systems and 10,000 flows in %v", time.Since(start).Round(time.Millisecond))
	// What the server draws: the generated records and the test's seed.
	stored, err := e.Store.Org(e.OrgA).Workspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// BenchmarkFlows2000 is issue 21's data-flow page and API on 2,000
// systems, 10,000 flows and 300 vendors, served in process (no loopback)
// to a logged-in viewer: the time per request and the bytes of the answer.
// The workspace is loaded once before the timer starts (the page's cache);
// what is measured is the gate, the diagram, the table and the template.
func BenchmarkFlows2000(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "ward.db"), store.Options{BlobDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	org, err := st.CreateOrg(ctx, "test", webtest.SlugA, "Alpha Health")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Org(org).Apply(ctx, "test", bigFlowsWorkspace(2000, 10000, 300), store.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "test", "viewer@alpha.example", "Viewer", "x")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SetRole(ctx, "test", u.ID, org, store.RoleViewer); err != nil {
		b.Fatal(err)
	}
	tok, _ := auth.NewToken()
	csrf, _ := auth.NewToken()
	now := time.Now()
	if err := st.CreateSession(ctx, store.Session{TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, Created: now, LastSeen: now}); err != nil {
		b.Fatal(err)
	}
	s := kit.New(st, kit.Config{})
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "ward_session", Value: tok})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		return rec
	}
	for _, p := range []struct{ name, path string }{
		{"page", "/orgs/alpha/flows"},
		{"api", "/api/v1/orgs/alpha/flows"},
	} {
		b.Run(p.name, func(b *testing.B) {
			get(p.path) // load the workspace
			var n int
			for b.Loop() {
				n = get(p.path).Body.Len()
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

var (
	svgEdgeFlows  = regexp.MustCompile(`<g class="edge[^"]*" data-flows="(\d+)"`)
	svgBoxFlows   = regexp.MustCompile(`<g id="vendor-[^"]*" class="node[^"]*" data-systems="(\d+)" data-flows-inside="(\d+)"`)
	flowTableRows = regexp.MustCompile(`<tr class="record[ "]`)
)

// accounted sums what the page's diagram accounts for: the flows its
// arrows merge, the flows inside its closed boxes, the closed boxes and
// the systems in them.
func accounted(t *testing.T, body string) (arrows, arrowFlows, inside, boxes, systems int) {
	t.Helper()
	for _, m := range svgEdgeFlows.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		arrows++
		arrowFlows += n
	}
	for _, m := range svgBoxFlows.FindAllStringSubmatch(body, -1) {
		s, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		boxes++
		systems += s
		inside += n
	}
	return
}

// Issue 21: at 2,000 systems and 10,000 flows the data-flow page weighed
// 4.2 MB: 7,442 arrows between 300 vendor boxes and every flow in one
// table. It now stays under 300 KB: at most MaxBoxes boxes, arrows merged
// with their count (every flow on exactly one arrow or inside one box),
// the gate's first findings, and the table one page at a time, filtered
// on the server; the JSON API pages and filters the same way.
func TestFlowsPageAtScale(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := bigFlowsEnv(t, e)
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(path string) string {
		t.Helper()
		res := e.Get(c, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %.300s", path, res.StatusCode, res.Body)
		}
		return res.Body
	}

	page := get("/orgs/alpha/flows")
	t.Logf("the page weighs %d bytes", len(page))
	if len(page) >= 300_000 {
		t.Errorf("the data-flow page of 2,000 systems weighs %d bytes, want under 300 KB", len(page))
	}
	arrows, arrowFlows, inside, boxes, systems := accounted(t, page)
	t.Logf("%d boxes, %d arrows", boxes, arrows)
	if boxes == 0 || boxes > app.MaxBoxes {
		t.Errorf("%d boxes drawn, want 1 to %d", boxes, app.MaxBoxes)
	}
	if systems != len(ws.Systems) {
		t.Errorf("the boxes hold %d systems, the organization has %d", systems, len(ws.Systems))
	}
	if arrowFlows+inside != len(ws.Flows) {
		t.Errorf("arrows merge %d flows and boxes hold %d inside: %d, want each of the %d flows once", arrowFlows, inside, arrowFlows+inside, len(ws.Flows))
	}
	if !strings.Contains(page, `class="edge phi`) {
		t.Error("no arrow is marked as carrying PHI")
	}
	if n := len(flowTableRows.FindAllString(page, -1)); n != app.FlowsPerPage {
		t.Errorf("the table lists %d flows, want a page of %d", n, app.FlowsPerPage)
	}
	text := html.UnescapeString(page)
	if !strings.Contains(text, "Flows 1–100 of 10000") {
		t.Error("the table does not say which flows of how many it shows")
	}
	if !strings.Contains(text, `href="?page=2" rel="next"`) || !strings.Contains(text, `href="?page=100"`) {
		t.Error("no links to the next and last pages")
	}

	// The last page, filters kept in the page links.
	last := get("/orgs/alpha/flows?page=100")
	if n := len(flowTableRows.FindAllString(last, -1)); n != app.FlowsPerPage || !strings.Contains(html.UnescapeString(last), "Flows 9901–10000 of 10000") {
		t.Errorf("page 100 lists %d flows", n)
	}
	want := map[string]int{}
	for _, f := range ws.Flows {
		if f.PHI {
			want["1"]++
		} else {
			want["0"]++
		}
	}
	for _, phi := range []string{"1", "0"} {
		body := html.UnescapeString(get("/orgs/alpha/flows?collapse=1&phi=" + phi))
		if !strings.Contains(body, fmt.Sprintf(" of %d that match.", want[phi])) {
			t.Errorf("phi=%s: the table does not count %d flows", phi, want[phi])
		}
		if want[phi] > app.FlowsPerPage && !strings.Contains(body, "?collapse=1&page=2&phi="+phi) {
			t.Errorf("phi=%s: the next page's link drops the filter", phi)
		}
	}
	vendorOf := map[string]string{}
	for _, s := range ws.Systems {
		vendorOf[s.ID] = s.Vendor
	}
	sys := ws.Systems[7]
	var bySystem, byVendor, byText int
	for _, f := range ws.Flows {
		if f.From == sys.ID || f.To == sys.ID {
			bySystem++
		}
		if vendorOf[f.From] == "vendor-042" || vendorOf[f.To] == "vendor-042" {
			byVendor++
		}
		if strings.Contains(f.Key(), "sys-001") {
			byText++
		}
	}
	for q, n := range map[string]int{"system=" + sys.ID: bySystem, "vendor=vendor-042": byVendor, "q=SYS-001": byText} {
		body := html.UnescapeString(get("/orgs/alpha/flows?" + q))
		if !strings.Contains(body, fmt.Sprintf(" of %d that match.", n)) {
			t.Errorf("%s: the table does not count %d flows", q, n)
		}
		var api app.FlowsJSON
		if err := json.Unmarshal([]byte(get("/api/v1/orgs/alpha/flows?"+q)), &api); err != nil {
			t.Fatal(err)
		}
		if api.Total != n || len(api.Flows) != n {
			t.Errorf("API ?%s: total %d, %d flows; want %d", q, api.Total, len(api.Flows), n)
		}
	}

	// The API without parameters answers every flow, as before; with
	// page and per_page, that slice of the same list.
	var all, slice app.FlowsJSON
	if err := json.Unmarshal([]byte(get("/api/v1/orgs/alpha/flows")), &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Flows) != len(ws.Flows) || all.Total != len(ws.Flows) || all.Page != 0 {
		t.Errorf("API: %d flows, total %d, page %d; want all %d, unpaged", len(all.Flows), all.Total, all.Page, len(ws.Flows))
	}
	if err := json.Unmarshal([]byte(get("/api/v1/orgs/alpha/flows?page=3&per_page=250")), &slice); err != nil {
		t.Fatal(err)
	}
	if slice.Total != len(ws.Flows) || slice.Page != 3 || slice.PerPage != 250 || len(slice.Flows) != 250 || slice.Flows[0] != all.Flows[500] || slice.Flows[249] != all.Flows[749] {
		t.Errorf("API page 3 of 250: total %d, page %d, per_page %d, %d flows", slice.Total, slice.Page, slice.PerPage, len(slice.Flows))
	}
	for _, q := range []string{"page=0", "per_page=5000", "phi=maybe"} {
		if res := e.Get(c, "/api/v1/orgs/alpha/flows?"+q); res.StatusCode != 400 {
			t.Errorf("API ?%s: %d, want 400", q, res.StatusCode)
		}
	}
	for _, q := range []string{"vendor=nobody", "system=nothing"} {
		if res := e.Get(c, "/api/v1/orgs/alpha/flows?"+q); res.StatusCode != 404 || !strings.Contains(res.Body, strings.SplitN(q, "=", 2)[1]) {
			t.Errorf("API ?%s: %d, want 404 naming it", q, res.StatusCode)
		}
	}

	// Opening a box draws that vendor's systems, the rest stay boxes, and
	// every flow is still accounted for.
	open := get("/orgs/alpha/flows?expand=vendor-042")
	if len(open) >= 300_000 {
		t.Errorf("with a box open the page weighs %d bytes", len(open))
	}
	_, arrowFlows, inside, _, systems = accounted(t, open)
	own := 0
	for _, s := range ws.Systems {
		if s.Vendor == "vendor-042" {
			own++
			if !strings.Contains(open, `<g id="system-`+s.ID+`"`) {
				t.Errorf("the open box does not draw %s", s.ID)
			}
		}
	}
	if own == 0 || systems+own != len(ws.Systems) {
		t.Errorf("open vendor-042: boxes hold %d systems and it has %d, want %d", systems, own, len(ws.Systems))
	}
	if arrowFlows+inside != len(ws.Flows) {
		t.Errorf("open vendor-042: %d flows accounted for, want %d", arrowFlows+inside, len(ws.Flows))
	}
	if !strings.Contains(open, `<g id="vendor-vendor-042" class="group`) {
		t.Error("vendor-042 is not drawn as an open box")
	}
}

// In Chromium, the data-flow page of 2,000 systems draws its boxes, a
// click on a box opens it to its systems, the form beside the diagram
// opens any vendor's box (those sharing the merged box too), the table
// pages, and on a phone nothing is wider than the screen.
func TestBrowserFlowsAtScale(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := bigFlowsEnv(t, e)
	b := browsertest.New(t)
	e.BrowserLogin(b, e.Users[store.RoleViewer])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows")
	b.WaitVisible(".dataflow svg")
	if n := b.Count(".dataflow svg g.node[data-systems]"); n == 0 || n > app.MaxBoxes {
		t.Fatalf("%d boxes drawn, want 1 to %d", n, app.MaxBoxes)
	}
	if n := b.Count(".dataflow svg g.edge"); n == 0 || n > app.MaxBoxes*app.MaxBoxes {
		t.Errorf("%d arrows drawn", n)
	}
	t.Logf("page %s px high, svg %s", evalString(t, b, `String(document.documentElement.scrollHeight)`), evalString(t, b, `(function(){ const r = document.querySelector(".dataflow svg").getBoundingClientRect(); return r.width + "x" + r.height })()`))
	screen(t, b, "flows-2000")

	// Click the first vendor's box: it opens to its systems.
	box := ".dataflow svg g.node[id^='vendor-vendor-'] > a > rect"
	id := evalString(t, b, `document.querySelector(".dataflow svg g.node[id^='vendor-vendor-']").id`)
	vendor := strings.TrimPrefix(id, "vendor-")
	b.Click(box)
	b.WaitVisible(".dataflow svg g.group#" + id)
	if !strings.Contains(b.URL(), "expand="+vendor) {
		t.Errorf("clicking %s's box went to %s", vendor, b.URL())
	}
	own := 0
	for _, s := range ws.Systems {
		if s.Vendor == vendor {
			own++
		}
	}
	if n := b.Count(".dataflow svg g[id^='system-']"); n != own {
		t.Errorf("the open box draws %d systems, %s has %d", n, vendor, own)
	}
	screen(t, b, "flows-2000-open")

	// The form opens a vendor that shares the merged box.
	var merged string
	for _, v := range ws.Vendors {
		if b.Count(".dataflow svg g#vendor-"+v.ID) == 0 {
			for _, s := range ws.Systems {
				if s.Vendor == v.ID {
					merged = v.ID
				}
			}
			if merged != "" {
				break
			}
		}
	}
	if merged == "" {
		t.Fatal("every vendor has its own box: nothing shares the merged box")
	}
	evalString(t, b, `(function(){ const s = document.querySelector('#open-box select[name="expand"]'); s.value = "`+merged+`"; return s.value })()`)
	b.Click(`#open-box button`)
	b.WaitVisible(".dataflow svg g.group#vendor-" + merged)

	// The table pages, keeping the box open.
	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows?expand=" + vendor)
	b.Click(".flow-pages a[rel='next']")
	b.WaitText(".filter-count", "Flows 101–200 of 10000", 10*time.Second)
	if !strings.Contains(b.URL(), "expand="+vendor) || b.Count(".dataflow svg g.group#"+id) != 1 {
		t.Errorf("the next page (%s) closed the open box", b.URL())
	}
	if n := b.Count("table.records tbody tr"); n != app.FlowsPerPage {
		t.Errorf("page 2 lists %d flows", n)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}

	// On a phone, the page is no wider than the screen.
	b.Do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows")
	b.WaitVisible(".dataflow svg")
	if w := evalString(t, b, `String(document.documentElement.scrollWidth)`); w != "390" {
		culprits := evalString(t, b, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 391).slice(0, 8).map(e => e.tagName.toLowerCase() + "." + (e.className.baseVal ?? e.className) + " " + Math.round(e.getBoundingClientRect().right)).join(", ")`)
		t.Errorf("the page is %s px wide on a 390 px screen: %s", w, culprits)
	}
	screen(t, b, "flows-2000-phone")
}

// evalString evaluates a script that returns a string in the browser.
func evalString(t *testing.T, b *browsertest.Browser, js string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}
