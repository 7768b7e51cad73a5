package workforce

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
)

// checkRules runs ward check as of a date and returns rule → subjects.
func checkRules(t *testing.T, db, asOf string) map[string][]string {
	t.Helper()
	_, out, _ := ward(t, db, "check", "--as-of", asOf, "--format", "json")
	var res checkJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string][]string{}
	for _, f := range res.Findings {
		m[f.Rule] = append(m[f.Rule], f.Subject)
	}
	return m
}

// Bad input to the workforce commands exits 2, says what is wrong and
// writes nothing.
func TestPolicyCommandsBadInputWritesNothing(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	before := fileHash(t, db)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"policy", "ack", "sanctions", "--person", "lena@acme-health.example", "--version", "3"}, "--version (version): policy sanctions has no version 3 (its versions: 1, 2)"},
		{[]string{"policy", "ack", "data-retention", "--person", "lena@acme-health.example", "--version", "2"}, "version 2 of data-retention is a draft"},
		{[]string{"policy", "ack", "sanctions", "--person", "lena@acme-health.example", "--on", "2099-01-01"}, "--on (on): 2099-01-01 is in the future"},
		{[]string{"policy", "ack", "sanctions", "--person", "nobody@acme-health.example"}, `--person "nobody@acme-health.example" is not anyone under people`},
		{[]string{"policy", "approve", "data-retention", "--by", "someone@elsewhere.example"}, "is not anyone under people"},
		{[]string{"policy", "approve", "sanctions", "--by", "dana@acme-health.example"}, "policy sanctions has no draft to approve"},
		{[]string{"policy", "approve", "data-retention", "--by", "dana@acme-health.example", "--effective", "2026-01-01", "--as-of", "2026-11-25"}, "effective 2026-01-01 is before the approval"},
		{[]string{"training", "record", "hipaa-awareness", "--person", "noah@acme-health.example", "--completed", "2099-01-01"}, "--completed (completed): 2099-01-01 is in the future"},
		{[]string{"training", "record", "fire-safety", "--person", "noah@acme-health.example"}, `"fire-safety" is not a training`},
		{[]string{"policy", "new", "no-such-template"}, "is neither a template"},
		{[]string{"import", "trainings", "testdata/workforce/lms-bad.csv", "--map", "testdata/workforce/lms-map.yaml"}, ""},
	}
	for _, c := range cases {
		code, out, errs := ward(t, db, c.args...)
		if code != cli.ExitBadInput || !strings.Contains(errs, c.want) || !strings.Contains(errs, "nothing was written") {
			t.Errorf("ward %v: exit %d, stderr %q, stdout %q; want 2 and %q", c.args, code, errs, out, c.want)
		}
	}
	// The import names the file, the line and the column of each bad row.
	_, _, errs := ward(t, db, "import", "trainings", "testdata/workforce/lms-bad.csv", "--map", "testdata/workforce/lms-map.yaml")
	for _, want := range []string{
		`lms-bad.csv:3: column "Course": "Fire Safety" is not a training id in this workspace`,
		`lms-bad.csv:4: column "Completed On": 2099-01-05 is in the future`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("import: stderr does not say %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "lms-bad.csv:2:") {
		t.Errorf("import blames the good row 2:\n%s", errs)
	}
	if after := fileHash(t, db); after != before {
		t.Fatal("the database changed")
	}
}

// The cycle a compliance lead runs: a draft from a template, its
// approval by a named person (on the audit trail), everyone's
// acknowledgement falling due, acknowledgements and completions by
// command and by import; ward check follows each step.
func TestPolicyLifecycle(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)

	// The templates: a business associate needs the 16, all answered.
	var tpl struct {
		Templates []struct {
			ID       string
			Required bool
			Policy   string
		}
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "policy", "templates", "--format", "json")), &tpl); err != nil {
		t.Fatal(err)
	}
	required := 0
	for _, x := range tpl.Templates {
		if x.Required {
			required++
			if x.Policy == "" {
				t.Errorf("template %s is required and has no policy in the demo", x.ID)
			}
		}
	}
	if len(tpl.Templates) != 20 || required != 16 {
		t.Errorf("%d templates, %d required; want 20 and 16 (no Privacy Rule four for a business associate)", len(tpl.Templates), required)
	}

	// A new version of the access control policy from the template: the
	// text filled from the workspace, then edited by the owner.
	out := mustWard(t, db, "policy", "new", "access-control")
	if !strings.Contains(out, "new draft version 2 of Access control policy (policies/access-control-v2.md") {
		t.Errorf("policy new: %s", out)
	}
	text := mustWard(t, db, "policy", "show", "access-control", "--text", "--version", "2")
	if !strings.HasPrefix(text, "# Access control policy\n\nAcme Health. This policy answers 45 CFR 164.308(a)(4)(i)") || !strings.Contains(text, "Raj Patel (raj@acme-health.example)") {
		t.Errorf("the draft's text:\n%.400s", text)
	}
	text = strings.Replace(text, "after 15 minutes", "after 10 minutes", 1)
	edited := filepath.Join(dir, "access-control.md")
	os.WriteFile(edited, []byte(text), 0o644)
	if out := mustWard(t, db, "policy", "new", "access-control", "--file", edited); !strings.Contains(out, "new draft version 2") {
		t.Errorf("a new text for the draft replaces it: %s", out)
	}
	// Approved on 2026-12-01 by the Security Officer: the version in force,
	// and every member owes an acknowledgement by 2026-12-31.
	out = mustWard(t, db, "policy", "approve", "access-control", "--by", "Raj Patel", "--as-of", "2026-12-01")
	if !strings.Contains(out, "access-control version 2 approved by raj@acme-health.example on 2026-12-01") || !strings.Contains(out, "8 people owe an acknowledgement of version 2, due by 2026-12-31") {
		t.Errorf("approve: %s", out)
	}
	var log struct {
		Entries []struct{ Action, Kind, Key, Actor string }
	}
	json.Unmarshal([]byte(mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")), &log)
	if len(log.Entries) != 1 || log.Entries[0].Kind != "policy" || log.Entries[0].Key != "access-control" || log.Entries[0].Action != "update" || log.Entries[0].Actor != "test" {
		t.Errorf("the approval is not the last audit entry: %+v", log.Entries)
	}
	// 164.316(b)(2)(i): version 1 was in effect until 2026-11-30.
	var show struct {
		Versions []struct {
			Version       int
			State         string
			InEffectUntil string `json:"in_effect_until"`
			RetainUntil   string `json:"retain_until"`
		}
	}
	json.Unmarshal([]byte(mustWard(t, db, "policy", "show", "access-control", "--as-of", "2026-12-02", "--format", "json")), &show)
	if len(show.Versions) != 2 || show.Versions[0].State != "superseded" || show.Versions[0].InEffectUntil != "2026-11-30" || show.Versions[0].RetainUntil != "2032-11-30" {
		t.Errorf("versions: %+v", show.Versions)
	}
	diff := mustWard(t, db, "policy", "diff", "access-control")
	if !strings.Contains(diff, "--- access-control v1\n+++ access-control v2") || !strings.Contains(diff, "\n-   after 15 minutes;") || !strings.Contains(diff, "\n+   after 10 minutes;") {
		t.Errorf("diff: %s", diff)
	}
	late := checkRules(t, db, "2027-01-05")["policy.ack-overdue"]
	if len(late) < 8 {
		t.Errorf("2027-01-05: policy.ack-overdue for %v; want everyone (8) after the new version", late)
	}

	// Lena acknowledges by command, two more by import.
	mustWard(t, db, "policy", "ack", "access-control", "--person", "lena@acme-health.example", "--on", "2026-12-03")
	out = mustWard(t, db, "import", "acknowledgements", "testdata/workforce/esign-export.csv", "--map", "testdata/workforce/esign-map.yaml")
	if !strings.Contains(out, "2 rows, 2 new acknowledgements, 0 recorded already") {
		t.Errorf("import acknowledgements: %s", out)
	}
	if out := mustWard(t, db, "import", "acknowledgements", "testdata/workforce/esign-export.csv", "--map", "testdata/workforce/esign-map.yaml"); !strings.Contains(out, "0 new acknowledgements, 2 recorded already") {
		t.Errorf("import again: %s", out)
	}
	late = checkRules(t, db, "2027-01-05")["policy.ack-overdue"]
	if slices.Contains(late, "lena@acme-health.example") {
		t.Errorf("lena acknowledged and is still overdue: %v", late)
	}

	// Noah's course, from the LMS export: training.overdue is gone.
	if got := checkRules(t, db, "2026-11-25")["training.overdue"]; !slices.Equal(got, []string{"noah@acme-health.example"}) {
		t.Errorf("before the import: training.overdue %v, want noah (164.308(a)(5)(i))", got)
	}
	out = mustWard(t, db, "import", "trainings", "testdata/workforce/lms-export.csv", "--map", "testdata/workforce/lms-map.yaml")
	if !regexp.MustCompile(`2 rows, 1 new training completions, 1 recorded already, 1 skipped \(not completed\)`).MatchString(out) {
		t.Errorf("import trainings: %s", out)
	}
	if got := checkRules(t, db, "2026-11-25")["training.overdue"]; len(got) != 0 {
		t.Errorf("after the import: training.overdue %v", got)
	}

	// Everything recorded here comes back out in an export and applies
	// again unchanged: the new version's text included.
	exp := filepath.Join(dir, "export")
	mustWard(t, db, "export", "-o", exp)
	b, err := os.ReadFile(filepath.Join(exp, "policies", "access-control-v2.md"))
	if err != nil || string(b) != text {
		t.Errorf("exported access-control-v2.md differs from the stored text (%v)", err)
	}
	if out := mustWard(t, db, "apply", "-f", exp); !strings.Contains(out, "no changes") {
		t.Errorf("apply of the export: %s", out)
	}
	// An approved version's text cannot change in the files.
	p := filepath.Join(exp, "policies", "access-control-v2.md")
	os.WriteFile(p, []byte(text+"\nOne more rule.\n"), 0o644)
	code, _, errs := ward(t, db, "apply", "-f", exp)
	if code != cli.ExitBadInput || !regexp.MustCompile(`policies\.yaml:\d+: policies\[2\]\.versions\[1\]\.sha256: the file policies/access-control-v2\.md has SHA-256 \w+, not the recorded \w+; an approved version's text does not change`).MatchString(errs) {
		t.Errorf("edited approved text: exit %d\n%s", code, errs)
	}
}

type checkJSON struct {
	OK       bool `json:"ok"`
	Findings []struct {
		Rule, Severity, Subject, Message string
	} `json:"findings"`
	Blocked []struct {
		Subject, Kind string
		Rules         []string
		GoLive        string `json:"go_live"`
	} `json:"blocked"`
}
