package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// todoRow is one of the home page's items, in order: kind, rule, subject and
// where the fix links.
type todoRow struct {
	Kind, Rule, Subject, Title, Href string
}

func readTodo(t *testing.T, b *browsertest.Browser) []todoRow {
	t.Helper()
	raw := webtest.EvalJS[string](t, b, `JSON.stringify(Array.from(document.querySelectorAll("li.todo-item")).map(li => ({
		Kind: li.dataset.kind, Rule: li.dataset.rule || "", Subject: li.dataset.subject,
		Title: li.querySelector(".todo-title").textContent.trim(),
		Href: (li.querySelector(".todo-fix a") || {getAttribute: () => ""}).getAttribute("href") || ""})))`)
	var rows []todoRow
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestBrowserHomeNeedsAttention is issue 19's first demonstration, in
// Chromium on the demo: the home page lists the overdue breach notice
// first (164.410(b)), then the go-live gate's errors, then the expired
// BAA, each linking to where it is fixed; "Create the BAA with OpenAI"
// opens the agreement form prefilled; after saving, a confirmation
// shows and the item is gone from the list.
func TestBrowserHomeNeedsAttention(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{Now: webtest.DemoNow})
	ws := e.SeedDemo()
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha")
	b.WaitVisible("#todo-list")
	b.Screenshot("home-needs-attention")

	rows := readTodo(t, b)
	want := todo.Build(ws, date.Of(webtest.DemoNow()), "alpha").Items
	if len(rows) != len(want) {
		t.Fatalf("the page lists %d items, todo.Build %d", len(rows), len(want))
	}
	for i, w := range want {
		if g := rows[i]; g.Kind != w.Kind || g.Rule != w.Rule || g.Subject != w.Subject || g.Title != w.Title {
			t.Errorf("item %d: page %+v, list %s %s %s %q", i+1, g, w.Kind, w.Rule, w.Subject, w.Title)
		}
	}
	if r := rows[0]; r.Kind != todo.KindBreachNotice || r.Href != "/orgs/alpha/incidents/inc-2026-001" || !strings.Contains(r.Title, "Lakeside Cardiology") {
		t.Fatalf("first item %+v, want the overdue notice to Lakeside Cardiology linking to its incident", r)
	}
	if txt := b.Text("li.todo-item:first-child .when"); !strings.Contains(txt, "overdue by 14 days") {
		t.Errorf("the first item's date reads %q", txt)
	}
	i := 1
	for ; i < len(rows) && rows[i].Kind == todo.KindGate; i++ {
		if !strings.HasPrefix(rows[i].Href, "/orgs/alpha/") {
			t.Errorf("gate item %+v links nowhere in the app", rows[i])
		}
	}
	if i < 5 {
		t.Errorf("only %d gate items after the breach notice: %+v", i-1, rows[:i])
	}
	if r := rows[i]; r.Rule != "baa.expired" || r.Href != "/orgs/alpha/agreements/baa-sendgrid/edit" {
		t.Errorf("after the gate's errors: %+v, want the expired BAA with SendGrid, linking to its form", r)
	}
	if n := b.Count(`li[data-rule="baa.downstream.missing"] .rule-id small`); n == 0 {
		t.Error("the rule id is not in small print")
	}
	// The glossary explains "live PHI" on hover.
	if title := webtest.EvalJS[string](t, b, `document.querySelector("a.term").title`); !strings.Contains(title, "real patient data") {
		t.Errorf("the live PHI term's hover text: %q", title)
	}

	// Create the BAA with OpenAI: the form comes prefilled.
	b.Click(`li[data-rule="baa.downstream.missing"][data-subject="openai"] .todo-fix a`)
	b.WaitVisible("form.record-form")
	got := webtest.EvalJS[map[string]string](t, b, `Object.fromEntries(["id","kind","counterparty","direction","status","effective"].map(n => [n, document.querySelector("[name="+n+"]").value]))`)
	for k, v := range map[string]string{"id": "baa-openai", "kind": "baa", "counterparty": "openai", "direction": "downstream", "status": "executed", "effective": "2026-12-04"} {
		if got[k] != v {
			t.Errorf("the agreement form's %s is %q, want %q", k, got[k], v)
		}
	}
	b.Screenshot("home-create-baa-prefilled")
	b.Click(`form.record-form button[type="submit"]`)
	flash := b.WaitText(".flash", "created", 20*time.Second)
	if !strings.Contains(flash, "baa-openai") {
		t.Errorf("the confirmation reads %q", flash)
	}
	b.Navigate(e.HTTP.URL + "/orgs/alpha")
	b.WaitVisible("#todo-list")
	if n := b.Count(`li[data-rule="baa.downstream.missing"][data-subject="openai"]`); n != 0 {
		t.Error("the missing BAA with OpenAI is still listed after the BAA was saved")
	}
	if n := b.Count(".flash"); n != 0 {
		t.Error("the confirmation shows again on the next page")
	}
	b.Screenshot("home-after-baa")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("script errors or CSP violations: %v", p)
	}
}
