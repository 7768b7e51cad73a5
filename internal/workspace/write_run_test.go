package workspace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A list is written a run of records at a time (writeRun); the files
// must be the bytes of the whole list encoded at once: the demo, and
// records holding the strings the encoder quotes or writes as blocks.
func TestWriteInRunsIsTheSame(t *testing.T) {
	demo, err := Load(demoDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tricky := &Workspace{Organization: Organization{Name: "Acme"}}
	for i, s := range []string{"yes", "multi\nline\n", "ends in blank lines\n\n", "- x", "  \n  indented\n", "para one\n\npara two\n", "a: b", "2026-01-01"} {
		tricky.People = append(tricky.People, Person{Email: "p" + strings.Repeat("x", i) + "@acme.example", Name: s, Role: s})
	}
	defer func(n int) { writeRun = n }(writeRun)
	for name, ws := range map[string]*Workspace{"demo": demo.Workspace, "tricky strings": tricky} {
		writeRun = 1 << 30
		whole := t.TempDir()
		if err := Write(whole, ws, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, run := range []int{1, 2, 3} {
			writeRun = run
			runs := t.TempDir()
			if err := Write(runs, ws, WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(whole, "*.yaml"))
			if len(files) == 0 {
				t.Fatal("nothing written")
			}
			for _, f := range files {
				a, _ := os.ReadFile(f)
				b, err := os.ReadFile(filepath.Join(runs, filepath.Base(f)))
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s, runs of %d: %s differs from the whole list written at once (%v)", name, run, filepath.Base(f), err)
				}
			}
		}
	}
}
