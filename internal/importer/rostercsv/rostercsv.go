// Package rostercsv reads the workforce's records from another system's
// CSV export: acknowledgements of policies (from an HR or e-signature
// tool) and training completions (from a learning management system).
// A column mapping (a small YAML file, as for `ward import csv`) says
// which column holds the person, the date, and the policy and version or
// the training, and translates the file's own names into ward's ids.
//
// The package knows nothing of storage, the command line or HTTP; it
// checks the file's shape, not whether the people, policies or trainings
// exist (the caller does, against the workspace).
package rostercsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"ward/internal/date"
	"ward/internal/importer/csvimport"
	"ward/internal/workspace"
)

// Kinds of file.
const (
	Acknowledgements = "acknowledgements"
	Trainings        = "trainings"
)

// Mapping says where each field is in the CSV.
type Mapping struct {
	// Delimiter is the field separator, one character; "," when empty.
	Delimiter string `yaml:"delimiter"`
	Columns   struct {
		Person   string `yaml:"person"`   // the person's e-mail
		Date     string `yaml:"date"`     // acknowledged on, or completed
		Policy   string `yaml:"policy"`   // acknowledgements
		Version  string `yaml:"version"`  // acknowledgements
		Training string `yaml:"training"` // trainings
		Status   string `yaml:"status"`   // optional: rows are kept only with one of Completed
	} `yaml:"columns"`
	// DateFormat is a Go time layout; empty accepts 2006-01-02, RFC 3339,
	// "2006-01-02 15:04:05" and 1/2/2006.
	DateFormat string `yaml:"date_format"`
	// Policies and Trainings translate the file's names into ward's ids
	// ("HIPAA Privacy and Security 2026" → hipaa-awareness); a name not
	// listed is taken as an id.
	Policies  map[string]string `yaml:"policies"`
	Trainings map[string]string `yaml:"trainings"`
	// Version is the policy version for files that have no version
	// column.
	Version int `yaml:"version"`
	// Completed lists the status values of rows to keep (completed,
	// passed); with a status column and none listed, "completed",
	// "complete", "passed" and "done" are kept. Other rows are skipped
	// and counted, never imported.
	Completed []string `yaml:"completed"`
}

// LoadMapping reads and checks a mapping file for kind; errors name the
// file, line and field.
func LoadMapping(path, kind string) (*Mapping, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, kind, raw)
}

// ParseMapping parses a mapping for kind; name is used in errors.
func ParseMapping(name, kind string, raw []byte) (*Mapping, error) {
	var m Mapping
	if err := workspace.CheckYAML(name, raw); err != nil {
		return nil, err
	}
	if err := yaml.UnmarshalWithOptions(raw, &m, yaml.Strict()); err != nil {
		return nil, workspace.YAMLError(name, err)
	}
	line := func(path string) string {
		p, err := yaml.PathString(path)
		if err != nil {
			return ""
		}
		f, err := parser.ParseBytes(raw, 0)
		if err != nil {
			return ""
		}
		if n, err := p.FilterFile(f); err == nil && n != nil {
			return ":" + strconv.Itoa(n.GetToken().Position.Line)
		}
		return ""
	}
	req := []struct{ field, v, what string }{{"person", m.Columns.Person, "person's e-mail"}, {"date", m.Columns.Date, "date"}}
	switch kind {
	case Acknowledgements:
		req = append(req, struct{ field, v, what string }{"policy", m.Columns.Policy, "policy"})
		if m.Columns.Training != "" {
			return nil, fmt.Errorf("%s%s: columns.training: an acknowledgements mapping names a policy, not a training", name, line("$.columns.training"))
		}
		if m.Columns.Version == "" && m.Version < 1 {
			return nil, fmt.Errorf("%s%s: columns.version: missing: name the column with the policy version, or give version: N for the whole file", name, line("$.columns"))
		}
	case Trainings:
		req = append(req, struct{ field, v, what string }{"training", m.Columns.Training, "training"})
		if m.Columns.Policy != "" || m.Columns.Version != "" {
			return nil, fmt.Errorf("%s%s: columns: a trainings mapping names a training, not a policy or version", name, line("$.columns"))
		}
	default:
		return nil, fmt.Errorf("no kind of roster %q (acknowledgements, trainings)", kind)
	}
	for _, r := range req {
		if strings.TrimSpace(r.v) == "" {
			return nil, fmt.Errorf("%s%s: columns.%s: missing: name the CSV column (its header, or its number from 1) that holds the %s", name, line("$.columns"), r.field, r.what)
		}
	}
	if m.Delimiter != "" && (utf8.RuneCountInString(m.Delimiter) != 1 || m.Delimiter == "\"" || m.Delimiter == "\n" || m.Delimiter == "\r") {
		return nil, fmt.Errorf("%s%s: delimiter: %q is not one character (such as \",\", \";\" or \"\\t\")", name, line("$.delimiter"), m.Delimiter)
	}
	if m.Version < 0 {
		return nil, fmt.Errorf("%s%s: version: %d is not a version number", name, line("$.version"), m.Version)
	}
	if len(m.Completed) == 0 {
		m.Completed = []string{"completed", "complete", "passed", "done"}
	}
	for i, c := range m.Completed {
		m.Completed[i] = strings.ToLower(strings.TrimSpace(c))
	}
	return &m, nil
}

// Row is one acknowledgement or completion read from the CSV, with its
// line, and each field's column header for messages.
type Row struct {
	Line     int
	Person   string
	Date     date.Date
	Policy   string // acknowledgements
	Version  int    // acknowledgements
	Training string // trainings
}

// Error is a row the reader cannot accept: the line, and the column by
// its header name (the same error as ward import csv's reader).
type Error = csvimport.Error

// Reader streams rows.
type Reader struct {
	m       *Mapping
	kind    string
	cr      *csv.Reader
	header  []string
	idx     map[string]int // field -> column index
	done    bool
	Skipped int // rows whose status is not a completion
}

// NewReader reads the header and checks that every mapped column is in it.
func NewReader(r io.Reader, m *Mapping, kind string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	if m.Delimiter != "" {
		cr.Comma, _ = utf8.DecodeRuneInString(m.Delimiter)
	}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Line: 1, Err: errors.New("the file is empty: want a header row, then one row per person")}
	}
	if err != nil {
		return nil, csvimport.ReadError(err, nil)
	}
	rd := &Reader{m: m, kind: kind, cr: cr, header: slices.Clone(head), idx: map[string]int{}}
	byName := map[string]int{}
	for i, h := range head {
		if _, dup := byName[strings.ToLower(strings.TrimSpace(h))]; !dup {
			byName[strings.ToLower(strings.TrimSpace(h))] = i
		}
	}
	for _, c := range []struct{ field, col string }{
		{"person", m.Columns.Person}, {"date", m.Columns.Date}, {"policy", m.Columns.Policy},
		{"version", m.Columns.Version}, {"training", m.Columns.Training}, {"status", m.Columns.Status},
	} {
		if c.col == "" {
			continue
		}
		if i, ok := byName[strings.ToLower(strings.TrimSpace(c.col))]; ok {
			rd.idx[c.field] = i
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(c.col)); err == nil && n >= 1 && n <= len(head) {
			rd.idx[c.field] = n - 1
			continue
		}
		return nil, &Error{Line: 1, Err: fmt.Errorf("the header has no column %q for %s (columns: %s)", c.col, c.field, strings.Join(head, ", "))}
	}
	return rd, nil
}

// Column is the header of the column a field is read from ("" when the
// mapping names none).
func (rd *Reader) Column(field string) string {
	if i, ok := rd.idx[field]; ok {
		return rd.header[i]
	}
	return ""
}

// Next returns the next row, or io.EOF after the last one. Blank rows,
// and rows whose status is not a completion, are skipped.
func (rd *Reader) Next() (*Row, error) {
	if rd.done {
		return nil, io.EOF
	}
	row, err := rd.next()
	if err != nil {
		rd.done = true
	}
	return row, err
}

func (rd *Reader) next() (*Row, error) {
	for {
		rec, err := rd.cr.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, csvimport.ReadError(err, rd.header)
		}
		line, _ := rd.cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(field string) string {
			i, ok := rd.idx[field]
			if !ok {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		fail := func(field string, err error) error {
			return &Error{Line: line, Column: rd.header[rd.idx[field]], Err: err}
		}
		if _, ok := rd.idx["status"]; ok && !slices.Contains(rd.m.Completed, strings.ToLower(get("status"))) {
			rd.Skipped++
			continue
		}
		r := &Row{Line: line, Person: strings.ToLower(get("person"))}
		if r.Person == "" {
			return nil, fail("person", errors.New("empty: every row needs the person's e-mail"))
		}
		if !strings.Contains(r.Person, "@") {
			return nil, fail("person", fmt.Errorf("%q is not an e-mail address", r.Person))
		}
		if r.Date, err = rd.date(get("date")); err != nil {
			return nil, fail("date", err)
		}
		switch rd.kind {
		case Acknowledgements:
			name := get("policy")
			if name == "" {
				return nil, fail("policy", errors.New("empty: every row needs the policy acknowledged"))
			}
			r.Policy = translate(rd.m.Policies, name)
			r.Version = rd.m.Version
			if _, ok := rd.idx["version"]; ok {
				v := strings.TrimPrefix(strings.ToLower(get("version")), "v")
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return nil, fail("version", fmt.Errorf("%q is not a version number (1, 2, v3)", get("version")))
				}
				r.Version = n
			}
		case Trainings:
			name := get("training")
			if name == "" {
				return nil, fail("training", errors.New("empty: every row needs the training completed"))
			}
			r.Training = translate(rd.m.Trainings, name)
		}
		return r, nil
	}
}

// translate maps a name through the mapping (exactly, then without
// regard to case), else keeps it as an id.
func translate(m map[string]string, name string) string {
	if id, ok := m[name]; ok {
		return id
	}
	for k, id := range m {
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return id
		}
	}
	return name
}

func (rd *Reader) date(s string) (date.Date, error) {
	if s == "" {
		return date.Date{}, errors.New("empty: every row needs its date")
	}
	layouts := []string{"2006-01-02", time.RFC3339Nano, "2006-01-02 15:04:05", "1/2/2006"}
	if rd.m.DateFormat != "" {
		layouts = []string{rd.m.DateFormat}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			// The calendar day the file states, whatever zone it gives.
			return date.New(t.Year(), t.Month(), t.Day()), nil
		}
	}
	want := "YYYY-MM-DD"
	if rd.m.DateFormat != "" {
		want = "the layout " + rd.m.DateFormat
	}
	return date.Date{}, fmt.Errorf("%q is not a date (want %s)", s, want)
}
