package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// The organizations and incidents of issue 14's regulatory audit, each
// written from the CFR text, run through the command line as a user
// would: ward apply, then the report commands in text and JSON.

// writeWorkspace writes one workspace file and returns its folder.
func writeWorkspace(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "workspace.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	// The signed copies the workspaces keep (signed/ID.txt).
	if err := os.MkdirAll(filepath.Join(dir, "signed"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"baa-aws", "baa-harbor"} {
		if err := os.WriteFile(filepath.Join(dir, "signed", id+".txt"), []byte("signed "+id+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// reviewed is the short form of a clause review that finds every clause
// of the BAA checklist present.
const reviewed = "[permitted-uses, no-further-disclosure, safeguards, security-rule-compliance, report-improper-disclosures, report-security-incidents, subcontractor-flow-down, subcontractor-security-flow-down, individual-access, amendment, accounting-of-disclosures, covered-entity-obligations, hhs-access-to-books, return-or-destroy, termination-for-breach]"

// applied applies the workspace into a fresh database and returns it.
func applied(t *testing.T, yaml string) string {
	t.Helper()
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", writeWorkspace(t, yaml))
	return db
}

// baWithoutAgreement is a business associate with a documented risk
// analysis, its officers, one encrypted PHI system under a downstream
// BAA, and one covered-entity customer with no agreement of any kind.
// goLive is the customer's extra lines (live_phi, go_live).
func baWithoutAgreement(goLive string) string {
	return `organization:
  name: Brightside Telehealth
  roles: [business-associate]
  program_start: 2026-09-01
  answers: {handles_phi: true, sells_to_covered_entities: true, enterprise_health_systems: false, buyers_ask_soc2: false}
  officers: {privacy: ana@brightside.example, security: ana@brightside.example}
people:
  - email: ana@brightside.example
systems:
  - {id: visit-api, kind: service, vendor: aws, phi: true, live_phi: false, encrypted_at_rest: true, owner: ana@brightside.example}
  - {id: visit-db, kind: datastore, vendor: aws, phi: true, live_phi: false, encrypted_at_rest: true, owner: ana@brightside.example}
flows:
  - {from: visit-api, to: visit-db, phi: true, encrypted_in_transit: true}
vendors:
  - {id: aws, name: Amazon Web Services}
agreements:
  - {id: baa-aws, kind: baa, counterparty: aws, direction: downstream, status: executed, effective: 2026-09-10, file: signed/baa-aws.txt, clauses: ` + reviewed + `}
customers:
  - id: harbor-clinic
    name: Harbor Family Clinic
    covered_entity: true
` + goLive + `risk_analyses:
  - {id: ra-2026, performed: 2026-10-01}
risks:
  - {id: r-api, analysis: ra-2026, asset: visit-api, threat: ransomware, vulnerability: unpatched-software, likelihood: 3, impact: 4, treatment: mitigate}
  - {id: r-db, analysis: ra-2026, asset: visit-db, threat: ransomware, vulnerability: unpatched-software, likelihood: 3, impact: 4, treatment: mitigate}
`
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

type planJSON struct {
	Milestones []struct {
		ID, Status, Reason, Title string
	} `json:"milestones"`
	Gates []struct {
		ID     string
		Open   bool
		Reason string
	} `json:"gates"`
	Frameworks []struct {
		ID      string
		Applies bool
		Reason  string
	} `json:"frameworks"`
}

func (p planJSON) milestone(id string) (status, reason string, ok bool) {
	for _, m := range p.Milestones {
		if m.ID == id {
			return m.Status, m.Reason, true
		}
	}
	return "", "", false
}

func runPlan(t *testing.T, db, asOf string) planJSON {
	t.Helper()
	var p planJSON
	out := mustWard(t, db, "plan", "--as-of", asOf, "--format", "json")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCFR164_502e_GateClosedWithoutBAA: a business associate may not
// receive a covered entity's PHI before a BAA is in force
// (45 CFR 164.502(e)(1)-(2), 164.504(e)). Brightside has its risk
// analysis and one covered-entity customer, Harbor Family Clinic, with no
// agreement of any kind. Whatever live_phi says, execute-baas stays open
// and the plan's live-PHI gate closed. ward check warns while the clinic
// is merely signed up, and fails (exit 1) once it is about to go live
// (go_live within 30 days, or past) or live.
func TestCFR164_502e_GateClosedWithoutBAA(t *testing.T) {
	const asOf = "2026-11-20"
	cases := []struct {
		name     string
		customer string
		exit     int
		severity string
		blocked  bool
	}{
		{"signed up: a warning", "    live_phi: false\n", 0, "warning", false},
		{"go-live in 45 days: still a warning", "    live_phi: false\n    go_live: 2027-01-04\n", 0, "warning", false},
		{"about to go live (in 12 days): an error", "    live_phi: false\n    go_live: 2026-12-02\n", cli.ExitFindings, "error", true},
		{"live: an error", "    live_phi: true\n", cli.ExitFindings, "error", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := applied(t, baWithoutAgreement(c.customer))
			code, out, errs := ward(t, db, "check", "--as-of", asOf, "--format", "json")
			if code != c.exit {
				t.Fatalf("ward check exit %d, want %d\n%s%s", code, c.exit, out, errs)
			}
			var res checkJSON
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Rule == "policy.missing" {
					continue // Brightside has written no policies yet: another warning, not this test's subject
				}
				got = append(got, f.Severity+" "+f.Rule+" "+f.Subject)
				if f.Rule == "baa.upstream.missing" && !strings.Contains(f.Message, "164.502(e)") {
					t.Errorf("message does not cite 164.502(e): %s", f.Message)
				}
			}
			if want := c.severity + " baa.upstream.missing harbor-clinic"; len(got) != 1 || got[0] != want {
				t.Errorf("findings %q, want [%s]", got, want)
			}
			if res.OK != (c.exit == 0) {
				t.Errorf("ok %v", res.OK)
			}
			if blocked := len(res.Blocked) == 1 && res.Blocked[0].Subject == "harbor-clinic"; blocked != c.blocked {
				t.Errorf("blocked %+v, want harbor-clinic blocked: %v", res.Blocked, c.blocked)
			}

			p := runPlan(t, db, asOf)
			st, reason, ok := p.milestone("execute-baas")
			if !ok || st == "done" {
				t.Errorf("execute-baas is %q, want not done: %s", st, reason)
			}
			if !strings.Contains(reason, "baa.upstream.missing harbor-clinic") {
				t.Errorf("execute-baas does not name the missing BAA: %s", reason)
			}
			if len(p.Gates) != 1 || p.Gates[0].Open {
				t.Errorf("live-PHI gate %+v, want closed", p.Gates)
			}
			text := mustWard(t, db, "plan", "--as-of", asOf)
			if !strings.Contains(text, "Live PHI: closed") || strings.Contains(text, "real PHI may go live") {
				t.Errorf("ward plan text does not show the gate closed:\n%s", text)
			}
		})
	}

	// With the BAA executed the same organization passes and the gate opens.
	db := applied(t, strings.Replace(baWithoutAgreement("    live_phi: false\n    go_live: 2026-12-02\n"),
		"agreements:\n", "agreements:\n  - {id: baa-harbor, kind: baa, counterparty: harbor-clinic, direction: upstream, status: executed, effective: 2026-11-15, file: signed/baa-harbor.txt, clauses: "+reviewed+"}\n", 1))
	if code, out, errs := ward(t, db, "check", "--as-of", asOf); code != 0 {
		t.Fatalf("with the BAA executed: exit %d\n%s%s", code, out, errs)
	}
	p := runPlan(t, db, asOf)
	if st, reason, _ := p.milestone("execute-baas"); st != "done" {
		t.Errorf("execute-baas %s with the BAA executed: %s", st, reason)
	}
	if len(p.Gates) != 1 || !p.Gates[0].Open {
		t.Errorf("gate %+v, want open", p.Gates)
	}
}

// customers go_live is validated like every date (file:line:field, exit
// 2, nothing written) and survives export and apply.
func TestCustomerGoLiveValidatesAndRoundTrips(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	bad := writeWorkspace(t, baWithoutAgreement("    go_live: 2026-02-30\n"))
	code, _, errs := ward(t, db, "apply", "-f", bad)
	if code != cli.ExitBadInput || !strings.Contains(errs, "workspace.yaml:22: customers[0].go_live") || !strings.Contains(errs, "no such day") {
		t.Fatalf("bad go_live: exit %d\n%s", code, errs)
	}
	good := writeWorkspace(t, baWithoutAgreement("    go_live: 2026-12-02\n"))
	mustWard(t, db, "apply", "-f", good)
	out := t.TempDir()
	mustWard(t, db, "export", "-o", out)
	b, err := os.ReadFile(filepath.Join(out, "customers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "go_live: 2026-12-02") {
		t.Errorf("export lost go_live:\n%s", b)
	}
	if got := mustWard(t, db, "apply", "-f", out); !strings.Contains(got, "no changes") {
		t.Errorf("apply of the export changed something:\n%s", got)
	}
}

// harborview is a covered entity that also runs another practice's patient
// portal as its business associate, with an incident in each capacity.
const harborview = `organization:
  name: Harborview Medical Group
  roles: [covered-entity, business-associate]
  officers: {privacy: lee@harborview.example, security: lee@harborview.example}
people:
  - {email: lee@harborview.example, name: Lee Okafor}
customers:
  - {id: northside, name: Northside Pediatrics, covered_entity: true, live_phi: true}
agreements:
  - {id: baa-northside, kind: baa, counterparty: northside, direction: upstream, status: executed, effective: 2026-01-01, breach_notice_days: 15}
incidents:
  - id: inc-portal
    discovered: 2027-03-01
    summary: portal session bug exposed other patients' records
    customers: [northside]
    phi_involved: true
    individuals: 1200
    states: {WA: 1200}
  - id: inc-own
    discovered: 2027-03-01
    summary: our own clinic's appointment list e-mailed to the wrong list
    held_as: covered-entity
    phi_involved: true
    individuals: 40
`

// TestCFR164_410_DualRoleThroughTheCommandLine: ward breach deadlines, in
// text and JSON, answers the clinic's PHI with the notice to the clinic
// only (164.410), and the group's own patients' PHI with its own notices
// (164.404, 164.408); the drafts follow.
func TestCFR164_410_DualRoleThroughTheCommandLine(t *testing.T) {
	db := applied(t, harborview)
	var r struct {
		HeldAs        string `json:"held_as"`
		Notifications []struct {
			To, Due, Customer string
		} `json:"notifications"`
	}
	out := mustWard(t, db, "breach", "deadlines", "inc-portal", "--as-of", "2027-03-01", "--format", "json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.HeldAs != "business-associate" || len(r.Notifications) != 1 || r.Notifications[0].To != "covered-entity" || r.Notifications[0].Customer != "northside" || r.Notifications[0].Due != "2027-03-16" {
		t.Errorf("the client's PHI: %+v, want only the notice to northside by 2027-03-16 (BAA: 15 days)", r)
	}
	text := mustWard(t, db, "breach", "deadlines", "inc-portal", "--as-of", "2027-03-01")
	// The notice to individuals is the covered entity's: listed only
	// as what it must then do (information), not as ours.
	ours, chain, _ := strings.Cut(text, "What each covered entity must then do itself")
	if !strings.Contains(ours, "PHI held as: business associate") || strings.Contains(ours, "affected individuals") || !strings.Contains(chain, "northside       the affected individuals") {
		t.Errorf("text:\n%s", text)
	}
	if draft := mustWard(t, db, "breach", "deadlines", "inc-portal", "--draft", "individuals"); !strings.Contains(draft, "not this organization's to give") {
		t.Errorf("the individuals draft of the client's breach:\n%s", draft)
	}
	out = mustWard(t, db, "breach", "deadlines", "inc-own", "--as-of", "2027-03-01", "--format", "json")
	r.Notifications = nil
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range r.Notifications {
		got = append(got, n.To)
	}
	if r.HeldAs != "covered-entity" || strings.Join(got, ",") != "individuals,hhs-annual-log" {
		t.Errorf("own patients: held as %s, notices %v", r.HeldAs, got)
	}
}

// The new fields are validated like the others: FILE:LINE: FIELD, exit 2,
// nothing written.
func TestIncidentCapacityAndAgencyFieldsValidate(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	cases := []struct {
		name, edit, want string
	}{
		{"held_as must match a declared role",
			strings.Replace(harborview, "roles: [covered-entity, business-associate]", "roles: [business-associate]", 1),
			"workspace.yaml:22: incidents[1].held_as: covered-entity: the organization does not declare the covered-entity role"},
		{"held_as is one of two capacities",
			strings.Replace(harborview, "held_as: covered-entity", "held_as: clinic", 1),
			`workspace.yaml:22: incidents[1].held_as: "clinic" is not one of covered-entity, business-associate`},
		{"key_compromised goes with encrypted",
			strings.Replace(harborview, "    individuals: 40\n", "    individuals: 40\n    key_compromised: false\n", 1),
			"workspace.yaml:25: incidents[1].key_compromised: is about the encryption key, but encrypted is false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ward.db")
			code, out, errs := ward(t, db, "apply", "-f", writeWorkspace(t, c.edit))
			if code != cli.ExitBadInput || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, want 2 and %q\n%s%s", code, c.want, out, errs)
			}
		})
	}
	// notifies_on_behalf on a downstream BAA.
	ws := strings.Replace(harborview, "agreements:\n", "vendors:\n  - {id: aws}\nagreements:\n  - {id: baa-aws, kind: baa, counterparty: aws, direction: downstream, status: executed, effective: 2026-01-01, notifies_on_behalf: true}\n", 1)
	code, _, errs := ward(t, filepath.Join(t.TempDir(), "ward.db"), "apply", "-f", writeWorkspace(t, ws))
	if code != cli.ExitBadInput || !strings.Contains(errs, "agreements[0].notifies_on_behalf: is read on an upstream BAA only") {
		t.Errorf("downstream notifies_on_behalf: exit %d\n%s", code, errs)
	}
}
