package rostercsv

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"ward/internal/date"
)

func readAll(t testing.TB, m *Mapping, kind string, data []byte) ([]*Row, *Reader, error) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data), m, kind)
	if err != nil {
		return nil, nil, err
	}
	var out []*Row
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out, rd, nil
		}
		if err != nil {
			return out, rd, err
		}
		out = append(out, r)
	}
}

func load(t testing.TB, path, kind string) *Mapping {
	t.Helper()
	m, err := LoadMapping(path, kind)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReadLMSExport(t *testing.T) {
	data, _ := os.ReadFile("testdata/lms.csv")
	rows, rd, err := readAll(t, load(t, "testdata/lms-map.yaml", Trainings), Trainings, data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Person+" "+r.Training+" "+r.Date.String())
	}
	want := []string{
		"dana@acme-health.example hipaa-awareness 2026-06-18",
		"raj@acme-health.example hipaa-awareness 2026-06-19",
		"sam@acme-health.example secure-development 2026-07-15", // e-mail lower-cased, "Passed" kept
		"tom@acme-health.example hipaa-awareness 2026-08-12",    // an id as it is
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rd.Skipped != 1 {
		t.Errorf("skipped %d rows, want 1 (noah, in progress)", rd.Skipped)
	}
	if rows[3].Line != 7 {
		t.Errorf("line after a blank line: %d, want 7", rows[3].Line)
	}
}

func TestReadAcknowledgements(t *testing.T) {
	data, _ := os.ReadFile("testdata/acks.csv")
	rows, _, err := readAll(t, load(t, "testdata/acks-map.yaml", Acknowledgements), Acknowledgements, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Policy != "sanctions" || rows[0].Version != 2 || rows[0].Date != date.MustParse("2026-11-02") || rows[1].Policy != "sanctions" {
		t.Errorf("rows %+v %+v", rows[0], rows[1])
	}
	// A file without a version column takes the mapping's version.
	m, err := ParseMapping("m.yaml", Acknowledgements, []byte("version: 3\ncolumns: {person: 1, policy: 2, date: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err = readAll(t, m, Acknowledgements, []byte("who,what,when\na@b.example,sanctions,2026-01-02\n"))
	if err != nil || len(rows) != 1 || rows[0].Version != 3 {
		t.Errorf("version from the mapping: %+v %v", rows, err)
	}
}

func TestBadInputNamesLineAndColumn(t *testing.T) {
	m := load(t, "testdata/lms-map.yaml", Trainings)
	head := "Learner Email,Course,Status,Completed On\n"
	cases := []struct{ name, data, want string }{
		{"no header", "", "line 1: the file is empty"},
		{"missing column", "Email,Course\n", `line 1: the header has no column "Learner Email"`},
		{"bad date", head + "a@b.example,x,Completed,2026-13-01\n", `line 2, column "Completed On": "2026-13-01" is not a date (want the layout 01/02/2006)`},
		{"no e-mail", head + "Dana Kim,x,Completed,01/02/2026\n", `line 2, column "Learner Email": "dana kim" is not an e-mail address`},
		{"empty training", head + "a@b.example,,Completed,01/02/2026\n", `line 2, column "Course": empty`},
		{"cut short", head + "a@b.example,x\n", "line 2: the row does not have the header's 4 fields"},
	}
	for _, c := range cases {
		_, _, err := readAll(t, m, Trainings, []byte(c.data))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	am := load(t, "testdata/acks-map.yaml", Acknowledgements)
	_, _, err := readAll(t, am, Acknowledgements, []byte("email;document;revision;signed\na@b.example;sanctions;two;2026-01-02\n"))
	if err == nil || !strings.Contains(err.Error(), `line 2, column "revision": "two" is not a version number`) {
		t.Errorf("bad version: %v", err)
	}
}

func TestMappingErrors(t *testing.T) {
	cases := []struct{ kind, yaml, want string }{
		{Trainings, "columns: {person: a, date: b}\n", "columns.training: missing"},
		{Acknowledgements, "columns: {person: a, date: b, policy: c}\n", "columns.version: missing"},
		{Acknowledgements, "columns: {person: a, date: b, policy: c, version: d, training: e}\n", "columns.training: an acknowledgements mapping"},
		{Trainings, "colums: {}\n", `:1: unknown field "colums"`},
		{Trainings, "delimiter: ';;'\ncolumns: {person: a, date: b, training: c}\n", "m.yaml:1: delimiter"},
		// Refused before the YAML parser sees it, as a workspace file and
		// ward import csv's mapping are: parsing these 200 KB took 2m48s
		// and 15 GB of memory (ward import trainings, measured).
		{Trainings, "columns: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n", "m.yaml:1: nested more than 64 levels deep"},
		{Acknowledgements, "columns: {person: \xff}\n", "m.yaml:1: byte 18 (column 19) is not valid UTF-8"},
	}
	for _, c := range cases {
		if _, err := ParseMapping("m.yaml", c.kind, []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
}

// FuzzReader: whatever the bytes, the reader returns rows with what an
// import needs, or an *Error with a line; it never panics.
func FuzzReader(f *testing.F) {
	for _, p := range []string{"testdata/lms.csv", "testdata/acks.csv"} {
		data, _ := os.ReadFile(p)
		f.Add(data, p == "testdata/acks.csv")
	}
	tm := load(f, "testdata/lms-map.yaml", Trainings)
	am := load(f, "testdata/acks-map.yaml", Acknowledgements)
	f.Fuzz(func(t *testing.T, data []byte, acks bool) {
		m, kind := tm, Trainings
		if acks {
			m, kind = am, Acknowledgements
		}
		rd, err := NewReader(bytes.NewReader(data), m, kind)
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
					t.Fatalf("%T %v: not an *Error with a line", err, err)
				}
				return
			}
			if r.Person == "" || !strings.Contains(r.Person, "@") || r.Date.IsZero() && r.Date.Year() != 1 || r.Line < 2 {
				t.Fatalf("row without what an import needs: %+v", r)
			}
			if kind == Acknowledgements && (r.Policy == "" || r.Version < 1) || kind == Trainings && r.Training == "" {
				t.Fatalf("row without its policy or training: %+v", r)
			}
		}
	})
}
