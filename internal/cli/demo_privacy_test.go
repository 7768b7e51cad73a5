package cli_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/privacy"
	"ward/internal/store"
)

// `ward demo` seeds two organizations: Acme Health (the business
// associate) and Harbor Family Medicine, a covered-entity practice whose
// Privacy Rule clocks are the feature to see. The demo admin belongs to
// both (the MSP overview), the auditor to Acme Health only.
func TestDemoSeedsTheCoveredEntityPractice(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	out := mustWard(t, filepath.Join(dir, "unused.db"), "demo", "--dir", dir, "--no-serve")
	if !strings.Contains(out, "admin of Acme Health and Harbor Family Medicine") || !strings.Contains(out, "auditor of Acme Health)") {
		t.Errorf("demo output:\n%s", out)
	}
	db := filepath.Join(dir, "ward.db")
	s, err := store.Open(context.Background(), "sqlite:"+db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := s.Orgs(context.Background())
	var slugs []string
	for _, o := range orgs {
		slugs = append(slugs, o.Slug)
	}
	s.Close()
	slices.Sort(slugs)
	if !slices.Equal(slugs, []string{"acme-health", "harbor-family-medicine"}) {
		t.Fatalf("demo organizations %v", slugs)
	}

	// As of the demo's date (late November 2026): one request overdue,
	// one due within five days, one extended, one acted on late, and the
	// accounting's six-year window (164.528(a)(1)).
	var l privacy.Log
	if err := json.Unmarshal([]byte(mustWard(t, db, "--org", "harbor-family-medicine", "privacy", "list", "--as-of", "2026-11-25", "--format", "json")), &l); err != nil {
		t.Fatal(err)
	}
	if l.Overdue != 1 || l.DueSoon != 1 || l.Late != 1 || !l.CoveredEntity {
		t.Errorf("demo practice on 2026-11-25: %d overdue, %d due soon, %d late", l.Overdue, l.DueSoon, l.Late)
	}
	extended := 0
	for _, c := range l.Requests {
		if c.Extension != nil {
			extended++
		}
		if c.ID == "acc-2026-002" && (c.Window == nil || c.Window.From.String() != "2020-11-02" || c.Window.To.String() != "2026-11-01") {
			t.Errorf("the accounting's window: %+v", c.Window)
		}
	}
	if extended != 1 || l.Notice.InEffect == nil || l.Notice.InEffect.Version != "2026-1" || len(l.Complaints) != 2 {
		t.Errorf("demo practice: %d extended, notice %+v, %d complaints", extended, l.Notice.InEffect, len(l.Complaints))
	}

	// Its export applies back unchanged (a fixed point).
	exp := filepath.Join(dir, "export")
	mustWard(t, db, "--org", "harbor-family-medicine", "export", "-o", exp)
	if out := mustWard(t, db, "--org", "harbor-family-medicine", "apply", "-f", exp); !strings.Contains(out, "no changes") {
		t.Errorf("apply of the practice's export: %s", out)
	}

	// Its only gate error is the deliberate one (GAP in privacy.yaml).
	code, out, _ := ward(t, db, "--org", "harbor-family-medicine", "check", "--as-of", "2026-11-25", "--format", "json")
	var res struct {
		Findings []struct{ Rule, Severity, Subject string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, f := range res.Findings {
		if f.Severity == "error" {
			errs = append(errs, f.Rule+" "+f.Subject)
		}
	}
	if code != cli.ExitFindings || !slices.Equal(errs, []string{"privacy.request-overdue par-2026-040"}) {
		t.Errorf("the practice's gate errors: %v (exit %d)", errs, code)
	}
}
