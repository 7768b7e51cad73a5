package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ward/internal/cli"
	"ward/internal/date"
)

const benchDir = "../../../bench/questionnaire"

var benchArgs = []string{"--sheet", "Vendor Assessment", "--question-col", "Question", "--answer-col", "Vendor Response", "--comment-col", "Additional Comments"}

func secqDB(t *testing.T) (dir, db string) {
	t.Helper()
	t.Setenv("WARD_ACTOR", "test")
	dir = t.TempDir()
	db = filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	return dir, db
}

// `ward questionnaire answer` on the benchmark workbook: the answered file
// opens in excelize with the customer's other sheet, merged title,
// drop-down and every cell outside the answer and comment columns as they
// were, and the precision and coverage against the key are printed.
func TestQuestionnaireAnswerBenchmark(t *testing.T) {
	dir, db := secqDB(t)
	in := filepath.Join(benchDir, "mercy-regional.xlsx")
	out := filepath.Join(dir, "answered.xlsx")
	args := append(append([]string{"questionnaire", "answer", in}, benchArgs...), "-o", out, "--key", filepath.Join(benchDir, "key.csv"), "--as-of", "2026-12-15")
	stdout := mustWard(t, db, args...)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`mercy-regional\.xlsx, sheet "Vendor Assessment": 105 questions \(questions in C, answers into D, comments into E\), as of 2026-12-15`),
		regexp.MustCompile(`answered \d+ \(\d+%\) at confidence 0\.45 or more; \d+ for review`),
		regexp.MustCompile(`\n5 +GOV-01 +0\.\d\d +gov-security-officer +Yes`),
		regexp.MustCompile(`all +105 rows: coverage +\d+\.\d% \(\d+ answered\), precision +\d+\.\d% \(\d+ right\)`),
		regexp.MustCompile(`holdout +51 rows`),
		regexp.MustCompile(`wrote .*answered\.xlsx`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("output lacks %v:\n%s", want, stdout)
		}
	}
	src, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("the answered workbook does not open: %v", err)
	}
	if !slices.Equal(got.GetSheetList(), []string{"Vendor Assessment", "Instructions"}) {
		t.Fatalf("sheets %v", got.GetSheetList())
	}
	const s = "Vendor Assessment"
	rows, _ := src.GetRows(s)
	answered := 0
	for r := 1; r <= len(rows); r++ {
		for _, col := range []string{"A", "B", "C", "F"} {
			cell := col + strconv.Itoa(r)
			v1, _ := src.GetCellValue(s, cell)
			v2, _ := got.GetCellValue(s, cell)
			st1, _ := src.GetCellStyle(s, cell)
			st2, _ := got.GetCellStyle(s, cell)
			if v1 != v2 || st1 != st2 {
				t.Errorf("%s: %q (style %d) became %q (style %d)", cell, v1, st1, v2, st2)
			}
		}
		if r < 5 {
			continue
		}
		d, _ := got.GetCellValue(s, "D"+strconv.Itoa(r))
		e, _ := got.GetCellValue(s, "E"+strconv.Itoa(r))
		if d != "" {
			answered++
			if !slices.Contains([]string{"Yes", "No", "Partial", "N/A"}, d) {
				t.Errorf("D%d = %q: not one of the drop-down's choices", r, d)
			}
		}
		if !strings.Contains(e, "[ward]") {
			t.Errorf("E%d has no ward note: %q", r, e)
		}
	}
	if answered < 60 {
		t.Errorf("only %d rows answered", answered)
	}
	if v, _ := got.GetCellValue(s, "E5"); !strings.Contains(v, "[ward] matched gov-security-officer, confidence") || !strings.Contains(v, "Sources: ward answer bank") {
		t.Errorf("E5 = %q", v)
	}
	for _, sh := range []string{"Instructions"} {
		r1, _ := src.GetRows(sh)
		r2, _ := got.GetRows(sh)
		if !slices.EqualFunc(r1, r2, slices.Equal) {
			t.Errorf("sheet %s changed", sh)
		}
	}
	m, _ := got.GetMergeCells(s)
	dv, _ := got.GetDataValidations(s)
	if len(m) != 2 || len(dv) != 1 {
		t.Errorf("merged title or drop-down lost: %d merges, %d validations", len(m), len(dv))
	}
}

// --format json gives exactly {"rows": [{"row", "ref", "question",
// "match", "confidence", "answer", "controls", "review"}]}: match null and
// controls [] for a row left for review.
func TestQuestionnaireAnswerJSON(t *testing.T) {
	dir, db := secqDB(t)
	csvPath := filepath.Join(dir, "q.csv")
	os.WriteFile(csvPath, []byte("Ref,Question,Response\nA-1,Is multi-factor authentication required for workforce access to systems with PHI?,\nA-2,What is your favourite colour?,\n"), 0o644)
	stdout := mustWard(t, db, "questionnaire", "answer", csvPath, "--format", "json", "--as-of", "2026-12-15")
	var compact bytes.Buffer
	json.Compact(&compact, []byte(stdout))
	var doc map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(compact.Bytes(), &doc); err != nil || len(doc) != 1 || len(doc["rows"]) != 2 {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := []string{"answer", "confidence", "controls", "match", "question", "ref", "review", "row"}
	for _, r := range doc["rows"] {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Errorf("row keys %v, want exactly %v", keys, want)
		}
	}
	r1, r2 := doc["rows"][0], doc["rows"][1]
	if string(r1["row"]) != "2" || string(r1["ref"]) != `"A-1"` || string(r1["match"]) != `"acc-mfa-workforce"` || string(r1["controls"]) != `["mfa"]` {
		t.Errorf("row 1: %s", mustJSONString(r1))
	}
	if string(r2["match"]) != "null" || string(r2["controls"]) != "[]" || string(r2["review"]) != "true" || string(r2["answer"]) != `""` {
		t.Errorf("row 2: %s", mustJSONString(r2))
	}
	var conf float64
	json.Unmarshal(r1["confidence"], &conf)
	if conf < 0.45 || conf > 1 {
		t.Errorf("confidence %v", conf)
	}
}

func mustJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Bad input: a clear message naming the file and the place, exit 2, and
// no answered file, not even a partial one.
func TestQuestionnaireAnswerBadInput(t *testing.T) {
	dir, db := secqDB(t)
	merged := excelize.NewFile()
	merged.SetSheetRow("Sheet1", "A1", &[]any{"Ref", "Question", "Response"})
	merged.SetSheetRow("Sheet1", "A2", &[]any{"Q1", "Is MFA enforced?"})
	merged.SetSheetRow("Sheet1", "A3", &[]any{"Q2", "Are backups encrypted?"})
	merged.MergeCell("Sheet1", "B3", "C3")
	merged.NewSheet("Empty")
	var buf bytes.Buffer
	merged.Write(&buf)
	xlsx := filepath.Join(dir, "customer.xlsx")
	os.WriteFile(xlsx, buf.Bytes(), 0o644)
	latin := filepath.Join(dir, "latin.csv")
	os.WriteFile(latin, []byte("Ref,Question,Response\nQ1,Is data encrypted at rest (donn\xe9es)?,\n"), 0o644)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"merged cells", []string{xlsx, "--question-col", "B", "--answer-col", "C"}, `customer.xlsx: sheet "Sheet1": cells B3:C3: are merged over the question column B and the answer column C, in question row 3`},
		{"empty sheet", []string{xlsx, "--sheet", "Empty", "--question-col", "B", "--answer-col", "C"}, `customer.xlsx: sheet "Empty": the sheet is empty`},
		{"CSV in Latin-1", []string{latin}, "latin.csv: line 2: byte 0xE9 (offset 56) is not UTF-8"},
		{"no such column", []string{xlsx, "--question-col", "Question", "--answer-col", "Vendor Answer"}, `no column headed "Vendor Answer"`},
		{"no such sheet", []string{xlsx, "--sheet", "Security"}, `no sheet "Security"`},
		{"missing file", []string{filepath.Join(dir, "nope.xlsx")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-")+".xlsx")
			code, stdout, stderr := ward(t, db, append(append([]string{"questionnaire", "answer"}, tc.args...), "-o", out)...)
			if code != cli.ExitBadInput {
				t.Fatalf("exit %d, want 2\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an output file was written: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".out-") {
					t.Errorf("a temporary file was left: %s", e.Name())
				}
			}
		})
	}
	// Named, the encoding converts, with a note.
	out := filepath.Join(dir, "latin.xlsx")
	code, _, stderr := ward(t, db, "questionnaire", "answer", latin, "--encoding", "windows-1252", "-o", out)
	if code != 0 || !strings.Contains(stderr, "converted from Windows-1252 to UTF-8") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("latin", "B2"); v != "Is data encrypted at rest (données)?" {
		t.Errorf("B2 = %q", v)
	}
}

// An approved answer is what the next questionnaire gets, until a control
// under it changes.
func TestQuestionnaireApprove(t *testing.T) {
	dir, db := secqDB(t)
	q := filepath.Join(dir, "q.csv")
	os.WriteFile(q, []byte("Ref,Question,Response\nX-1,Do you keep a register of the risks you found with owners and due dates?,\n"), 0o644)
	answer := func() map[string]any {
		var doc struct{ Rows []map[string]any }
		json.Unmarshal([]byte(mustWard(t, db, "questionnaire", "answer", q, "--format", "json", "--as-of", "2026-12-15")), &doc)
		return doc.Rows[0]
	}
	if r := answer(); r["match"] != "gov-risk-treatment" {
		t.Fatalf("%v", r)
	}
	if code, _, stderr := ward(t, db, "questionnaire", "approve", "gov-risk-treatment"); code != cli.ExitBadInput || !strings.Contains(stderr, "--by") {
		t.Fatalf("approve without --by: %d %s", code, stderr)
	}
	text := "Yes. Our risk register lists every risk with its owner, treatment and due date; the Security Officer reviews it quarterly."
	out := mustWard(t, db, "questionnaire", "approve", "gov-risk-treatment", "--by", "maria@acme-health.example", "--text", text, "--verdict", "yes",
		"--alias", "Is there a risk register?", "--as-of", "2026-12-15")
	if !strings.Contains(out, "gov-risk-treatment: approved by maria@acme-health.example on 2026-12-15 (create)") {
		t.Fatalf("%s", out)
	}
	if r := answer(); r["answer"] != text || r["review"] != false {
		t.Fatalf("the approved answer is not reused: %v", r)
	}
	lib := mustWard(t, db, "questionnaire", "library", "gov-risk-treatment", "--as-of", "2026-12-15")
	if !strings.Contains(lib, "approved by maria@acme-health.example on 2026-12-15 (in use)") {
		t.Errorf("%s", lib)
	}
	// The risk-management control changes status: the approval is stale.
	ws := filepath.Join(dir, "ws")
	os.CopyFS(ws, os.DirFS(demoDir))
	p := filepath.Join(ws, "controls.yaml")
	raw, _ := os.ReadFile(p)
	old := "  - id: risk-management\n    status: implemented"
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("controls.yaml has no %q", old)
	}
	os.WriteFile(p, bytes.Replace(raw, []byte(old), []byte("  - id: risk-management\n    status: in-progress"), 1), 0o644)
	mustWard(t, db, "apply", "-f", ws)
	if r := answer(); r["answer"] == text || r["review"] != true {
		t.Fatalf("a changed control left the approval in use: %v", r)
	}
	lib = mustWard(t, db, "questionnaire", "library", "gov-risk-treatment", "--as-of", "2026-12-15")
	if !strings.Contains(lib, "(stale, not in use)") || !strings.Contains(lib, "risk-management was implemented/") {
		t.Errorf("%s", lib)
	}
}

// The demo has St. Mary's questionnaire under review, one answer accepted
// and one corrected by Maria.
func TestDemoQuestionnaire(t *testing.T) {
	_, db := secqDB(t)
	env := &cli.Env{DB: "sqlite:" + db, Stdout: io.Discard, Stderr: io.Discard}
	defer env.Close()
	ctx := context.Background()
	b, err := env.Backend(ctx)
	if err != nil {
		t.Fatal(err)
	}
	asOf := date.MustParse("2026-12-15")
	if err := cli.SeedDemoQuestionnaire(ctx, b, asOf); err != nil {
		t.Fatal(err)
	}
	sheets, err := b.Data.AnswerSheets(ctx)
	if err != nil || len(sheets) != 1 || len(sheets[0].Decisions) != 2 || sheets[0].Customer != "St. Mary's Clinic" {
		t.Fatalf("%+v %v", sheets, err)
	}
	approved, _ := b.Data.ApprovedAnswers(ctx)
	if len(approved) != 2 {
		t.Fatalf("approved %+v", approved)
	}
	lib := mustWard(t, db, "questionnaire", "library", "acc-mfa-workforce", "--as-of", "2026-12-15")
	if !strings.Contains(lib, "Okta with push or hardware-key MFA") || !strings.Contains(lib, "approved by maria@acme-health.example on 2026-12-15 (in use)") {
		t.Errorf("%s", lib)
	}
}
