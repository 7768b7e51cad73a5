package cli_test

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

// `ward check` as a CI step (issue 5 item 3): a stray word before the flags
// would make Go's flag parsing stop there and gate on today's date with
// text output, so it is bad input (exit 2) and nothing is gated.
func TestCheckRejectsStrayArguments(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	for _, args := range [][]string{
		{"check", "examples/acme-health"},
		{"check", "now", "--as-of", "2026-11-23", "--format", "json"},
	} {
		code, out, errs := ward(t, db, args...)
		if code != cli.ExitBadInput {
			t.Errorf("ward %v: exit %d, want %d", args, code, cli.ExitBadInput)
		}
		if out != "" {
			t.Errorf("ward %v printed findings on bad input:\n%s", args, out)
		}
		if !strings.Contains(errs, "no arguments") {
			t.Errorf("ward %v: stderr %q does not say what was wrong", args, errs)
		}
	}
	// The same flags in the right place gate as usual.
	if code, _, _ := ward(t, db, "check", "--as-of", "2026-11-23"); code != cli.ExitFindings {
		t.Errorf("ward check --as-of: exit %d, want %d (the demo fails the gate)", code, cli.ExitFindings)
	}
}

// `ward report dataflow --vendor ID` draws one vendor's systems and their
// neighbours, the document twin of the page's ?vendor= (issue 5 item 4:
// large inventories stay readable); an unknown vendor is exit 2 and no
// file.
func TestReportDataflowVendor(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	ids := regexp.MustCompile(`<g id="((?:system|vendor)-[^"]+)"`)
	drawn := func(path string) map[string]bool {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, g := range ids.FindAllSubmatch(b, -1) {
			m[string(g[1])] = true
		}
		return m
	}

	all := filepath.Join(dir, "all.svg")
	mustWard(t, db, "report", "dataflow", "--as-of", "2026-11-23", "-o", all)
	one := filepath.Join(dir, "openai.svg")
	mustWard(t, db, "report", "dataflow", "--as-of", "2026-11-23", "--vendor", "openai", "-o", one)
	full, focused := drawn(all), drawn(one)
	for _, id := range []string{"system-visit-summaries", "system-patient-api", "vendor-openai"} {
		if !focused[id] {
			t.Errorf("--vendor openai does not draw %s", id)
		}
	}
	for _, id := range []string{"system-source-code", "system-warehouse"} {
		if !full[id] {
			t.Errorf("the full diagram does not draw %s", id)
		}
		if focused[id] {
			t.Errorf("--vendor openai draws %s, which exchanges nothing with openai", id)
		}
	}

	bad := filepath.Join(dir, "bad.svg")
	code, _, errs := ward(t, db, "report", "dataflow", "--vendor", "openia", "-o", bad)
	if code != cli.ExitBadInput || !strings.Contains(errs, "openia") {
		t.Errorf("unknown vendor: exit %d, stderr %q; want %d naming it", code, errs, cli.ExitBadInput)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("unknown vendor still wrote %s (%v)", bad, err)
	}
}

// In CI: --quiet prints the errors only, with the same exit code; the
// text run names on stderr what the errors block from going live, and the
// JSON carries each blocked subject with its rules.
func TestCheckQuietAndBlocked(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	code, out, errs := ward(t, db, "check", "--as-of", "2026-11-23", "--quiet")
	if code != cli.ExitFindings {
		t.Errorf("--quiet: exit %d, want %d", code, cli.ExitFindings)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "error ") {
			t.Errorf("--quiet printed a warning: %s", l)
		}
	}
	if len(lines) < 3 {
		t.Errorf("--quiet printed %d errors", len(lines))
	}
	if !strings.Contains(errs, "go-live blocked for") || !strings.Contains(errs, "valley-endo") {
		t.Errorf("stderr does not name what is blocked: %q", errs)
	}
	var res struct {
		OK      bool
		Blocked []struct {
			Subject, Kind string
			Rules         []string
		}
	}
	_, jout, _ := ward(t, db, "check", "--as-of", "2026-11-23", "--format", "json")
	if err := json.Unmarshal([]byte(jout), &res); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range res.Blocked {
		if b.Subject == "valley-endo" && b.Kind == "customer" && slices.Contains(b.Rules, "baa.upstream.missing") {
			found = true
		}
	}
	if res.OK || !found {
		t.Errorf("json: ok %v, blocked %+v; want valley-endo blocked by baa.upstream.missing (45 CFR 164.502(e))", res.OK, res.Blocked)
	}
}

// Usage slips a person makes get a clear answer: `ward help CMD` is the
// command's own help, a crosswalk of a framework onto itself and a
// penalty without a tier are bad input.
func TestHelpAndBadInputOfCatalogCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ward.db")
	if code, out, _ := ward(t, db, "help", "import", "csv"); code != 0 || !strings.HasPrefix(out, "usage: ward import csv FILE --map") {
		t.Errorf("ward help import csv: exit %d\n%s", code, out)
	}
	if code, _, errs := ward(t, db, "crosswalk", "--from", "hipaa", "--to", "hipaa"); code != cli.ExitBadInput || !strings.Contains(errs, "two different frameworks") {
		t.Errorf("crosswalk hipaa→hipaa: exit %d %s", code, errs)
	}
	if code, _, errs := ward(t, db, "penalty", "--violations", "3"); code != cli.ExitBadInput || !strings.Contains(errs, "needs --tier 1..4") {
		t.Errorf("penalty without --tier: exit %d %s", code, errs)
	}
}

// `ward apply --dry-run` into a database without the organization says
// what the real apply then does: every record created, nothing written.
func TestApplyDryRunOnEmptyDatabase(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	dry := mustWard(t, db, "apply", "--dry-run", "-f", cli.DemoDir)
	real := mustWard(t, db, "apply", "-f", cli.DemoDir)
	n := regexp.MustCompile(`(\d+) would create, 0 would change`).FindStringSubmatch(dry)
	m := regexp.MustCompile(`(\d+) created, 0 changed`).FindStringSubmatch(real)
	if n == nil || m == nil || n[1] != m[1] {
		t.Errorf("dry run %q, then apply %q: the counts differ", strings.TrimSpace(lastLine(dry)), strings.TrimSpace(lastLine(real)))
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}
