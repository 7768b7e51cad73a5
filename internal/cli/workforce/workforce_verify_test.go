package workforce

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A small business associate in a SOC 2 Type II window (2025-07-01 for
// twelve months) whose only records of three controls are a sanctions
// policy, its acknowledgements and training completions: no uploaded
// evidence at all.
const readinessWorkspace = `organization:
  name: Readiness Co
  roles: [business-associate]
  program_start: 2025-01-01
  answers: {handles_phi: true, sells_to_covered_entities: true, enterprise_health_systems: false, buyers_ask_soc2: true}
  officers: {privacy: dana@r.example, security: dana@r.example}
  soc2: {type: type2, observation_start: 2025-07-01, observation_months: 12}
people:
  - {email: dana@r.example, name: Dana Kim, role: coo, start: 2020-01-01}
  - {email: tom@r.example, name: Tom Nguyen, role: engineer, start: 2025-01-05}
controls:
  - {id: sanctions-policy, status: implemented, frequency: quarterly}
  - {id: security-training, status: implemented, frequency: annual}
  - {id: policy-acknowledgment, status: implemented, frequency: quarterly}
policies:
  - id: sanctions
    title: Sanctions policy
    template: sanctions
    controls: [sanctions-policy]
    versions:
      - {version: 1, file: policies/sanctions-v1.md, approved_by: dana@r.example, approved_on: 2025-02-01}
trainings:
  - {id: hipaa, title: HIPAA awareness, controls: [security-training]}
acknowledgements:
  - {person: dana@r.example, policy: sanctions, version: 1, on: 2025-02-03}
  - {person: tom@r.example, policy: sanctions, version: 1, on: 2025-08-10}
training_records:
  - {person: dana@r.example, training: hipaa, completed: 2025-01-20}
  - {person: tom@r.example, training: hipaa, completed: 2025-01-30}
`

type postureJSON struct {
	Controls []struct {
		ID, State, Reason string
		Evidence          int
		Workforce         []string
	}
	Exceptions []struct{ Control, Period string }
}

func postureOf(t *testing.T, db string, args ...string) postureJSON {
	t.Helper()
	var p postureJSON
	out := mustWard(t, db, append([]string{"posture", "--format", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("posture %v: %v\n%s", args, err, out)
	}
	return p
}

// Readiness moves by itself (issue 18 item 7): an approved policy, its
// acknowledgements and training completions are evidence for the
// controls they cover in `ward posture` and in the SOC 2 Type II
// occurrences, without an upload, and lapse when they lapse: the policy
// when its review is overdue (45 CFR 164.316(b)(2)(iii)), acknowledgements
// in the quarters nobody gave one, training when a person falls behind
// (164.308(a)(5)(i)). Recording the review, a new version and its
// acknowledgement with the commands clears each exception.
func TestCFR164_316b2iii_ReadinessMovesByItselfAndLapses(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(filepath.Join(ws, "policies"), 0o755)
	os.WriteFile(filepath.Join(ws, "workspace.yaml"), []byte(readinessWorkspace), 0o644)
	os.WriteFile(filepath.Join(ws, "policies", "sanctions-v1.md"), []byte("# Sanctions policy\n\nReadiness Co applies fair sanctions.\n"), 0o644)
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", ws)

	state := func(p postureJSON, id string) (string, int, string) {
		for _, c := range p.Controls {
			if c.ID == id {
				return c.State, c.Evidence, c.Reason + " " + strings.Join(c.Workforce, "; ")
			}
		}
		t.Fatalf("%s not in the posture", id)
		return "", 0, ""
	}
	now := postureOf(t, db, "--as-of", "2025-11-20")
	for _, id := range []string{"sanctions-policy", "security-training", "policy-acknowledgment"} {
		if s, n, why := state(now, id); s != "met" || n == 0 {
			t.Errorf("%s on 2025-11-20: %s with %d items (%s); want met from the workforce records alone", id, s, n, why)
		}
	}
	var stored struct{ Evidence []json.RawMessage }
	if err := json.Unmarshal([]byte(mustWard(t, db, "evidence", "list", "--format", "json")), &stored); err != nil || len(stored.Evidence) != 0 {
		t.Fatalf("the organization should hold no evidence of its own: %v %d items", err, len(stored.Evidence))
	}
	// Tom's completion of 2025-01-30 runs out on 2026-01-30.
	if s, _, why := state(postureOf(t, db, "--as-of", "2026-02-01"), "security-training"); s != "partial" || !strings.Contains(why, "overdue on training hipaa") {
		t.Errorf("security-training with tom overdue: %s (%s), want partial", s, why)
	}

	exceptions := func() []string {
		var out []string
		for _, e := range postureOf(t, db, "--framework", "soc2", "--as-of", "2026-07-10").Exceptions {
			if slices.Contains([]string{"sanctions-policy", "security-training", "policy-acknowledgment"}, e.Control) {
				out = append(out, e.Control+" "+e.Period)
			}
		}
		return out
	}
	got := exceptions()
	for _, want := range []string{"sanctions-policy 2026-Q2", "policy-acknowledgment 2025-Q4"} {
		if !slices.Contains(got, want) {
			t.Errorf("Type II exceptions %v: want %s (lapsed)", got, want)
		}
	}
	for _, never := range []string{"sanctions-policy 2025-Q3", "sanctions-policy 2025-Q4", "policy-acknowledgment 2025-Q3"} {
		if slices.Contains(got, never) {
			t.Errorf("Type II exceptions %v: %s is covered by the records", got, never)
		}
	}

	// The review within the year keeps the policy current; a new
	// version in the fourth quarter, acknowledged then, covers it.
	mustWard(t, db, "policy", "review", "sanctions", "--by", "dana@r.example", "--as-of", "2026-01-20")
	v2 := filepath.Join(dir, "v2.md")
	os.WriteFile(v2, []byte("# Sanctions policy\n\nReadiness Co applies fair and consistent sanctions.\n"), 0o644)
	mustWard(t, db, "policy", "new", "sanctions", "--file", v2)
	mustWard(t, db, "policy", "approve", "sanctions", "--by", "dana@r.example", "--as-of", "2025-11-01")
	mustWard(t, db, "policy", "ack", "sanctions", "--person", "tom@r.example", "--as-of", "2025-11-05")
	got = exceptions()
	for _, gone := range []string{"sanctions-policy 2026-Q2", "policy-acknowledgment 2025-Q4"} {
		if slices.Contains(got, gone) {
			t.Errorf("after the review and the acknowledgement: %s is still an exception (%v)", gone, got)
		}
	}
}

// The demo's realistic gaps (issue 18, "What must be shown"), each where
// `ward check` reports it: the new hire behind on training
// (164.308(a)(5)(i)), the leaver who still holds access
// (164.308(a)(3)(ii)(C)), the policy past its review date
// (164.316(b)(2)(iii)); and the policy set otherwise mostly approved and
// acknowledged.
func TestCFR164_308_DemoWorkforceGapsInCheck(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	_, out, _ := ward(t, db, "check", "--as-of", "2026-11-23", "--format", "json")
	var res struct {
		Findings []struct{ Rule, Severity, Subject, Message string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	has := func(rule, subject, severity, text string) {
		t.Helper()
		for _, f := range res.Findings {
			if f.Rule == rule && f.Subject == subject {
				if f.Severity != severity || !strings.Contains(f.Message, text) {
					t.Errorf("%s %s: %s %q, want %s naming %q", rule, subject, f.Severity, f.Message, severity, text)
				}
				return
			}
		}
		t.Errorf("the demo's check has no %s for %s", rule, subject)
	}
	has("training.overdue", "noah@acme-health.example", "warning", "30 days after the start on 2026-10-12")
	has("workforce.termination-open", "kevin@acme-health.example", "error", "patient-api")
	has("policy.review-overdue", "acceptable-use", "warning", "164.316(b)(2)(iii)")
	for _, f := range res.Findings {
		if f.Rule == "policy.missing" {
			t.Errorf("the demo should have every required policy approved: %s", f.Message)
		}
	}
	var list struct {
		Policies []struct {
			Status             string
			Acknowledged, Owed int
		}
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "policy", "list", "--as-of", "2026-11-23", "--format", "json")), &list); err != nil {
		t.Fatal(err)
	}
	approved, acked, owed := 0, 0, 0
	for _, p := range list.Policies {
		if p.Status == "approved" {
			approved++
		}
		acked += p.Acknowledged
		owed += p.Owed
	}
	if approved < len(list.Policies)-1 || owed == 0 || acked*10 < owed*9 || acked == owed {
		t.Errorf("demo: %d of %d policies approved, %d of %d acknowledgements; want mostly approved and acknowledged, with a gap", approved, len(list.Policies), acked, owed)
	}
}

// Every field of the workforce sections, for the fixed point: reviews, a
// retired policy, an audience, an effective date after approval, a draft,
// notes; trainings for a role and done once; a completion with its
// certificate; reminders; joiners and leavers; the organization's
// deadlines.
const everyWorkforceField = `organization:
  name: Fixed Point Co
  roles: [covered-entity]
  program_start: 2025-01-01
  answers: {handles_phi: true, sells_to_covered_entities: false, enterprise_health_systems: false, buyers_ask_soc2: false}
  officers: {privacy: dana@f.example, security: raj@f.example}
  workforce: {ack_within_days: 14, termination_within_days: 0}
people:
  - {email: dana@f.example, name: Dana Kim, role: Privacy Officer, start: 2020-01-01, clearance: 2019-12-15}
  - {email: raj@f.example, name: Raj Patel, role: Engineer, start: 2021-03-01, access: [ehr, wiki]}
  - {email: lee@f.example, name: Lee Park, role: Front desk, start: 2024-02-01, end: 2025-10-31, access: [wiki], clearance: 2024-01-20}
systems:
  - {id: ehr, name: EHR, kind: saas, phi: true, live_phi: true, encrypted_at_rest: true}
  - {id: wiki, name: Wiki, kind: saas, phi: false, live_phi: false, encrypted_at_rest: true}
policies:
  - id: sanctions
    title: Sanctions policy
    template: sanctions
    owner: dana@f.example
    audience: all
    review_months: 24
    controls: [sanctions-policy]
    versions:
      - {version: 1, file: policies/sanctions-v1.md, approved_by: dana@f.example, approved_on: 2025-02-01}
      - {version: 2, file: policies/sanctions-v2.md, approved_by: dana@f.example, approved_on: 2025-06-01, effective: 2025-07-01, changes: names the officers}
      - {version: 3, file: policies/sanctions-v3.md}
    reviews:
      - {on: 2025-09-01, by: raj@f.example, note: still right}
    notes: kept by the Privacy Officer
  - id: old-remote-work
    title: Remote work policy
    audience: [engineer]
    versions:
      - {version: 1, file: policies/old-remote-work-v1.md, approved_by: raj@f.example, approved_on: 2025-01-10}
    retired_on: 2025-08-01
trainings:
  - {id: hipaa, title: HIPAA awareness, audience: all, within_days_of_hire: 14, every_months: 12, controls: [security-training], description: yearly}
  - {id: secure-coding, title: Secure coding, audience: [engineer], every_months: 0}
acknowledgements:
  - {person: dana@f.example, policy: sanctions, version: 1, on: 2025-02-03}
  - {person: raj@f.example, policy: sanctions, version: 2, on: 2025-07-02}
training_records:
  - {person: dana@f.example, training: hipaa, completed: 2025-03-01, file: training/dana-hipaa.pdf}
  - {person: raj@f.example, training: secure-coding, completed: 2025-04-01}
security_reminders:
  - {on: 2025-05-05, title: Phishing season, link: https://wiki.f.example/phishing, note: sent to all}
`

// Apply → export → apply changes nothing with every workforce section
// and field (issue 18 item 10), and the export is the same bytes the
// second time; the texts and the certificate travel with it.
func TestWorkforceSectionsFixedPoint(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	for _, d := range []string{"policies", "training"} {
		os.MkdirAll(filepath.Join(ws, d), 0o755)
	}
	os.WriteFile(filepath.Join(ws, "workspace.yaml"), []byte(everyWorkforceField), 0o644)
	for _, f := range []string{"sanctions-v1", "sanctions-v2", "sanctions-v3", "old-remote-work-v1"} {
		os.WriteFile(filepath.Join(ws, "policies", f+".md"), []byte("# "+f+"\n\nThe text of "+f+".\n"), 0o644)
	}
	os.WriteFile(filepath.Join(ws, "training", "dana-hipaa.pdf"), []byte("%PDF-1.4 certificate\n"), 0o644)
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", ws)
	if out := mustWard(t, db, "apply", "-f", ws); !strings.Contains(out, "no changes") {
		t.Fatalf("second apply: %s", out)
	}
	exp1 := filepath.Join(dir, "export1")
	mustWard(t, db, "export", "-o", exp1)
	if out := mustWard(t, db, "apply", "-f", exp1); !strings.Contains(out, "no changes") {
		t.Fatalf("apply of the export should change nothing: %s", out)
	}
	exp2 := filepath.Join(dir, "export2")
	mustWard(t, db, "export", "-o", exp2)
	if treeHash(t, exp1) != treeHash(t, exp2) {
		t.Fatal("export → apply → export differs")
	}
	var all strings.Builder
	filepath.WalkDir(exp1, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	for _, want := range []string{"ack_within_days: 14", "termination_within_days: 0", "clearance: 2019-12-15", "end: 2025-10-31", "access:",
		"review_months: 24", "effective: 2025-07-01", "changes: names the officers", "version: 3", "still right", "retired_on: 2025-08-01",
		"within_days_of_hire: 14", "every_months: 0", "training/dana-hipaa.pdf", "Phishing season", "https://wiki.f.example/phishing",
		"policy: sanctions", "completed: 2025-04-01"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the export lost %q", want)
		}
	}
	for _, f := range []string{"policies/sanctions-v3.md", "policies/old-remote-work-v1.md", "training/dana-hipaa.pdf"} {
		if _, err := os.Stat(filepath.Join(exp1, filepath.FromSlash(f))); err != nil {
			t.Errorf("the export has no %s: %v", f, err)
		}
	}
}

// workforceCase writes a workspace for the check rules: every required
// template approved except those in missing, acceptable-use approved in
// 2024 (due for review in June 2025) unless reviewed, a new hire (tom)
// who acknowledged all but access-control unless fixed and has not
// trained unless fixed, and a leaver (lee) who still reaches the EHR
// unless fixed.
func workforceCase(t *testing.T, dir string, fixed bool) string {
	t.Helper()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(filepath.Join(ws, "policies"), 0o755)
	var b strings.Builder
	b.WriteString(`organization:
  name: Check Co
  roles: [business-associate]
  program_start: 2025-01-01
  answers: {handles_phi: true, sells_to_covered_entities: true, enterprise_health_systems: false, buyers_ask_soc2: false}
  officers: {privacy: dana@c.example, security: dana@c.example}
people:
  - {email: dana@c.example, name: Dana Kim, role: coo, start: 2020-01-01}
  - {email: tom@c.example, name: Tom Nguyen, role: engineer, start: 2025-10-01}
`)
	if fixed {
		b.WriteString("  - {email: lee@c.example, name: Lee Park, role: support, start: 2022-01-01, end: 2025-11-01}\n")
	} else {
		b.WriteString("  - {email: lee@c.example, name: Lee Park, role: support, start: 2022-01-01, end: 2025-11-01, access: [ehr, wiki]}\n")
	}
	b.WriteString(`systems:
  - {id: ehr, name: EHR, kind: saas, phi: true, live_phi: false, encrypted_at_rest: true}
  - {id: wiki, name: Wiki, kind: saas, phi: false, live_phi: false, encrypted_at_rest: true}
trainings:
  - {id: hipaa, title: HIPAA awareness, controls: [security-training]}
training_records:
  - {person: dana@c.example, training: hipaa, completed: 2025-03-01}
`)
	if fixed {
		b.WriteString("  - {person: tom@c.example, training: hipaa, completed: 2025-10-20}\n")
	}
	b.WriteString("policies:\n")
	var acks strings.Builder
	for _, id := range []string{"information-security", "risk-management", "access-control", "workforce-security", "sanctions", "security-training",
		"incident-response", "contingency", "device-media", "encryption", "audit-logging", "change-management", "vendor-management",
		"data-retention", "facility-workstation", "acceptable-use"} {
		if id == "sanctions" && !fixed {
			continue
		}
		approved := "2025-01-10"
		if id == "acceptable-use" {
			approved = "2024-06-01"
		}
		fmt.Fprintf(&b, "  - id: %s\n    title: %s policy\n    template: %s\n    versions:\n      - {version: 1, file: policies/%s-v1.md, approved_by: dana@c.example, approved_on: %s}\n", id, id, id, id, approved)
		if id == "acceptable-use" && fixed {
			b.WriteString("    reviews:\n      - {on: 2025-05-20, by: dana@c.example}\n")
		}
		os.WriteFile(filepath.Join(ws, "policies", id+"-v1.md"), []byte("# "+id+"\n\nThe text.\n"), 0o644)
		fmt.Fprintf(&acks, "  - {person: dana@c.example, policy: %s, version: 1, on: 2025-02-01}\n", id)
		if id != "access-control" || fixed {
			fmt.Fprintf(&acks, "  - {person: tom@c.example, policy: %s, version: 1, on: 2025-10-02}\n", id)
		}
	}
	b.WriteString("acknowledgements:\n" + acks.String())
	os.WriteFile(filepath.Join(ws, "workspace.yaml"), []byte(b.String()), 0o644)
	return ws
}

// Each workforce rule of `ward check` on a workspace built to trigger it,
// with the subject the issue sets, and none of them once it is fixed:
// policy.missing (164.316(a)), policy.review-overdue (164.316(b)(2)(iii)),
// policy.ack-overdue (164.316(b)(2)(ii)), training.overdue
// (164.308(a)(5)(i)), workforce.termination-open (164.308(a)(3)(ii)(C)).
func TestCFR164_316_CheckRulesOnBuiltAndFixedWorkspaces(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	type finding struct{ Rule, Severity, Subject, Message string }
	check := func(fixed bool) []finding {
		dir := t.TempDir()
		db := filepath.Join(dir, "ward.db")
		mustWard(t, db, "apply", "-f", workforceCase(t, dir, fixed))
		_, out, _ := ward(t, db, "check", "--as-of", "2025-11-20", "--format", "json")
		var res struct{ Findings []finding }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return res.Findings
	}
	got := map[string]finding{}
	for _, f := range check(false) {
		got[f.Rule+" "+f.Subject] = f
	}
	for _, c := range []struct{ key, severity, text string }{
		{"policy.missing sanctions", "warning", "sanctions"},
		{"policy.review-overdue acceptable-use", "warning", "2025-06-01"},
		{"policy.ack-overdue tom@c.example", "warning", "access-control) version 1"},
		{"training.overdue tom@c.example", "warning", "HIPAA awareness"},
		{"workforce.termination-open lee@c.example", "error", "ehr"},
	} {
		f, ok := got[c.key]
		if !ok {
			t.Errorf("no %s in %v", c.key, got)
			continue
		}
		if f.Severity != c.severity || !strings.Contains(f.Message, c.text) {
			t.Errorf("%s: %s %q, want %s naming %q", c.key, f.Severity, f.Message, c.severity, c.text)
		}
	}
	if f := got["workforce.termination-open lee@c.example"]; strings.Contains(f.Message, "wiki") {
		t.Errorf("the termination finding names a system without PHI: %s", f.Message)
	}
	for _, f := range check(true) {
		for _, r := range []string{"policy.missing", "policy.review-overdue", "policy.ack-overdue", "training.overdue", "workforce.termination-open"} {
			if f.Rule == r {
				t.Errorf("fixed workspace: still %s %s: %s", f.Rule, f.Subject, f.Message)
			}
		}
	}
}
