package sheet

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

var benchXLSX = filepath.Join("..", "..", "..", "bench", "questionnaire", "mercy-regional.xlsx")

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadBenchmarkXLSX(t *testing.T) {
	data := readFile(t, benchXLSX)
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"by header", Spec{Sheet: "Vendor Assessment", Question: "Question", Answer: "Vendor Response", Comment: "Additional Comments"}},
		{"by letter", Spec{Sheet: "vendor assessment", Question: "C", Answer: "D", Comment: "e"}},
		{"found by their headers", Spec{Comment: "E"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Read("mercy-regional.xlsx", data, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			q, a, c := b.Columns()
			if b.Sheet != "Vendor Assessment" || q != "C" || a != "D" || c != "E" || b.Header != 4 {
				t.Fatalf("sheet %q columns %s %s %s header %d", b.Sheet, q, a, c, b.Header)
			}
			if len(b.Rows) < 60 || b.Rows[0].Row != 5 || b.Rows[0].Ref != "GOV-01" || !strings.HasPrefix(b.Rows[0].Question, "Identify the individual") {
				t.Fatalf("rows: %d, first %+v", len(b.Rows), b.Rows[0])
			}
			if !slices.Equal(b.Choices, []string{"Yes", "No", "Partial", "N/A"}) {
				t.Fatalf("choices %v", b.Choices)
			}
		})
	}
}

// Writing answers changes the answer and comment cells of question rows
// and nothing else: every other cell's value and style, the other sheet,
// the merged title, the drop-down, the frozen panes and the defined name
// are as the customer made them. Checked by reading both files back with
// excelize.
func TestWriteKeepsTheCustomersLayout(t *testing.T) {
	data := readFile(t, benchXLSX)
	b, err := Read("mercy-regional.xlsx", data, Spec{Question: "Question", Answer: "Vendor Response", Comment: "Additional Comments"})
	if err != nil {
		t.Fatal(err)
	}
	fills := []Fill{{Row: 5, Answer: "Yes", Comment: "named officer"}, {Row: 6, Answer: "", Comment: "needs review", Review: true}}
	out, err := b.Write(XLSX, fills)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := excelize.OpenReader(bytes.NewReader(data))
	got, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the answered file does not open: %v", err)
	}
	if !slices.Equal(in.GetSheetList(), got.GetSheetList()) {
		t.Fatalf("sheets %v, want %v", got.GetSheetList(), in.GetSheetList())
	}
	changed := map[string]bool{"D5": true, "E5": true, "D6": true, "E6": true}
	for _, sh := range in.GetSheetList() {
		rows, _ := in.GetRows(sh)
		for r := range len(rows) + 2 {
			for c := 1; c <= 8; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, r+1)
				if sh == b.Sheet && changed[cell] {
					continue
				}
				v1, _ := in.GetCellValue(sh, cell)
				v2, _ := got.GetCellValue(sh, cell)
				s1, _ := in.GetCellStyle(sh, cell)
				s2, _ := got.GetCellStyle(sh, cell)
				if v1 != v2 {
					t.Errorf("%s!%s: %q became %q", sh, cell, v1, v2)
				}
				st1, _ := in.GetStyle(s1)
				st2, _ := got.GetStyle(s2)
				if !sameStyle(st1, st2) {
					t.Errorf("%s!%s: style changed", sh, cell)
				}
			}
		}
	}
	if v, _ := got.GetCellValue(b.Sheet, "D5"); v != "Yes" {
		t.Errorf("D5 = %q", v)
	}
	if v, _ := got.GetCellValue(b.Sheet, "E5"); v != "named officer" {
		t.Errorf("E5 = %q", v)
	}
	// The reviewed cell keeps its border and wrap, with the highlight.
	s5, _ := got.GetCellStyle(b.Sheet, "D5")
	s6, _ := got.GetCellStyle(b.Sheet, "D6")
	st5, _ := got.GetStyle(s5)
	st6, _ := got.GetStyle(s6)
	if len(st6.Fill.Color) == 0 || st6.Fill.Color[0] != reviewFill || len(st6.Border) != len(st5.Border) || st6.Alignment == nil || !st6.Alignment.WrapText {
		t.Errorf("review highlight: %+v (answered cell %+v)", st6, st5)
	}
	m1, _ := in.GetMergeCells(b.Sheet)
	m2, _ := got.GetMergeCells(b.Sheet)
	if len(m1) != 2 || len(m2) != len(m1) || m2[0].GetStartAxis() != m1[0].GetStartAxis() {
		t.Errorf("merged cells %v, want %v", m2, m1)
	}
	dv, _ := got.GetDataValidations(b.Sheet)
	if len(dv) != 1 || !strings.Contains(dv[0].Formula1, "Partial") {
		t.Errorf("data validation lost: %+v", dv)
	}
	p, _ := got.GetPanes(b.Sheet)
	if !p.Freeze || p.YSplit != 4 {
		t.Errorf("panes %+v", p)
	}
	if names := got.GetDefinedName(); len(names) != 1 || names[0].Name != "Questions" {
		t.Errorf("defined names %+v", names)
	}
}

func sameStyle(a, b *excelize.Style) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	return slices.Equal(a.Fill.Color, b.Fill.Color) && len(a.Border) == len(b.Border) &&
		(a.Font == nil) == (b.Font == nil) && (a.Font == nil || a.Font.Bold == b.Font.Bold && a.Font.Color == b.Font.Color && a.Font.Size == b.Font.Size)
}

func TestWriteNoteWithoutCommentColumn(t *testing.T) {
	b, err := Read("q.xlsx", readFile(t, benchXLSX), Spec{Question: "C", Answer: "D"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Write(XLSX, []Fill{{Row: 5, Answer: "Yes. A named officer.", Comment: "[ward] matched gov-security-officer"}})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(out))
	cs, _ := f.GetComments(b.Sheet)
	if len(cs) != 1 || cs[0].Cell != "D5" || !strings.Contains(cs[0].Paragraph[0].Text, "gov-security-officer") {
		t.Fatalf("comments %+v", cs)
	}
	if v, _ := f.GetCellValue(b.Sheet, "E5"); v != "" {
		t.Fatalf("E5 = %q: nothing asked for the comment column", v)
	}
}

// workbook makes a small XLSX with a header in row 1 and questions below.
func workbook(t *testing.T, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	rows := [][]any{{"ID", "Question", "Response", "Comments"}, {"Q1", "Is MFA enforced?"}, {"Q2", "Are backups encrypted?"}, {"Q3", "Is there a DR plan?"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	if edit != nil {
		edit(f)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// Bad input is refused with a message naming the file, the sheet and the
// place, and what to do.
func TestReadRefuses(t *testing.T) {
	spec := Spec{Question: "Question", Answer: "Response"}
	for _, tc := range []struct {
		name, file string
		data       []byte
		spec       Spec
		want       []string
	}{
		{"merged over the answer column", "m.xlsx", workbook(t, func(f *excelize.File) { f.MergeCell("Sheet1", "C3", "D3") }), spec,
			[]string{`m.xlsx: sheet "Sheet1": cells C3:D3: are merged over the answer column C`, "question row 3", "unmerge"}},
		{"merged over the question column", "m.xlsx", workbook(t, func(f *excelize.File) { f.MergeCell("Sheet1", "B2", "B3") }), spec,
			[]string{"cells B2:B3", "the question column B"}},
		{"empty sheet", "e.xlsx", workbook(t, func(f *excelize.File) { f.NewSheet("Blank") }), Spec{Sheet: "Blank", Question: "B", Answer: "C"},
			[]string{`e.xlsx: sheet "Blank": the sheet is empty`}},
		{"header only", "h.xlsx", workbook(t, func(f *excelize.File) { f.RemoveRow("Sheet1", 2); f.RemoveRow("Sheet1", 2); f.RemoveRow("Sheet1", 2) }), spec,
			[]string{"column B: no questions under the header"}},
		{"no such column", "c.xlsx", workbook(t, nil), Spec{Question: "Question", Answer: "Vendor Answer"},
			[]string{`no column headed "Vendor Answer"`, `B "Question"`, `C "Response"`}},
		{"no such sheet", "s.xlsx", workbook(t, nil), Spec{Sheet: "Security", Question: "B", Answer: "C"},
			[]string{`no sheet "Security": the workbook has "Sheet1"`}},
		{"bad column letter", "l.xlsx", workbook(t, nil), Spec{Question: "ZZZZ", Answer: "C"}, []string{`no column headed "ZZZZ"`}},
		{"same column twice", "d.xlsx", workbook(t, nil), Spec{Question: "B", Answer: "b"}, []string{"both B"}},
		{"not a zip", "x.xlsx", []byte("Ref,Question\n1,Is MFA on?\n"), spec, []string{"not an XLSX workbook"}},
		{"old xls", "x.xls", []byte{0xD0, 0xCF, 0x11, 0xE0}, spec, []string{"Excel 97-2003"}},
		{"other format", "x.pdf", []byte("%PDF"), spec, []string{".xlsx or .csv"}},
		{"empty file", "x.csv", nil, spec, []string{"the file is empty"}},
		{"latin-1 CSV", "l1.csv", []byte("Ref,Question,Response\n1,Is data encrypted at rest (caf\xe9)?,\n"), spec,
			[]string{"l1.csv: line 2: byte 0xE9", "not UTF-8", "--encoding windows-1252"}},
		{"CSV with a sheet", "s.csv", []byte("Ref,Question,Response\n1,Q?,\n"), Spec{Sheet: "A", Question: "B", Answer: "C"}, []string{"has no sheets"}},
		{"CSV bad quotes", "q.csv", []byte("Ref,Question,Response\n1,\"Is MFA \"on\"?,\n"), spec, []string{"q.csv: line 2: not a valid CSV"}},
		{"CSV no question column", "n.csv", []byte("a,b\n1,2\n"), Spec{}, []string{"no question column found by its header", "--question-col"}},
		{"unknown encoding", "u.csv", []byte("a,b\n"), Spec{Encoding: "ebcdic"}, []string{`--encoding "ebcdic" is not one of`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.file, tc.data, tc.spec)
			if err == nil {
				t.Fatal("read without an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestReadCSVEncodings(t *testing.T) {
	text := "Ref;Question;Response\nA-1;Is PHI encrypted at rest (données)?;\nA-2;Is MFA on?;\n"
	win1252 := []byte(strings.ReplaceAll(text, "é", "\xe9"))
	for _, tc := range []struct {
		name string
		data []byte
		enc  string
		note string
	}{
		{"utf-8", []byte(text), "", ""},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), text...), "", ""},
		{"utf-16 with BOM", append([]byte{0xFF, 0xFE}, utf16le(text)...), "", "converted from UTF-16LE"},
		{"utf-16 without BOM", utf16le(text), "", "converted from UTF-16LE"},
		{"windows-1252 named", win1252, "windows-1252", "converted from Windows-1252"},
		{"latin1 named", win1252, "latin1", "converted from Latin-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Read("q.csv", tc.data, Spec{Question: "Question", Answer: "Response", Encoding: tc.enc})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Rows) != 2 || b.Rows[0].Question != "Is PHI encrypted at rest (données)?" || b.Rows[1].Ref != "A-2" {
				t.Fatalf("rows %+v", b.Rows)
			}
			if tc.note == "" && len(b.Notes) != 0 || tc.note != "" && (len(b.Notes) != 1 || !strings.Contains(b.Notes[0], tc.note)) {
				t.Fatalf("notes %v, want %q", b.Notes, tc.note)
			}
			out, err := b.Write(CSV, []Fill{{Row: 2, Answer: "Yes", Comment: "[ward] x"}})
			if err != nil {
				t.Fatal(err)
			}
			r := csv.NewReader(bytes.NewReader(out))
			r.Comma = ';'
			r.FieldsPerRecord = -1
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if recs[1][2] != "Yes" || recs[1][3] != "[ward] x" || recs[0][3] != "ward: source and confidence" || recs[1][1] != "Is PHI encrypted at rest (données)?" {
				t.Fatalf("written %q", recs)
			}
		})
	}
}

func TestCSVToXLSX(t *testing.T) {
	b, err := Read("answers.csv", []byte("Ref,Question,Response,Notes\nA-1,Is MFA on?,,\n"), Spec{Question: "B", Answer: "C", Comment: "D"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Write(XLSX, []Fill{{Row: 2, Answer: "Yes", Comment: "ok", Review: true}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("answers")
	if len(rows) != 2 || rows[1][2] != "Yes" || rows[1][3] != "ok" || rows[0][1] != "Question" {
		t.Fatalf("rows %q", rows)
	}
	if _, err := b.Write("pdf", nil); err == nil {
		t.Fatal("wrote an unknown format")
	}
	xb, _ := Read("q.xlsx", workbook(t, nil), Spec{Question: "B", Answer: "C"})
	if _, err := xb.Write(CSV, nil); err == nil {
		t.Fatal("wrote an XLSX questionnaire as CSV, losing its other sheets")
	}
}
