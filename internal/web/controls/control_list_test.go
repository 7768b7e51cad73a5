package controls_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The controls page lists every control the organization runs, with its
// owner, status, standing and this period's evidence, each linking to the
// control's page; the catalog's others are offered for adoption. Its
// JSON twin gives the same list.
func TestControlsPageListsTheControls(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf := date.MustParse(webtest.DemoAsOf) // 2026-11-23, in 2026-Q4
	c, _ := e.Login(e.Users[store.RoleViewer])

	page := e.Get(c, "/orgs/alpha/controls?as_of="+webtest.DemoAsOf)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("controls page: %d", page.StatusCode)
	}
	if !strings.Contains(page.Body, "<h1>Controls</h1>") {
		t.Errorf("the Controls page is not titled Controls")
	}
	rows := regexp.MustCompile(`(?s)<tr class="control standing-[a-z-]+" data-control="([^"]+)">(.*?)</tr>`).FindAllStringSubmatch(page.Body, -1)
	if len(rows) != len(ws.Controls) {
		t.Fatalf("%d control rows, the workspace adopts %d", len(rows), len(ws.Controls))
	}
	byID := map[string]string{}
	for _, r := range rows {
		byID[r[1]] = r[2]
	}
	for _, ct := range ws.Controls {
		row, ok := byID[ct.ID]
		if !ok {
			t.Errorf("no row for %s", ct.ID)
			continue
		}
		if !strings.Contains(row, `href="/orgs/alpha/controls/`+ct.ID+`?as_of=`+webtest.DemoAsOf+`"`) || !strings.Contains(row, ">"+ct.Status+"<") {
			t.Errorf("%s: no link or status in %q", ct.ID, row)
		}
		if p := ws.Person(ct.Owner); p != nil && !strings.Contains(row, p.Name) {
			t.Errorf("%s: the owner %s is not named in %q", ct.ID, p.Name, row)
		}
	}
	// access-review is quarterly, with evidence for 2026-Q3 only: met on
	// the last quarter, and the fourth quarter's review due, on the list
	// as on the control's calendar.
	ar := byID["access-review"]
	for _, want := range []string{"<strong>met</strong>", "2026-Q4&#39;s is due now, by 2026-12-31", "2026-Q4: due by 2026-12-31"} {
		if !strings.Contains(ar, want) {
			t.Errorf("access-review row lacks %q:\n%s", want, ar)
		}
	}
	cp := e.Get(c, "/orgs/alpha/controls/access-review?as_of="+webtest.DemoAsOf)
	if !strings.Contains(cp.Body, "2026-Q4&#39;s is due now") || !regexp.MustCompile(`data-period="2026-Q4" data-status="due"`).MatchString(cp.Body) {
		t.Errorf("the control's standing and its calendar disagree on 2026-Q4")
	}
	if !strings.Contains(cp.Body, "2026-Q3, by the date collected") {
		t.Errorf("an item with no period does not say which period it counts for")
	}
	notAdopted := len(catalog.Default().Controls)
	for _, ct := range ws.Controls {
		if catalog.Default().Control(ct.ID) != nil {
			notAdopted--
		}
	}
	if !strings.Contains(page.Body, " more controls in ward's catalog, not adopted") || strings.Count(page.Body, `<li><a href="/orgs/alpha/controls/`) != notAdopted {
		t.Errorf("want the %d catalog controls not adopted listed, each a link", notAdopted)
	}

	api := e.Get(c, "/api/v1/orgs/alpha/controls?as_of="+webtest.DemoAsOf)
	var got controls.ControlList
	if err := json.Unmarshal([]byte(api.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := controls.BuildControlList(ws, catalog.Default(), asOf)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("the API's list differs from the page's:\n%s\n%s", gb, wb)
	}
}

// A new organization (no control adopted) is told what to do in the app.
func TestControlsPageEmpty(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	page := e.Get(c, "/orgs/alpha/controls")
	if !strings.Contains(page.Body, "No control adopted yet. Open a control below to adopt it") || !strings.Contains(page.Body, `<details class="not-adopted" open>`) {
		t.Errorf("the empty controls page does not say what to do")
	}
}
