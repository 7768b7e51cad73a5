package catalog

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares v, as indented JSON, with testdata/name; -update
// rewrites the file.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; review the change and run go test ./internal/catalog -update", path)
	}
}

func TestCrosswalkGolden(t *testing.T) {
	c := Default()
	tests := []struct {
		from, to string
		scope    Scope
		file     string
	}{
		{HIPAA, SOC2, AllCategories(), "crosswalk-hipaa-soc2.json"},
		{SOC2, HIPAA, AllCategories(), "crosswalk-soc2-hipaa.json"},
		{HIPAA, CSF, Scope{}, "crosswalk-hipaa-csf.json"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cw, err := c.Crosswalk(tt.from, tt.to, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, cw)
		})
	}
}

func TestCrosswalk(t *testing.T) {
	c := Default()
	cw, err := c.Crosswalk(HIPAA, SOC2, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	// Security only: the 33 common criteria.
	if cw.Coverage.ToTotal != 33 {
		t.Errorf("to_total = %d, want 33", cw.Coverage.ToTotal)
	}
	if cw.Coverage.ToCovered+len(cw.Coverage.Uncovered) != cw.Coverage.ToTotal {
		t.Errorf("coverage does not add up: %+v", cw.Coverage)
	}
	var riskAnalysis []string
	for _, p := range cw.Pairs {
		if p.From == "164.308(a)(1)(ii)(A)" {
			riskAnalysis = append(riskAnalysis, p.To)
			if len(p.Via) == 0 {
				t.Errorf("pair %s -> %s has no controls", p.From, p.To)
			}
		}
		r := c.Framework(SOC2).Requirement(p.To)
		if r.Category != "security" {
			t.Errorf("%s is out of scope", p.To)
		}
	}
	if !slices.Contains(riskAnalysis, "CC3.2") {
		t.Errorf("risk analysis should reach CC3.2, got %v", riskAnalysis)
	}
	// Pairs come in regulation order of from, then to.
	hipaa, soc2 := c.Framework(HIPAA), c.Framework(SOC2)
	if !slices.IsSortedFunc(cw.Pairs, func(a, b Pair) int {
		if n := hipaa.Compare(a.From, b.From); n != 0 {
			return n
		}
		return soc2.Compare(a.To, b.To)
	}) {
		t.Error("pairs are not in regulation order")
	}
	// The reverse has the same pairs, flipped.
	back, err := c.Crosswalk(SOC2, HIPAA, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Pairs) != len(cw.Pairs) {
		t.Errorf("soc2->hipaa has %d pairs, hipaa->soc2 %d", len(back.Pairs), len(cw.Pairs))
	}
	if _, err := c.Crosswalk(HIPAA, "iso27001", Scope{}); err == nil {
		t.Error("unknown framework accepted")
	}
	if _, err := c.Crosswalk(HIPAA, SOC2, Scope{SOC2Categories: []string{"uptime"}}); err == nil {
		t.Error("unknown SOC 2 category accepted")
	}
}

func TestReuse(t *testing.T) {
	c := Default()

	// Done HIPAA; what does SOC 2 (security) add?
	r, err := c.Reuse(HIPAA, SOC2, nil, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Coverage.ToTotal != 33 || r.Percent <= 50 || r.Percent >= 100 {
		t.Errorf("hipaa->soc2 coverage %+v (%.1f%%)", r.Coverage, r.Percent)
	}
	for _, id := range []string{"change-management", "code-review", "board-oversight"} {
		if !slices.Contains(r.Needed, id) {
			t.Errorf("SOC 2 should add %s; needed = %v", id, r.Needed)
		}
	}
	for _, id := range r.Needed {
		if slices.Contains(r.Have, id) {
			t.Errorf("%s is both had and needed", id)
		}
	}
	// HIPAA asks for no board (CC1.2); BAAs alone are not vendor risk
	// management (CC9.2).
	for _, id := range []string{"CC1.2", "CC9.2"} {
		if !slices.Contains(r.Coverage.Uncovered, id) {
			t.Errorf("%s should be uncovered by a HIPAA program; uncovered = %v", id, r.Coverage.Uncovered)
		}
	}

	// Done SOC 2 (security); what does HIPAA add that SOC 2 does not?
	r, err = c.Reuse(SOC2, HIPAA, nil, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"baa-management", "subcontractor-baa", "documentation-retention", "clearinghouse-isolation", "group-health-plan-documents"} {
		if !slices.Contains(r.Needed, id) {
			t.Errorf("HIPAA should add %s; needed = %v", id, r.Needed)
		}
	}
	for _, id := range []string{"164.308(b)(3)", "164.314(a)(2)(i)", "164.316(b)(2)(i)"} {
		if !slices.Contains(r.Coverage.Uncovered, id) {
			t.Errorf("%s should be uncovered by a SOC 2 program; uncovered = %v", id, r.Coverage.Uncovered)
		}
	}
	// The breach rule is all HIPAA's own outside SOC 2 privacy.
	r, err = c.Reuse(SOC2, HIPAABreach, nil, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Coverage.ToCovered != 0 || !slices.Contains(r.Needed, "breach-notification-procedure") {
		t.Errorf("soc2 (security) -> breach rule: %+v needed %v", r.Coverage, r.Needed)
	}

	// An organization's own implemented controls.
	r, err = c.Reuse(HIPAA, SOC2, []string{"mfa", "access-review", "mfa", "not-a-control"}, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Have, []string{"access-review", "mfa"}) || !slices.Equal(r.Reused, []string{"access-review", "mfa"}) {
		t.Errorf("have %v reused %v", r.Have, r.Reused)
	}
	// mfa: CC6.1, CC6.6; access-review: CC6.1, CC6.2, CC6.3.
	if r.Coverage.ToCovered != 4 {
		t.Errorf("covered = %d, want 4 (CC6.1, CC6.2, CC6.3, CC6.6)", r.Coverage.ToCovered)
	}
	if r, _ := c.Reuse(HIPAA, SOC2, []string{}, Scope{}); r.Coverage.ToCovered != 0 || len(r.Have) != 0 {
		t.Errorf("empty have: %+v", r)
	}
}

func TestReuseGolden(t *testing.T) {
	c := Default()
	for _, tt := range []struct{ from, to, file string }{
		{HIPAA, SOC2, "reuse-hipaa-soc2.json"},
		{SOC2, HIPAA, "reuse-soc2-hipaa.json"},
	} {
		r, err := c.Reuse(tt.from, tt.to, nil, Scope{})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tt.file, r)
	}
}
