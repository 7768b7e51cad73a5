package catalog

import (
	"slices"
	"strings"
	"testing"
)

// The January 2025 Security Rule NPRM (90 FR 898) is carried as an
// overlay marked proposed, with its source and the date ward last checked
// that it is still proposed (regulatory facts, section 2: not final as of
// June 2026); every proposed requirement the issue names is there, mapped
// to unified controls, with the cadences the summaries give.
func TestNPRMOverlay(t *testing.T) {
	c := Default()
	f := c.Framework(HIPAANPRM)
	if f == nil {
		t.Fatal("no hipaa-nprm framework")
	}
	if !f.Proposed() || f.StatusChecked != "2026-06-30" || !strings.Contains(f.StatusNote, "assumption") {
		t.Errorf("status %q checked %q note %q: want proposed, checked 2026-06-30, and the later status labelled ward's assumption", f.Status, f.StatusChecked, f.StatusNote)
	}
	if !strings.Contains(f.Source, "90 FR 898") || f.Published != "2025-01-06" {
		t.Errorf("source %q published %s, want 90 FR 898 of 2025-01-06", f.Source, f.Published)
	}
	for _, other := range []string{HIPAA, HIPAABreach, SOC2, CSF, HITRUST} {
		if c.Framework(other).Proposed() {
			t.Errorf("%s is marked proposed", other)
		}
	}
	tests := []struct {
		id       string
		cadence  string
		controls []string // each must be mapped to the requirement
	}{
		{"encryption-required", "", []string{"encryption-at-rest", "encryption-in-transit"}},
		{"mfa-required", "", []string{"mfa"}},
		{"asset-inventory-network-map", "annual", []string{"asset-inventory", "data-flow-map"}},
		{"restore-72-hours", "", []string{"contingency-plan", "business-impact-analysis"}},
		{"compliance-audit", "annual", []string{"compliance-audit"}},
		{"vulnerability-scans", "semi-annual", []string{"vulnerability-scanning"}},
		{"penetration-test", "annual", []string{"penetration-test"}},
		{"ba-verification", "annual", []string{"vendor-review"}},
	}
	for _, tt := range tests {
		r := f.Requirement(tt.id)
		if r == nil || !r.Assessable() || !r.Required {
			t.Errorf("%s: missing, not assessable or not required: %+v", tt.id, r)
			continue
		}
		if r.Cadence != tt.cadence {
			t.Errorf("%s: cadence %q, want %q", tt.id, r.Cadence, tt.cadence)
		}
		for _, ctl := range tt.controls {
			if !slices.Contains(r.Controls, ctl) {
				t.Errorf("%s: not mapped to %s (controls %v)", tt.id, ctl, r.Controls)
			}
		}
	}
	// The 72 hours and the scan cadence are in the requirement's own words.
	if !strings.Contains(f.Requirement("restore-72-hours").Excerpt, "72 hours") || !strings.Contains(f.Requirement("vulnerability-scans").Excerpt, "ward's reading") {
		t.Error("excerpts lost the 72 hours or the label of an unverified cadence")
	}
}

func TestLoadRejectsABadStatus(t *testing.T) {
	for _, h := range []header{
		{ID: "x", Name: "x", Version: "1", Source: "s", Published: "2025-01-06", Status: "draft"},
		{ID: "x", Name: "x", Version: "1", Source: "s", Published: "2025-01-06", Status: StatusProposed},
		{ID: "x", Name: "x", Version: "1", Source: "s", Published: "2025-01-06", StatusChecked: "2026-06-30"},
	} {
		h.ID = HIPAANPRM
		if _, err := buildFramework(&h, nil); err == nil || !strings.Contains(err.Error(), "status") {
			t.Errorf("status %q checked %q: err %v, want a status error", h.Status, h.StatusChecked, err)
		}
	}
	h := header{ID: HIPAANPRM, Name: "x", Version: "1", Source: "s", Published: "2025-01-06"}
	docs := []requirementDoc{{ID: "s", Kind: KindSection, Title: "S", Section: "S"}, {ID: "p", Kind: KindProvision, Parent: "s", Title: "P", Cadence: "fortnightly"}}
	h.Sections = []string{"S"}
	if _, err := buildFramework(&h, docs); err == nil || !strings.Contains(err.Error(), "cadence") {
		t.Errorf("a bad cadence: %v", err)
	}
}
