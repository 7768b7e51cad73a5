package workforce

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ward/internal/date"
	"ward/internal/workspace"
)

const demoDir = "../../../examples/acme-health"

func demo(t *testing.T) *workspace.Workspace {
	t.Helper()
	l, err := workspace.Load(demoDir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Workspace
}

// readXLSX reads a workbook with nothing but the standard library: the
// sheet names from xl/workbook.xml and its relationships, the shared
// strings, and each sheet's cells by reference, so that what the report
// says is checked by a reader independent of the library that wrote it.
func readXLSX(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string, v any) {
		t.Helper()
		f := files[name]
		if f == nil {
			t.Fatalf("the workbook has no %s", name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		raw, _ := io.ReadAll(rc)
		if err := xml.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	read("xl/workbook.xml", &wb)
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	read("xl/_rels/workbook.xml.rels", &rels)
	var sst struct {
		SI []struct {
			T string `xml:"t"`
			R []struct {
				T string `xml:"t"`
			} `xml:"r"`
		} `xml:"si"`
	}
	if files["xl/sharedStrings.xml"] != nil {
		read("xl/sharedStrings.xml", &sst)
	}
	shared := make([]string, len(sst.SI))
	for i, si := range sst.SI {
		shared[i] = si.T
		for _, r := range si.R {
			shared[i] += r.T
		}
	}
	out := map[string][][]string{}
	for _, s := range wb.Sheets {
		target := ""
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				target = r.Target
			}
		}
		if target == "" {
			t.Fatalf("sheet %q has no part", s.Name)
		}
		if !strings.HasPrefix(target, "/") {
			target = path.Join("xl", target)
		} else {
			target = strings.TrimPrefix(target, "/")
		}
		var ws struct {
			Rows []struct {
				C []struct {
					R  string `xml:"r,attr"`
					T  string `xml:"t,attr"`
					V  string `xml:"v"`
					IS string `xml:"is>t"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		read(target, &ws)
		var rows [][]string
		for _, r := range ws.Rows {
			var row []string
			for _, c := range r.C {
				col, _, err := excelize.SplitCellName(c.R)
				if err != nil {
					t.Fatalf("%s: cell %q", s.Name, c.R)
				}
				n, _ := excelize.ColumnNameToNumber(col)
				for len(row) < n {
					row = append(row, "")
				}
				v := c.V
				switch c.T {
				case "s":
					i, _ := strconv.Atoi(c.V)
					v = shared[i]
				case "inlineStr":
					v = c.IS
				}
				row[n-1] = v
			}
			rows = append(rows, row)
		}
		out[s.Name] = rows
	}
	return out
}

func cellOf(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// The demo's report as an auditor opens it: every sheet with its header,
// one row per status, acknowledgement and completion on record, and the
// demo's gaps where an auditor looks for them: the new hire behind on
// training (164.308(a)(5)(i)), the leaver who still reaches PHI
// (164.308(a)(3)(ii)(C)), an acknowledgement given late.
func TestCFR164_308a5_WorkforceReportXLSX(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse("2026-11-23")
	r := Build(ws, asOf)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	book := readXLSX(t, buf.Bytes())
	for name, cols := range map[string][]string{SheetSummary: SummaryColumns, SheetStatus: StatusColumns, SheetAcks: AckColumns,
		SheetCompletions: CompletionColumns, SheetPeople: PeopleColumns, SheetReminders: ReminderColumns} {
		rows := book[name]
		if len(rows) == 0 || !slices.Equal(rows[0], cols) {
			t.Errorf("sheet %q header %v, want %v", name, rows, cols)
		}
	}
	if n := len(book[SheetStatus]) - 1; n != len(r.Status) || n < 50 {
		t.Errorf("status rows %d, report %d", n, len(r.Status))
	}
	acks := 0
	for _, a := range ws.Acknowledgements {
		if !a.On.After(asOf) {
			acks++
		}
	}
	if n := len(book[SheetAcks]) - 1; n != acks {
		t.Errorf("acknowledgements sheet has %d rows, the workspace %d on or before %s", n, acks, asOf)
	}
	if n := len(book[SheetCompletions]) - 1; n != len(ws.TrainingRecords) {
		t.Errorf("completions sheet has %d rows, the workspace %d", n, len(ws.TrainingRecords))
	}
	// The new hire, noah, is overdue on the awareness training.
	found := false
	for _, row := range book[SheetStatus][1:] {
		if row[0] == "noah@acme-health.example" && row[3] == "training" && row[4] == "hipaa-awareness" {
			found = true
			if row[7] != "overdue" || row[8] != "2026-11-11" || row[9] != "" {
				t.Errorf("noah's training: %v, want overdue since 2026-11-11 and never done", row)
			}
		}
	}
	if !found {
		t.Error("no status row for noah's hipaa-awareness training")
	}
	// The leaver, kevin, still reaches PHI systems past the deadline.
	for _, row := range book[SheetPeople][1:] {
		if row[0] == "kevin@acme-health.example" {
			if row[3] != "left" || row[5] != "2026-11-06" || !strings.Contains(row[8], "patient-api") || row[9] != "2026-11-07" {
				t.Errorf("kevin: %v", row)
			}
		}
	}
	// A date-ordered acknowledgement register with due dates: each row's
	// "on time" agrees with its dates.
	for i, row := range book[SheetAcks][1:] {
		if i > 0 && row[0] < book[SheetAcks][i][0] {
			t.Errorf("acknowledgements out of date order at row %d", i+2)
		}
		if row[6] != "" && (row[7] == "yes") != (row[0] <= row[6]) {
			t.Errorf("row %d: acknowledged %s, due %s, on time %q", i+2, row[0], row[6], row[7])
		}
	}
	// Counts are numbers, and the summary adds up to the status rows.
	total := 0
	for _, row := range book[SheetSummary][1:] {
		for _, c := range row[5:8] {
			n, err := strconv.Atoi(c)
			if err != nil {
				t.Fatalf("summary count %q is not a number: %v", c, row)
			}
			total += n
		}
	}
	if total != len(r.Status) {
		t.Errorf("summary counts add to %d, status has %d rows", total, len(r.Status))
	}
	if about := book[SheetAbout]; len(about) < 2 || about[1][1] != "2026-11-23" {
		t.Errorf("about: %v", about)
	}

	// excelize reads the same cells back.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{SheetStatus, SheetPeople} {
		got, _ := f.GetRows(name)
		for i := range got {
			for j := range got[i] {
				if got[i][j] != cellOf(book[name][i], j) {
					t.Fatalf("%s %d,%d: excelize %q, zip %q", name, i, j, got[i][j], cellOf(book[name][i], j))
				}
			}
		}
	}
}

// A report for an earlier date leaves out what was recorded after it.
func TestWorkforceReportAsOf(t *testing.T) {
	ws := demo(t)
	early := Build(ws, date.MustParse("2026-07-01"))
	for _, a := range early.Acks {
		if a.On.After(early.AsOf) {
			t.Errorf("acknowledgement of %s after the date", a.On)
		}
	}
	for _, c := range early.Completions {
		if c.Completed.After(early.AsOf) {
			t.Errorf("completion of %s after the date", c.Completed)
		}
	}
	if late := Build(ws, date.MustParse("2026-11-23")); len(late.Acks) <= len(early.Acks) {
		t.Errorf("acknowledgements: %d in July, %d in November", len(early.Acks), len(late.Acks))
	}
}
