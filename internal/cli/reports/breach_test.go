package reports

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// `ward breach deadlines` on the demo's incident: Acme is a business
// associate, so it owes the covered entity notice, within the BAA's 10
// days rather than the rule's 60 (45 CFR 164.410(b)); the drafts come as
// text or, with --format json, as the text in a JSON object.
func TestBreachDeadlinesAndDrafts(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	var r struct {
		Incident      string
		Breach        bool
		Reason        string
		Notifications []struct{ To, Due, Customer, State, Citation string }
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--as-of", "2026-11-23", "--format", "json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Incident != "inc-2026-001" || !r.Breach || len(r.Notifications) != 1 {
		t.Fatalf("%+v", r)
	}
	n := r.Notifications[0]
	if n.To != "covered-entity" || n.Customer != "lakeside-cardiology" || n.Due != "2026-11-20" || !strings.HasPrefix(n.Citation, "164.410(b)") || n.State != "" {
		t.Errorf("notification %+v, want the covered entity by 2026-11-20 under the BAA's 10 days", n)
	}
	text := mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "covered-entity")
	if !strings.Contains(text, "164.410(c)") || !strings.Contains(text, "2026-11-20") {
		t.Errorf("covered-entity draft:\n%s", text)
	}
	var d struct{ Incident, Draft, Customer, Format, Text string }
	if err := json.Unmarshal([]byte(mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "covered-entity", "--format", "json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Incident != "inc-2026-001" || d.Draft != "covered-entity" || d.Customer != "lakeside-cardiology" || d.Format != "markdown" || d.Text != text {
		t.Errorf("json draft: %+v", d)
	}
	if code, _, errs := ward(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "press"); code != cli.ExitBadInput || !strings.Contains(errs, "not one of individuals, hhs, covered-entity") {
		t.Errorf("bad --draft: exit %d %s", code, errs)
	}
	for _, args := range [][]string{
		{"--draft", "covered-entity", "--customer", "nope"},     // not a customer of the incident
		{"--draft", "covered-entity", "--customer", "st-marys"}, // a customer, not this incident's
		{"--draft", "hhs", "--customer", "lakeside-cardiology"}, // --customer with another draft
	} {
		if code, out, errs := ward(t, db, append([]string{"breach", "deadlines", "inc-2026-001"}, args...)...); code != cli.ExitBadInput || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and no draft", args, code, out, errs)
		}
	}
}
