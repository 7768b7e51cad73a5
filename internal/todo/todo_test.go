package todo

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/workspace"
)

func load(t *testing.T, dir string) *workspace.Workspace {
	t.Helper()
	l, err := workspace.Load("../../examples/"+dir, check.WorkspaceOptions())
	if err != nil {
		t.Fatalf("%s does not load: %v", dir, err)
	}
	return l.Workspace
}

var demoDay = date.MustParse("2026-12-04")

// TestCFR164_410b_OverdueBreachNoticeFirst: on the demo, the notice to
// the covered entity (164.410(b), 10 days under its BAA) is 14 days late
// and heads the list; the go-live gate's errors follow, then the expired
// BAA, and every item after them is of a later tier.
func TestCFR164_410b_OverdueBreachNoticeFirst(t *testing.T) {
	ws := load(t, "acme-health")
	l := Build(ws, demoDay, "acme-health")
	first := l.Items[0]
	if first.Kind != KindBreachNotice || !first.Overdue || first.DaysLeft == nil || *first.DaysLeft != -14 || first.Rule != "breach.deadline" {
		t.Fatalf("first item = %+v, want the breach notice overdue by 14 days", first)
	}
	if !strings.Contains(first.Title, "Lakeside Cardiology") || strings.Contains(first.Title, "lakeside-cardiology") {
		t.Errorf("the notice's title names the covered entity by its name: %q", first.Title)
	}
	if first.Link != "/orgs/acme-health/incidents/inc-2026-001" {
		t.Errorf("breach notice link = %q", first.Link)
	}
	if n := l.Next(); n == nil || n.Subject != first.Subject || n.Kind != KindBreachNotice {
		t.Errorf("Next() = %+v, want the overdue breach notice", n)
	}
	// Then the gate's errors, then the expired BAA.
	i := 1
	for ; i < len(l.Items) && l.Items[i].Kind == KindGate && l.Items[i].Severity == Error; i++ {
		if !l.Items[i].BlocksLivePHI {
			t.Errorf("gate error %s %s does not say it blocks live PHI", l.Items[i].Rule, l.Items[i].Subject)
		}
	}
	if i == 1 {
		t.Fatalf("no gate error after the breach notice: %+v", l.Items[1])
	}
	if it := l.Items[i]; it.Rule != "baa.expired" || it.Subject != "baa-sendgrid" || !it.Overdue {
		t.Errorf("after the gate errors, item %d = %s %s, want the expired BAA baa-sendgrid", i+1, it.Rule, it.Subject)
	}
	for j := 1; j < len(l.Items); j++ {
		if l.Items[j].tier < l.Items[j-1].tier {
			t.Errorf("item %d (%s) is of an earlier tier than item %d (%s)", j+1, l.Items[j].Title, j, l.Items[j-1].Title)
		}
	}
}

// The fix of a missing downstream BAA opens the agreement form with the
// counterparty, the direction, the kind and a free id set.
func TestMissingBAALinkPrefillsTheForm(t *testing.T) {
	ws := load(t, "acme-health")
	l := Build(ws, demoDay, "acme-health")
	var it *Item
	for i := range l.Items {
		if l.Items[i].Rule == "baa.downstream.missing" && l.Items[i].Subject == "openai" {
			it = &l.Items[i]
		}
	}
	if it == nil {
		t.Fatal("no item for the missing BAA with openai")
	}
	if it.Title != "No BAA with OpenAI, and PHI reaches it" || it.Fix != "Create the BAA with OpenAI" {
		t.Errorf("title %q, fix %q", it.Title, it.Fix)
	}
	u, err := url.Parse(it.Link)
	if err != nil || u.Path != "/orgs/acme-health/agreements/new" {
		t.Fatalf("link %q", it.Link)
	}
	q := u.Query()
	for k, v := range map[string]string{"counterparty": "openai", "direction": "downstream", "kind": "baa", "status": "executed", "id": "baa-openai"} {
		if q.Get(k) != v {
			t.Errorf("link %s=%q, want %q", k, q.Get(k), v)
		}
	}
	if it.Owner != "Dana Kim" || it.OwnerEmail == "" {
		t.Errorf("owner %q <%s>, want the privacy officer by name", it.Owner, it.OwnerEmail)
	}
}

// Every finding of `ward check` is exactly one item, with its rule,
// subject and severity; the count of items blocking live PHI is the
// go-live gate's error count; every item says what, why and how.
func TestEveryFindingIsOneItem(t *testing.T) {
	for _, dir := range []string{"acme-health", "harbor-family-medicine"} {
		ws := load(t, dir)
		for _, day := range []string{"2026-06-01", "2026-11-23", "2026-12-04", "2027-03-01"} {
			t.Run(dir+"/"+day, func(t *testing.T) {
				asOf := date.MustParse(day)
				l := Build(ws, asOf, dir)
				var want, got []string
				errs := 0
				for _, f := range check.Run(ws, asOf) {
					want = append(want, f.Severity+" "+f.Rule+" "+f.Subject)
					if f.Severity == finding.Error {
						errs++
					}
				}
				for _, it := range l.Items {
					if it.Rule != "" {
						got = append(got, it.Severity+" "+it.Rule+" "+it.Subject)
					} else if it.Severity != Upcoming && (it.Kind != KindMilestone || !it.Overdue) {
						t.Errorf("item without a rule is %s, not upcoming: %+v", it.Severity, it)
					}
					if it.Title == "" || it.Fix == "" || it.Why == "" {
						t.Errorf("item %s %s lacks a title, fix or why: %+v", it.Rule, it.Subject, it)
					}
					if it.Rule != "" && strings.Contains(it.Title, it.Rule) {
						t.Errorf("title shows the rule id: %q", it.Title)
					}
					if it.Link == "" && it.Kind != KindOther {
						t.Errorf("item %s %s (%s) has no link", it.Rule, it.Subject, it.Kind)
					}
					if it.Rule != "" && it.Detail == "" {
						t.Errorf("item %s %s lost the rule's message", it.Rule, it.Subject)
					}
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(want, got) {
					t.Errorf("items and findings differ:\nfindings %q\nitems    %q", want, got)
				}
				gate := 0
				for _, f := range phimap.Gate(ws, asOf).Findings {
					if f.Severity == finding.Error {
						gate++
					}
				}
				if l.BlockingLivePHI != gate {
					t.Errorf("blocking live PHI %d, the gate's errors %d", l.BlockingLivePHI, gate)
				}
				if l.Errors != errs {
					t.Errorf("errors %d, ward check's %d", l.Errors, errs)
				}
			})
		}
	}
}

// Titles use names, not ids, where the workspace has a name.
func TestTitlesUseNames(t *testing.T) {
	ws := load(t, "acme-health")
	slugs := map[string]string{}
	for _, v := range ws.Vendors {
		if v.Name != "" && v.Name != v.ID {
			slugs[v.ID] = v.Name
		}
	}
	for _, c := range ws.Customers {
		if c.Name != "" && c.Name != c.ID {
			slugs[c.ID] = c.Name
		}
	}
	for _, it := range Build(ws, demoDay, "acme-health").Items {
		for id, name := range slugs {
			if strings.Contains(" "+it.Title+" ", " "+id+" ") || strings.Contains(it.Title, " "+id+",") {
				t.Errorf("title %q names %s by its id, not %q", it.Title, id, name)
			}
		}
	}
}

// An upcoming obligation a rule does not fire on yet comes last, never
// before an overdue one, and is never counted overdue.
func TestUpcomingLast(t *testing.T) {
	ws := load(t, "acme-health")
	l := Build(ws, demoDay, "acme-health")
	seen := false
	up := 0
	for _, it := range l.Items {
		if it.Severity == Upcoming {
			seen = true
			up++
			if it.Overdue || it.Due.IsZero() || it.Due.Before(demoDay) {
				t.Errorf("upcoming item %+v is overdue or undated", it)
			}
			continue
		}
		if seen {
			t.Errorf("%s item after an upcoming one: %s", it.Severity, it.Title)
		}
	}
	if up == 0 {
		t.Error("the demo has treatments due within 90 days, none listed as upcoming")
	}
	if l.Open != len(l.Items)-up {
		t.Errorf("open %d, want %d", l.Open, len(l.Items)-up)
	}
}

// TestFactsSharedAcrossDates: one workspace's facts (check.FactsOf),
// shared by readiness and the list and kept from one date to the next as
// an MSP overview row does, give on each date the list a fresh Build
// gives: the workforce tasks the facts keep are those of the date asked,
// not of the date before.
func TestFactsSharedAcrossDates(t *testing.T) {
	for _, dir := range []string{"acme-health", "harbor-family-medicine"} {
		ws := load(t, dir)
		facts := check.FactsOf(ws)
		for _, day := range []string{"2026-06-01", "2027-03-01", "2026-11-23", "2026-12-04", "2026-12-04", "2028-01-15"} {
			asOf := date.MustParse(day)
			got, want := BuildWith(ws, facts, asOf, dir), Build(ws, asOf, dir)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %s: the list from shared facts differs from Build's", dir, day)
			}
			if len(want.Items) == 0 {
				t.Errorf("%s on %s: an empty list compares nothing", dir, day)
			}
		}
	}
}
