package trust

import (
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/plan"
	"ward/internal/workspace"
)

func d(s string) date.Date { return date.MustParse(s) }

func no() *bool { f := false; return &f }

func testWorkspace() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme", Slug: "acme", Roles: []string{workspace.RoleBusinessAssociate},
			ProgramStart: d("2026-01-05"),
			Answers:      workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
			Officers:     workspace.Officers{Security: "raj@acme.example", Privacy: "dana@acme.example"},
			SOC2:         workspace.SOC2{Type: "type2", ObservationStart: d("2026-06-01"), ObservationMonths: 6, SkipType1: true},
			Trust: &workspace.Trust{Enabled: true, Public: workspace.TrustSections, SubprocessorNoticeDays: 30,
				Documents: []workspace.TrustDocument{{ID: "pen", Kind: "pen-test-summary", Title: "Pen test", Public: true, File: "p.pdf"},
					{ID: "draft", Kind: "other", Title: "Draft", File: "d.pdf"}}}},
		Vendors: []workspace.Vendor{
			{ID: "aws", Name: "Amazon Web Services", Services: []string{"hosting", "backups"}, Location: "United States"},
			{ID: "twilio", Name: "Twilio", Services: []string{"sms"}},
			{ID: "mixpanel", Name: "Mixpanel", Services: []string{"analytics"}},
			{ID: "github", Name: "GitHub", Subprocessor: no()},
		},
		Systems: []workspace.System{
			{ID: "api", Kind: "service", Vendor: "aws", PHI: true},
			{ID: "sms", Kind: "saas", Vendor: "twilio", PHI: true},
			{ID: "analytics", Kind: "saas", Vendor: "mixpanel"},
		},
		Agreements: []workspace.Agreement{
			{ID: "baa-aws", Kind: "baa", Counterparty: "aws", Direction: "downstream", Status: "executed", Effective: d("2026-02-01")},
			{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: d("2025-01-01"), Expires: d("2026-01-31")},
		},
		RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra-2026", Performed: d("2026-03-01")}},
		Policies: []workspace.Policy{
			{ID: "sec", Title: "Information security policy", Versions: []workspace.PolicyVersion{{Version: 1, File: "a.md", ApprovedBy: "raj@acme.example", ApprovedOn: d("2026-02-01")}},
				Reviews: []workspace.PolicyReview{{On: d("2026-08-01"), By: "raj@acme.example"}}},
			{ID: "draft", Title: "Draft policy", Versions: []workspace.PolicyVersion{{Version: 1, File: "b.md"}}},
		},
	}
}

func TestSubprocessorsFromTheVendorRegister(t *testing.T) {
	ws := testWorkspace()
	got := Subprocessors(ws, d("2026-09-01"))
	want := []Subprocessor{
		{ID: "aws", Name: "Amazon Web Services", Purpose: "hosting, backups", Location: "United States", PHI: true, BAA: true},
		{ID: "mixpanel", Name: "Mixpanel", Purpose: "analytics"},
		{ID: "twilio", Name: "Twilio", Purpose: "sms", PHI: true}, // its BAA expired
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDiff(t *testing.T) {
	on := d("2026-12-04")
	before := []Subprocessor{{ID: "aws", Name: "AWS", Purpose: "hosting", PHI: true, BAA: true}, {ID: "old", Name: "Old"}}
	after := []Subprocessor{{ID: "aws", Name: "AWS", Purpose: "hosting", Location: "EU", PHI: true, BAA: false}, {ID: "new", Name: "New", PHI: true}}
	cs := Diff(before, after, on, 30)
	got := map[string]string{}
	for _, c := range cs {
		got[c.ID] = strings.Join(c.Fields, ",")
		if !c.Effective.Equal(d("2027-01-03")) || c.NoticeDays != 30 {
			t.Errorf("%s effective %s, want 2027-01-03 (30 days after %s)", c.ID, c.Effective, on)
		}
	}
	want := map[string]string{"spc-2026-12-04-changed-aws": "location", "spc-2026-12-04-added-new": "", "spc-2026-12-04-removed-old": ""}
	if len(got) != len(want) {
		t.Fatalf("changes %v, want %v (a BAA's state is not a change to announce)", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("change %s = %q (present %v), want %q", k, g, ok, v)
		}
	}
	if !Same(before, []Subprocessor{{ID: "aws", Name: "AWS", Purpose: "hosting", PHI: true}, {ID: "old", Name: "Old"}}) {
		t.Error("a list differing only in BAA state is not the same")
	}
}

func framework(fs []Framework, id string) *Framework {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}

func fact(f *Framework, label string) string {
	for _, x := range f.Facts {
		if x.Label == label {
			return x.Value
		}
	}
	return ""
}

func TestFrameworksAreDerived(t *testing.T) {
	ws := testWorkspace()
	for _, tc := range []struct {
		name, asOf              string
		edit                    func(*workspace.Workspace)
		hipaa, soc2, hitrust    string
		lastRA, period, planned string
	}{
		{name: "window under way", asOf: "2026-09-01", hipaa: StatusInPlace, soc2: StatusInProgress, hitrust: StatusNotPlanned,
			lastRA: "2026-03-01", period: "2026-06-01 to 2026-11-30", planned: "2027-02-28"},
		// 164.308(a)(1)(ii)(A): an analysis older than a year is being renewed.
		{name: "risk analysis over a year old", asOf: "2027-03-15", hipaa: StatusInProgress, soc2: StatusPlanned, hitrust: StatusNotPlanned, lastRA: "2026-03-01"},
		{name: "report from its evidence", asOf: "2027-03-01", edit: func(ws *workspace.Workspace) {
			ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "ev-soc2", Control: "x", Collected: d("2027-02-15"), PeriodStart: d("2026-06-01"), PeriodEnd: d("2026-11-30"), File: "r.pdf"})
			ws.Organization.Trust.Documents = append(ws.Organization.Trust.Documents, workspace.TrustDocument{ID: "soc2", Kind: "soc2-report", Title: "SOC 2", Evidence: "ev-soc2"})
		}, hipaa: StatusInPlace, soc2: StatusReport, hitrust: StatusNotPlanned, lastRA: "2026-03-01"},
		{name: "no risk analysis, HITRUST wanted", asOf: "2026-02-01", edit: func(ws *workspace.Workspace) {
			ws.RiskAnalyses = nil
			ws.Organization.Answers.EnterpriseHealthSystems = true
		}, hipaa: StatusInProgress, soc2: StatusPlanned, hitrust: StatusPlanned, lastRA: "not yet performed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := testWorkspace()
			if tc.edit != nil {
				tc.edit(ws)
			}
			asOf := d(tc.asOf)
			fs := Frameworks(ws, plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Status{}), asOf)
			h, s, x := framework(fs, "hipaa"), framework(fs, "soc2"), framework(fs, "hitrust")
			if h == nil || s == nil || x == nil {
				t.Fatalf("frameworks %+v", fs)
			}
			if h.Status != tc.hipaa || s.Status != tc.soc2 || x.Status != tc.hitrust {
				t.Errorf("status hipaa %s soc2 %s hitrust %s, want %s %s %s", h.Status, s.Status, x.Status, tc.hipaa, tc.soc2, tc.hitrust)
			}
			if got := fact(h, "Last risk analysis"); got != tc.lastRA {
				t.Errorf("last risk analysis %q, want %q", got, tc.lastRA)
			}
			if tc.period != "" && fact(s, "Observation period") != tc.period {
				t.Errorf("observation period %q, want %q", fact(s, "Observation period"), tc.period)
			}
			if tc.planned != "" && fact(s, "Report planned by") != tc.planned {
				t.Errorf("report planned by %q, want %q", fact(s, "Report planned by"), tc.planned)
			}
			if tc.soc2 == StatusReport && fact(s, "Report period") != "2026-06-01 to 2026-11-30" {
				t.Errorf("report period %q", fact(s, "Report period"))
			}
		})
	}
	_ = ws
}

func TestBuildShowsOnlyPublicSections(t *testing.T) {
	ws := testWorkspace()
	ws.Organization.Trust.Public = []string{workspace.TrustPolicies, workspace.TrustDocuments}
	asOf := d("2026-09-01")
	p := Build(ws, plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Status{}), nil, asOf)
	if p.Frameworks != nil || p.Subprocessors != nil {
		t.Errorf("private sections filled: %+v", p)
	}
	if len(p.Policies) != 1 || p.Policies[0].Title != "Information security policy" || !p.Policies[0].LastReview.Equal(d("2026-08-01")) || !p.Policies[0].NextReview.Equal(d("2027-08-01")) {
		t.Errorf("policies %+v: want the approved one, reviewed 2026-08-01, next 2027-08-01", p.Policies)
	}
	if len(p.Documents) != 1 || p.Documents[0].ID != "pen" {
		t.Errorf("documents %+v: want the public one only", p.Documents)
	}
	if PublicDocument(ws, "draft") != nil || PublicDocument(ws, "pen") == nil || PublicDocument(ws, "nope") != nil {
		t.Error("PublicDocument must answer only the public document")
	}
	ws.Organization.Trust.Enabled = false
	if PublicDocument(ws, "pen") != nil || len(Build(ws, plan.Plan{}, nil, asOf).Shown) != 0 {
		t.Error("a disabled trust center shows nothing")
	}
}
