package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestCrashSmall is the campaign at seed size: 8 kill -9 runs over both
// engines (`go run ./bench/crash -runs 1000` is the full one). Every
// acknowledged write must survive, every database be before or after each
// write, and every audit trail verify.
func TestCrashSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ward and kills it: not in -short mode")
	}
	engines := "sqlite,postgres"
	if os.Getenv("WARD_TEST_POSTGRES") == "skip" {
		engines = "sqlite"
	}
	t.Chdir("../..")
	var out strings.Builder
	cfg := Config{Runs: 8, Engines: engines, Seed: 1, Out: &out, Dir: t.TempDir(),
		Postgres: envOr("WARD_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")}
	sum, err := Run(context.Background(), cfg)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 8 || sum.Failures != 0 {
		t.Errorf("%d runs, %d failures", sum.Runs, sum.Failures)
	}
	if sum.AckedChecked == 0 {
		t.Error("no acknowledged write was checked: the campaign proved nothing")
	}
}
