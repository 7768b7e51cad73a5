package risks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/risk"
)

// wardIn is ward with standard input, for the questionnaire.
func wardIn(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--db", "sqlite:" + db}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// state is what a failed command must leave as it was: the number of
// audit entries (every write appends one) and the risk ids.
func state(t *testing.T, db string) string {
	t.Helper()
	var v struct{ Organizations []struct{ Entries int64 } }
	if err := json.Unmarshal([]byte(mustWard(t, db, "audit", "verify", "--format", "json")), &v); err != nil || len(v.Organizations) != 1 {
		t.Fatalf("audit verify json: %v", err)
	}
	var reg struct {
		Risks []struct{ Risk struct{ ID string } }
	}
	json.Unmarshal([]byte(mustWard(t, db, "risk", "list", "--format", "json", "--as-of", "2026-11-23")), &reg)
	ids := []string{}
	for _, r := range reg.Risks {
		ids = append(ids, r.Risk.ID)
	}
	raw, _ := json.Marshal(map[string]any{"audit": v.Organizations[0].Entries, "risks": ids})
	return string(raw)
}

type shownRisk struct {
	Risk struct {
		ID, Analysis, Asset, Treatment, Owner, Due string
		AcceptedBy                                 string `json:"accepted_by"`
		AcceptedOn                                 string `json:"accepted_on"`
		AcceptanceReason                           string `json:"acceptance_reason"`
		Notes                                      string
		Controls                                   []string
	}
	Inherent, Residual string
	Controls           []struct{ ID, Title string }
	History            []struct {
		Action, Actor string
		Fields        []string
	}
}

func showRisk(t *testing.T, db, id string) shownRisk {
	t.Helper()
	var s shownRisk
	out := mustWard(t, db, "risk", "show", id, "--format", "json")
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("risk show json: %v\n%s", err, out)
	}
	return s
}

func TestRiskAddShowAccept(t *testing.T) {
	db := demoDB(t)
	out := mustWard(t, db, "risk", "add", "--as-of", "2026-11-23", "--asset", "warehouse", "--threat", "ransomware",
		"--vulnerability", "backups-not-isolated", "--likelihood", "4", "--impact", "5", "--residual-likelihood", "2",
		"--controls", "backup", "--owner", "Raj Patel", "--due", "2027-02-01")
	// 4×5 = 20 is critical and 2×5 = 10 high on the default matrix.
	if want := "added r-warehouse-ransomware to ra-2026: inherent critical (4×5), residual high (2×5)"; !strings.Contains(out, want) {
		t.Fatalf("risk add printed %q, want %q", out, want)
	}
	s := showRisk(t, db, "r-warehouse-ransomware")
	if s.Risk.Analysis != "ra-2026" || s.Risk.Owner != "raj@acme-health.example" || s.Risk.Due != "2027-02-01" || s.Inherent != "critical" || s.Residual != "high" {
		t.Errorf("shown %+v", s)
	}
	if len(s.Controls) != 1 || s.Controls[0].ID != "backup" || s.Controls[0].Title == "backup" {
		t.Errorf("controls %+v, want backup with its catalog title", s.Controls)
	}
	if len(s.History) != 1 || s.History[0].Action != "create" || s.History[0].Actor != "test" {
		t.Errorf("history %+v, want one create by test", s.History)
	}
	text := mustWard(t, db, "risk", "show", "r-warehouse-ransomware")
	for _, want := range []string{"inherent       critical (likelihood 4 × impact 5 = 20)", "residual       high (likelihood 2 × impact 5 = 10)", "create by test"} {
		if !strings.Contains(text, want) {
			t.Errorf("risk show lacks %q:\n%s", want, text)
		}
	}

	mustWard(t, db, "risk", "accept", "r-warehouse-ransomware", "--by", "raj@acme-health.example", "--reason", "Restores are tested monthly; the rest costs more than the harm.", "--as-of", "2026-11-24")
	s = showRisk(t, db, "r-warehouse-ransomware")
	if s.Risk.Treatment != "accept" || s.Risk.AcceptedBy != "raj@acme-health.example" || s.Risk.AcceptedOn != "2026-11-24" || !strings.HasPrefix(s.Risk.AcceptanceReason, "Restores are tested") {
		t.Errorf("after accept: %+v", s.Risk)
	}
	if len(s.History) != 2 || s.History[1].Action != "update" || !slices.Contains(s.History[1].Fields, "accepted_by") {
		t.Errorf("history %+v, want the acceptance as an update naming accepted_by", s.History)
	}
	if code, out, errs := ward(t, db, "audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %d %s%s", code, out, errs)
	}
}

func TestRiskBadInputExitsTwoNamingTheFieldAndWritesNothing(t *testing.T) {
	db := demoDB(t)
	ok := []string{"risk", "add", "--as-of", "2026-11-23", "--asset", "warehouse", "--threat", "ransomware", "--vulnerability", "x", "--likelihood", "3", "--impact", "3", "--due", "2027-01-01"}
	with := func(flag, value string) []string {
		args := slices.Clone(ok)
		if i := slices.Index(args, flag); i >= 0 {
			args[i+1] = value
			return args
		}
		return append(args, flag, value)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"likelihood out of scale", with("--likelihood", "9"), "--likelihood (likelihood): 9 is outside the scale 1..5"},
		{"unknown asset", with("--asset", "nope"), `--asset (asset): "nope" is not a system id`},
		{"bad due date", with("--due", "2027-02-30"), "--due: "},
		{"mitigate without due", with("--due", ""), "--due (due): is required"},
		{"unknown owner", with("--owner", "Nobody"), `--owner "Nobody" is not anyone under people`},
		{"unknown control", with("--controls", "backup,warp-drive"), `--controls (controls[1]): "warp-drive"`},
		{"bad treatment", with("--treatment", "ignore"), `--treatment (treatment): "ignore" is not one of`},
		{"accept without reason", with("--treatment", "accept"), "--accepted-by (accepted_by): is required"},
		{"id taken", with("--id", "r-ransomware"), `--id (id): "r-ransomware" is already a risk`},
		{"unknown analysis", with("--analysis", "ra-1999"), `--analysis (analysis): "ra-1999"`},
		{"accept needs a reason", []string{"risk", "accept", "r-ransomware", "--by", "raj@acme-health.example"}, "--reason: "},
		{"accept by a stranger", []string{"risk", "accept", "r-ransomware", "--by", "Mallory", "--reason", "x"}, `--by "Mallory"`},
		{"accept an unknown risk", []string{"risk", "accept", "r-nope", "--by", "Raj Patel", "--reason", "x"}, `no risk "r-nope"`},
		{"show an unknown risk", []string{"risk", "show", "r-nope"}, `no risk "r-nope"`},
	}
	before := state(t, db)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := ward(t, db, c.args...)
			if code != cli.ExitBadInput {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errs)
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr does not name the field (%q):\n%s", c.want, errs)
			}
			if c.args[1] != "show" && !strings.Contains(errs, "nothing was written") {
				t.Errorf("stderr does not say nothing was written:\n%s", errs)
			}
			if after := state(t, db); after != before {
				t.Errorf("something was written: %s → %s", before, after)
			}
		})
	}
}

// answersFor is the piped input for the questionnaire: "y" to every
// question except those in give, in questionnaire order.
func answersFor(give map[string]string) string {
	var b strings.Builder
	for _, q := range risk.Questionnaire() {
		a, ok := give[q.ID]
		if !ok {
			a = "y"
		}
		b.WriteString(a + "\n")
	}
	return b.String()
}

func TestRiskQuestionnairePiped(t *testing.T) {
	db := demoDB(t)
	give := map[string]string{
		"pol-activity-review": "perhaps\nn", // unclear: asked again
		"data-audit-logs":     "d",          // same threat and vulnerability: merged
		"ven-baa":             "don't know",
		"con-backup":          "no",
	}
	before := state(t, db)

	// --dry-run --format json: the proposals, nothing written.
	code, out, errs := wardIn(t, db, answersFor(give), "risk", "questionnaire", "--asset", "warehouse", "--as-of", "2026-11-23", "--dry-run", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, `"perhaps" is not an answer`) || !strings.Contains(errs, "(45 CFR 164.308(a)(1)(ii)(D))") || !strings.Contains(errs, "== Contingency ==") {
		t.Errorf("the prompts (on stderr with --format json) lack the re-ask, a citation or a section:\n%.2000s", errs)
	}
	var res struct {
		Analysis  string
		Proposals []struct {
			Risk struct {
				ID, Asset, Threat, Vulnerability, Due, Owner string
				Likelihood, Impact                           int
			}
			Inherent  string
			Citations []string
		}
		Created []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	type want struct {
		id, threat, vuln string
		l, i             int
		citations        []string
	}
	wants := []want{
		// 164.308(a)(1)(ii)(D) information system activity review and
		// 164.312(b) audit controls: one risk, the higher scores.
		{"q-pol-activity-review-warehouse", "insider-snooping", "no-log-review", 4, 4, []string{"164.308(a)(1)(ii)(D)", "164.312(b)"}},
		// 164.308(b)(1) business associate contracts; "don't know"
		// raises the suggested likelihood 3 by one.
		{"q-ven-baa-warehouse", "vendor-breach", "no-baa", 4, 5, []string{"164.308(b)(1)"}},
		// 164.308(a)(7)(ii)(A) data backup plan.
		{"q-con-backup-warehouse", "ransomware", "backups-not-isolated", 4, 5, []string{"164.308(a)(7)(ii)(A)"}},
	}
	if len(res.Proposals) != len(wants) {
		t.Fatalf("%d proposals, want %d: %s", len(res.Proposals), len(wants), out)
	}
	for i, w := range wants {
		p := res.Proposals[i]
		if p.Risk.ID != w.id || p.Risk.Asset != "warehouse" || p.Risk.Threat != w.threat || p.Risk.Vulnerability != w.vuln ||
			p.Risk.Likelihood != w.l || p.Risk.Impact != w.i || !slices.Equal(p.Citations, w.citations) {
			t.Errorf("proposal %d = %+v, want %+v", i, p, w)
		}
		// Default owner: the security officer; due: 90 days on.
		if p.Risk.Owner != "raj@acme-health.example" || p.Risk.Due != "2027-02-21" {
			t.Errorf("proposal %d owner %q due %q", i, p.Risk.Owner, p.Risk.Due)
		}
	}
	if res.Analysis != "ra-2026" || len(res.Created) != 0 {
		t.Errorf("dry run: analysis %s created %v", res.Analysis, res.Created)
	}
	if after := state(t, db); after != before {
		t.Fatalf("--dry-run wrote: %s → %s", before, after)
	}

	// Declining the confirmation writes nothing either.
	code, out, errs = wardIn(t, db, answersFor(give)+"n\n", "risk", "questionnaire", "--asset", "warehouse", "--as-of", "2026-11-23")
	if code != 0 || !strings.Contains(out, "Add these 3 risks to ra-2026? [y/n]") || !strings.Contains(out, "Nothing was written.") {
		t.Fatalf("declined: exit %d\n%s%s", code, out, errs)
	}
	if after := state(t, db); after != before {
		t.Fatalf("declining wrote: %s → %s", before, after)
	}

	// Confirmed: the three risks are in the register, each citing its
	// section, and the warehouse is no longer uncovered.
	code, out, errs = wardIn(t, db, answersFor(give)+"y\n", "risk", "questionnaire", "--asset", "warehouse", "--as-of", "2026-11-23")
	if code != 0 || !strings.Contains(out, "Added 3 risks to ra-2026") {
		t.Fatalf("confirmed: exit %d\n%s%s", code, out, errs)
	}
	for _, w := range wants {
		s := showRisk(t, db, w.id)
		for _, c := range w.citations {
			if !strings.Contains(s.Risk.Notes, c) {
				t.Errorf("%s notes %q lack the citation %s", w.id, s.Risk.Notes, c)
			}
		}
	}
	_, chk, _ := ward(t, db, "check", "--as-of", "2026-11-23")
	if strings.Contains(chk, "risk.coverage warehouse") {
		t.Errorf("warehouse still uncovered after the questionnaire:\n%s", chk)
	}

	// Input that ends early: exit 2, nothing written.
	mid := state(t, db)
	code, _, errs = wardIn(t, db, "y\nn\n", "risk", "questionnaire", "--asset", "warehouse", "--as-of", "2026-11-23", "--yes")
	if code != cli.ExitBadInput || !strings.Contains(errs, "no answer to question 3") {
		t.Errorf("short input: exit %d %s", code, errs)
	}
	if after := state(t, db); after != mid {
		t.Errorf("short input wrote: %s → %s", mid, after)
	}
}

func TestRiskAnalysisNewCarriesOverAndDiffs(t *testing.T) {
	db := demoDB(t)
	var list struct {
		Risks []struct {
			Risk struct{ ID, Treatment, Completed string }
		}
	}
	json.Unmarshal([]byte(mustWard(t, db, "risk", "list", "--format", "json", "--as-of", "2026-11-23")), &list)
	open := 0
	for _, r := range list.Risks {
		if !(r.Risk.Treatment == "avoid" && r.Risk.Completed != "") {
			open++
		}
	}
	out := mustWard(t, db, "risk", "analysis", "new", "--as-of", "2027-07-20", "--approved-by", "Raj Patel", "--format", "json")
	var res struct {
		Analysis struct {
			ID, Previous, Performed string
			ApprovedBy              string `json:"approved_by"`
		}
		Carried []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	if res.Analysis.ID != "ra-2027" || res.Analysis.Previous != "ra-2026" || res.Analysis.Performed != "2027-07-20" || res.Analysis.ApprovedBy != "raj@acme-health.example" {
		t.Errorf("new analysis %+v", res.Analysis)
	}
	if len(res.Carried) != open || open == 0 {
		t.Errorf("carried %d risks, want the %d open ones of ra-2026", len(res.Carried), open)
	}
	diff := mustWard(t, db, "risk", "diff", "--as-of", "2027-07-20")
	if !strings.HasPrefix(diff, "ra-2026 → ra-2027: 0 added,") || !strings.Contains(diff, "0 changed") {
		t.Errorf("diff right after carrying over:\n%s", diff)
	}
	// Starting the same analysis again is refused.
	if code, _, errs := ward(t, db, "risk", "analysis", "new", "--as-of", "2027-07-20", "--id", "ra-2027", "--from", "ra-2026"); code != cli.ExitBadInput || !strings.Contains(errs, "--id") {
		t.Errorf("second ra-2027: exit %d %s", code, errs)
	}
}

func TestRiskLibraries(t *testing.T) {
	db := demoDB(t)
	for cmd, want := range map[string]string{"threats": "ransomware", "vulnerabilities": "backups-not-isolated"} {
		out := mustWard(t, db, "risk", cmd)
		if !strings.Contains(out, want) {
			t.Errorf("ward risk %s lacks %s", cmd, want)
		}
		var lib []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(mustWard(t, db, "risk", cmd, "--format", "json")), &lib); err != nil || len(lib) < 10 {
			t.Errorf("ward risk %s --format json: %v, %d entries", cmd, err, len(lib))
		}
	}
}

// The demo's own threat and vulnerability (examples/acme-health/threats.yaml)
// sit after the embedded library, marked own; a risk that names them gets
// their titles and suggested controls, and the report lists them as the
// organization's.
func TestOwnRiskLibraryEntries(t *testing.T) {
	db := demoDB(t)
	var ts []struct {
		ID, Title, Category string
		Controls            []string
		Own                 bool
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "risk", "threats", "--format", "json")), &ts); err != nil {
		t.Fatal(err)
	}
	last := ts[len(ts)-1]
	if last.ID != "llm-subprocessor-disclosure" || !last.Own || last.Category != "accidental" || ts[0].Own {
		t.Errorf("threats: first %+v, last %+v", ts[0], last)
	}
	if out := mustWard(t, db, "risk", "vulnerabilities"); !regexp.MustCompile(`(?m)^llm-api-without-baa .* own$`).MatchString(out) {
		t.Errorf("ward risk vulnerabilities does not list the own entry as own:\n%s", out)
	}
	var d struct {
		ThreatTitle        string                `json:"threat_title"`
		VulnerabilityTitle string                `json:"vulnerability_title"`
		SuggestedControls  []struct{ ID string } `json:"suggested_controls"`
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "risk", "show", "r-ai-no-baa", "--format", "json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.ThreatTitle != "Impermissible disclosure to an AI subprocessor" || d.VulnerabilityTitle != "Visit transcripts sent to an LLM API without a BAA" {
		t.Errorf("titles of r-ai-no-baa: %+v", d)
	}
	if !slices.ContainsFunc(d.SuggestedControls, func(c struct{ ID string }) bool { return c.ID == "ai-summary-signoff" }) {
		t.Errorf("suggested controls of r-ai-no-baa lack the own threat's ai-summary-signoff: %+v", d.SuggestedControls)
	}
	md := filepath.Join(t.TempDir(), "ra.md")
	mustWard(t, db, "report", "risk-analysis", "-o", md)
	b, _ := os.ReadFile(md)
	if !regexp.MustCompile(`Impermissible disclosure to an AI subprocessor.*organization`).Match(b) {
		t.Errorf("the report's threats considered lack the own threat as the organization's")
	}
}

// The approval of an analysis is recorded after its review, once, by a
// person listed under people, and audited.
func TestRiskAnalysisApprove(t *testing.T) {
	db := demoDB(t)
	mustWard(t, db, "risk", "analysis", "new", "--as-of", "2027-07-20")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ra-2027"}, "--by"},
		{[]string{"ra-2099", "--by", "raj@acme-health.example"}, "not a risk analysis"},
		{[]string{"ra-2027", "--by", "nobody@example.com"}, "--by"},
	} {
		before := fileHash(t, db)
		if code, _, errs := ward(t, db, append([]string{"risk", "analysis", "approve"}, c.args...)...); code != cli.ExitBadInput || !strings.Contains(errs, c.want) {
			t.Errorf("approve %v: exit %d %s", c.args, code, errs)
		}
		if fileHash(t, db) != before {
			t.Errorf("approve %v changed the database", c.args)
		}
	}
	out := mustWard(t, db, "risk", "analysis", "approve", "ra-2027", "--by", "maria@acme-health.example", "--format", "json")
	var ra struct {
		ID         string
		ApprovedBy string `json:"approved_by"`
	}
	if err := json.Unmarshal([]byte(out), &ra); err != nil || ra.ApprovedBy != "maria@acme-health.example" {
		t.Fatalf("approve: %v %s", err, out)
	}
	if code, _, errs := ward(t, db, "risk", "analysis", "approve", "ra-2027", "--by", "raj@acme-health.example"); code != cli.ExitBadInput || !strings.Contains(errs, "already approved by maria@acme-health.example") {
		t.Errorf("a second approver: exit %d %s", code, errs)
	}
	if log := mustWard(t, db, "audit", "log", "--limit", "1"); !strings.Contains(log, "risk_analysis") || !strings.Contains(log, "ra-2027") {
		t.Errorf("the approval is not the last audit entry:\n%s", log)
	}
}
