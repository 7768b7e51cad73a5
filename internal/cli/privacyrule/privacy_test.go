package privacyrule

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

const harborDir = "testdata/harbor"

// The request's whole life through the command line: logged, extended on
// day 29 (an extension on day 31 refused, and a second one), overdue the
// day after the extended deadline, closed; every step on the audit trail,
// and the export applies back unchanged.
func TestPrivacyCommands(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", harborDir)

	out := mustWard(t, db, "privacy", "add", "--kind", "access", "--received", "2027-01-16", "--reference", "log 14", "--handled-by", "Lena Ortiz")
	// 164.524(b)(2)(i): 30 days.
	if want := "logged par-2027-001 (right of access), received 2027-01-16: due 2027-02-15 (30 days, 45 CFR 164.524(b)(2)(i))\n"; out != want {
		t.Errorf("add:\n%s\nwant:\n%s", out, want)
	}

	// 164.524(b)(2)(ii): day 31 is past the time limit; nothing is written.
	code, _, errs := ward(t, db, "privacy", "extend", "par-2027-001", "--notified", "2027-02-16", "--reason", "archived off site")
	if code != cli.ExitBadInput || !strings.Contains(errs, "--notified (extension.notified): 2027-02-16 is day 31 after the request (received 2027-01-16): an extension must be given in writing within the 30-day time limit, by 2027-02-15") ||
		!strings.Contains(errs, "nothing was written") {
		t.Errorf("extend on day 31: exit %d\n%s", code, errs)
	}
	var hist RequestDetail
	if err := json.Unmarshal([]byte(mustWard(t, db, "privacy", "show", "par-2027-001", "--format", "json", "--as-of", "2027-02-16")), &hist); err != nil {
		t.Fatal(err)
	}
	if hist.Extension != nil || len(hist.History) != 1 || hist.Status != "overdue" {
		t.Errorf("after the refused extension: extension %+v, %d history entries, status %s; want none, 1 (create), overdue", hist.Extension, len(hist.History), hist.Status)
	}

	out = mustWard(t, db, "privacy", "extend", "par-2027-001", "--notified", "2027-02-14", "--reason", "records before 2019 are archived off site")
	if !strings.Contains(out, "extended par-2027-001: given in writing on 2027-02-14 (day 29 of 30), due 2027-03-17 instead of 2027-02-15") {
		t.Errorf("extend on day 29: %s", out)
	}
	if code, _, errs := ward(t, db, "privacy", "extend", "par-2027-001", "--notified", "2027-02-15", "--reason", "more"); code != cli.ExitBadInput || !strings.Contains(errs, "only one extension") {
		t.Errorf("a second extension: exit %d %s", code, errs)
	}

	// The day after the extended deadline: ward check fails naming it.
	code, out, _ = ward(t, db, "check", "--as-of", "2027-03-18", "--format", "json")
	var res struct {
		OK       bool
		Findings []struct{ Rule, Severity, Subject string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	found := false
	for _, f := range res.Findings {
		found = found || (f.Rule == "privacy.request-overdue" && f.Severity == "error" && f.Subject == "par-2027-001")
	}
	if code != cli.ExitFindings || res.OK || !found {
		t.Errorf("check the day after the extended deadline: exit %d, %+v", code, res)
	}
	if code, _, _ := ward(t, db, "check", "--as-of", "2027-03-17"); code != 0 {
		t.Errorf("check on the extended deadline: exit %d, want 0", code)
	}

	// A denial needs its ground (164.524(d)(2)).
	if code, _, errs := ward(t, db, "privacy", "close", "par-2027-001", "--outcome", "denied", "--completed", "2027-03-01"); code != cli.ExitBadInput || !strings.Contains(errs, "--ground (denial): is missing") {
		t.Errorf("close denied without a ground: exit %d %s", code, errs)
	}
	out = mustWard(t, db, "privacy", "close", "par-2027-001", "--outcome", "partly-granted", "--completed", "2027-03-01",
		"--ground", "psychotherapy-notes", "--rights-stated", "--format-provided", "PDF", "--fee", "6.50", "--fee-basis", "flat fee for an electronic copy")
	if !strings.Contains(out, "closed par-2027-001: partly-granted on 2027-03-01 (day 44), on time") {
		t.Errorf("close: %s", out)
	}
	if code, out, _ := ward(t, db, "check", "--as-of", "2027-04-01"); code != 0 {
		t.Errorf("check after closing: exit %d\n%s", code, out)
	}

	// An accounting shows the six years it covers (164.528(a)(1)).
	mustWard(t, db, "privacy", "add", "--kind", "accounting", "--received", "2027-03-15", "--as-of", "2027-03-15")
	var acc RequestDetail
	if err := json.Unmarshal([]byte(mustWard(t, db, "privacy", "show", "acc-2027-001", "--format", "json", "--as-of", "2027-03-20")), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Window == nil || acc.Window.From.String() != "2021-03-15" || acc.Window.To.String() != "2027-03-14" || acc.Due.String() != "2027-05-14" {
		t.Errorf("accounting: window %+v, due %s", acc.Window, acc.Due)
	}
	text := mustWard(t, db, "privacy", "list", "--as-of", "2027-03-20")
	if !strings.Contains(text, "1 open (0 overdue, 0 due within 5 days)") || !strings.Contains(text, "acc-2027-001") {
		t.Errorf("list:\n%s", text)
	}

	mustWard(t, db, "privacy", "complaint", "add", "--summary", "diagnosis discussed at the front desk", "--received", "2027-02-01")
	if code, _, errs := ward(t, db, "privacy", "complaint", "close", "cmp-2027-001", "--outcome", "upheld"); code != cli.ExitBadInput || !strings.Contains(errs, `"upheld" is not one of substantiated, not-substantiated, withdrawn`) {
		t.Errorf("complaint close with a bad outcome: exit %d %s", code, errs)
	}
	mustWard(t, db, "privacy", "complaint", "close", "cmp-2027-001", "--outcome", "substantiated", "--disposition", "staff retrained", "--resolved", "2027-02-20")
	if out := mustWard(t, db, "privacy", "complaints", "--as-of", "2027-03-01"); !strings.Contains(out, "cmp-2027-001") || !strings.Contains(out, "resolved 2027-02-20") {
		t.Errorf("complaints:\n%s", out)
	}
	mustWard(t, db, "privacy", "notice", "add", "--version", "2027-1", "--effective", "2027-04-01", "--posted", "waiting room, patient portal")
	if out := mustWard(t, db, "privacy", "notice", "--as-of", "2027-03-20"); !strings.Contains(out, "version 2026-1, effective 2026-03-01") || !strings.Contains(out, "Next version: 2027-1, effective 2027-04-01") {
		t.Errorf("notice:\n%s", out)
	}

	// Every change is audited, and the export applies back unchanged.
	mustWard(t, db, "audit", "verify")
	exp := filepath.Join(dir, "export")
	mustWard(t, db, "export", "-o", exp)
	if out := mustWard(t, db, "apply", "-f", exp); !strings.Contains(out, "no changes") {
		t.Errorf("apply of the export: %s", out)
	}
}
