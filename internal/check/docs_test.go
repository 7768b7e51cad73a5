package check

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

// The rule table of `ward check` in docs/cli.md is what a CTO wiring the
// gate into CI reads to know which findings fail the build (errors exit
// 1, warnings do not). Every rule the demos raise, on any date of their
// program, has a row there, and its severity column allows the severity
// the rule gives.
func TestReferenceRuleTableMatchesTheRules(t *testing.T) {
	raw, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	// The table under "The rules (stable ids):": | `rule` | severity | ... |
	row := regexp.MustCompile("^\\| `([a-z0-9.-]+)` \\| ([a-z /]+) \\|")
	documented := map[string]map[string]bool{}
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "The rules (stable ids):"):
			in = true
		case in && strings.HasPrefix(line, "#"):
			in = false
		case in:
			if m := row.FindStringSubmatch(line); m != nil {
				documented[m[1]] = map[string]bool{}
				for _, s := range strings.Split(m[2], "/") {
					documented[m[1]][strings.TrimSpace(s)] = true
				}
			}
		}
	}
	if len(documented) == 0 {
		t.Fatal("docs/cli.md: no rule table under \"The rules (stable ids):\"")
	}

	seen := map[string]bool{}
	for _, dir := range []string{"../../examples/acme-health", "../../examples/harbor-family-medicine"} {
		l, err := workspace.Load(dir, WorkspaceOptions())
		if err != nil {
			t.Fatal(err)
		}
		for d := date.MustParse("2025-01-01"); d.Before(date.MustParse("2028-01-01")); d = d.AddDays(7) {
			for _, f := range Run(l.Workspace, d) {
				key := f.Rule + " " + f.Severity
				if seen[key] {
					continue
				}
				seen[key] = true
				sev, ok := documented[f.Rule]
				switch {
				case !ok:
					t.Errorf("docs/cli.md: `ward check` raises %s (%s, on %s in %s) and the rule table has no row for it: add one", f.Rule, f.Severity, d, dir)
				case !sev[f.Severity]:
					t.Errorf("docs/cli.md: the rule table gives %s as %v, and ward check raises it as %s (on %s in %s: %s)", f.Rule, keys(sev), f.Severity, d, dir, f.Message)
				}
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
