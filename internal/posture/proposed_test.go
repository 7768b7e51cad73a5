package posture

import (
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"ward/internal/catalog"
	"ward/internal/date"
)

const demoAsOf = "2026-11-25" // the demo is written to be viewed in late November 2026

func requirementOf(p *Posture, id string) Requirement {
	for _, r := range p.Requirements {
		if r.ID == id {
			return r
		}
	}
	return Requirement{}
}

// The proposed Security Rule (90 FR 898) as an overlay on the demo: its
// readiness is computed from the same controls, and labelled proposed.
func TestNPRMOverlayReadinessOnTheDemo(t *testing.T) {
	ws := demo(t)
	p, err := Evaluate(ws, catalog.Default(), catalog.HIPAANPRM, date.MustParse(demoAsOf))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != catalog.StatusProposed || p.StatusChecked == "" || !strings.Contains(p.Name, "proposed") {
		t.Errorf("the overlay's posture is not labelled proposed: %q %q %q", p.Status, p.StatusChecked, p.Name)
	}
	if p.Score.Total != len(catalog.Default().Framework(catalog.HIPAANPRM).Assessable()) {
		t.Errorf("%d requirements scored", p.Score.Total)
	}
	// What the demo's files say: the penetration test is only planned,
	// nobody runs a compliance audit, encryption and MFA are in place.
	for id, want := range map[string]string{
		"penetration-test":            NotMet,
		"compliance-audit":            NotMet,
		"encryption-required":         Met,
		"mfa-required":                Met,
		"asset-inventory-network-map": Met,
		"vulnerability-scans":         Met,
	} {
		if got := requirementOf(p, id); got.Status != want {
			t.Errorf("%s: %s (%s), want %s", id, got.Status, got.Reason, want)
		}
	}
	if p.Score.Percent <= 0 || p.Score.Percent >= 100 {
		t.Errorf("demo readiness against the proposal: %.1f%%", p.Score.Percent)
	}
	var b strings.Builder
	if err := WriteText(&b, p); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "PROPOSED, NOT LAW") {
		t.Errorf("the text does not open with the label:\n%s", b.String())
	}
}

// The proposal removes addressable specifications: a control marked not
// applicable (with an equivalent measure, which satisfies today's
// addressable 164.312(a)(2)(iv)) does not meet the proposed requirement.
func TestNPRMNotApplicableDoesNotMeetARequiredSpecification(t *testing.T) {
	ws := demo(t)
	c := ws.Control("encryption-at-rest")
	c.Status, c.Justification, c.EquivalentMeasure = "not-applicable", "no PHI at rest outside the EHR", "physical security of the server room"
	c2 := ws.Control("encryption-in-transit")
	c2.Status, c2.Justification, c2.EquivalentMeasure = "not-applicable", "closed network", "dedicated line"
	asOf := date.MustParse(demoAsOf)
	hipaa, err := Evaluate(ws, catalog.Default(), catalog.HIPAA, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got := requirementOf(hipaa, "164.312(a)(2)(iv)"); got.Status != NotApplicable {
		t.Fatalf("today's rule: 164.312(a)(2)(iv) is %s, the case wants not applicable", got.Status)
	}
	p, err := Evaluate(ws, catalog.Default(), catalog.HIPAANPRM, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got := requirementOf(p, "encryption-required"); got.Status != NotMet || !strings.Contains(got.Reason, "removes addressable specifications") {
		t.Errorf("proposed encryption-required: %s (%s), want not met", got.Status, got.Reason)
	}
}

// A requirement with a cadence is partly met while its control runs less
// often: vulnerability scans at least every 6 months (ward's reading of
// the proposal), the demo's scans moved to a yearly schedule.
func TestNPRMCadence(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse(demoAsOf)
	ws.Control("vulnerability-scanning").Frequency = "annual"
	p, err := Evaluate(ws, catalog.Default(), catalog.HIPAANPRM, asOf)
	if err != nil {
		t.Fatal(err)
	}
	got := requirementOf(p, "vulnerability-scans")
	if got.Status != Partial || !strings.Contains(got.Reason, "at least every 6 months; vulnerability-scanning: runs annual") {
		t.Errorf("yearly scans: %s (%s), want partly met", got.Status, got.Reason)
	}
	for f, want := range map[string]bool{"monthly": true, "semi-annual": true, "annual": false, "on-event": false, "": false} {
		if runsAtLeast(f, "semi-annual") != want {
			t.Errorf("runsAtLeast(%q, semi-annual) = %v", f, !want)
		}
	}
}

// catalogWithoutOverlay is the embedded catalog as it was before the
// overlay: no hipaa-nprm framework, no hipaa-nprm mappings, and not the
// control added for it.
func catalogWithoutOverlay(t *testing.T) *catalog.Catalog {
	t.Helper()
	src := os.DirFS("../catalog")
	names, err := fs.Glob(src, "data/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mapping := regexp.MustCompile(`(?m)^\s+hipaa-nprm: \[[^\]]*\]\n`)
	added := regexp.MustCompile(`(?ms)^  - id: compliance-audit\n.*?\n\n`)
	out := fstest.MapFS{}
	for _, name := range names {
		if strings.HasSuffix(name, "/hipaa-nprm.yaml") {
			continue
		}
		b, err := fs.ReadFile(src, name)
		if err != nil {
			t.Fatal(err)
		}
		b = mapping.ReplaceAll(b, nil)
		b = added.ReplaceAll(b, nil)
		out[name] = &fstest.MapFile{Data: b}
	}
	c, err := catalog.LoadFrom(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Framework(catalog.HIPAANPRM) != nil || c.Control("compliance-audit") != nil {
		t.Fatal("the variant still has the overlay")
	}
	return c
}

// The overlay never moves the HIPAA score: the demo's HIPAA readiness,
// every requirement's status and reason, is the same with the overlay in
// the catalog as without it, and the same whether or not the overlay was
// evaluated alongside.
func TestHIPAAScoreUnchangedWhenTheOverlayIsOn(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse(demoAsOf)
	off, err := Evaluate(ws, catalogWithoutOverlay(t), catalog.HIPAA, asOf)
	if err != nil {
		t.Fatal(err)
	}
	on, err := Evaluate(ws, catalog.Default(), catalog.HIPAA, asOf)
	if err != nil {
		t.Fatal(err)
	}
	both, err := EvaluateAll(ws, catalog.Default(), []string{catalog.HIPAANPRM, catalog.HIPAA}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Posture{on, both[1]} {
		if p.Score != off.Score {
			t.Errorf("HIPAA score with the overlay %+v, without %+v", p.Score, off.Score)
		}
		if p.Status != "" {
			t.Errorf("HIPAA posture carries status %q", p.Status)
		}
		if len(p.Requirements) != len(off.Requirements) {
			t.Fatalf("%d HIPAA requirements with the overlay, %d without", len(p.Requirements), len(off.Requirements))
		}
		for i, r := range p.Requirements {
			o := off.Requirements[i]
			if r.ID != o.ID || r.Status != o.Status || r.Reason != o.Reason || !reflect.DeepEqual(r.InScope, o.InScope) {
				t.Errorf("HIPAA %s: %s (%s) with the overlay, %s (%s) without", r.ID, r.Status, r.Reason, o.Status, o.Reason)
			}
		}
	}
	// Also for an organization marking encryption not applicable, where
	// the overlay's own rule bites: HIPAA still sees not applicable.
	ws.Control("encryption-at-rest").Status = "not-applicable"
	ws.Control("encryption-at-rest").Justification = "x"
	offNA, _ := Evaluate(ws, catalogWithoutOverlay(t), catalog.HIPAA, asOf)
	onNA, _ := Evaluate(ws, catalog.Default(), catalog.HIPAA, asOf)
	if onNA.Score != offNA.Score {
		t.Errorf("with a not-applicable control: HIPAA %+v with the overlay, %+v without", onNA.Score, offNA.Score)
	}
}
