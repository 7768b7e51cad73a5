package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

type listedEvidence struct {
	ID, Control, SHA256, Source, File, Supersedes, Collected string
	AddedBy                                                  string `json:"added_by"`
	SupersededBy                                             string `json:"superseded_by"`
	Size                                                     int64
	Type                                                     string
	Controls                                                 []string
}

func evidenceList(t *testing.T, db string, args ...string) []listedEvidence {
	t.Helper()
	out := mustWard(t, db, append([]string{"evidence", "list", "--format", "json"}, args...)...)
	var res struct{ Evidence []listedEvidence }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return res.Evidence
}

// soc2Exceptions returns "control period" for every Type II exception.
func soc2Exceptions(t *testing.T, db, asOf string) []string {
	t.Helper()
	out := mustWard(t, db, "posture", "--framework", "soc2", "--as-of", asOf, "--format", "json")
	var p struct {
		Exceptions []struct{ Control, Period string }
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Exceptions {
		got = append(got, e.Control+" "+e.Period)
	}
	return got
}

func TestEvidenceAddListAndPosture(t *testing.T) {
	t.Setenv("WARD_ACTOR", "dana@acme-health.example")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)

	// The demo skipped October's vulnerability scan: a Type II exception.
	if got := soc2Exceptions(t, db, "2026-11-23"); !contains(got, "vulnerability-scanning 2026-10") {
		t.Fatalf("the demo should have the October scan exception; got %v", got)
	}

	scan := filepath.Join(dir, "october-scan.pdf")
	content := []byte("%PDF-1.4 October vulnerability scan: 0 critical\n")
	os.WriteFile(scan, content, 0o644)
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	out := mustWard(t, db, "evidence", "add", scan, "--control", "vulnerability-scanning", "--collected", "2026-10-20", "--note", "October scan")
	if !strings.Contains(out, want) {
		t.Fatalf("add should print the SHA-256 %s: %s", want, out)
	}
	list := evidenceList(t, db, "--control", "vulnerability-scanning")
	var added *listedEvidence
	for i := range list {
		if list[i].SHA256 == want {
			added = &list[i]
		}
	}
	if added == nil {
		t.Fatalf("the new item is not listed: %+v", list)
	}
	if added.Source != "cli" || added.AddedBy != "dana@acme-health.example" || added.Size != int64(len(content)) ||
		added.Type != "application/pdf" || added.Collected != "2026-10-20" || added.Control != "vulnerability-scanning" {
		t.Fatalf("stored item: %+v", *added)
	}
	// Adding the same file again changes nothing, and says so.
	if out := mustWard(t, db, "evidence", "add", scan, "--control", "vulnerability-scanning", "--collected", "2026-10-20", "--note", "October scan"); !strings.Contains(out, "already recorded") {
		t.Fatalf("re-adding: %s", out)
	}
	// The bytes are in the content-addressed blob store under their hash.
	blob, err := os.ReadFile(filepath.Join(db+".blobs", want[:2], want[2:]))
	if err != nil || string(blob) != string(content) {
		t.Fatalf("blob: %v %q", err, blob)
	}
	// The evidence covers the missed occurrence: the exception is gone.
	if got := soc2Exceptions(t, db, "2026-11-23"); contains(got, "vulnerability-scanning 2026-10") {
		t.Fatalf("exception still reported after adding evidence: %v", got)
	}
	// Audited, with the actor.
	out = mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")
	var log struct {
		Entries []struct{ Action, Kind, Key, Actor string }
	}
	json.Unmarshal([]byte(out), &log)
	if len(log.Entries) != 1 || log.Entries[0].Kind != "evidence" || log.Entries[0].Key != added.ID || log.Entries[0].Actor != "dana@acme-health.example" {
		t.Fatalf("audit: %s", out)
	}

	// A correction supersedes; both are kept, the old one marked.
	fixed := filepath.Join(dir, "october-scan-v2.pdf")
	os.WriteFile(fixed, []byte("%PDF-1.4 October vulnerability scan, corrected\n"), 0o644)
	mustWard(t, db, "evidence", "add", fixed, "--supersedes", added.ID, "--collected", "2026-10-21", "--actor", "raj@acme-health.example")
	list = evidenceList(t, db, "--control", "vulnerability-scanning")
	var old, correction *listedEvidence
	for i := range list {
		switch {
		case list[i].ID == added.ID:
			old = &list[i]
		case list[i].Supersedes == added.ID:
			correction = &list[i]
		}
	}
	if old == nil || correction == nil || old.SupersededBy != correction.ID || correction.AddedBy != "raj@acme-health.example" ||
		correction.Control != "vulnerability-scanning" {
		t.Fatalf("supersession: old %+v, correction %+v", old, correction)
	}
	// Superseding the superseded item again is refused.
	if code, _, errs := ward(t, db, "evidence", "add", fixed, "--supersedes", added.ID); code != cli.ExitBadInput || !strings.Contains(errs, "already superseded by "+correction.ID) {
		t.Fatalf("second supersede: exit %d %s", code, errs)
	}
	// A link or a note alone is evidence too, for several controls at once.
	mustWard(t, db, "evidence", "add", "--control", "access-review,mfa", "--link", "https://wiki.example/q4-review", "--collected", "2026-11-20")
	if l := evidenceList(t, db, "--control", "mfa"); len(l) == 0 || l[len(l)-1].Controls == nil {
		t.Fatalf("link evidence for two controls: %+v", l)
	}
	// Uploaded evidence survives a re-apply of the files, and export →
	// apply stays a fixed point with it.
	if out := mustWard(t, db, "apply", "-f", demoDir); strings.Contains(out, "retired") && !strings.Contains(out, "0 retired") {
		t.Fatalf("re-apply retired uploaded evidence: %s", out)
	}
	exp := filepath.Join(dir, "export")
	mustWard(t, db, "export", "-o", exp)
	if out := mustWard(t, db, "apply", "-f", exp); !strings.Contains(out, "no changes") {
		t.Fatalf("apply of the export: %s", out)
	}
}

func TestEvidenceAddBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	good := filepath.Join(dir, "good.txt")
	os.WriteFile(good, []byte("a fresh file that is not stored yet"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown control", []string{good, "--control", "no-such-control"}, `unknown control "no-such-control"`},
		{"catalog control not adopted", []string{good, "--control", "remediation-tracking"}, `"remediation-tracking" is in the catalog but not among the organization's controls`},
		{"one of two controls unknown", []string{good, "--control", "mfa", "--control", "mfaa"}, `unknown control "mfaa"`},
		{"no control", []string{good}, "needs --control"},
		{"missing file after a good one", []string{good, filepath.Join(dir, "nope.pdf"), "--control", "mfa"}, "nope.pdf: no such file"},
		{"bad collected date", []string{good, "--control", "mfa", "--collected", "2026-02-30"}, "--collected"},
		{"period end before start", []string{good, "--control", "mfa", "--period-start", "2026-10-01", "--period-end", "2026-09-30"}, "before --period-start"},
		{"half a period", []string{good, "--control", "mfa", "--period-start", "2026-10-01"}, "go together"},
		{"supersedes unknown", []string{good, "--supersedes", "ev-nope"}, `"ev-nope": no evidence with that id`},
		{"nothing to add", []string{"--control", "mfa"}, "needs a FILE, a --link or a --note"},
		{"bad link", []string{"--control", "mfa", "--link", "javascript:alert(1)"}, "not an http(s) URL"},
	}
	before := fileHash(t, db)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := ward(t, db, append([]string{"evidence", "add"}, c.args...)...)
			if code != cli.ExitBadInput || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q\n%s", code, errs, c.want, out)
			}
			if fileHash(t, db) != before {
				t.Fatal("the database changed")
			}
			if entries, _ := os.ReadDir(db + ".blobs"); len(entries) > 0 {
				var names []string
				filepath.WalkDir(db+".blobs", func(p string, d os.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						names = append(names, p)
					}
					return nil
				})
				for _, n := range names {
					if b, _ := os.ReadFile(n); string(b) == "a fresh file that is not stored yet" {
						t.Fatalf("the file was stored as a blob: %s", n)
					}
				}
			}
		})
	}
	if code, _, errs := ward(t, db, "evidence", "list", "--control", "nope"); code != cli.ExitBadInput || !strings.Contains(errs, "nope") {
		t.Fatalf("list of an unknown control: exit %d %s", code, errs)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A correction for fewer controls than the item it supersedes says which
// controls lose that item; without --control it keeps them all.
func TestEvidenceCorrectionNamesControlsItDrops(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	fixed := filepath.Join(dir, "q3-review-v3.md")
	os.WriteFile(fixed, []byte("Q3 access review, third version\n"), 0o644)
	// The demo's corrected Q3 review is evidence for access-review and
	// unique-user-ids.
	code, _, errs := ward(t, db, "evidence", "add", fixed, "--supersedes", "ev-access-review-2026-q3-corrected", "--control", "access-review", "--collected", "2026-09-30")
	if code != 0 || !strings.Contains(errs, "ev-access-review-2026-q3-corrected was also evidence for unique-user-ids") {
		t.Errorf("exit %d, stderr %q: want a note that unique-user-ids loses the item", code, errs)
	}
	db2 := filepath.Join(dir, "ward2.db")
	mustWard(t, db2, "apply", "-f", demoDir)
	code, _, errs = ward(t, db2, "evidence", "add", fixed, "--supersedes", "ev-access-review-2026-q3-corrected", "--collected", "2026-09-30")
	if code != 0 || errs != "" {
		t.Errorf("a correction without --control: exit %d, stderr %q", code, errs)
	}
	for _, e := range evidenceList(t, db2, "--control", "unique-user-ids") {
		if e.Supersedes == "ev-access-review-2026-q3-corrected" {
			return
		}
	}
	t.Error("the correction without --control is not evidence for unique-user-ids")
}

// An item without a stated period counts for the period it was collected
// in, and ward says so; a stated period is the item's whole claim, so a
// third-quarter review done in October does not also count for October's
// quarter (issue 19: "evidence with no period silently covers the current
// quarter").
func TestEvidenceSaysWhichPeriodItCountsFor(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	f := filepath.Join(dir, "q3-review.txt")
	os.WriteFile(f, []byte("Q3 access review, done 2026-10-02"), 0o644)

	out := mustWard(t, db, "evidence", "add", f, "--control", "access-review", "--collected", "2026-10-02")
	if !strings.Contains(out, "counts for 2026-Q4 of access-review (quarterly), the period it was collected in") {
		t.Errorf("evidence add does not say which period the item counts for:\n%s", out)
	}
	list := mustWard(t, db, "evidence", "list", "--control", "access-review")
	if !strings.Contains(list, "2026-Q4 (collected)") {
		t.Errorf("evidence list does not say the period:\n%s", list)
	}
	if _, chk, _ := ward(t, db, "check", "--as-of", "2026-11-23"); strings.Contains(chk, "evidence.missing access-review") {
		t.Errorf("without a stated period, the October item is the fourth quarter's:\n%s", chk)
	}
	// Now the same review stating its period, as a correction.
	id := evidenceList(t, db, "--control", "access-review")
	var first string
	for _, e := range id {
		if strings.HasSuffix(e.File, "q3-review.txt") {
			first = e.ID
		}
	}
	f2 := filepath.Join(dir, "q3-review-dated.txt")
	os.WriteFile(f2, []byte("Q3 access review, done 2026-10-02, for 2026-07-01..2026-09-30"), 0o644)
	out = mustWard(t, db, "evidence", "add", f2, "--control", "access-review", "--collected", "2026-10-02",
		"--period-start", "2026-07-01", "--period-end", "2026-09-30", "--supersedes", first)
	if !strings.Contains(out, "counts for 2026-Q3 of access-review (quarterly), its stated period") {
		t.Errorf("evidence add with a period:\n%s", out)
	}
	// The fourth quarter is still owed: ward check says so on 2026-11-23
	// (the demo's own Q4 review comes later).
	_, chk, _ := ward(t, db, "check", "--as-of", "2026-11-23")
	if !strings.Contains(chk, "evidence.missing access-review: No evidence for 2026-Q4") {
		t.Errorf("a Q3 review stating its period must not count for Q4:\n%s", chk)
	}
}
