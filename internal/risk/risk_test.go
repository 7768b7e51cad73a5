package risk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"ward/internal/catalog"

	"ward/internal/date"
	"ward/internal/workspace"
)

func TestDefaultMatrixEveryCell(t *testing.T) {
	// Rows: likelihood 1..5; columns: impact 1..5. Written out so a change
	// of band is a visible, reviewed edit rather than a formula tweak.
	want := [5][5]Level{
		{Low, Low, Low, Low, Medium},
		{Low, Low, Medium, Medium, High},
		{Low, Medium, Medium, High, High},
		{Low, Medium, High, High, Critical},
		{Medium, High, High, Critical, Critical},
	}
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			if got := DefaultMatrix.Level(l, i); got != want[l-1][i-1] {
				t.Errorf("L%d×I%d = %s, want %s", l, i, got, want[l-1][i-1])
			}
		}
	}
	if got := DefaultMatrix.Level(0, 3); got != "" {
		t.Errorf("likelihood 0 gave %q, want empty", got)
	}
	if got := DefaultMatrix.Level(3, 6); got != "" {
		t.Errorf("impact 6 gave %q, want empty", got)
	}
}

func TestParseMatrix(t *testing.T) {
	row := func(s string) []string { return strings.Fields(s) }
	strict := [][]string{
		row("low low medium medium high"),
		row("low medium medium high high"),
		row("medium medium high high critical"),
		row("medium high high critical critical"),
		row("high high critical critical critical"),
	}
	m, err := ParseMatrix(strict)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Level(5, 1); got != High {
		t.Errorf("override L5×I1 = %s, want high", got)
	}
	if got := m.Level(1, 1); got != Low {
		t.Errorf("override L1×I1 = %s, want low", got)
	}
	if m, err := ParseMatrix(nil); err != nil || m != DefaultMatrix {
		t.Errorf("empty matrix: %v, want the default", err)
	}
	bad := []struct {
		name string
		rows [][]string
		want string
	}{
		{"four rows", strict[:4], "has 4 rows"},
		{"short row", append(slices.Clone(strict[:4]), row("low low")), "risk_matrix[4]: has 2 levels"},
		{"unknown level", append(slices.Clone(strict[:4]), row("high high severe critical critical")), `"severe" is not one of`},
		{"impact lowers level", append([][]string{row("low high medium medium high")}, strict[1:]...), "higher impact must not lower"},
		{"likelihood lowers level", append(slices.Clone(strict[:4]), row("low high critical critical critical")), "higher likelihood must not lower"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMatrix(tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestScoreResidual(t *testing.T) {
	cases := []struct {
		name               string
		r                  workspace.Risk
		inh, res           Level
		inhScore, resScore int
		assumed            bool
	}{
		{"no residual: treatment not yet effective, residual = inherent",
			workspace.Risk{Likelihood: 4, Impact: 5}, Critical, Critical, 20, 20, true},
		{"both residual set",
			workspace.Risk{Likelihood: 4, Impact: 5, ResidualLikelihood: 2, ResidualImpact: 3}, Critical, Medium, 20, 6, false},
		{"only residual likelihood: impact stays inherent",
			workspace.Risk{Likelihood: 5, Impact: 4, ResidualLikelihood: 1}, Critical, Low, 20, 4, false},
		{"only residual impact",
			workspace.Risk{Likelihood: 3, Impact: 5, ResidualImpact: 2}, High, Medium, 15, 6, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Score(tc.r, DefaultMatrix, nil)
			if s.Inherent != tc.inh || s.Residual != tc.res || s.InherentScore != tc.inhScore || s.ResidualScore != tc.resScore || s.ResidualAssumed != tc.assumed {
				t.Errorf("got %s/%d → %s/%d assumed=%v, want %s/%d → %s/%d assumed=%v",
					s.Inherent, s.InherentScore, s.Residual, s.ResidualScore, s.ResidualAssumed,
					tc.inh, tc.inhScore, tc.res, tc.resScore, tc.assumed)
			}
		})
	}
}

func demo() *workspace.Workspace {
	d := date.MustParse
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme Health"},
		Systems: []workspace.System{
			{ID: "api", Kind: "service", PHI: true}, {ID: "db", Kind: "datastore", PHI: true},
			{ID: "email", Kind: "saas", PHI: true}, {ID: "wiki", Kind: "saas"},
		},
		RiskAnalyses: []workspace.RiskAnalysis{
			{ID: "ra-2025", Performed: d("2025-11-01")},
			{ID: "ra-2026", Performed: d("2026-11-01"), Previous: "ra-2025"},
		},
		Risks: []workspace.Risk{
			{ID: "ra-2025-1", Analysis: "ra-2025", Asset: "db", Threat: "ransomware", Vulnerability: "backups-not-isolated", Likelihood: 4, Impact: 5, Treatment: "mitigate", Due: d("2026-03-01")},
			{ID: "ra-2025-2", Analysis: "ra-2025", Asset: "api", Threat: "ddos", Vulnerability: "single-region", Likelihood: 2, Impact: 3, Treatment: "avoid", Completed: d("2026-01-01")},
			{ID: "ra-2025-3", Analysis: "ra-2025", Asset: "api", Threat: "unpatched-exploitation", Vulnerability: "unpatched-software", Likelihood: 3, Impact: 4, Treatment: "mitigate"},
			{ID: "ra-2026-1", Analysis: "ra-2026", Asset: "db", Threat: "ransomware", Vulnerability: "backups-not-isolated", Likelihood: 4, Impact: 5, ResidualLikelihood: 2, Treatment: "mitigate", Owner: "cto@acme.test", Due: d("2026-12-01")},
			{ID: "ra-2026-2", Analysis: "ra-2026", Asset: "api", Threat: "Scraping of the public API by a partner", Vulnerability: "no rate limits", Likelihood: 2, Impact: 2, Treatment: "accept", Due: d("2026-01-01"), AcceptedBy: "ceo@acme.test"},
			{ID: "ra-2026-3", Analysis: "ra-2026", Asset: "db", Threat: "credential-phishing", Vulnerability: "no-mfa-remote", Likelihood: 5, Impact: 5, Treatment: "mitigate", Due: d("2026-11-30"), Completed: d("2026-11-15")},
		},
	}
}

func TestAnalyzeCoverageAndOrder(t *testing.T) {
	ws := demo()
	a, err := Analyze(ws, "", []string{"api", "db", "email"}, date.MustParse("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Record.ID != "ra-2026" {
		t.Fatalf("analysis %s, want the latest, ra-2026", a.Record.ID)
	}
	var ids []string
	for _, s := range a.Risks {
		ids = append(ids, s.Risk.ID)
	}
	// ra-2026-3 critical (no residual recorded), ra-2026-1 residual L2×I5 = 10 high, ra-2026-2 low.
	if want := []string{"ra-2026-3", "ra-2026-1", "ra-2026-2"}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v (residual level, then score)", ids, want)
	}
	// 164.308(a)(1)(ii)(A): the analysis must cover all ePHI; email has no risk.
	if !slices.Equal(a.Uncovered, []string{"email"}) || len(a.Findings) != 1 || a.Findings[0].Rule != "risk.coverage" || a.Findings[0].Severity != "warning" {
		t.Errorf("uncovered %v findings %+v, want one risk.coverage warning for email", a.Uncovered, a.Findings)
	}
	// An analysis before any record is an error naming what to add.
	if _, err := Analyze(ws, "", nil, date.MustParse("2024-01-01")); err == nil || !strings.Contains(err.Error(), "risk_analyses") {
		t.Errorf("err = %v", err)
	}
	if _, err := Analyze(ws, "ra-1999", nil, date.MustParse("2026-11-20")); err == nil {
		t.Error("unknown analysis id accepted")
	}
	// Named analysis, as of a date when it was the latest.
	old, err := Analyze(ws, "", []string{"api", "db"}, date.MustParse("2026-06-01"))
	if err != nil || old.Record.ID != "ra-2025" || len(old.Risks) != 3 || len(old.Uncovered) != 0 {
		t.Errorf("as of 2026-06-01: %v %s %d risks, uncovered %v", err, old.Record.ID, len(old.Risks), old.Uncovered)
	}
}

func TestCarryOverAndDiff(t *testing.T) {
	ws := demo()
	carried := CarryOver(ws, "ra-2025", "ra-2027", date.MustParse("2027-11-01"))
	var ids []string
	for _, r := range carried {
		ids = append(ids, r.ID)
		if r.Analysis != "ra-2027" || !strings.HasPrefix(r.Notes, "Carried over from ra-2025") {
			t.Errorf("%s: analysis %q notes %q", r.ID, r.Analysis, r.Notes)
		}
	}
	// The completed "avoid" (ra-2025-2) is closed and not carried.
	if want := []string{"ra-2027-1", "ra-2027-3"}; !slices.Equal(ids, want) {
		t.Errorf("carried %v, want %v", ids, want)
	}
	// The source is untouched.
	if ws.Risks[0].Analysis != "ra-2025" || ws.Risks[0].ID != "ra-2025-1" {
		t.Errorf("carry-over changed the source: %+v", ws.Risks[0])
	}

	at := date.MustParse("2026-11-20")
	prev, _ := Analyze(ws, "ra-2025", nil, at)
	cur, _ := Analyze(ws, "ra-2026", nil, at)
	c := Diff(prev, cur)
	keys := func(ss []Scored) (out []string) {
		for _, s := range ss {
			out = append(out, s.Risk.ID)
		}
		return
	}
	if got := keys(c.Added); !slices.Equal(got, []string{"ra-2026-3", "ra-2026-2"}) {
		t.Errorf("added %v", got)
	}
	if got := keys(c.Removed); !slices.Equal(got, []string{"ra-2025-3", "ra-2025-2"}) {
		t.Errorf("removed %v", got)
	}
	if len(c.Changed) != 1 || c.Changed[0].PreviousID != "ra-2025-1" || c.Changed[0].CurrentID != "ra-2026-1" ||
		c.Changed[0].FromResidual != Critical || c.Changed[0].ToResidual != High {
		t.Errorf("changed %+v, want ra-2025-1 → ra-2026-1 residual critical → high", c.Changed)
	}
	if d := Diff(cur, cur); len(d.Added)+len(d.Removed)+len(d.Changed) != 0 || d.Unchanged != 3 {
		t.Errorf("self-diff %+v", d)
	}
}

func TestCheckOverdue(t *testing.T) {
	ws := demo()
	ws.Risks[3].Due = date.MustParse("2026-12-01")
	cases := []struct {
		asOf string
		want []string
	}{
		{"2026-12-01", nil},                   // on the due date: still on time
		{"2026-12-02", []string{"ra-2026-1"}}, // the day after: overdue
		// ra-2026-2 is accepted (nothing to do) and ra-2026-3 completed,
		// though both are past due.
		{"2027-06-01", []string{"ra-2026-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.asOf, func(t *testing.T) {
			fs := Check(ws, date.MustParse(tc.asOf))
			var got []string
			for _, f := range fs {
				if f.Rule != "risk.overdue" || f.Severity != "error" {
					t.Errorf("finding %+v", f)
				}
				got = append(got, f.Subject)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("overdue %v, want %v", got, tc.want)
			}
		})
	}
	// The old analysis's overdue risk (ra-2025-1, due 2026-03-01) is only
	// checked while that analysis is the latest.
	fs := Check(ws, date.MustParse("2026-06-01"))
	if len(fs) != 1 || fs[0].Subject != "ra-2025-1" || !strings.Contains(fs[0].Message, "92 days") {
		t.Errorf("as of 2026-06-01: %+v", fs)
	}
}

func TestLibraries(t *testing.T) {
	ts, vs := Threats(), Vulnerabilities()
	if len(ts) < 15 || len(vs) < 15 {
		t.Fatalf("%d threats, %d vulnerabilities; the library is meant to be broad", len(ts), len(vs))
	}
	seen := map[string]bool{}
	check := func(kind, id, title string, sources, controls []string) {
		if id == "" || title == "" || seen[id] {
			t.Errorf("%s %q: empty or duplicate id/title", kind, id)
		}
		seen[id] = true
		if len(sources) == 0 {
			t.Errorf("%s %s cites no source", kind, id)
		}
		for _, s := range sources {
			if Sources[s] == "" {
				t.Errorf("%s %s: unknown source %q", kind, id, s)
			}
		}
		if len(controls) == 0 {
			t.Errorf("%s %s suggests no control", kind, id)
		}
		for _, c := range controls {
			if catalog.Default().Control(c) == nil {
				t.Errorf("%s %s: suggested control %q is not a unified control id", kind, id, c)
			}
		}
	}
	cats := map[string]int{}
	for _, th := range ts {
		check("threat", th.ID, th.Title, th.Sources, th.Controls)
		if !slices.Contains(ThreatCategories, th.Category) {
			t.Errorf("threat %s: category %q not in SP 800-30 Table D-2", th.ID, th.Category)
		}
		cats[th.Category]++
		for _, v := range th.Vulnerabilities {
			if VulnerabilityByID(v) == nil {
				t.Errorf("threat %s: unknown vulnerability %q", th.ID, v)
			}
		}
	}
	for _, c := range ThreatCategories {
		if cats[c] == 0 {
			t.Errorf("no %s threat in the library", c)
		}
	}
	for _, v := range vs {
		check("vulnerability", v.ID, v.Title, v.Sources, v.Controls)
	}
	// Free text is an organization's own threat, shown as written.
	if ThreatTitle("ransomware") != "Ransomware" || ThreatTitle("A custom threat") != "A custom threat" {
		t.Error("ThreatTitle")
	}
	if got := SuggestedControls("lost-stolen-device", "unencrypted-device"); !slices.Contains(got, "encryption-at-rest") || !slices.Contains(got, "mdm") {
		t.Errorf("suggested %v", got)
	}
}

func TestScales(t *testing.T) {
	for name, sc := range map[string][]ScaleLevel{"likelihood": LikelihoodScale, "impact": ImpactScale} {
		if len(sc) != 5 {
			t.Fatalf("%s scale has %d levels", name, len(sc))
		}
		for i, l := range sc {
			if l.Value != i+1 || l.Word == "" || l.Definition == "" {
				t.Errorf("%s[%d] = %+v", name, i, l)
			}
		}
	}
	// Impact 5 starts at the 500-individual threshold of 164.408(b): HHS is
	// told within the 60 days for a breach of "500 or more individuals", so a
	// breach of exactly 500 is a level-5 event and level 4 stops at 499. The
	// media's "more than 500 residents of a State" (164.406) is a different
	// line and must not be the scale's.
	if !strings.Contains(ImpactScale[4].Definition, "500 or more individuals") {
		t.Error(fmt.Sprint("impact 5 does not start at 500 (164.408(b)): ", ImpactScale[4].Definition))
	}
	if strings.Contains(ImpactScale[3].Definition, "to 500 ") || !strings.Contains(ImpactScale[3].Definition, "to 499 ") {
		t.Error(fmt.Sprint("impact 4 must end at 499 (500 is level 5, 164.408(b)): ", ImpactScale[3].Definition))
	}
	// HHS is told contemporaneously with the individuals, within 60 days of
	// discovery (164.408(b)), not immediately.
	for _, l := range ImpactScale {
		if strings.Contains(l.Definition, "immediate") {
			t.Errorf("impact %d says HHS notice is immediate; 164.408(b) gives the 60 days: %s", l.Value, l.Definition)
		}
	}
}
