package csvimport

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func mapping(t testing.TB) *Mapping {
	t.Helper()
	m, err := LoadMapping("testdata/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readAll(m *Mapping, data []byte, known func(string) bool) ([]*Row, error) {
	rd, err := NewReader(bytes.NewReader(data), m, known)
	if err != nil {
		return nil, err
	}
	var out []*Row
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

var knownControls = func(c string) bool {
	return map[string]bool{"vulnerability-scanning": true, "patch-management": true, "endpoint-encryption": true}[c]
}

func TestReadResults(t *testing.T) {
	data, _ := os.ReadFile("testdata/results.csv")
	rows, err := readAll(mapping(t), data, knownControls)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (the blank line skipped)", len(rows))
	}
	r := rows[0]
	if r.Line != 2 || r.Control != "vulnerability-scanning" || r.Status != Fail || r.Resource != "web-01" || r.Severity != "high" ||
		!strings.Contains(r.Note, "CVE-2022-3602") || !r.Date.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) || !strings.HasPrefix(r.ID, "row-") {
		t.Errorf("row 1: %+v", r)
	}
	var statuses []string
	for _, r := range rows {
		statuses = append(statuses, r.Status)
	}
	if got := strings.Join(statuses, " "); got != "FAIL PASS PASS FAIL PASS" {
		t.Errorf("statuses %s (custom open/remediated, built-in pass/FAIL/Passed)", got)
	}
	if rows[4].Line != 7 {
		t.Errorf("line after a blank line: %d, want 7", rows[4].Line)
	}
	// The row id is stable: the same content reads to the same id.
	again, _ := readAll(mapping(t), data, knownControls)
	if again[0].ID != rows[0].ID || rows[0].ID == rows[1].ID {
		t.Error("row ids are not stable and distinct")
	}
}

func TestBadInputNamesLineAndColumn(t *testing.T) {
	data, _ := os.ReadFile("testdata/results.csv")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"unknown control", bytes.Replace(data, []byte("patch-management,"), []byte("patch-mgmt,"), 1), `^line 4, column "Control": "patch-mgmt" is not a control`},
		{"bad date", bytes.Replace(data, []byte("2026-11-21"), []byte("21.11.2026"), 1), `^line 4, column "Tested": "21.11.2026" is not a date \(want YYYY-MM-DD\)`},
		{"bad status", bytes.Replace(data, []byte(",remediated,"), []byte(",maybe,"), 1), `^line 3, column "Result": "maybe" is not a status`},
		{"empty control", bytes.Replace(data, []byte("\nendpoint-encryption,2026-11-19,FAIL"), []byte("\n,2026-11-19,FAIL"), 1), `^line 5, column "Control": empty`},
		{"short row", bytes.Replace(data, []byte(",medium,\"FileVault is off\""), nil, 1), `^line 5: the row does not have the header's 6 fields`},
		{"missing column", bytes.Replace(data, []byte("Result"), []byte("Outcome"), 1), `^line 1: the header has no column "Result" for status`},
		{"bad quote", bytes.Replace(data, []byte(`"OpenSSL updated`), []byte(`x"OpenSSL updated`), 1), `^line 3: character \d+: bare " in non-quoted-field`},
		{"empty file", nil, `^line 1: the file is empty`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readAll(mapping(t), c.data, knownControls)
			if err == nil || !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Fatalf("error %v, want %s", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is not a *csvimport.Error", err)
			}
		})
	}
}

func TestMappingErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"columns:\n  control: C\n  date: D\n", `m.yaml:2: columns.status: missing`},
		{"columns:\n  control: C\n  date: D\n  status: S\n  colour: x\n", `^m.yaml:5: unknown field "colour"`},
		{"columns:\n  control: C\n  date: [D\n", `^m.yaml:3: `},
		{"delimiter: ';;'\ncolumns: {control: C, date: D, status: S}\n", `m.yaml:1: delimiter: ";;" is not one character`},
		{"columns: {control: C, date: D, status: S}\nstatus_values:\n  pass: [x]\n  fail: [x]\n", `m.yaml:3: status_values: "x" is listed as both`},
	}
	for _, c := range cases {
		_, err := ParseMapping("m.yaml", []byte(c.yaml))
		if err == nil || !regexp.MustCompile(c.want).MatchString(err.Error()) {
			t.Errorf("%q: %v, want %s", c.yaml, err, c.want)
		}
	}
	m, err := ParseMapping("m.yaml", []byte("delimiter: \";\"\ncolumns: {control: 1, date: 2, status: 3}\ndate_format: 02/01/2006\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(m, []byte("a;b;c\nmfa;25/11/2026;ok\n"), nil)
	if err != nil || len(rows) != 1 || rows[0].Control != "mfa" || rows[0].Date.Day() != 25 || rows[0].Status != Pass {
		t.Errorf("columns by number, ';' and a date layout: %+v %v", rows, err)
	}
}

// FuzzReader: no input makes the reader panic, every failure is a
// *csvimport.Error, and every row has what the import relies on.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Control,Tested,Result,Asset,Severity,Finding\nmfa,2026-11-20,pass,x,low,y\n"))
	m := mapping(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), m, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		for range 10000 {
			r, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Line == 0 {
					t.Fatalf("%T %v: not a *csvimport.Error with a line", err, err)
				}
				return
			}
			if r.Control == "" || r.ID == "" || r.Date.IsZero() && r.Date.Year() != 1 || (r.Status != Pass && r.Status != Fail && r.Status != Manual) {
				t.Fatalf("row without what an import needs: %+v", r)
			}
		}
	})
}
