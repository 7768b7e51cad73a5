package app_test

import (
	"encoding/json"
	"fmt"
	"html"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

var (
	todoItemKind = regexp.MustCompile(`<li class="todo-item [^"]*" data-kind="([^"]+)"`)
	todoMore     = regexp.MustCompile(`<p class="todo-more" data-section="([a-z]+)" data-kind="([^"]+)" data-shown="(\d+)" data-total="(\d+)">`)
)

// Issue 21: on the generated 2,000-system organization the overview
// listed every to-do item, 2.4 MB. It now lists the first PerKind of
// each kind in each section with how many there are and a link to all of
// them (?all=KIND); the JSON API still lists everything.
func TestOverviewPageAtScale(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedLarge()
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(path string) string {
		t.Helper()
		res := e.Get(c, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %.300s", path, res.StatusCode, res.Body)
		}
		return res.Body
	}

	var api todo.List
	if err := json.Unmarshal([]byte(get("/api/v1/orgs/alpha/todo")), &api); err != nil {
		t.Fatal(err)
	}
	want := todo.Build(ws, api.AsOf, webtest.SlugA)
	if len(api.Items) != len(want.Items) {
		t.Fatalf("the API lists %d items, the todo package %d", len(api.Items), len(want.Items))
	}
	// Per kind in each section (urgent, upcoming), and per kind.
	bySection := map[[2]string]int{}
	byKind := map[string]int{}
	for _, it := range want.Items {
		sec := "urgent"
		if it.Severity == todo.Upcoming {
			sec = "upcoming"
		}
		bySection[[2]string{sec, it.Kind}]++
		byKind[it.Kind]++
	}
	t.Logf("%d items: %v", len(want.Items), bySection)

	page := get("/orgs/alpha?as_of=" + api.AsOf.String())
	t.Logf("the page weighs %d bytes", len(page))
	if len(page) >= 300_000 {
		t.Errorf("the overview of 2,000 systems weighs %d bytes, want under 300 KB", len(page))
	}
	listed := map[string]int{}
	for _, m := range todoItemKind.FindAllStringSubmatch(page, -1) {
		listed[m[1]]++
	}
	more := map[[2]string][2]int{}
	for _, m := range todoMore.FindAllStringSubmatch(page, -1) {
		var shown, total int
		fmt.Sscan(m[3], &shown)
		fmt.Sscan(m[4], &total)
		more[[2]string{m[1], m[2]}] = [2]int{shown, total}
	}
	capped := 0
	for g, n := range bySection {
		got, ok := more[g]
		switch {
		case n > app.PerKind && !ok:
			t.Errorf("%s %s: %d items and no count with a link to all of them", g[0], g[1], n)
		case n > app.PerKind && (got[0] != app.PerKind || got[1] != n):
			t.Errorf("%s %s: the page says %d of %d, want %d of %d", g[0], g[1], got[0], got[1], app.PerKind, n)
		case n <= app.PerKind && ok:
			t.Errorf("%s %s: %d items, all listed, yet the page says %d of %d", g[0], g[1], n, got[0], got[1])
		}
		if n > app.PerKind {
			capped++
		}
	}
	if capped == 0 {
		t.Fatal("no kind has more items than the page lists: the test proves nothing")
	}
	for k := range byKind {
		shown := 0
		for _, sec := range []string{"urgent", "upcoming"} {
			shown += min(bySection[[2]string{sec, k}], app.PerKind)
		}
		if listed[k] != shown {
			t.Errorf("%s: the page lists %d items, want %d", k, listed[k], shown)
		}
	}

	// "Show all" lists every item of its kind, and only those, AllPerPage
	// to a page: following the pages' Next links shows each item once.
	wantItems := map[string]map[string]int{}
	for _, it := range want.Items {
		if wantItems[it.Kind] == nil {
			wantItems[it.Kind] = map[string]int{}
		}
		rule := it.Rule
		if it.Severity == todo.Upcoming {
			rule = "" // the compact list does not show it
		}
		wantItems[it.Kind][rule+" "+it.Subject]++
	}
	for g := range more {
		k := g[1]
		first := "/orgs/alpha?as_of=" + api.AsOf.String() + "&all=" + k
		got := map[string]int{}
		pages := 0
		for _, body := range webtest.WalkPages(t, get, first) {
			pages++
			if len(body) >= 300_000 {
				t.Errorf("?all=%s: page %d weighs %d bytes, want under 300 KB", k, pages, len(body))
			}
			for _, m := range webtest.TodoItem.FindAllStringSubmatch(body, -1) {
				if m[1] != k {
					t.Errorf("?all=%s lists a %s item", k, m[1])
				}
				got[html.UnescapeString(m[2]+" "+m[3])]++
			}
			if todoMore.MatchString(body) {
				t.Errorf("?all=%s still caps a list", k)
			}
			// The way back keeps the date the person was looking at.
			if back := `href="/orgs/alpha?as_of=` + api.AsOf.String() + `">Back to the whole list`; !strings.Contains(body, back) {
				t.Errorf("?all=%s: no link %s", k, back)
			}
		}
		if want := (byKind[k] + app.AllPerPage - 1) / app.AllPerPage; pages != want {
			t.Errorf("?all=%s: %d pages, want %d for %d items", k, pages, want, byKind[k])
		}
		if !reflect.DeepEqual(got, wantItems[k]) {
			t.Errorf("?all=%s across its pages: %d distinct items, want every one of the %d once", k, len(got), byKind[k])
		}
	}

	// An ?all= that names no kind says so, rather than listing nothing.
	if res := e.Get(c, "/orgs/alpha?all=gates"); res.StatusCode != 400 || !strings.Contains(res.Body, "is not a kind of item") {
		t.Errorf("?all=gates: %d %.200s, want 400 naming the kinds", res.StatusCode, res.Body)
	}
}
