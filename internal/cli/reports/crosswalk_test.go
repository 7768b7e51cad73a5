package reports

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
)

// TestCrosswalkJSONShape: `ward crosswalk --format json` prints exactly the
// shape issue 3 fixes: {"from","to","pairs":[{"from","to","via"}],
// "coverage":{"to_covered","to_total","uncovered"}}.
func TestCrosswalkJSONShape(t *testing.T) {
	db := demoDB(t)
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(mustWard(t, db, "crosswalk", "--from", "hipaa", "--to", "soc2", "--format", "json")), &top); err != nil {
		t.Fatal(err)
	}
	if keys := slices.Sorted(maps.Keys(top)); !slices.Equal(keys, []string{"coverage", "from", "pairs", "to"}) {
		t.Fatalf("keys %v", keys)
	}
	var pairs []map[string]json.RawMessage
	var cov map[string]json.RawMessage
	if err := json.Unmarshal(top["pairs"], &pairs); err != nil || len(pairs) == 0 {
		t.Fatalf("pairs: %v (%d)", err, len(pairs))
	}
	if keys := slices.Sorted(maps.Keys(pairs[0])); !slices.Equal(keys, []string{"from", "to", "via"}) {
		t.Errorf("pair keys %v", keys)
	}
	if err := json.Unmarshal(top["coverage"], &cov); err != nil {
		t.Fatal(err)
	}
	if keys := slices.Sorted(maps.Keys(cov)); !slices.Equal(keys, []string{"to_covered", "to_total", "uncovered"}) {
		t.Errorf("coverage keys %v", keys)
	}
}

// TestCrosswalkReuseUsesTheOrganizationsScope: issue 3 item 4 asks what
// share of the SOC 2 criteria *in scope for the organization* its HIPAA
// controls cover. The demo's organization.yaml puts availability and
// confidentiality in scope besides security, so the denominator is the
// 33 common criteria (CC1.1–CC9.2) + A1.1–A1.3 + C1.1–C1.2 = 38 (TSP
// section 100), not all 61; --categories overrides it, and without a
// database the catalog-wide view (every category) remains.
func TestCrosswalkReuseUsesTheOrganizationsScope(t *testing.T) {
	db := demoDB(t)
	type reuse struct {
		Scope    []string `json:"scope"`
		Coverage struct {
			ToCovered int      `json:"to_covered"`
			ToTotal   int      `json:"to_total"`
			Uncovered []string `json:"uncovered"`
		} `json:"coverage"`
		Needed []string `json:"needed"`
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, tt := range []struct {
		name, db  string
		args      []string
		scope     []string
		total     int
		textScope string
	}{
		{"the organization's scope: security + availability + confidentiality (38 criteria)", db, nil,
			[]string{"security", "availability", "confidentiality"}, 38, "(organization acme-health)"},
		{"--categories overrides: all five categories (61 criteria)", db, []string{"--categories", "availability,confidentiality,processing-integrity,privacy"},
			[]string{"security", "availability", "confidentiality", "processing-integrity", "privacy"}, 61, "(--categories)"},
		{"--categories security alone (CC1.1–CC9.2: 33 criteria)", db, []string{"--categories", "security"},
			[]string{"security"}, 33, "(--categories)"},
		{"no database: every category, and no file created", missing, nil,
			[]string{"security", "availability", "confidentiality", "processing-integrity", "privacy"}, 61, "(every category: no database)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"crosswalk", "--from", "hipaa", "--to", "soc2", "--reuse"}, tt.args...)
			var r reuse
			if err := json.Unmarshal([]byte(mustWard(t, tt.db, append(args, "--format", "json")...)), &r); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Scope, tt.scope) || r.Coverage.ToTotal != tt.total {
				t.Errorf("scope %v, %d criteria; want %v, %d", r.Scope, r.Coverage.ToTotal, tt.scope, tt.total)
			}
			if r.Coverage.ToCovered+len(r.Coverage.Uncovered) != r.Coverage.ToTotal {
				t.Errorf("covered %d + uncovered %d != %d", r.Coverage.ToCovered, len(r.Coverage.Uncovered), r.Coverage.ToTotal)
			}
			text := mustWard(t, tt.db, args...)
			if !strings.Contains(text, "SOC 2 in scope: "+strings.Join(tt.scope, ", ")+" "+tt.textScope) {
				t.Errorf("text does not name the scope and its origin:\n%s", text)
			}
			// The plain crosswalk uses the same scope.
			var cw reuse
			if err := json.Unmarshal([]byte(mustWard(t, tt.db, append(args[:5:5], append(tt.args, "--format", "json")...)...)), &cw); err != nil {
				t.Fatal(err)
			}
			if cw.Coverage.ToTotal != tt.total {
				t.Errorf("crosswalk: %d criteria, want %d", cw.Coverage.ToTotal, tt.total)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("crosswalk created %s: %v", missing, err)
	}
	// The reverse keeps the HIPAA-only obligations visible: in the demo's
	// scope the BAA controls (164.308(b), 164.314(a)) and six-year
	// documentation retention (164.316(b)(2)(i)) are what HIPAA adds.
	var rev reuse
	if err := json.Unmarshal([]byte(mustWard(t, db, "crosswalk", "--from", "soc2", "--to", "hipaa", "--reuse", "--format", "json")), &rev); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"baa-management", "subcontractor-baa", "documentation-retention"} {
		if !slices.Contains(rev.Needed, c) {
			t.Errorf("soc2→hipaa in the organization's scope: %s not among what HIPAA adds %v", c, rev.Needed)
		}
	}
	// ... and the Breach Notification Rule (164.400-414), which SOC 2 does
	// not ask for: notice to individuals (164.404) and HHS (164.408).
	var withBreach struct {
		BreachRule *struct {
			To     string   `json:"to"`
			Needed []string `json:"needed"`
		} `json:"breach_rule"`
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "crosswalk", "--from", "soc2", "--to", "hipaa", "--reuse", "--format", "json")), &withBreach); err != nil {
		t.Fatal(err)
	}
	if b := withBreach.BreachRule; b == nil || b.To != "hipaa-breach" || !slices.Contains(b.Needed, "breach-notification-procedure") {
		t.Errorf("soc2→hipaa --reuse: breach rule %+v, want hipaa-breach adding breach-notification-procedure", b)
	}
	if text := mustWard(t, db, "crosswalk", "--from", "soc2", "--to", "hipaa", "--reuse"); !strings.Contains(text, "Breach Notification Rule (hipaa-breach, 45 CFR 164.400-414)") {
		t.Errorf("text lacks the breach rule line:\n%s", text)
	}
	if strings.Contains(mustWard(t, db, "crosswalk", "--from", "hipaa", "--to", "soc2", "--reuse", "--format", "json"), "breach_rule") {
		t.Error("hipaa→soc2 --reuse carries a breach_rule: only HIPAA as the target needs it")
	}
	for _, bad := range [][]string{{"--org", "nope"}, {"--categories", "security,fun"}} {
		if code, _, _ := ward(t, db, append([]string{"crosswalk", "--reuse"}, bad...)...); code != 2 {
			t.Errorf("crosswalk %v: exit %d, want 2", bad, code)
		}
	}
}

// ward crosswalk --from hipaa --to csf --source nist|controls|both: NIST
// SP 800-66r2's standard-level mapping on its own, ward's control-derived
// one, and both side by side, where every pair the two disagree on
// carries ward's reason.
func TestCrosswalkSourceNIST(t *testing.T) {
	db := demoDB(t)
	type out struct {
		Source string
		Pairs  []struct {
			Standard, CSF, Why string
			NIST, Ward, Gap    bool
			Via                []string
		}
		Agreement catalog.Agreement
		Unreached []struct{ CSF, Why string }
	}
	read := func(source string) out {
		var o out
		if err := json.Unmarshal([]byte(mustWard(t, db, "crosswalk", "--from", "hipaa", "--to", "csf", "--source", source, "--format", "json")), &o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	nist, ctl, both := read("nist"), read("controls"), read("both")
	if len(nist.Pairs) != 435 || nist.Agreement.NIST != 435 {
		t.Errorf("NIST SP 800-66r2 gives %d pairs, want its 435", len(nist.Pairs))
	}
	if len(ctl.Pairs) != ctl.Agreement.Ward || len(both.Pairs) != both.Agreement.Ward+both.Agreement.NIST-both.Agreement.Both {
		t.Errorf("pairs: controls %d (agreement %+v), both %d", len(ctl.Pairs), ctl.Agreement, len(both.Pairs))
	}
	want, _ := catalog.Default().StandardCrosswalk(catalog.SourceBoth)
	if both.Agreement != want.Agreement || ctl.Agreement != want.Agreement {
		t.Errorf("agreement %+v, the catalog's %+v", both.Agreement, want.Agreement)
	}
	differ, gaps := 0, 0
	for _, p := range both.Pairs {
		if p.NIST != p.Ward {
			differ++
			switch {
			case p.Ward && p.Why == "":
				t.Errorf("%s %s: ward adds it and gives no reason", p.Standard, p.CSF)
			case p.Gap && p.Why != "", !p.Gap && p.Why == "":
				t.Errorf("%s %s: gap %v, why %q: a pair ward leaves out is recorded with why or is a gap", p.Standard, p.CSF, p.Gap, p.Why)
			case p.Gap:
				gaps++
			}
		} else if p.Gap || p.Why != "" {
			t.Errorf("%s %s: both agree, yet gap %v, why %q", p.Standard, p.CSF, p.Gap, p.Why)
		}
		if p.Ward && len(p.Via) == 0 {
			t.Errorf("%s %s: ward's pair names no control", p.Standard, p.CSF)
		}
	}
	if differ == 0 || gaps != want.Agreement.Gaps {
		t.Errorf("%d pairs differ, %d gaps (want %d): the comparison is not running", differ, gaps, want.Agreement.Gaps)
	}
	text := mustWard(t, db, "crosswalk", "--from", "hipaa", "--to", "csf", "--source", "both")
	a := want.Agreement
	for _, s := range []string{
		fmt.Sprintf("precision %.1f%%, recall %.1f%% (ward's against NIST's)", a.Precision, a.Recall),
		fmt.Sprintf("precision %.1f%%, recall %.1f%%; %d NIST pairs are gaps", a.PrecisionAfter, a.RecallAfter, a.Gaps),
		"gap: no ward control claims it",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the text does not state %q:\n%s", s, text[len(text)-800:])
		}
	}
	for _, bad := range [][]string{{"--from", "hipaa", "--to", "soc2", "--source", "both"}, {"--from", "hipaa", "--to", "csf", "--source", "cprt"}} {
		if code, _, _ := ward(t, db, append([]string{"crosswalk"}, bad...)...); code != 2 {
			t.Errorf("crosswalk %v: exit %d, want 2", bad, code)
		}
	}
}
