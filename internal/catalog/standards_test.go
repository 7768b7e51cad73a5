package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// The NIST SP 800-66r2 mapping embedded in the catalog is the reference
// file (testdata/nist-800-66r2-hipaa-to-csf2.json), pair for pair.
func TestNISTMappingIsTheReference(t *testing.T) {
	ref := readNISTReference(t)
	c := Default()
	n := 0
	for key, csf := range ref {
		std := nistStandard(c, key)
		if std == "" {
			t.Errorf("reference key %s names no HIPAA standard", key)
			continue
		}
		got := c.NIST.Standards[std]
		want := slices.Clone(csf)
		c.Framework(CSF).Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: catalog %v, reference %v", std, got, want)
		}
		n += len(csf)
	}
	if n != 435 || len(c.NIST.Standards) != len(ref) {
		t.Errorf("%d pairs over %d standards, want 435 over %d", n, len(c.NIST.Standards), len(ref))
	}
}

// readNISTReference reads NIST SP 800-66r2's HIPAA -> CSF 2.0 mapping as
// shipped beside the project (see testdata/README.md).
func readNISTReference(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/nist-800-66r2-hipaa-to-csf2.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Mapping map[string][]string `json:"mapping"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Mapping
}

// nistStandard is the catalog's standard for a reference key:
// "164.308(a)(1)" is 164.308(a)(1)(i), "164.310(a)" is 164.310(a)(1).
func nistStandard(c *Catalog, key string) string {
	h := c.Framework(HIPAA)
	for _, id := range []string{key, key + "(i)", key + "(1)"} {
		if r := h.Requirement(id); r != nil && r.Kind == KindStandard {
			return id
		}
	}
	return ""
}

// ward's control-derived crosswalk measured against NIST SP 800-66r2 at
// HIPAA standard × CSF 2.0 subcategory, from the reference file: the
// share of ward's pairs that are NIST's (precision) and of NIST's that
// ward gives (recall), raw and after the recorded disagreements (the
// pairs ward adds or leaves out on purpose, each with why in
// data/nist-800-66r2.yaml, taken out of the count). ward's pairs come
// from its own control data alone (WardStandardPairs); the reference is
// read here only to measure them. The figures are printed (go test -v
// -run TestCrosswalkAgreesWithNIST ./internal/catalog) and must be the
// ones the README states, so a change to the mappings that moves them
// fails until the README says so. The target (at least 95% precision
// and 80% recall, raw) is met for recall and not for precision; the
// README says so and why.
func TestCrosswalkAgreesWithNIST(t *testing.T) {
	c := Default()
	ref := readNISTReference(t)
	ward := c.WardStandardPairs()
	nist := map[[2]string]bool{}
	for key, csf := range ref {
		std := nistStandard(c, key)
		for _, x := range csf {
			nist[[2]string{std, x}] = true
		}
	}
	recorded := func(ds []Disagreement) map[[2]string]bool {
		m := map[[2]string]bool{}
		for _, d := range ds {
			for _, x := range d.CSF {
				m[[2]string{d.Standard, x}] = true
			}
		}
		return m
	}
	adds, omits := recorded(c.NIST.Adds), recorded(c.NIST.Omits)
	used := map[string]bool{} // outcomes NIST relates to some standard
	for p := range nist {
		used[p[1]] = true
	}
	var wardN, both, addsN, omitsN, gaps, unused int
	for s, m := range ward {
		for x := range m {
			wardN++
			switch {
			case nist[[2]string{s, x}]:
				both++
			case adds[[2]string{s, x}]:
				addsN++
			}
			if !used[x] {
				unused++
			}
		}
	}
	for p := range nist {
		if _, ok := ward[p[0]][p[1]]; !ok {
			if omits[p] {
				omitsN++
			} else {
				gaps++
			}
		}
	}
	pct := func(n, d int) float64 { return percent(n, d) }
	precision, recall := pct(both, wardN), pct(both, len(nist))
	precisionAfter, recallAfter := pct(both, wardN-addsN), pct(both, len(nist)-omitsN)
	t.Logf("raw: ward's controls relate %d HIPAA standard × CSF 2.0 subcategory pairs, NIST SP 800-66r2 %d; %d are in both: precision %.1f%%, recall %.1f%%", wardN, len(nist), both, precision, recall)
	t.Logf("after the recorded disagreements (%d pairs ward adds, %d NIST pairs ward leaves out, each with why): precision %.1f%% (%d/%d), recall %.1f%% (%d/%d); %d NIST pairs are gaps no ward control delivers", addsN, omitsN, precisionAfter, both, wardN-addsN, recallAfter, both, len(nist)-omitsN, gaps)
	t.Logf("%d of the pairs ward adds relate an outcome NIST's mapping relates to no standard at all (most are new in CSF 2.0); without them, precision %.1f%% (%d/%d)", unused, pct(both, wardN-unused), both, wardN-unused)
	if addsN != wardN-both {
		t.Errorf("%d of ward's %d pairs beyond NIST's are recorded with why", addsN, wardN-both)
	}
	cw, err := c.StandardCrosswalk(SourceBoth)
	if err != nil {
		t.Fatal(err)
	}
	want := Agreement{Ward: wardN, NIST: len(nist), Both: both, Precision: precision, Recall: recall,
		AddsRecorded: addsN, OmitsRecorded: omitsN, Gaps: gaps, PrecisionAfter: precisionAfter, RecallAfter: recallAfter}
	if cw.Agreement != want {
		t.Errorf("StandardCrosswalk's agreement %+v, the reference's %+v", cw.Agreement, want)
	}
	if err := c.disagreementsCheck(); err != nil {
		t.Error(err)
	}
	// The README states these figures, word for word.
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "**", "")), " ")
	for _, s := range []string{
		fmt.Sprintf("ward's control-derived crosswalk relates %d pairs, %d of them NIST's: precision %.1f%%, recall %.1f%%", wardN, both, precision, recall),
		fmt.Sprintf("The %d pairs ward adds and the %d NIST pairs it leaves out on purpose are recorded with why", addsN, omitsN),
		fmt.Sprintf("after them, precision %.1f%% and recall %.1f%%", precisionAfter, recallAfter),
		fmt.Sprintf("The other %d NIST pairs are gaps", gaps),
		fmt.Sprintf("%d of the %d pairs ward adds relate outcomes NIST's mapping relates to no standard at all", unused, addsN),
	} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md does not state %q", s)
		}
	}
}

// The reference file in testdata is the project's shared copy, unchanged
// (checked where the shared reference sits beside the repository).
func TestNISTReferenceIsTheSharedCopy(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/reference/nist-800-66r2-hipaa-to-csf2.json")
	if err != nil {
		t.Skip("no shared reference beside the repository:", err)
	}
	mine, err := os.ReadFile("testdata/nist-800-66r2-hipaa-to-csf2.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, mine) {
		t.Error("testdata/nist-800-66r2-hipaa-to-csf2.json differs from ../shared/reference's")
	}
}

// Every CSF 2.0 subcategory is delivered by a control, and reached from a
// HIPAA standard in ward's crosswalk or given a reason it is not.
// Supply-chain risk management (GV.SC) is reached through the business
// associate agreements, their flow-down and the vendor controls.
func TestEveryCSFSubcategoryCovered(t *testing.T) {
	c := Default()
	cw, err := c.StandardCrosswalk(SourceControls)
	if err != nil {
		t.Fatal(err)
	}
	unreached := map[string]string{}
	for _, u := range cw.Unreached {
		unreached[u.CSF] = u.Why
	}
	for _, r := range c.Framework(CSF).Assessable() {
		if len(r.Controls) == 0 {
			t.Errorf("%s maps to no control", r.ID)
		}
		why, out := unreached[r.ID]
		switch {
		case out && r.HIPAAScope == "":
			t.Errorf("%s: no HIPAA standard reaches it and data/csf.yaml gives no hipaa_scope reason", r.ID)
		case !out && r.HIPAAScope != "":
			t.Errorf("%s: reached from a HIPAA standard, yet data/csf.yaml says it is out of scope: %s", r.ID, r.HIPAAScope)
		case out && strings.TrimSpace(why) == "":
			t.Errorf("%s: empty reason", r.ID)
		}
		if strings.HasPrefix(r.ID, "GV.SC-") && out {
			t.Errorf("%s: supply-chain risk management must be reached from HIPAA (business associates are the supply chain)", r.ID)
		}
	}
}

// A control serving several standards claims each outcome only for the
// standards it names it for (a serves entry per group of standards), so
// its outcomes do not spread to every standard it serves: the asset
// inventory serves facility access with its hardware list and the
// contingency plan with its systems list, not both with both; the
// supplier program serves the security management process, not the plan
// sponsor's group health plan documents.
func TestServedOutcomesArePerStandard(t *testing.T) {
	c := Default()
	ward := c.WardStandardPairs()
	via := func(s, x, ctl string) bool { return slices.Contains(ward[s][x], ctl) }
	for _, tt := range []struct {
		std, csf, ctl string
		want          bool
	}{
		{"164.310(a)(1)", "ID.AM-01", "asset-inventory", true},
		{"164.310(a)(1)", "ID.AM-02", "asset-inventory", false},
		{"164.308(a)(7)(i)", "ID.AM-02", "asset-inventory", true},
		{"164.308(a)(7)(i)", "ID.AM-01", "asset-inventory", false},
		{"164.308(a)(1)(i)", "GV.SC-10", "vendor-management", true},
		{"164.314(b)(1)", "GV.SC-01", "vendor-management", false},
		{"164.314(b)(1)", "GV.SC-10", "vendor-management", false},
		{"164.308(a)(8)", "GV.SC-07", "vendor-review", true},
		{"164.312(b)", "GV.SC-07", "vendor-review", false},
		{"164.312(b)", "DE.CM-06", "vendor-review", true},
	} {
		if got := via(tt.std, tt.csf, tt.ctl); got != tt.want {
			t.Errorf("%s × %s via %s: %v, want %v", tt.std, tt.csf, tt.ctl, got, tt.want)
		}
	}
	// Every served standard has its outcomes and its own why, naming each.
	for _, ctl := range c.Controls {
		if len(ctl.Serves[HIPAA]) != len(ctl.ServesWith) {
			t.Errorf("%s serves %v with outcomes for %d standards", ctl.ID, ctl.Serves[HIPAA], len(ctl.ServesWith))
		}
		for _, s := range ctl.Serves[HIPAA] {
			xs, why := ctl.ServesWith[s], ctl.Rationale[s]
			if len(xs) == 0 || why == "" {
				t.Errorf("%s serves %s with %v, why %q", ctl.ID, s, xs, why)
			}
			for _, x := range xs {
				if !strings.Contains(why, x) || !slices.Contains(ctl.Mappings[CSF], x) {
					t.Errorf("%s serves %s with %s: not named in why or not one of its CSF mappings", ctl.ID, s, x)
				}
				if !via(s, x, ctl.ID) {
					t.Errorf("%s serves %s with %s, yet the crosswalk does not relate them through it", ctl.ID, s, x)
				}
			}
		}
	}
}
