package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ward/internal/cli"

	_ "modernc.org/sqlite"
)

func TestApplyIsIdempotentAndExportIsAFixedPoint(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")

	out := mustWard(t, db, "apply", "-f", cli.DemoDir)
	if !regexp.MustCompile(`acme-health: \d+ created, 0 changed, 0 retired`).MatchString(out) {
		t.Fatalf("first apply: %s", out)
	}
	if out := mustWard(t, db, "apply", "-f", cli.DemoDir); !strings.Contains(out, "no changes") {
		t.Fatalf("second apply should change nothing: %s", out)
	}

	exp1 := filepath.Join(dir, "export1")
	mustWard(t, db, "export", "-o", exp1)
	if out := mustWard(t, db, "apply", "-f", exp1); !strings.Contains(out, "no changes") {
		t.Fatalf("apply of the export should change nothing: %s", out)
	}
	// The export of a re-applied export is the same bytes.
	exp2 := filepath.Join(dir, "export2")
	mustWard(t, db, "export", "-o", exp2)
	if a, b := treeHash(t, exp1), treeHash(t, exp2); a != b {
		t.Fatalf("export → apply → export differs")
	}

	// A change in the files is one update, audited.
	sys := filepath.Join(exp1, "systems.yaml")
	raw, _ := os.ReadFile(sys)
	os.WriteFile(sys, bytes.Replace(raw, []byte("name: Patient API"), []byte("name: Patient API v2"), 1), 0o644)
	out = mustWard(t, db, "apply", "-f", exp1)
	if !strings.Contains(out, "changed      system patient-api (name)") || !strings.Contains(out, "0 created, 1 changed, 0 retired") {
		t.Fatalf("edit: %s", out)
	}
	out = mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")
	var log struct {
		Entries []struct{ Action, Kind, Key, Actor string }
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Entries) != 1 {
		t.Fatalf("audit log: %v %s", err, out)
	}
	if e := log.Entries[0]; e.Action != "update" || e.Kind != "system" || e.Key != "patient-api" || e.Actor != "test" {
		t.Fatalf("last audit entry: %+v", e)
	}
}

func TestBadWorkspaceExitsTwoNamingFileLineFieldAndWritesNothing(t *testing.T) {
	cases := []struct {
		name, file, from, to string
		want                 *regexp.Regexp
	}{
		{"typo in a key", "systems.yaml", "encrypted_at_rest: true", "encrypted_at_rst: true",
			regexp.MustCompile(`systems\.yaml:12: systems\[0\]\.encrypted_at_rst: `)},
		{"flow to an unknown system", "flows.yaml", "to: patient-api", "to: patient-apii",
			regexp.MustCompile(`flows\.yaml:4: flows\[0\]\.to: .*patient-apii`)},
		{"likelihood out of range", "risks.yaml", "likelihood: 4", "likelihood: 9",
			regexp.MustCompile(`risks\.yaml:26: risks\[\d+\]\.likelihood: .*9`)},
		// 45 CFR 164.306(d)(3): an addressable specification not
		// implemented needs the equivalent measure taken instead.
		{"addressable control not applicable without an equivalent measure", "controls.yaml", "    equivalent_measure: Physical access", "    notes: Physical access",
			regexp.MustCompile(`controls\.yaml:172: controls\[\d+\]\.equivalent_measure: is missing: facility-access answers HIPAA addressable 164\.310\(a\)\(2\)\(iii\).*164\.306\(d\)\(3\)`)},
		// The workforce records (issue 18): an acknowledgement of a version
		// the policy does not have, a completion that has not happened yet,
		// a last day before the first.
		{"acknowledgement of an unknown policy version", "acknowledgements.yaml", "policy: sanctions, version: 2, on: 2026-11-02}", "policy: sanctions, version: 3, on: 2026-11-02}",
			regexp.MustCompile(`acknowledgements\.yaml:126: acknowledgements\[116\]\.version: policy sanctions has no version 3 \(its versions: 1, 2\)`)},
		{"training completion dated in the future", "training_records.yaml", "completed: 2026-08-20}", "completed: 2099-08-20}",
			regexp.MustCompile(`training_records\.yaml:15: training_records\[10\]\.completed: 2099-08-20 is in the future`)},
		{"end before start", "people.yaml", "end: 2026-11-06", "end: 2024-11-06",
			regexp.MustCompile(`people\.yaml:64: people\[8\]\.end: 2024-11-06 is before start 2025-03-03`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ward.db")
			mustWard(t, db, "apply", "-f", cli.DemoDir)
			before := fileHash(t, db)

			ws := filepath.Join(dir, "ws")
			if err := os.CopyFS(ws, os.DirFS(cli.DemoDir)); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(ws, c.file)
			raw, _ := os.ReadFile(p)
			if !bytes.Contains(raw, []byte(c.from)) {
				t.Fatalf("%s has no %q", c.file, c.from)
			}
			os.WriteFile(p, bytes.Replace(raw, []byte(c.from), []byte(c.to), 1), 0o644)

			code, out, errs := ward(t, db, "apply", "-f", ws)
			if code != cli.ExitBadInput {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errs)
			}
			if !c.want.MatchString(errs) {
				t.Fatalf("stderr does not name file:line:field %v:\n%s", c.want, errs)
			}
			if !strings.Contains(errs, "nothing was written") {
				t.Errorf("stderr should say nothing was written:\n%s", errs)
			}
			if after := fileHash(t, db); after != before {
				t.Fatal("the database changed")
			}
		})
	}
}

func TestAuditVerifyCatchesTampering(t *testing.T) {
	cases := []struct{ name, sql string }{
		{"entry changed", `UPDATE audit SET actor = 'mallory' WHERE seq = 5`},
		{"entry removed", `DELETE FROM audit WHERE seq = 5`},
		{"entries reordered", `UPDATE audit SET seq = -1 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -1`},
		{"tail cut off", `DELETE FROM audit WHERE seq > 20`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ward.db")
			mustWard(t, db, "apply", "-f", cli.DemoDir)
			if out := mustWard(t, db, "audit", "verify"); !strings.Contains(out, "acme-health: ok") {
				t.Fatalf("verify before tampering: %s", out)
			}
			raw, err := sql.Open("sqlite", db)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range strings.Split(c.sql, ";") {
				if _, err := raw.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			raw.Close()
			code, out, errs := ward(t, db, "audit", "verify", "--format", "json")
			if code != cli.ExitFindings {
				t.Fatalf("exit %d, want 1: %s%s", code, out, errs)
			}
			var res struct {
				OK            bool
				Organizations []struct {
					OK     bool
					BadSeq int64 `json:"bad_seq"`
					Error  string
				}
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			if res.OK || len(res.Organizations) != 1 || res.Organizations[0].OK || res.Organizations[0].BadSeq == 0 {
				t.Fatalf("verify did not name a bad entry: %s", out)
			}
		})
	}
}

func TestCheckOnDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	code, out, _ := ward(t, db, "check", "--as-of", "2026-11-23", "--format", "json")
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want 1 (the demo is built to fail the gate)", code)
	}
	var res struct {
		OK       bool
		Findings []struct{ Rule, Severity, Subject string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range res.Findings {
		rules[f.Rule] = true
	}
	for _, r := range []string{"baa.downstream.missing", "baa.expired", "baa.upstream.missing", "flow.unencrypted", "inventory.phi-unmarked", "breach.deadline",
		"policy.review-overdue", "policy.ack-overdue", "training.overdue", "workforce.termination-open"} {
		if !rules[r] {
			t.Errorf("the demo should show %s; got %v", r, rules)
		}
	}
	if res.OK {
		t.Error("ok should be false")
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ward.db")
	for _, args := range [][]string{{"nosuch"}, {"apply"}, {"check", "--format", "xml"}, {"check", "--as-of", "2027-02-30"}} {
		if code, _, errs := ward(t, db, args...); code != cli.ExitBadInput || errs == "" {
			t.Errorf("ward %v: exit %d, stderr %q; want 2 and a sentence", args, code, errs)
		}
	}
}

func TestPlanQuestionsWritesAnswers(t *testing.T) {
	dir := t.TempDir()
	org := filepath.Join(dir, "organization.yaml")
	src, _ := os.ReadFile(filepath.Join(cli.DemoDir, "organization.yaml"))
	os.WriteFile(org, src, 0o644)
	run := func(input string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), []string{"plan", "--questions", "-f", org}, strings.NewReader(input), &out, &errb)
		return code, out.String() + errb.String()
	}
	// Too few answers: exit 2 and the file is untouched.
	if code, out := run("y\nn\n"); code != cli.ExitBadInput {
		t.Fatalf("exit %d: %s", code, out)
	}
	if b, _ := os.ReadFile(org); !bytes.Equal(b, src) {
		t.Fatal("an incomplete questionnaire changed the file")
	}
	// An unclear answer is asked again; four answers are written.
	if code, out := run("yes\nmaybe\nn\ny\nno\n"); code != 0 || !strings.Contains(out, "please answer y or n") {
		t.Fatalf("exit %d: %s", code, out)
	}
	b, _ := os.ReadFile(org)
	for _, want := range []string{"handles_phi: true", "sells_to_covered_entities: false", "enterprise_health_systems: true", "buyers_ask_soc2: false"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("organization.yaml lacks %q:\n%s", want, b)
		}
	}
}
