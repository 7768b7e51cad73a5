package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

func TestOverviewPage(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	r := e.Get(c, "/orgs/alpha")
	if r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	for _, want := range []string{
		"Alpha Health",
		`<span class="n">2</span><span class="label">Systems</span>`,
		`<span class="n">1</span><span class="label">Vendor</span>`,
		`<span class="n">1</span><span class="label">Person</span>`,
		`<span class="n">0</span><span class="label">Incidents</span>`,
		"patient-api", "billing-db", "dana@alpha.example", // last changes: key and actor
		`action-create`,
		`<span class="badge">viewer</span>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "bravo-ehr") {
		t.Error("alpha's overview shows bravo's record")
	}
}

var navLink = regexp.MustCompile(`<nav class="sidebar"[\s\S]*?</nav>`)
var hrefs = regexp.MustCompile(`href="([^"]+)"`)

// TestNavLinksOnlyWhatExists: the menu links every section with a page
// and shows the rest disabled; every link works.
func TestNavLinksOnlyWhatExists(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	nav := navLink.FindString(e.Get(c, "/orgs/alpha").Body)
	if nav == "" {
		t.Fatal("no sidebar on the overview")
	}
	links := hrefs.FindAllStringSubmatch(nav, -1)
	if len(links) < 2 {
		t.Fatalf("sidebar links %v, want at least Overview and Audit trail", links)
	}
	for _, l := range links {
		if r := e.Get(c, l[1]); r.StatusCode != 200 {
			t.Errorf("sidebar link %s: %d", l[1], r.StatusCode)
		}
	}
	for _, sec := range kit.Sections {
		if sec.Suffix == "/accounts" || sec.Suffix == "/trust/requests" {
			// An admin's page: not in a viewer's menu at all.
			if strings.Contains(nav, sec.Label) {
				t.Errorf("a viewer's menu shows %s", sec.Label)
			}
			continue
		}
		linked := strings.Contains(nav, `href="/orgs/alpha`+sec.Suffix+`"`)
		disabled := strings.Contains(nav, `<span class="disabled" title="Not available yet">`+sec.Label+`</span>`)
		if linked == disabled {
			t.Errorf("section %q: linked %v, disabled %v; want exactly one", sec.Label, linked, disabled)
		}
	}
	if !strings.Contains(nav, `aria-current="page">Overview`) {
		t.Error("Overview is not marked as the current page")
	}
}

func TestAuditPagePaging(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	o := e.Store.Org(e.OrgA)
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("sys-%02d", i)
		if _, err := o.Put(ctx, "raj@alpha.example", store.KindSystem, id, workspace.System{ID: id, Kind: "service"}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := o.AuditLog(ctx, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	total := len(entries)
	if total < 64 {
		t.Fatalf("audit log holds %d entries, want at least 64", total)
	}
	c, _ := e.Login(e.Users[store.RoleViewer])
	rows := regexp.MustCompile(`<td class="num">(\d+)</td>`)
	p1 := e.Get(c, "/orgs/alpha/audit")
	got1 := rows.FindAllStringSubmatch(p1.Body, -1)
	if len(got1) != app.AuditPageSize || !strings.Contains(p1.Body, `href="?page=2"`) {
		t.Fatalf("page 1: %d rows, link to page 2: %v", len(got1), strings.Contains(p1.Body, `href="?page=2"`))
	}
	p2 := e.Get(c, "/orgs/alpha/audit?page=2")
	got2 := rows.FindAllStringSubmatch(p2.Body, -1)
	if len(got2) != total-app.AuditPageSize || strings.Contains(p2.Body, `href="?page=3"`) {
		t.Errorf("page 2: %d rows, want %d and no page 3", len(got2), total-app.AuditPageSize)
	}
	// The pages together show every entry once, in the store's order.
	seen := map[string]bool{}
	for _, m := range append(got1, got2...) {
		if seen[m[1]] {
			t.Errorf("entry %s on two pages", m[1])
		}
		seen[m[1]] = true
	}
	if fmt.Sprint(entries[0].Seq) != got1[0][1] {
		t.Errorf("first row is entry %s, the store's first is %d", got1[0][1], entries[0].Seq)
	}
	if r := e.Get(c, "/orgs/alpha/audit?page=99"); r.StatusCode != 200 || !strings.Contains(r.Body, "No entries on this page") {
		t.Errorf("page past the end: %d", r.StatusCode)
	}
}

func TestHomeChoosesOrganization(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	multi := e.Users[store.RoleEditor]
	if err := e.Store.SetRole(ctx, "test", multi.ID, e.OrgB, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	c, _ := e.Login(multi)
	r := e.Get(c, "/")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `href="/orgs/alpha"`) || !strings.Contains(r.Body, `href="/orgs/bravo"`) {
		t.Errorf("home with two organizations: %d, want both listed:\n%.800s", r.StatusCode, r.Body)
	}
	// The switcher on an organization's page offers both, and the role
	// shown is the one in that organization.
	ov := e.Get(c, "/orgs/bravo")
	if !strings.Contains(ov.Body, `<span class="badge">viewer</span>`) || !strings.Contains(ov.Body, `<summary>Bravo Clinic</summary>`) {
		t.Error("bravo's page does not show bravo and the viewer role")
	}
	if !strings.Contains(ov.Body, `<a href="/orgs/alpha">Alpha Health</a>`) || !strings.Contains(ov.Body, `<a href="/">All organizations</a>`) {
		t.Error("the switcher does not offer the other organization and the list")
	}

	lonely := e.AddUser("new@alpha.example", "New", e.OrgA, store.RoleViewer)
	if err := e.Store.SetRole(ctx, "test", lonely.ID, e.OrgA, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	none, err := e.Store.CreateUser(ctx, "test", "none@alpha.example", "No org", lonely.PasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := e.Session(none)
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
	if r := e.Send(e.Client(), req); r.StatusCode != 200 || !strings.Contains(r.Body, "does not belong to any organization") {
		t.Errorf("home without organizations: %d:\n%.600s", r.StatusCode, r.Body)
	}
}

func TestAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, csrf := e.Login(e.Users[store.RoleAuditor])
	getJSON := func(path string, status int, into any) string {
		t.Helper()
		r := e.Get(c, path)
		// The workspace dump and the audit export are recorded on the
		// trail, so they are POSTs (downloads.go).
		if strings.Contains(path, "/workspace") || strings.Contains(path, "/audit") {
			r = e.Fetch(c, csrf, path)
		}
		if r.StatusCode != status {
			t.Fatalf("GET %s: %d, want %d: %s", path, r.StatusCode, status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if into != nil {
			if err := json.Unmarshal([]byte(r.Body), into); err != nil {
				t.Fatalf("GET %s: %v\n%s", path, err, r.Body)
			}
		}
		return r.Body
	}

	var orgs struct{ Orgs []kit.OrgMembership }
	getJSON("/api/v1/orgs", 200, &orgs)
	if len(orgs.Orgs) != 1 || orgs.Orgs[0] != (kit.OrgMembership{Slug: webtest.SlugA, Name: "Alpha Health", Role: store.RoleAuditor}) {
		t.Errorf("orgs = %+v", orgs.Orgs)
	}

	var ov app.Overview
	getJSON("/api/v1/orgs/alpha/overview", 200, &ov)
	counts := map[string]int{}
	for _, kc := range ov.Counts {
		counts[kc.Kind] = kc.Count
	}
	if counts[store.KindSystem] != 2 || counts[store.KindVendor] != 1 || counts[store.KindPerson] != 1 {
		t.Errorf("counts = %v", counts)
	}
	// The last changes are the store's newest audit entries, newest first.
	newest, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), app.OverviewChanges, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Changes) != len(newest) || len(newest) < 5 {
		t.Fatalf("%d changes, the store's newest are %d", len(ov.Changes), len(newest))
	}
	for i, c := range ov.Changes {
		n := newest[i]
		if c.Seq != n.Seq || !c.At.Equal(n.At) || c.Actor != n.Actor || c.Action != n.Action || c.Kind != n.Kind || c.Key != n.Key {
			t.Errorf("change %d = %+v, want entry %+v", i, c, n)
		}
	}
	if ov.Role != store.RoleAuditor {
		t.Errorf("role %q", ov.Role)
	}

	var ws workspace.Workspace
	getJSON("/api/v1/orgs/alpha/workspace", 200, &ws)
	if ws.System("patient-api") == nil || ws.System("bravo-ehr") != nil || ws.Vendor("aws") == nil {
		t.Errorf("workspace systems %+v", ws.Systems)
	}

	var ex app.AuditExport
	getJSON("/api/v1/orgs/alpha/audit?limit=3", 200, &ex)
	if len(ex.Entries) != 3 || ex.NextOffset == nil || *ex.NextOffset != 3 || ex.Entries[0].Hash == "" {
		t.Errorf("audit page 1: %d entries, next %v", len(ex.Entries), ex.NextOffset)
	}
	// The export is on the trail, first on its own first page; the
	// workspace dump before it too.
	if e0 := ex.Entries[0]; e0.Action != "export" || e0.Kind != "audit" || ex.Entries[1].Kind != "workspace" {
		t.Errorf("the exports are not on the trail: %+v, %+v", e0, ex.Entries[1])
	}
	var ex2 app.AuditExport
	getJSON("/api/v1/orgs/alpha/audit?limit=3&offset=3", 200, &ex2)
	if len(ex2.Entries) < 1 || ex2.Entries[0].Seq == ex.Entries[2].Seq {
		t.Errorf("audit page 2 = %+v", ex2.Entries)
	}

	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"/api/v1/orgs/alpha/audit?limit=0", 400, "limit"},
		{"/api/v1/orgs/alpha/audit?limit=x", 400, "limit"},
		{"/api/v1/orgs/alpha/audit?offset=-1", 400, "offset"},
		{"/api/v1/orgs/bravo/overview", 404, kit.MsgNoOrg},
		{"/api/v1/orgs/nope/workspace", 404, kit.MsgNoOrg},
	} {
		var body kit.ErrorBody
		getJSON(tc.path, tc.status, &body)
		if !strings.Contains(body.Error, tc.says) {
			t.Errorf("GET %s: error %q, want it to mention %q", tc.path, body.Error, tc.says)
		}
	}

	// A viewer reads the overview but not the audit export.
	cv, vtok := e.Login(e.Users[store.RoleViewer])
	r := e.Fetch(cv, vtok, "/api/v1/orgs/alpha/audit")
	var body kit.ErrorBody
	if r.StatusCode != 403 || json.Unmarshal([]byte(r.Body), &body) != nil || !strings.Contains(body.Error, "auditor") {
		t.Errorf("viewer on the audit export: %d %s", r.StatusCode, r.Body)
	}
}

// TestTemplatesFitTheCSP: the policy forbids inline scripts, inline styles
// and event-handler attributes, so the templates must not have any, and
// may load nothing from another origin.
func TestTemplatesFitTheCSP(t *testing.T) {
	t.Parallel()
	bad := []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`\sstyle\s*=`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\son[a-z]+\s*=`),
		regexp.MustCompile(`(?:src|href)\s*=\s*"(?:https?:)?//`),
		regexp.MustCompile(`javascript:`),
	}
	scriptTag := regexp.MustCompile(`<script[^>]*>`)
	err := fs.WalkDir(kit.TemplateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(kit.TemplateFS, p)
		for _, re := range bad {
			if loc := re.FindIndex(b); loc != nil {
				t.Errorf("%s: %q is blocked by the Content-Security-Policy", p, b[loc[0]:min(loc[1]+20, len(b))])
			}
		}
		for _, tag := range scriptTag.FindAll(b, -1) {
			if !strings.Contains(string(tag), ` src="/static/`) {
				t.Errorf("%s: %s does not load a script from /static/", p, tag)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	for path, ctype := range map[string]string{"/static/ward.css": "text/css", "/static/idle.js": "text/javascript"} {
		r := e.Get(e.Client(), path)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %q", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/static/nope.css", "/static/..%2fweb.go", "/static/"} {
		if r := e.Get(e.Client(), path); r.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, r.StatusCode)
		}
	}
}
