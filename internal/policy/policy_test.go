package policy

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

var d = date.MustParse

func ptr(n int) *int { return &n }

// base is a small business associate: two officers, a data engineer who
// joined recently, one PHI system, BAAs both ways, a sanctions policy in
// two versions and a yearly training.
func base() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{
			Name: "Acme Health", Roles: []string{workspace.RoleBusinessAssociate}, ProgramStart: d("2025-01-01"),
			Answers:  workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true},
			Officers: workspace.Officers{Privacy: "dana@acme.example", Security: "raj@acme.example"},
		},
		People: []workspace.Person{
			{Email: "dana@acme.example", Name: "Dana Kim", Role: "COO", Start: d("2024-01-08")},
			{Email: "raj@acme.example", Name: "Raj Patel", Role: "VP Engineering", Start: d("2024-02-01")},
			{Email: "tom@acme.example", Name: "Tom Nguyen", Role: "Data engineer", Start: d("2026-10-05"), Access: []string{"warehouse"}},
		},
		Systems:   []workspace.System{{ID: "warehouse", Kind: "datastore", PHI: true}, {ID: "wiki", Kind: "saas"}},
		Vendors:   []workspace.Vendor{{ID: "twilio", Name: "Twilio"}},
		Customers: []workspace.Customer{{ID: "st-marys", Name: "St. Mary's Clinic", CoveredEntity: true}},
		Agreements: []workspace.Agreement{
			{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", BreachNoticeDays: 5},
			{ID: "baa-st-marys", Kind: "baa", Counterparty: "st-marys", Direction: "upstream", Status: "executed", BreachNoticeDays: 10},
		},
		Policies: []workspace.Policy{{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Controls: []string{"sanctions-policy"},
			Versions: []workspace.PolicyVersion{
				{Version: 1, File: "policies/sanctions-v1.md", ApprovedBy: "dana@acme.example", ApprovedOn: d("2024-05-01")},
				{Version: 2, File: "policies/sanctions-v2.md", ApprovedBy: "dana@acme.example", ApprovedOn: d("2026-06-15"), Effective: d("2026-07-01")},
			}}},
		Trainings: []workspace.Training{{ID: "hipaa-awareness", Title: "HIPAA awareness", Controls: []string{"security-training"}}},
	}
}

// 45 CFR 164.316(b)(2)(i): six years from creation or from when it was
// last in effect, whichever is later.
func TestCFR164_316b2i_RetentionAcrossVersions(t *testing.T) {
	p := base().Policies[0]
	asOf := d("2026-11-25")
	cases := []struct {
		version int
		want    string
		why     string
	}{
		// v1 was in effect until the day before v2 took effect.
		{1, "2032-06-30", "last in effect 2026-06-30, later than its approval 2024-05-01"},
		// v2 is in effect: at least six years from today, moving on.
		{2, "2032-11-25", "still in effect on the as-of date"},
	}
	for _, c := range cases {
		if got := p.RetainUntil(c.version, asOf); got != d(c.want) {
			t.Errorf("version %d: retain until %s, want %s (%s)", c.version, got, c.want, c.why)
		}
	}
	// Retiring the policy ends v2: six years from its last day.
	p.RetiredOn = d("2027-03-01")
	if got := p.RetainUntil(2, d("2028-01-01")); got != d("2033-02-28") {
		t.Errorf("retired: version 2 retain until %s, want 2033-02-28 (last in effect 2027-02-28)", got)
	}
	// A version approved but not yet in effect counts from its effective date.
	q := base().Policies[0]
	if got := q.RetainUntil(2, d("2026-06-20")); got != d("2032-07-01") {
		t.Errorf("before its effective date: version 2 retain until %s, want 2032-07-01", got)
	}
	// A draft is not yet documentation of the program.
	q.Versions = append(q.Versions, workspace.PolicyVersion{Version: 3, File: "x.md"})
	if got := q.RetainUntil(3, asOf); !got.IsZero() {
		t.Errorf("draft: retain until %s, want none", got)
	}
}

func TestInForceAndStatus(t *testing.T) {
	p := base().Policies[0]
	for _, c := range []struct {
		on      string
		version int
		status  string
	}{
		{"2024-04-30", 0, workspace.PolicyDraft},
		{"2024-05-01", 1, workspace.PolicyApproved},
		{"2026-06-30", 1, workspace.PolicyApproved}, // v2 approved, not yet effective
		{"2026-07-01", 2, workspace.PolicyApproved},
	} {
		v := p.InForce(d(c.on))
		got := 0
		if v != nil {
			got = v.Version
		}
		if got != c.version || p.Status(d(c.on)) != c.status {
			t.Errorf("on %s: version %d status %s, want %d %s", c.on, got, p.Status(d(c.on)), c.version, c.status)
		}
	}
}

// Acknowledgements fall due within organization.workforce.ack_within_days
// (30 by default) of a version's approval, or of a later start date.
func TestCFR164_316b2ii_AckDueNewVersionAndNewHire(t *testing.T) {
	ws := base()
	v2 := ws.Policies[0].Versions[1]
	dana, tom := ws.People[0], ws.People[2]
	cases := []struct {
		name   string
		days   *int
		person workspace.Person
		want   string
	}{
		{"a new version: 30 days after its approval", nil, dana, "2026-07-15"},
		{"a new hire after the approval: 30 days after the start", nil, tom, "2026-11-04"},
		{"the organization's own deadline", ptr(14), tom, "2026-10-19"},
	}
	for _, c := range cases {
		ws.Organization.Workforce.AckWithinDays = c.days
		if got, _ := AckDue(ws, v2, c.person); got != d(c.want) {
			t.Errorf("%s: due %s, want %s", c.name, got, c.want)
		}
	}

	// A new version makes everyone's acknowledgement fall due again.
	ws = base()
	ws.Acknowledgements = []workspace.Acknowledgement{
		{Person: "dana@acme.example", Policy: "sanctions", Version: 1, On: d("2024-05-10")},
		{Person: "raj@acme.example", Policy: "sanctions", Version: 1, On: d("2024-05-11")},
	}
	status := func(asOf string) map[string]string {
		m := map[string]string{}
		for _, tk := range AllTasks(ws, d(asOf)) {
			if tk.Kind == KindPolicy {
				m[tk.Person] = tk.Status + " v" + itoa(tk.Version)
			}
		}
		return m
	}
	if got := status("2026-06-30"); got["dana@acme.example"] != "done v1" || got["raj@acme.example"] != "done v1" {
		t.Errorf("before v2 takes effect: %v", got)
	}
	got := status("2026-07-20")
	if got["dana@acme.example"] != "overdue v2" || got["raj@acme.example"] != "overdue v2" {
		t.Errorf("after v2 (due 2026-07-15): %v, want both overdue on v2", got)
	}
	if _, ok := got["tom@acme.example"]; ok {
		t.Errorf("tom has not started on 2026-07-20 and owes nothing: %v", got)
	}
}

// 164.308(a)(5)(i): training at hire, then on the recurrence; a
// completion in December falls due again the next December.
func TestCFR164_308a5i_TrainingRecurrenceAcrossYearEnd(t *testing.T) {
	ws := base()
	ws.TrainingRecords = []workspace.TrainingRecord{{Person: "raj@acme.example", Training: "hipaa-awareness", Completed: d("2025-12-15")}}
	raj := ws.People[1]
	task := func(asOf string) Task {
		for _, tk := range Tasks(ws, raj, d(asOf)) {
			if tk.Kind == KindTraining {
				return tk
			}
		}
		t.Fatalf("no training task on %s", asOf)
		return Task{}
	}
	for _, c := range []struct{ asOf, status, due string }{
		{"2026-01-05", Done, "2026-12-15"},
		{"2026-12-15", Done, "2026-12-15"},
		{"2026-12-16", Overdue, "2026-12-15"},
		{"2027-01-02", Overdue, "2026-12-15"},
	} {
		if tk := task(c.asOf); tk.Status != c.status || tk.Due != d(c.due) {
			t.Errorf("on %s: %s due %s, want %s due %s", c.asOf, tk.Status, tk.Due, c.status, c.due)
		}
	}
	// Completing it again in January moves the next due date a year on.
	ws.TrainingRecords = append(ws.TrainingRecords, workspace.TrainingRecord{Person: "raj@acme.example", Training: "hipaa-awareness", Completed: d("2027-01-04")})
	if tk := task("2027-01-05"); tk.Status != Done || tk.Due != d("2028-01-04") {
		t.Errorf("after the January completion: %s due %s, want done until 2028-01-04", tk.Status, tk.Due)
	}

	// A new hire owes it within 30 days of the start (tom started 2026-10-05).
	tom := ws.People[2]
	for _, c := range []struct{ asOf, status string }{{"2026-11-04", Open}, {"2026-11-05", Overdue}} {
		for _, tk := range Tasks(ws, tom, d(c.asOf)) {
			if tk.Kind == KindTraining && (tk.Status != c.status || tk.Due != d("2026-11-04")) {
				t.Errorf("new hire on %s: %s due %s, want %s due 2026-11-04", c.asOf, tk.Status, tk.Due, c.status)
			}
		}
	}
	// A training done once is done for good; one for engineers only is
	// nobody else's.
	ws.Trainings = append(ws.Trainings, workspace.Training{ID: "secure-coding", Title: "Secure coding", Audience: workspace.Audience{"data engineer"}, EveryMonths: ptr(0)})
	ws.TrainingRecords = append(ws.TrainingRecords, workspace.TrainingRecord{Person: "tom@acme.example", Training: "secure-coding", Completed: d("2026-10-10")})
	for _, tk := range AllTasks(ws, d("2030-01-01")) {
		if tk.ID == "secure-coding" && (tk.Person != "tom@acme.example" || tk.Status != Done) {
			t.Errorf("secure-coding: %+v", tk)
		}
	}
}

// 164.308(a)(3)(ii)(C): a leaver's access to PHI systems ends within
// organization.workforce.termination_within_days (1 by default) of the
// last day.
func TestCFR164_308a3iiC_TerminationFinding(t *testing.T) {
	ws := base()
	ws.People[2].End = d("2026-11-20")
	ws.People[2].Access = []string{"warehouse", "wiki"}
	find := func(asOf string) []finding.Finding {
		var out []finding.Finding
		for _, f := range Check(ws, d(asOf)) {
			if f.Rule == RuleTerminationOpen {
				out = append(out, f)
			}
		}
		return out
	}
	if fs := find("2026-11-21"); len(fs) != 0 {
		t.Errorf("on the deadline (one day after the last day): %v, want none yet", fs)
	}
	fs := find("2026-11-22")
	if len(fs) != 1 || fs[0].Subject != "tom@acme.example" || fs[0].Severity != finding.Error ||
		!strings.Contains(fs[0].Message, "warehouse") || strings.Contains(fs[0].Message, "wiki") {
		t.Fatalf("a day late: %+v, want one error naming warehouse (PHI) and not wiki", fs)
	}
	ws.Organization.Workforce.TerminationWithinDays = ptr(0)
	if fs := find("2026-11-21"); len(fs) != 1 {
		t.Errorf("same-day removal required: %v", fs)
	}
	ws.People[2].Access = []string{"wiki"}
	if fs := find("2027-01-01"); len(fs) != 0 {
		t.Errorf("access to non-PHI systems only: %v", fs)
	}
}

// Each rule fires on a workspace built to trigger it, and is gone once
// the workspace is fixed: policy.missing (164.316(a)), policy.ack-overdue
// (164.316(b)(2)(ii)), training.overdue (164.308(a)(5)(i)),
// workforce.termination-open (164.308(a)(3)(ii)(C)) and
// policy.review-overdue (164.316(b)(2)(iii)).
func TestCFR164_316_CheckRulesTriggeredAndFixed(t *testing.T) {
	asOf := d("2026-11-25")
	rules := func(ws *workspace.Workspace) map[string][]finding.Finding {
		m := map[string][]finding.Finding{}
		for _, f := range Check(ws, asOf) {
			m[f.Rule] = append(m[f.Rule], f)
		}
		return m
	}
	broken := base()
	broken.People[2].End = d("2026-11-10") // tom left, access kept
	got := rules(broken)

	var missing []string
	for _, f := range got[RuleMissing] {
		missing = append(missing, f.Subject)
	}
	if slices.Contains(missing, "sanctions") || !slices.Contains(missing, "information-security") || slices.Contains(missing, "privacy-notice") {
		t.Errorf("policy.missing subjects %v: want template ids, information-security among them, not sanctions (approved), not privacy-notice (covered entities only)", missing)
	}
	if len(got[RuleReviewOverdue]) != 0 {
		t.Errorf("review: %v", got[RuleReviewOverdue])
	}
	acks := got[RuleAckOverdue]
	if len(acks) != 2 || acks[0].Subject != "dana@acme.example" || !strings.Contains(acks[0].Message, "Sanctions policy (sanctions) version 2") {
		t.Errorf("policy.ack-overdue: %+v, want dana and raj, naming the policy and version", acks)
	}
	trs := got[RuleTrainingOverdue]
	if len(trs) != 2 || !strings.Contains(trs[0].Message, "HIPAA awareness") {
		t.Errorf("training.overdue: %+v, want dana and raj (tom has left)", trs)
	}
	if len(got[RuleTerminationOpen]) != 1 {
		t.Errorf("termination: %v", got[RuleTerminationOpen])
	}

	// The review: twelve months after v2's approval, with no review.
	late := base()
	if fs := rules(late)[RuleReviewOverdue]; len(fs) != 0 {
		t.Fatalf("review on time: %v", fs)
	}
	if fs := Check(late, d("2027-06-16")); !slices.ContainsFunc(fs, func(f finding.Finding) bool {
		return f.Rule == RuleReviewOverdue && f.Subject == "sanctions" && f.Severity == finding.Warning
	}) {
		t.Errorf("2027-06-16, a year and a day after approval: no policy.review-overdue for sanctions in %v", fs)
	}
	late.Policies[0].Reviews = []workspace.PolicyReview{{On: d("2027-06-01"), By: "dana@acme.example"}}
	if fs := Check(late, d("2027-06-16")); slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Rule == RuleReviewOverdue }) {
		t.Errorf("reviewed on 2027-06-01: still overdue")
	}

	// Fixed: every template approved, everyone acknowledged and trained,
	// the leaver's access gone.
	fixed := base()
	fixed.People[2].End = d("2026-11-10")
	fixed.People[2].Access = nil
	for _, tp := range Required(fixed) {
		if tp.ID == "sanctions" {
			continue
		}
		fixed.Policies = append(fixed.Policies, workspace.Policy{ID: tp.ID, Title: tp.Title, Template: tp.ID,
			Versions: []workspace.PolicyVersion{{Version: 1, File: tp.ID + ".md", ApprovedBy: "dana@acme.example", ApprovedOn: d("2026-09-01")}}})
	}
	for _, p := range []string{"dana@acme.example", "raj@acme.example"} {
		for _, pol := range fixed.Policies {
			fixed.Acknowledgements = append(fixed.Acknowledgements, workspace.Acknowledgement{Person: p, Policy: pol.ID, Version: pol.InForce(asOf).Version, On: d("2026-09-10")})
		}
		fixed.TrainingRecords = append(fixed.TrainingRecords, workspace.TrainingRecord{Person: p, Training: "hipaa-awareness", Completed: d("2026-03-01")})
	}
	if fs := Check(fixed, asOf); len(fs) != 0 {
		t.Errorf("fixed workspace still has findings: %+v", fs)
	}
}

// Which templates an organization needs follows its frameworks.
func TestRequired(t *testing.T) {
	ids := func(ws *workspace.Workspace) []string {
		var out []string
		for _, t := range Required(ws) {
			out = append(out, t.ID)
		}
		return out
	}
	ba := ids(base())
	if len(ba) != 16 || slices.Contains(ba, "privacy-notice") {
		t.Errorf("a business associate under HIPAA: %v, want the 16 base templates", ba)
	}
	ce := base()
	ce.Organization.Roles = []string{workspace.RoleCoveredEntity}
	if got := ids(ce); len(got) != 20 {
		t.Errorf("a covered entity: %d templates %v, want all 20 (the Privacy Rule four too, 164.530(i))", len(got), got)
	}
	soc2only := base()
	soc2only.Organization.Roles = nil
	soc2only.Organization.Answers = workspace.Answers{BuyersAskSOC2: true}
	got := ids(soc2only)
	if len(got) == 0 || slices.Contains(got, "minimum-necessary") {
		t.Errorf("SOC 2 only: %v", got)
	}
	none := base()
	none.Organization.Roles = nil
	none.Organization.Answers = workspace.Answers{}
	if got := ids(none); len(got) != 0 {
		t.Errorf("no framework applies: %v", got)
	}
}

// The templates are ours and answer what they cite: every citation is a
// section or criterion the catalog knows (Privacy Rule sections, outside
// the catalog, are 164.5xx), every control exists, and every template
// renders from a workspace with nothing left unfilled.
func TestTemplates(t *testing.T) {
	cat := catalog.Default()
	if len(Templates()) != len(TemplateIDs) || len(TemplateIDs) != 20 {
		t.Fatalf("%d templates", len(Templates()))
	}
	privacyRule := regexp.MustCompile(`^164\.5\d\d(\(|$)`)
	breachRule := regexp.MustCompile(`^164\.4\d\d`)
	for _, tp := range Templates() {
		if tp.Title == "" || tp.Summary == "" || len(tp.HIPAA)+len(tp.SOC2) == 0 {
			t.Errorf("%s: title, summary and citations are required", tp.ID)
		}
		for _, h := range tp.HIPAA {
			switch {
			case privacyRule.MatchString(h):
			case breachRule.MatchString(h):
				if cat.Framework("hipaa-breach").Requirement(h) == nil {
					t.Errorf("%s cites %s, which is not in the Breach Notification Rule catalog", tp.ID, h)
				}
			case cat.Framework("hipaa").Requirement(h) == nil:
				t.Errorf("%s cites %s, which is not in the HIPAA catalog", tp.ID, h)
			}
		}
		for _, s := range tp.SOC2 {
			if cat.Framework("soc2").Requirement(s) == nil {
				t.Errorf("%s cites SOC 2 %s, which is not a criterion", tp.ID, s)
			}
		}
		for _, c := range tp.Controls {
			if cat.Control(c) == nil {
				t.Errorf("%s covers control %s, which is not in the catalog", tp.ID, c)
			}
		}
		ws := base()
		ws.Organization.Roles = []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}
		md, err := tp.Render(ws, "", 0)
		if err != nil {
			t.Errorf("%s: %v", tp.ID, err)
			continue
		}
		for _, bad := range []string{"<no value>", "{{", "}}", "%!"} {
			if strings.Contains(md, bad) {
				t.Errorf("%s renders %q:\n%s", tp.ID, bad, md)
			}
		}
		if !strings.HasPrefix(md, "# "+tp.Title+"\n\nAcme Health. This policy answers ") {
			t.Errorf("%s: heading %q", tp.ID, md[:min(len(md), 120)])
		}
		if strings.Contains(md, "\n\n\n") {
			t.Errorf("%s has runs of blank lines", tp.ID)
		}
	}
	ws := base()
	vm, _ := TemplateByID("vendor-management").Render(ws, "", 0)
	for _, want := range []string{"Twilio (baa-twilio): 5 days", "St. Mary's Clinic (baa-st-marys): 10 days"} {
		if !strings.Contains(vm, want) {
			t.Errorf("vendor management does not state the BAA term %q:\n%s", want, vm)
		}
	}
	ir, _ := TemplateByID("incident-response").Render(ws, "", 0)
	if !strings.Contains(ir, "St. Mary's Clinic: within 10 days (baa-st-marys)") || strings.Contains(ir, "As a covered entity") {
		t.Errorf("incident response for a business associate:\n%s", ir)
	}
	sa, _ := TemplateByID("sanctions").Render(ws, "", 0)
	if !strings.Contains(sa, "Dana Kim (dana@acme.example)") || !strings.Contains(sa, "Raj Patel (raj@acme.example)") {
		t.Errorf("sanctions does not name the officers:\n%s", sa)
	}
	ac, _ := TemplateByID("access-control").Render(ws, "", 0)
	if !strings.Contains(ac, "quarterly") {
		t.Errorf("access control does not state the access review frequency (catalog: quarterly):\n%s", ac)
	}
}

// Approved policies, acknowledgements and completions are evidence for
// the controls they cover, and lapse with them.
func TestDerivedEvidence(t *testing.T) {
	ws := base()
	ws.Acknowledgements = []workspace.Acknowledgement{
		{Person: "dana@acme.example", Policy: "sanctions", Version: 2, On: d("2026-07-02")},
		{Person: "raj@acme.example", Policy: "sanctions", Version: 2, On: d("2026-07-09")},
	}
	ws.TrainingRecords = []workspace.TrainingRecord{{Person: "raj@acme.example", Training: "hipaa-awareness", Completed: d("2026-03-01")}}
	ws.SecurityReminders = []workspace.Reminder{{On: d("2026-10-05"), Title: "Phishing season"}}
	byID := map[string]workspace.Evidence{}
	for _, e := range Derived(ws) {
		if e.Source != workspace.SourceDerived || !strings.HasPrefix(e.ID, "derived:") || e.Note == "" {
			t.Errorf("%+v: want source derived, a derived: id and a note", e)
		}
		byID[e.ID] = e
	}
	v1 := byID["derived:policy:sanctions:v1"]
	if v1.PeriodStart != d("2024-05-01") || v1.PeriodEnd != d("2025-05-01") || !slices.Equal(v1.Controls, []string{"sanctions-policy"}) {
		t.Errorf("v1 (never reviewed): %+v, want in effect 2024-05-01 to its review due 2025-05-01", v1)
	}
	v2 := byID["derived:policy:sanctions:v2"]
	if v2.PeriodStart != d("2026-07-01") || v2.PeriodEnd != d("2027-06-15") {
		t.Errorf("v2: %+v", v2)
	}
	ack := byID["derived:ack:sanctions:v2:2026-07"]
	if ack.PeriodStart != d("2026-07-02") || ack.PeriodEnd != d("2026-07-09") || !slices.Contains(ack.Controls, "policy-acknowledgment") || !strings.Contains(ack.Note, "2 acknowledgements") {
		t.Errorf("acknowledgements: %+v", ack)
	}
	if e, ok := byID["derived:training:hipaa-awareness:2026-03"]; !ok || !slices.Equal(e.Controls, []string{"security-training"}) {
		t.Errorf("training: %+v", e)
	}
	if _, ok := byID["derived:reminder:2026-10-05:phishing-season"]; !ok {
		t.Errorf("no reminder item in %v", byID)
	}
	if _, ok := byID["derived:review:sanctions:v2"]; !ok {
		t.Errorf("no review item for the v2 approval")
	}
	// A review extends the version's period.
	ws.Policies[0].Reviews = []workspace.PolicyReview{{On: d("2027-06-01"), By: "dana@acme.example"}}
	for _, e := range Derived(ws) {
		if e.ID == "derived:policy:sanctions:v2" && e.PeriodEnd != d("2028-06-01") {
			t.Errorf("after the 2027-06-01 review: v2 in effect to %s, want 2028-06-01", e.PeriodEnd)
		}
	}

	// Gaps: tom is overdue on training; the control is short.
	gaps := Gaps(ws, d("2026-11-25"))
	if g := gaps["security-training"]; len(g) != 1 || !strings.Contains(g[0], "overdue on training hipaa-awareness") {
		t.Errorf("security-training gaps: %v", g)
	}
	// WithDerived never changes the workspace it was given.
	n := len(ws.Evidence)
	if wd := WithDerived(ws); len(wd.Evidence) <= n || len(ws.Evidence) != n {
		t.Errorf("WithDerived: %d items, original %d→%d", len(wd.Evidence), n, len(ws.Evidence))
	}
}

func TestDiff(t *testing.T) {
	a := "# Sanctions\n\nLevel 1\nLevel 2: sharing a password\nLevel 3\n"
	b := "# Sanctions\n\nLevel 1\nLevel 2: sharing a password; pasting PHI into an AI tool\nLevel 3\nLevel 4\n"
	d := Diff(a, b)
	var ops []string
	for _, l := range d {
		ops = append(ops, l.Op+l.Text)
	}
	want := []string{" # Sanctions", " ", " Level 1", "-Level 2: sharing a password", "+Level 2: sharing a password; pasting PHI into an AI tool", " Level 3", "+Level 4"}
	if !slices.Equal(ops, want) {
		t.Errorf("diff:\n%q\nwant\n%q", ops, want)
	}
	if !Changed(d) || Changed(Diff(a, a)) {
		t.Error("Changed")
	}
	u := UnifiedText(d, "sanctions v1", "sanctions v2")
	if !strings.Contains(u, "-Level 2: sharing a password\n+Level 2: sharing a password; pasting") || strings.Contains(u, "# Sanctions") {
		t.Errorf("unified:\n%s", u)
	}
}

// The people board: one row per person, filters, the reminder list.
func TestPeopleBoard(t *testing.T) {
	ws := base()
	ws.People[2].End = d("2026-11-10") // tom left with access to the warehouse
	ws.Acknowledgements = []workspace.Acknowledgement{{Person: "dana@acme.example", Policy: "sanctions", Version: 2, On: d("2026-07-02")}}
	asOf := d("2026-11-25")
	b := People(ws, asOf, "")
	if len(b.Rows) != 3 || len(b.Columns) != 2 {
		t.Fatalf("rows %d columns %+v", len(b.Rows), b.Columns)
	}
	dana := b.Rows[0]
	if dana.Tasks["policy:sanctions"].Status != Done || dana.Tasks["training:hipaa-awareness"].Status != Overdue || dana.Overdue != 1 {
		t.Errorf("dana: %+v", dana)
	}
	if tom := b.Rows[2]; tom.Status != "left" || len(tom.Tasks) != 0 || !slices.Equal(tom.AccessOpen, []string{"warehouse"}) {
		t.Errorf("tom: %+v", tom)
	}
	if got := People(ws, asOf, "policy:sanctions"); len(got.Rows) != 1 || got.Rows[0].Email != "raj@acme.example" {
		t.Errorf("filter policy:sanctions: %+v", got.Rows)
	}
	if got := People(ws, asOf, FilterOverdue); len(got.Rows) != 3 {
		t.Errorf("filter overdue: %d rows (dana and raj overdue on training, tom's access)", len(got.Rows))
	}
	txt := ReminderText(b, "Acme Health")
	if !strings.Contains(txt, "To: Raj Patel <raj@acme.example>") || !strings.Contains(txt, "acknowledge Sanctions policy version 2 (overdue since 2026-07-15)") || strings.Contains(txt, "tom@") {
		t.Errorf("reminders:\n%s", txt)
	}
	s, ok := Show(ws, "sanctions", asOf)
	if !ok || s.Version != 2 || s.Owed != 2 || s.Acknowledged != 1 || s.Overdue != 1 || len(s.Versions) != 2 ||
		s.Versions[0].State != VersionSuperseded || s.Versions[0].RetainUntil != d("2032-06-30") || s.Versions[1].State != VersionInForce {
		t.Errorf("show: %+v", s)
	}
}

// Policy text is Markdown rendered safely: raw HTML and script links
// never reach the page.
func TestHTMLIsSafe(t *testing.T) {
	out, err := HTMLFragment("# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", "onerror", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("rendered %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "<h1>Title</h1>") || !strings.Contains(out, "<table>") {
		t.Errorf("markdown not rendered:\n%s", out)
	}
}
