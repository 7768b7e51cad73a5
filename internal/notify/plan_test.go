package notify

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/posture"
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

// lines is a plan as "to kind: item-kind subject due overdue" lines, for
// comparing with what a person expects to receive.
func lines(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		for _, it := range m.Items {
			o := ""
			if it.Overdue {
				o = " overdue"
			}
			out = append(out, m.To+" "+m.Kind+": "+it.Kind+" "+it.Subject+" "+it.Due.String()+o)
		}
	}
	return out
}

// TestDigestPerPerson: on the demo as of 2026-12-04 each person gets what
// they own that is overdue or due within 14 days: the privacy officer the
// breach notice (164.410(b)) and the expired BAA, the security officer
// what no one else owns, each workforce member their own
// acknowledgements and trainings.
func TestDigestPerPerson(t *testing.T) {
	ws := load(t, "acme-health")
	got := lines(Plan(ws, date.MustParse("2026-12-04"), "acme-health", Options{}))
	want := []string{
		"dana@acme-health.example digest: baa-expired baa-sendgrid 2026-09-30 overdue",
		"dana@acme-health.example digest: breach-notice inc-2026-001 2026-11-20 overdue",
		"dana@acme-health.example alert: baa-expired baa-sendgrid 2026-09-30 overdue",
		"lena@acme-health.example digest: policy-ack lena@acme-health.example 2026-12-02 overdue",
		"noah@acme-health.example digest: training-due noah@acme-health.example 2026-11-11 overdue",
		"noah@acme-health.example digest: policy-ack noah@acme-health.example 2026-12-02 overdue",
		"priya@acme-health.example digest: policy-ack priya@acme-health.example 2026-07-29 overdue",
		"priya@acme-health.example digest: policy-ack priya@acme-health.example 2026-12-02 overdue",
		"raj@acme-health.example digest: milestone execute-baas 2026-07-12 overdue",
		"raj@acme-health.example digest: policy-review acceptable-use 2026-08-04 overdue",
		"raj@acme-health.example digest: risk-due r-laptop-loss 2026-10-31 overdue",
		"sam@acme-health.example digest: evidence-due vulnerability-scanning 2026-10-31 overdue",
		"sam@acme-health.example digest: risk-due r-phi-in-logs 2026-12-15",
		"tom@acme-health.example digest: policy-ack tom@acme-health.example 2026-12-02 overdue",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan on 2026-12-04:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestEvidenceDueCountsWorkforceRecords: the security reminders sent on
// 2026-10-05 and 2026-11-02 are the security-reminders control's evidence
// for those months (164.308(a)(5)(ii)(A)), as readiness and the gate count
// them: no digest, calendar or task asks for them again. The evidence
// obligations that are overdue are exactly the readiness report's SOC 2
// Type II exceptions.
func TestEvidenceDueCountsWorkforceRecords(t *testing.T) {
	ws := load(t, "acme-health")
	asOf := date.MustParse("2026-12-05")
	p, err := posture.Evaluate(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range p.Exceptions {
		want = append(want, e.Control+" "+e.End.String())
	}
	var got []string
	for _, o := range Obligations(ws, asOf, "acme-health") {
		if o.Kind == KindEvidenceDue && o.Overdue {
			got = append(got, o.Subject+" "+o.Due.String())
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("overdue evidence on 2026-12-05: %v; readiness's Type II exceptions: %v", got, want)
	}
}

// TestCFR164_410b_BreachAlerts10Then3: the notice to the covered entity
// (due 2026-11-20) is alerted 10 days out and again 3 days out, under
// different keys, so each goes out once; an overdue notice is left to
// the digest. The incident, discovered 2026-11-10 and presumed a breach
// (164.402(2)), alerts both officers while it is new.
func TestCFR164_410b_BreachAlerts10Then3(t *testing.T) {
	ws := load(t, "acme-health")
	alerts := func(d string) map[string]string {
		out := map[string]string{}
		for _, m := range Plan(ws, date.MustParse(d), "acme-health", Options{}) {
			if m.Kind == MessageAlert {
				out[m.To+" "+m.Items[0].Kind] = m.Key
			}
		}
		return out
	}
	a := alerts("2026-11-10")
	first := a["dana@acme-health.example breach-notice"]
	if !strings.HasSuffix(first, "|10d") {
		t.Errorf("10 days out: breach alert key %q, want a 10d period", first)
	}
	if a["dana@acme-health.example incident"] == "" || a["raj@acme-health.example incident"] == "" {
		t.Errorf("a new incident that may be a breach alerts both officers: %v", a)
	}
	if k := alerts("2026-11-12")["dana@acme-health.example breach-notice"]; k != first {
		t.Errorf("8 days out the alert key is still the 10-day one (sent once): %q vs %q", k, first)
	}
	second := alerts("2026-11-17")["dana@acme-health.example breach-notice"]
	if !strings.HasSuffix(second, "|3d") || second == first {
		t.Errorf("3 days out: key %q, want a new 3d key", second)
	}
	late := alerts("2026-12-04")
	if late["dana@acme-health.example breach-notice"] != "" || late["dana@acme-health.example incident"] != "" {
		t.Errorf("an overdue notice and an old incident do not alert: %v", late)
	}
}

// TestPrefs: a person who turns the digest off gets none; one who watches
// risks gets every risk due, whoever owns it.
func TestPrefs(t *testing.T) {
	ws := load(t, "acme-health")
	msgs := Plan(ws, date.MustParse("2026-12-04"), "acme-health", Options{Prefs: map[string]Prefs{
		"tom@acme-health.example":  {NoDigest: true},
		"lena@acme-health.example": {Watch: []string{KindRiskDue}},
	}})
	got := strings.Join(lines(msgs), "\n")
	if strings.Contains(got, "tom@acme-health.example digest") {
		t.Errorf("tom turned the digest off:\n%s", got)
	}
	for _, r := range []string{"r-laptop-loss", "r-phi-in-logs"} {
		if !strings.Contains(got, "lena@acme-health.example digest: risk-due "+r) {
			t.Errorf("lena watches risks, no %s:\n%s", r, got)
		}
	}
}

// TestControlAlert: a control met at the last run and not met now, with
// a failing scan check, alerts its owner once for the day.
func TestControlAlert(t *testing.T) {
	ws := load(t, "acme-health")
	now := map[string]ControlState{"mfa": {State: "partial", Failing: 2, Owner: "raj@acme-health.example", Title: "MFA"}, "backup": {State: "not-met"}, "audit-logging": {State: "met", Failing: 1}}
	msgs := Plan(ws, date.MustParse("2026-12-04"), "acme-health", Options{Controls: map[string]string{"mfa": "met", "backup": "met", "audit-logging": "met"}, Now: now})
	var n int
	for _, m := range msgs {
		if m.Kind == MessageAlert && m.Items[0].Kind == KindControlNotMet {
			n++
			if m.To != "raj@acme-health.example" || m.Items[0].Subject != "mfa" {
				t.Errorf("control alert %+v", m)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d control alerts, want 1 (backup has no failing scan check)", n)
	}
}

func TestObligationUIDsStable(t *testing.T) {
	ws := load(t, "acme-health")
	a := Obligations(ws, date.MustParse("2026-12-04"), "acme-health")
	b := Obligations(ws, date.MustParse("2026-12-05"), "acme-health")
	uids := map[string]date.Date{}
	for _, o := range a {
		if _, dup := uids[o.UID]; dup {
			t.Errorf("UID %s twice", o.UID)
		}
		uids[o.UID] = o.Due
	}
	same := 0
	for _, o := range b {
		if d, ok := uids[o.UID]; ok && d == o.Due {
			same++
		}
	}
	if same < len(a)*9/10 {
		t.Errorf("only %d of %d obligations keep their UID and date a day later", same, len(a))
	}
	kinds := map[string]bool{}
	for _, o := range a {
		kinds[o.Kind] = true
	}
	hfm := Obligations(load(t, "harbor-family-medicine"), date.MustParse("2026-12-04"), "harbor-family-medicine")
	if !slices.ContainsFunc(hfm, func(o Obligation) bool {
		return o.Kind == KindPrivacyRequest && o.Subject == "par-2026-040" && o.Overdue && o.Owner == "jen@harbor-fm.example"
	}) {
		t.Errorf("Harbor's overdue access request par-2026-040 (164.524(b)(2)) is not an obligation of its handler")
	}
	for _, k := range []string{KindBreachNotice, KindBAAExpired, KindBAAExpiring, KindEvidenceDue, KindRiskDue, KindPolicyReview, KindPolicyAck, KindTrainingDue, KindMilestone} {
		if !kinds[k] {
			t.Errorf("no %s obligation on the demo", k)
		}
	}
}
