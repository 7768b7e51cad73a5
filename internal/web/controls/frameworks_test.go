package controls_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/catalog"
	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestFrameworksAPI: the JSON twins give the list with each framework's
// source, version and date, and a framework as `ward framework show`.
func TestFrameworksAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/api/v1/orgs/alpha/frameworks")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("frameworks API: %d %s", res.StatusCode, res.Body)
	}
	var l controls.FrameworkList
	if err := json.Unmarshal([]byte(res.Body), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Frameworks) != len(catalog.Default().Frameworks) {
		t.Errorf("%d frameworks, the catalog has %d", len(l.Frameworks), len(catalog.Default().Frameworks))
	}
	for _, f := range l.Frameworks {
		if f.Source == "" || f.Version == "" || f.Published == "" {
			t.Errorf("framework %s lacks its source, version or date: %+v", f.ID, f)
		}
	}
	res = e.Get(c, "/api/v1/orgs/alpha/frameworks/hipaa")
	var f struct {
		ID           string                `json:"id"`
		Requirements []catalog.Requirement `json:"requirements"`
	}
	if err := json.Unmarshal([]byte(res.Body), &f); err != nil || f.ID != "hipaa" {
		t.Fatalf("hipaa: %v %s", err, res.Body[:min(200, len(res.Body))])
	}
	// 164.312(a)(2)(iv), encryption and decryption, is addressable.
	for _, r := range f.Requirements {
		if r.ID == "164.312(a)(2)(iv)" && (r.Required || len(r.Controls) == 0) {
			t.Errorf("164.312(a)(2)(iv): required=%v controls=%v, want addressable with controls", r.Required, r.Controls)
		}
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/frameworks/iso27001"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown framework: %d, want 404", r.StatusCode)
	}
}

// TestFrameworkTree: the HIPAA page nests CFR section → standard →
// specification with R/A, each specification links to its controls'
// pages, and ?req= opens the branch down to one requirement.
func TestFrameworkTree(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/orgs/alpha/frameworks/hipaa?req="+"164.312(a)(2)(iv)")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("hipaa tree: %d", res.StatusCode)
	}
	for _, want := range []string{
		"164.312 Technical safeguards",
		`id="req-164.312(a)(2)(iv)"`,
		`<div class="leaf selected">`,
		`<span class="ra ra-A" title="addressable">A</span>`,
		`href="/orgs/alpha/controls/encryption-at-rest"`,
		catalog.Default().Framework("hipaa").Source[:20],
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the HIPAA tree lacks %q", want)
		}
	}
	// The control's page links back to the requirement in the tree.
	ctl := e.Get(c, "/orgs/alpha/controls/encryption-at-rest")
	if want := `href="/orgs/alpha/frameworks/hipaa?req=164.312%28a%29%282%29%28iv%29#req-164.312%28a%29%282%29%28iv%29"`; !strings.Contains(ctl.Body, want) {
		t.Errorf("the control page (%d) does not link back with %s", ctl.StatusCode, want)
	}
	tree := controls.BuildFrameworkTree(catalog.Default().Framework("hipaa"), "alpha", "164.312(a)(2)(iv)")
	if len(tree.Roots) != 5 {
		t.Errorf("%d CFR sections at the top, want 5 (164.308, .310, .312, .314, .316)", len(tree.Roots))
	}
	if tree.Unmapped != 0 {
		t.Errorf("%d HIPAA requirements with no control", tree.Unmapped)
	}
	for _, g := range tree.Roots {
		if g.Open != (g.ID == "Technical") {
			t.Errorf("group %s open=%v; only the selected requirement's section opens", g.ID, g.Open)
		}
	}
	soc2 := controls.BuildFrameworkTree(catalog.Default().Framework("soc2"), "alpha", "")
	var ids []string
	for _, g := range soc2.Roots {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, catalog.SOC2Categories) {
		t.Errorf("SOC 2 tree groups %v, want the categories %v", ids, catalog.SOC2Categories)
	}
	if controls.RequirementHref("alpha", "hipaa", "164.312(a)(2)(iv)") != "/orgs/alpha/frameworks/hipaa?req=164.312%28a%29%282%29%28iv%29#req-164.312(a)(2)(iv)" {
		t.Errorf("RequirementHref: %s", controls.RequirementHref("alpha", "hipaa", "164.312(a)(2)(iv)"))
	}
}

// TestEveryFrameworkPage: each framework's page shows every requirement
// of the catalog, as an entry one can link to, with its controls.
func TestEveryFrameworkPage(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	list := e.Get(c, "/orgs/alpha/frameworks")
	for _, f := range catalog.Default().Frameworks {
		if !strings.Contains(list.Body, `href="/orgs/alpha/frameworks/`+f.ID+`"`) {
			t.Errorf("the list does not link to %s", f.ID)
		}
		res := e.Get(c, "/orgs/alpha/frameworks/"+f.ID)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", f.ID, res.StatusCode)
			continue
		}
		for _, want := range []string{f.Source, f.Version, f.Published} {
			if !strings.Contains(res.Body, template.HTMLEscapeString(want)) {
				t.Errorf("%s: the page does not show %q", f.ID, want)
			}
		}
		for _, r := range f.Requirements {
			if !strings.Contains(res.Body, `id="req-`+template.HTMLEscapeString(r.ID)+`"`) {
				t.Errorf("%s: no entry for %s", f.ID, r.ID)
			}
			for _, ctl := range r.Controls {
				if !strings.Contains(res.Body, `href="/orgs/alpha/controls/`+ctl+`"`) {
					t.Errorf("%s %s: no link to control %s", f.ID, r.ID, ctl)
				}
			}
		}
		for _, a := range f.Assessments {
			if !strings.Contains(res.Body, template.HTMLEscapeString(a.Name)) {
				t.Errorf("%s: assessment %s not shown", f.ID, a.Name)
			}
		}
	}
	if res := e.Get(c, "/orgs/alpha/frameworks/iso27001"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown framework page: %d, want 404", res.StatusCode)
	}
}

// TestCrosswalkAPI: the JSON twin carries `ward crosswalk --format json`
// and `--reuse` both ways, and names each mapping's source.
func TestCrosswalkAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	cat := catalog.Default()
	for _, tt := range []struct{ from, to string }{{"hipaa", "soc2"}, {"hipaa", "csf"}, {"soc2", "hipaa"}} {
		res := e.Get(c, "/api/v1/orgs/alpha/crosswalk?from="+tt.from+"&to="+tt.to)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s→%s: %d %s", tt.from, tt.to, res.StatusCode, res.Body)
		}
		var p controls.CrosswalkPage
		if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
			t.Fatal(err)
		}
		cw, _ := cat.Crosswalk(tt.from, tt.to, catalog.AllCategories())
		ru, _ := cat.Reuse(tt.from, tt.to, nil, catalog.AllCategories())
		if len(p.Crosswalk.Pairs) != len(cw.Pairs) || p.Crosswalk.Coverage.ToCovered != cw.Coverage.ToCovered || len(p.Pairs) != len(cw.Pairs) {
			t.Errorf("%s→%s: %d pairs, coverage %d; the CLI's crosswalk has %d, %d", tt.from, tt.to, len(p.Crosswalk.Pairs), p.Crosswalk.Coverage.ToCovered, len(cw.Pairs), cw.Coverage.ToCovered)
		}
		if p.Reuse.Coverage.ToCovered != ru.Coverage.ToCovered || p.Reuse.Coverage.ToTotal != ru.Coverage.ToTotal || p.Reuse.Percent != ru.Percent {
			t.Errorf("%s→%s reuse %+v, want %+v", tt.from, tt.to, p.Reuse.Coverage, ru.Coverage)
		}
		if p.Provenance.NIST+p.Provenance.Ward == 0 {
			t.Errorf("%s→%s: no mapping sources counted", tt.from, tt.to)
		}
		// CSF mappings can be NIST's; HIPAA and SOC 2 ones are ours.
		if (tt.to == "csf") != (p.Provenance.NIST > 0) {
			t.Errorf("%s→%s: %d NIST-sourced mappings", tt.from, tt.to, p.Provenance.NIST)
		}
	}
	for _, q := range []string{"from=hipaa&to=hipaa", "from=hitrust&to=soc2", "from=hipaa&to=soc2&categories=security,fun"} {
		if res := e.Get(c, "/api/v1/orgs/alpha/crosswalk?"+q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, res.StatusCode)
		}
	}
}

// TestBrowserCrosswalk: in Chromium the heat map draws one cell per pair,
// shaded by the page's stylesheet (not black: the CSP keeps styles out of
// the SVG), each cell's title naming the shared controls; the reuse line
// says what `ward crosswalk --reuse` says; the HIPAA tree opens.
func TestBrowserCrosswalk(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	b := browsertest.New(t)
	e.BrowserLogin(b, e.Users[store.RoleViewer])
	cat := catalog.Default()
	cw, _ := cat.Crosswalk("hipaa", "soc2", catalog.AllCategories())
	ru, _ := cat.Reuse("hipaa", "soc2", nil, catalog.AllCategories())

	b.Navigate(e.HTTP.URL + "/orgs/alpha/crosswalk?from=hipaa&to=soc2")
	b.WaitText("main h1", "Crosswalk", 15*time.Second)
	b.WaitVisible("svg.heatmap")
	if n := b.Count("svg.heatmap .cells rect.cell"); n != len(cw.Pairs) {
		t.Errorf("%d heat map cells, want one per pair (%d)", n, len(cw.Pairs))
	}
	p := cw.Pairs[0]
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	sel := `svg.heatmap rect.cell[data-from="` + p.From + `"][data-to="` + p.To + `"]`
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').querySelector("title").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, strings.Join(p.Via, ", ")) || !strings.Contains(title, p.From) || !strings.Contains(title, p.To) {
		t.Errorf("cell %s × %s title %q does not name the shared controls %v", p.From, p.To, title, p.Via)
	}
	fill, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('`+sel+`')).fill`))
	if err != nil {
		t.Fatal(err)
	}
	if fill == "" || fill == "rgb(0, 0, 0)" {
		t.Errorf("cell fill %q: the stylesheet did not reach the SVG", fill)
	}
	reuse := b.Text("section.reuse")
	want := fmt.Sprintf("covers %d of %d", ru.Coverage.ToCovered, ru.Coverage.ToTotal)
	if !strings.Contains(reuse, want) {
		t.Errorf("reuse reads %q, want %q", reuse, want)
	}
	if !strings.Contains(b.Text("section.provenance-note"), "NIST SP 800-66") {
		t.Error("the page does not say where the mappings come from")
	}
	b.Screenshot("crosswalk-hipaa-soc2")

	b.Navigate(e.HTTP.URL + "/orgs/alpha/frameworks/hipaa?req=164.308(a)(1)(ii)(A)#req-164.308(a)(1)(ii)(A)")
	b.WaitVisible(".leaf.selected")
	if txt := b.Text(".leaf.selected"); !strings.Contains(txt, "Risk analysis") || !strings.Contains(txt, "risk-analysis") {
		t.Errorf("selected requirement reads %q", txt)
	}
	b.Screenshot("framework-hipaa")
	b.Navigate(e.HTTP.URL + "/orgs/alpha/frameworks/csf")
	b.WaitVisible(".fw-tree")
	b.Screenshot("framework-csf")
	b.Navigate(e.HTTP.URL + "/orgs/alpha/crosswalk?from=hipaa&to=csf")
	b.WaitVisible("svg.heatmap")
	b.Screenshot("crosswalk-hipaa-csf")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
}
