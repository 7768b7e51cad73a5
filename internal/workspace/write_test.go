package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ward/internal/date"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const demoDir = "../../examples/acme-health"

// blobStore stands in for the content-addressed store: apply hashes each
// file into it, export reads them back by hash.
type blobStore map[string][]byte

func (b blobStore) put(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	b[sha] = data
	return sha
}

func (b blobStore) open(sha string) (io.ReadCloser, error) {
	data, ok := b[sha]
	if !ok {
		return nil, os.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// hashFiles does what `ward apply` does before storing: records each
// file's SHA-256.
func hashFiles(t *testing.T, l *Loaded, blobs blobStore) {
	t.Helper()
	for _, f := range l.Workspace.Files() {
		*f.SHA256 = blobs.put(t, filepath.Join(l.Dir, f.Path))
	}
}

// readTree maps every file under dir (slash paths) to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The export contract (DESIGN.md): apply → export → apply is a fixed
// point. Load → Write → Load gives the same workspace, and writing that
// again gives the same bytes, evidence files included.
func TestRoundTripDemo(t *testing.T) {
	first, err := Load(demoDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	blobs := blobStore{}
	hashFiles(t, first, blobs)

	out1 := t.TempDir()
	if err := Write(out1, first.Workspace, WriteOptions{Blob: blobs.open}); err != nil {
		t.Fatal(err)
	}
	second, err := Load(out1, Options{})
	if err != nil {
		t.Fatalf("the export does not load:\n%v", err)
	}
	if !reflect.DeepEqual(first.Workspace, second.Workspace) {
		a, b := first.Workspace, second.Workspace
		av, bv := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
		for i := range av.NumField() {
			if !reflect.DeepEqual(av.Field(i).Interface(), bv.Field(i).Interface()) {
				t.Errorf("%s differs after the round trip:\n%+v\n%+v", av.Type().Field(i).Name, av.Field(i).Interface(), bv.Field(i).Interface())
			}
		}
	}
	out2 := t.TempDir()
	if err := Write(out2, second.Workspace, WriteOptions{Blob: blobs.open}); err != nil {
		t.Fatal(err)
	}
	t1, t2 := readTree(t, out1), readTree(t, out2)
	if len(t1) != len(t2) {
		t.Errorf("first export has %d files, second %d", len(t1), len(t2))
	}
	for name, b := range t1 {
		if !bytes.Equal(b, t2[name]) {
			t.Errorf("%s differs between the two exports", name)
		}
	}
	// The evidence files came back out, byte for byte.
	for _, f := range []string{"evidence/2026-security-training-completions.csv", "evidence/baa/baa-twilio-signed.txt"} {
		orig, err := os.ReadFile(filepath.Join(demoDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(t1[f], orig) {
			t.Errorf("exported %s differs from the original", f)
		}
	}
	for _, name := range []string{"organization", "people", "systems", "flows", "vendors", "agreements", "customers", "risk_analyses", "risks", "controls", "evidence", "incidents"} {
		if _, ok := t1[SectionFile(name)]; !ok {
			t.Errorf("no %s in the export", SectionFile(name))
		}
	}
}

// golden is a workspace that uses every kind of field the writer handles:
// nested structs, pointers, maps, lists of structs, dates, empty optional
// fields and always-written booleans.
func golden() *Workspace {
	d := date.MustParse
	return &Workspace{
		Organization: Organization{
			Name: "St. Mary's Clinic", Roles: []string{RoleCoveredEntity}, ProgramStart: d("2027-01-04"),
			Answers:   Answers{HandlesPHI: true},
			Officers:  Officers{Privacy: "ann@stmarys.example", Security: "ann@stmarys.example"},
			Workforce: Workforce{AckWithinDays: ptr(14), TerminationWithinDays: ptr(0)},
		},
		People: []Person{{Email: "ann@stmarys.example", Name: "Ann O'Neil", Role: "office manager: privacy and security",
			Start: d("2020-02-01"), Access: []string{"ehr", "front-desk"}, Clearance: d("2020-01-20")}},
		Systems: []System{
			{ID: "ehr", Name: "EHR", Kind: "saas", Vendor: "ehr-co", PHI: true, LivePHI: true, EncryptedAtRest: true, Owner: "ann@stmarys.example"},
			{ID: "front-desk", Kind: "endpoint", Description: "Two PCs at reception.\nShared login (see risk r-shared-login).\n"},
		},
		Flows:   []Flow{{From: "ehr", To: "front-desk", PHI: true, EncryptedInTransit: true}},
		Vendors: []Vendor{{ID: "ehr-co", Name: "EHR Co", Services: []string{"ehr", "billing"}}},
		Agreements: []Agreement{{ID: "baa-ehr-co", Kind: "baa", Counterparty: "ehr-co", Direction: "downstream", Status: "executed",
			Effective: d("2026-12-01"), BreachNoticeDays: 10}},
		RiskAnalyses: []RiskAnalysis{{ID: "ra-2027", Performed: d("2027-01-20"), ApprovedBy: "ann@stmarys.example"}},
		Risks: []Risk{{ID: "r-shared-login", Analysis: "ra-2027", Asset: "front-desk", Threat: "misuse of a shared account",
			Vulnerability: "one login for both PCs", Likelihood: 3, Impact: 3, Controls: []string{"unique-user-ids"},
			Treatment: "mitigate", Owner: "ann@stmarys.example", Due: d("2027-03-31")}},
		Controls: []Control{
			{ID: "unique-user-ids", Status: "in-progress", Owner: "ann@stmarys.example", Frequency: "annual"},
			{ID: "fax-cover-sheet", Status: "implemented", Title: "Fax cover sheet", Mappings: map[string][]string{"soc2": {"CC6.1"}, "hipaa": {"164.312(c)(1)"}}},
		},
		Evidence: []Evidence{{ID: "ev-1", Control: "fax-cover-sheet", Collected: d("2027-01-10"), Note: "yes"}},
		Incidents: []Incident{{ID: "inc-1", Discovered: d("2027-02-01"), Summary: "fax to the wrong number", PHIInvolved: true,
			Individuals: 1, States: map[string]int{"OR": 1, "CA": 0},
			LawEnforcementDelay: &Delay{Kind: "oral", Requested: d("2027-02-02"), Until: d("2027-03-01")},
			Assessment:          &Assessment{Nature: "name only", LowProbability: true, DecidedBy: "ann@stmarys.example", DecidedOn: d("2027-02-03")},
			Timeline:            []TimelineEntry{{Date: d("2027-02-01"), Note: "reported"}}}},
		Policies: []Policy{{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Owner: "ann@stmarys.example",
			Audience: Audience{AudienceAll}, ReviewMonths: 12, Controls: []string{"sanctions-policy"},
			Versions: []PolicyVersion{
				{Version: 1, File: "policies/sanctions-v1.md", SHA256: goldenPolicySHA, ApprovedBy: "ann@stmarys.example", ApprovedOn: d("2027-01-05")},
				{Version: 2, File: "policies/sanctions-v2.md", SHA256: goldenPolicySHA, Changes: "names the Privacy Officer"},
			},
			Reviews: []PolicyReview{{On: d("2027-02-01"), By: "ann@stmarys.example", Note: "no change"}}}},
		Trainings: []Training{
			{ID: "hipaa-awareness", Title: "HIPAA awareness", Audience: Audience{AudienceAll}, WithinDaysOfHire: ptr(14), EveryMonths: ptr(12), Controls: []string{"security-training"}},
			{ID: "front-desk", Title: "Front desk privacy", Audience: Audience{"office manager: privacy and security", "receptionist"}, EveryMonths: ptr(0)},
		},
		Acknowledgements:  []Acknowledgement{{Person: "ann@stmarys.example", Policy: "sanctions", Version: 1, On: d("2027-01-06"), Source: RecordWeb}},
		TrainingRecords:   []TrainingRecord{{Person: "ann@stmarys.example", Training: "hipaa-awareness", Completed: d("2027-01-07"), File: "policies/sanctions-v1.md", SHA256: goldenPolicySHA}},
		SecurityReminders: []Reminder{{On: d("2027-02-15"), Title: "Tax-season phishing", Link: "https://intranet.example/r/1"}},
	}
}

func ptr(n int) *int { return &n }

// goldenPolicy is the one file the golden workspace names, by its SHA-256.
const goldenPolicy = "# Sanctions policy\n\nWe apply sanctions.\n"

var goldenPolicySHA = func() string {
	sum := sha256.Sum256([]byte(goldenPolicy))
	return hex.EncodeToString(sum[:])
}()

func goldenBlob(sha string) (io.ReadCloser, error) {
	if sha != goldenPolicySHA {
		return nil, os.ErrNotExist
	}
	return io.NopCloser(strings.NewReader(goldenPolicy)), nil
}

func TestWriteGolden(t *testing.T) {
	out := t.TempDir()
	ws := golden()
	if err := Write(out, ws, WriteOptions{Blob: goldenBlob}); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, out)
	dir := filepath.Join("testdata", "write")
	if *update {
		os.RemoveAll(dir)
		for name, b := range got {
			putFiles(t, dir, map[string]string{name: string(b)})
		}
	}
	want := readTree(t, dir)
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from testdata/write/%s (run with -update after checking):\n%s", name, name, got[name])
		}
	}
	if len(got) != len(want) {
		t.Errorf("wrote %d files, golden has %d", len(got), len(want))
	}
	// And it reads back as the same workspace.
	l, err := Load(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.Workspace, ws) {
		t.Errorf("golden workspace changed in the round trip:\n%+v\n%+v", l.Workspace, ws)
	}
}

// Strings that YAML would read as something else, or that the library
// writes in forms that do not read back, come back unchanged. (Control
// characters other than line breaks and tabs are refused by validation:
// TestBounds.)
func TestWriteStringsRoundTrip(t *testing.T) {
	tricky := []string{
		"yes", "no", "on", "off", "null", "~", "true", "False", "2026", "1.10", "0x1F", "1e3", "+1", "0o17", "1_000", ".inf", "NaN",
		"2026-01-01", " leading", "trailing ", "a: b", "#x", "a #b", "- x", "-", "?", ":", "&anchor", "*alias", "!tag", "@at",
		"`tick", "%pct", "{x}", "[x]", "<<", "=", "'", "\"", "a'b\"c", `back\slash`, "ünïcödé ✓",
		"multi\nline", "multi\nline\n", "ends in blank lines\n\n", "\nstarts with a newline", "tab\there", "\ttab first",
		"  \n  indented\n", "trailing\n  ", "line1\r\nline2", "para one\n\npara two\n",
	}
	ws := &Workspace{Organization: Organization{Name: "Acme"}}
	for i, s := range tricky {
		ws.People = append(ws.People, Person{Email: "p" + strings.Repeat("x", i) + "@acme.example", Name: s, Role: s})
	}
	out := t.TempDir()
	if err := Write(out, ws, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := Load(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range l.Workspace.People {
		if p.Name != tricky[i] || p.Role != tricky[i] {
			t.Errorf("%q came back as %q / %q", tricky[i], p.Name, p.Role)
		}
	}
}

func TestWriteEmptySections(t *testing.T) {
	out := t.TempDir()
	ws := &Workspace{Organization: Organization{Name: "Acme"}}
	if err := Write(out, ws, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "people.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), "people: []\n") {
		t.Errorf("people.yaml = %q, want an empty list", b)
	}
	// Exporting over an earlier export replaces its files: a vendor
	// removed since is gone, not left behind to be merged back.
	ws2 := &Workspace{Organization: Organization{Name: "Acme"}, Vendors: []Vendor{{ID: "aws"}}}
	if err := Write(out, ws2, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(out, ws, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := Load(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Workspace.Vendors) != 0 {
		t.Errorf("vendors = %+v after exporting a workspace without any", l.Workspace.Vendors)
	}
}

func TestWriteRefusals(t *testing.T) {
	content := []byte("signed")
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	blobs := blobStore{sha: content, strings.Repeat("0", 64): []byte("corrupt")}
	withFile := func(path, sha string) *Workspace {
		return &Workspace{Organization: Organization{Name: "Acme"},
			Evidence: []Evidence{{ID: "e1", Control: "mfa", Collected: date.MustParse("2026-10-01"), File: path, SHA256: sha}}}
	}
	cases := []struct {
		name  string
		setup map[string]string
		ws    *Workspace
		want  string
	}{
		{"file outside the folder", nil, withFile("../x.txt", sha), `evidence[0]: file "../x.txt" is not inside the workspace folder`},
		{"absolute file", nil, withFile("/tmp/x.txt", sha), `evidence[0]: file "/tmp/x.txt" is not inside the workspace folder`},
		{"no hash", nil, withFile("e/x.txt", ""), `evidence[0]: file "e/x.txt" has no recorded SHA-256`},
		{"blob missing", nil, withFile("e/x.txt", strings.Repeat("a", 64)), "file does not exist"},
		{"blob does not match its hash", nil, withFile("e/x.txt", strings.Repeat("0", 64)), "has SHA-256 "},
		{"same path, two contents", nil, &Workspace{Organization: Organization{Name: "Acme"}, Evidence: []Evidence{
			{Control: "mfa", File: "e/x.txt", SHA256: sha}, {Control: "mfa", File: "e/x.txt", SHA256: strings.Repeat("0", 64)}}},
			`evidence[0] and evidence[1] both name file "e/x.txt" with different contents`},
		{"a folder with other YAML", map[string]string{"notes.yaml": "x: 1\n"}, withFile("", ""), "notes.yaml is not a file ward export writes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			putFiles(t, out, tc.setup)
			err := Write(out, tc.ws, WriteOptions{Blob: blobs.open})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// Without Blob only the YAML is written, whatever the files.
	if err := Write(t.TempDir(), withFile("../x.txt", ""), WriteOptions{}); err != nil {
		t.Errorf("Write without Blob = %v", err)
	}
	var es Errors
	if errors.As(Write(t.TempDir(), withFile("", ""), WriteOptions{}), &es) {
		t.Error("Write returned workspace Errors")
	}
}
