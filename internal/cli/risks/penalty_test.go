package risks

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPenaltyCriminalOnlyWhenAsked: docs/cli.md says --criminal "also
// print[s] the criminal penalties of 42 U.S.C. 1320d-6": without it the
// civil answer stands alone, and with it the criminal tiers appear once.
func TestPenaltyCriminalOnlyWhenAsked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ward.db")
	const heading = "Criminal penalties (42 U.S.C. 1320d-6(b)"
	civil := mustWard(t, db, "penalty", "--tier", "2", "--violations", "3", "--as-of", "2026-12-05")
	if !strings.Contains(civil, "$1,461 to $73,011") {
		t.Fatalf("tier 2 on 2026-12-05 (91 FR 3665):\n%s", civil)
	}
	if n := strings.Count(civil, heading); n != 0 {
		t.Errorf("without --criminal the criminal penalties are printed %d times:\n%s", n, civil)
	}
	both := mustWard(t, db, "penalty", "--tier", "2", "--violations", "3", "--as-of", "2026-12-05", "--criminal")
	if n := strings.Count(both, heading); n != 1 {
		t.Errorf("with --criminal the criminal penalties are printed %d times, want once:\n%s", n, both)
	}
	if !strings.Contains(both, "fine up to $250,000, imprisonment up to 10 years") {
		t.Errorf("1320d-6(b)(3) missing:\n%s", both)
	}
}
