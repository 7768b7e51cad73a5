package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/report/oscal/oscalmodel"
	"ward/internal/report/oscal/oscaltest"
)

// `ward export oscal` writes each document from the applied demo; each
// validates against NIST's schema, the same data gives the same bytes, and
// every export is on the audit trail.
func TestExportOSCAL(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)

	for _, kind := range []string{"catalog", "profile", "ssp", "assessment-plan", "assessment-results", "poam"} {
		t.Run(kind, func(t *testing.T) {
			a, b := filepath.Join(dir, kind+"-1.json"), filepath.Join(dir, kind+"-2.json")
			out := mustWard(t, db, "export", "oscal", kind, "-o", a, "--as-of", "2026-11-25")
			if !strings.Contains(out, "wrote OSCAL 1.1.3 "+kind+" as of 2026-11-25 to "+a) {
				t.Fatalf("output: %s", out)
			}
			mustWard(t, db, "export", "oscal", kind, "-o", b, "--as-of", "2026-11-25")
			ra, _ := os.ReadFile(a)
			rb, _ := os.ReadFile(b)
			if len(ra) == 0 || !bytes.Equal(ra, rb) {
				t.Fatalf("two exports of the same data differ (%d and %d bytes)", len(ra), len(rb))
			}
			if err := oscaltest.Validate(kind, ra); err != nil {
				t.Fatalf("%s does not validate against NIST's schema:\n%v", kind, err)
			}
			if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o644 {
				t.Errorf("file mode %v", fi.Mode().Perm())
			}

			var sum struct {
				Kind, File, SHA256 string
				Bytes              int
			}
			js := mustWard(t, db, "export", "oscal", kind, "-o", b, "--as-of", "2026-11-25", "--format", "json")
			if err := json.Unmarshal([]byte(js), &sum); err != nil || sum.Kind != kind || sum.Bytes != len(ra) || sum.SHA256 != fmt.Sprintf("%x", sha256.Sum256(ra)) {
				t.Fatalf("--format json: %v %s", err, js)
			}

			log := mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")
			var l struct {
				Entries []struct{ Action, Kind, Key, Actor string }
			}
			if err := json.Unmarshal([]byte(log), &l); err != nil || len(l.Entries) != 1 {
				t.Fatalf("audit log: %v %s", err, log)
			}
			if e := l.Entries[0]; e.Action != "export" || e.Kind != "oscal" || e.Key != kind || e.Actor != "test" {
				t.Fatalf("last audit entry: %+v", e)
			}
		})
	}
}

func TestExportOSCALBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	cases := [][]string{
		{"export", "oscal", "sar", "-o", filepath.Join(dir, "x.json")},
		{"export", "oscal", "ssp"},
		{"export", "oscal", "ssp", "-o", filepath.Join(dir, "x.json"), "--as-of", "2026-13-01"},
		{"export", "oscal", "ssp", "-o", filepath.Join(dir, "no-such-dir", "x.json")},
	}
	for _, args := range cases {
		code, out, errs := ward(t, db, args...)
		if code != cli.ExitBadInput {
			t.Errorf("ward %v: exit %d, want 2\n%s%s", args, code, out, errs)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") || strings.Contains(e.Name(), "x.json") {
			t.Errorf("a failed export left %s", e.Name())
		}
	}
}

// ward export oscal all writes the whole set to a folder: every document
// validates against NIST's OSCAL 1.1.3 schema and loads in the object
// model generated from it; every relative href resolves to a file of the
// folder (the evidence files with the SHA-256 the documents state); and no
// document names a ward command that does not exist.
func TestExportOSCALAll(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	set := filepath.Join(dir, "oscal")
	out := mustWard(t, db, "export", "oscal", "all", "-o", set, "--as-of", "2026-11-25")
	if !strings.Contains(out, "wrote the OSCAL 1.1.3 set as of 2026-11-25 to "+set) {
		t.Fatalf("output: %s", out)
	}
	for _, f := range []string{"catalog.json", "profile-hipaa.json", "profile-soc2.json", "profile.json", "ssp.json", "assessment-plan.json", "assessment-results.json", "poam.json"} {
		data, err := os.ReadFile(filepath.Join(set, f))
		if err != nil {
			t.Fatalf("the set has no %s: %v", f, err)
		}
		if err := oscaltest.Validate(f, data); err != nil {
			t.Errorf("%s does not validate against NIST's schema:\n%v", f, err)
		}
		if _, err := oscalmodel.Load(data); err != nil {
			t.Errorf("%s does not load in the NIST model: %v", f, err)
		}
		checkHrefsAndCommands(t, set, f, data)
	}
	// The evidence the results link to is there, with its hash.
	ev, _ := filepath.Glob(filepath.Join(set, "evidence", "*"))
	if len(ev) == 0 {
		t.Fatal("no evidence files written")
	}
	for _, p := range ev {
		raw, _ := os.ReadFile(p)
		sum := sha256.Sum256(raw)
		if !strings.HasPrefix(filepath.Base(p), hex.EncodeToString(sum[:])[:12]+"-") {
			t.Errorf("%s does not hold the file its name's hash says", p)
		}
	}
	// Again: the same bytes, replacing the files.
	before, _ := os.ReadFile(filepath.Join(set, "ssp.json"))
	mustWard(t, db, "export", "oscal", "all", "-o", set, "--as-of", "2026-11-25")
	if after, _ := os.ReadFile(filepath.Join(set, "ssp.json")); !bytes.Equal(before, after) {
		t.Error("a second export of the same data differs")
	}
	if code, _, stderr := ward(t, db, "export", "oscal", "all", "-o", filepath.Join(set, "ssp.json")); code != 2 || !strings.Contains(stderr, "not a folder") {
		t.Errorf("all onto a file: exit %d %s", code, stderr)
	}
}

var wardCommand = regexp.MustCompile("`ward ([a-z][a-z -]*)")

func checkHrefsAndCommands(t *testing.T, dir, file string, data []byte) {
	t.Helper()
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			if key == "href" && !strings.HasPrefix(v, "#") {
				if u, err := url.Parse(v); err == nil && u.Scheme == "" {
					if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v))); err != nil {
						t.Errorf("%s: href %q names no file of the set", file, v)
					}
				}
			}
			for _, m := range wardCommand.FindAllStringSubmatch(v, -1) {
				words := strings.Fields(m[1])
				found := false
				for n := len(words); n > 0 && !found; n-- {
					found = slices.Contains(cli.CommandNames(), strings.Join(words[:n], " "))
				}
				if !found {
					t.Errorf("%s names `ward %s`, which is no command", file, m[1])
				}
			}
		}
	}
	var m any
	json.Unmarshal(data, &m)
	walk("", m)
}
