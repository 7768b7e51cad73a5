package scans

import "testing"

// SmallRuns makes a large import's sorted runs rows findings long
// (0: moveRows) and merges ways of them at once at most (0: mergeWays),
// until t ends.
func SmallRuns(t *testing.T, rows int64, ways int) {
	runRows, runWays = rows, ways
	t.Cleanup(func() { runRows, runWays = 0, 0 })
}
