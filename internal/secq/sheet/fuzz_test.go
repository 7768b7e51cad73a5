package sheet

import (
	"bytes"
	"fmt"
	"github.com/xuri/excelize/v2"
	"os"
	"path/filepath"
	"testing"
)

// fuzzRead reads data as name with a few specs a user would give; what
// reads must write back, and the written file must read again with the
// same questions.
func fuzzRead(t *testing.T, name string, data []byte) {
	for _, spec := range []Spec{{}, {Question: "B", Answer: "C"}, {Question: "Question", Answer: "Response", Comment: "D"}} {
		b, err := Read(name, data, spec)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%s: an error that names no place: %v", name, err)
			}
			continue
		}
		if len(b.Rows) == 0 {
			t.Fatalf("%s: read with no questions", name)
		}
		fills := make([]Fill, len(b.Rows))
		for i, r := range b.Rows {
			fills[i] = Fill{Row: r.Row, Answer: "Yes", Comment: fmt.Sprintf("row %d", r.Row), Review: i%2 == 0}
		}
		formats := []string{XLSX}
		if b.Format == CSV {
			formats = append(formats, CSV)
		}
		for _, f := range formats {
			out, err := b.Write(f, fills)
			if err != nil {
				// A damaged part excelize reads past but cannot write
				// into is refused then, by name; never a crash.
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%s: read, but writing %s failed: %v", name, f, err)
				}
				continue
			}
			header := b.Header
			if header == 0 {
				header = NoHeader
			}
			again, err := Read("again."+f, out, Spec{Question: colName(b.Question), Answer: colName(b.Answer), Comment: colName(b.Comment), HeaderRow: header})
			if err != nil {
				t.Fatalf("%s: the answered %s does not read back: %v", name, f, err)
			}
			if len(again.Rows) < len(b.Rows) {
				t.Fatalf("%s: %d questions, %d after answering", name, len(b.Rows), len(again.Rows))
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Ref,Question,Response\nA-1,Is MFA on?,\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "q.csv", data) })
}

func FuzzReadXLSX(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "q.xlsx", data) })
}

// TestWriteSeeds writes the XLSX seed corpus (WARD_WRITE_SEEDS=1): small
// workbooks in the shapes a questionnaire takes.
func TestWriteSeeds(t *testing.T) {
	if os.Getenv("WARD_WRITE_SEEDS") == "" {
		t.Skip("set WARD_WRITE_SEEDS=1 to rewrite testdata/fuzz/FuzzReadXLSX")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadXLSX")
	os.MkdirAll(dir, 0o755)
	for name, data := range map[string][]byte{
		"plain":  workbook(t, nil),
		"merged": workbook(t, func(f *excelize.File) { f.MergeCell("Sheet1", "C3", "D3") }),
		"title": workbook(t, func(f *excelize.File) {
			f.InsertRows("Sheet1", 1, 2)
			f.SetCellValue("Sheet1", "A1", "Title")
			f.MergeCell("Sheet1", "A1", "D1")
		}),
	} {
		var b bytes.Buffer
		fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
