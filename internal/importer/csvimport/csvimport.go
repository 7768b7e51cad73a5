// Package csvimport reads any tool's CSV export as control results, through
// a column mapping (a small YAML file) that says which column holds the
// control, the date, the status and, optionally, the resource, a note, a
// severity, an account and a stable row id. It streams: one row in memory
// at a time.
//
// The package knows nothing of storage, the command line or HTTP.
package csvimport

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
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

	"ward/internal/workspace"
)

// Statuses a row can have, as the store keeps them.
const (
	Pass   = "PASS"
	Fail   = "FAIL"
	Manual = "MANUAL"
)

// Mapping says where each field is in the CSV.
type Mapping struct {
	// Delimiter is the field separator, one character; "," when empty.
	Delimiter string `yaml:"delimiter"`
	Columns   struct {
		Control  string `yaml:"control"`
		Date     string `yaml:"date"`
		Status   string `yaml:"status"`
		Resource string `yaml:"resource"`
		Note     string `yaml:"note"`
		Severity string `yaml:"severity"`
		Account  string `yaml:"account"`
		ID       string `yaml:"id"`
	} `yaml:"columns"`
	// DateFormat is a Go time layout; empty accepts 2006-01-02, RFC 3339
	// and 1/2/2006.
	DateFormat string `yaml:"date_format"`
	// StatusValues adds spellings of pass, fail and manual to the built-in
	// ones (pass, passed, ok, compliant, yes, true; fail, failed,
	// noncompliant, no, false; manual, n/a, na, unknown, skipped).
	StatusValues struct {
		Pass   []string `yaml:"pass"`
		Fail   []string `yaml:"fail"`
		Manual []string `yaml:"manual"`
	} `yaml:"status_values"`

	statuses map[string]string
}

// LoadMapping reads and checks a mapping file; errors name the file, line
// and field.
func LoadMapping(path string) (*Mapping, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, raw)
}

// ParseMapping parses a mapping; name is used in errors.
func ParseMapping(name string, raw []byte) (*Mapping, error) {
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
	for _, req := range []struct{ field, v string }{{"control", m.Columns.Control}, {"date", m.Columns.Date}, {"status", m.Columns.Status}} {
		if strings.TrimSpace(req.v) == "" {
			return nil, fmt.Errorf("%s%s: columns.%s: missing: name the CSV column (its header, or its number from 1) that holds the %s", name, line("$.columns"), req.field, req.field)
		}
	}
	if m.Delimiter != "" && (utf8.RuneCountInString(m.Delimiter) != 1 || m.Delimiter == "\"" || m.Delimiter == "\n") {
		return nil, fmt.Errorf("%s%s: delimiter: %q is not one character (such as \",\", \";\" or \"\\t\")", name, line("$.delimiter"), m.Delimiter)
	}
	m.statuses = map[string]string{}
	for s, words := range map[string][]string{
		Pass:   {"pass", "passed", "ok", "compliant", "yes", "true"},
		Fail:   {"fail", "failed", "noncompliant", "non-compliant", "no", "false"},
		Manual: {"manual", "n/a", "na", "unknown", "skipped"},
	} {
		for _, w := range words {
			m.statuses[w] = s
		}
	}
	for s, words := range map[string][]string{Pass: m.StatusValues.Pass, Fail: m.StatusValues.Fail, Manual: m.StatusValues.Manual} {
		for _, w := range words {
			k := strings.ToLower(strings.TrimSpace(w))
			if prev, ok := m.statuses[k]; ok && prev != s && !slices.Contains(builtinWords(prev), k) {
				return nil, fmt.Errorf("%s%s: status_values: %q is listed as both %s and %s", name, line("$.status_values"), w, prev, s)
			}
			m.statuses[k] = s
		}
	}
	return &m, nil
}

func builtinWords(status string) []string {
	switch status {
	case Pass:
		return []string{"pass", "passed", "ok", "compliant", "yes", "true"}
	case Fail:
		return []string{"fail", "failed", "noncompliant", "non-compliant", "no", "false"}
	}
	return []string{"manual", "n/a", "na", "unknown", "skipped"}
}

// Row is one result read from the CSV.
type Row struct {
	Line     int
	ID       string // the id column, or a hash of the row's mapped values
	Control  string
	Date     time.Time // UTC midnight, or the time given
	Status   string
	Severity string
	Resource string
	Account  string
	Note     string
}

// Error is a row the reader cannot accept: the line, and the column by
// its header name.
type Error struct {
	Line   int
	Column string
	Err    error
}

func (e *Error) Error() string {
	s := ""
	if e.Line > 0 {
		s = fmt.Sprintf("line %d", e.Line)
	}
	if e.Column != "" {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("column %q", e.Column)
	}
	if s != "" {
		s += ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Reader streams rows.
type Reader struct {
	m      *Mapping
	cr     *csv.Reader
	known  func(control string) bool
	header []string
	idx    map[string]int // field -> column index
	done   bool
}

// NewReader reads the header and checks that every mapped column is in
// it. known reports whether a control id exists (nil: any).
func NewReader(r io.Reader, m *Mapping, known func(string) bool) (*Reader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	if m.Delimiter != "" {
		cr.Comma, _ = utf8.DecodeRuneInString(m.Delimiter)
	}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Line: 1, Err: errors.New("the file is empty: want a header row, then one row per result")}
	}
	if err != nil {
		return nil, ReadError(err, nil)
	}
	rd := &Reader{m: m, cr: cr, known: known, header: slices.Clone(head), idx: map[string]int{}}
	byName := map[string]int{}
	for i, h := range head {
		byName[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range []struct{ field, col string }{
		{"control", m.Columns.Control}, {"date", m.Columns.Date}, {"status", m.Columns.Status},
		{"resource", m.Columns.Resource}, {"note", m.Columns.Note}, {"severity", m.Columns.Severity},
		{"account", m.Columns.Account}, {"id", m.Columns.ID},
	} {
		if c.col == "" {
			continue
		}
		if i, ok := byName[strings.ToLower(strings.TrimSpace(c.col))]; ok {
			rd.idx[c.field] = i
			continue
		}
		if n, err := strconv.Atoi(c.col); err == nil && n >= 1 && n <= len(head) {
			rd.idx[c.field] = n - 1
			continue
		}
		return nil, &Error{Line: 1, Err: fmt.Errorf("the header has no column %q for %s (columns: %s)", c.col, c.field, strings.Join(head, ", "))}
	}
	return rd, nil
}

// Next returns the next row, or io.EOF after the last one. Blank rows are
// skipped.
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
			return nil, ReadError(err, rd.header)
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
		r := &Row{Line: line, Control: get("control"), Resource: get("resource"), Note: get("note"), Account: get("account"), ID: get("id")}
		if r.Control == "" {
			return nil, fail("control", errors.New("empty: every row needs a control id"))
		}
		if rd.known != nil && !rd.known(r.Control) {
			return nil, fail("control", fmt.Errorf("%q is not a control of the catalog or of the organization", r.Control))
		}
		if r.Date, err = rd.date(get("date")); err != nil {
			return nil, fail("date", err)
		}
		st := get("status")
		s, ok := rd.m.statuses[strings.ToLower(st)]
		if !ok {
			return nil, fail("status", fmt.Errorf("%q is not a status: add it under status_values (pass, fail or manual) in the mapping", st))
		}
		r.Status = s
		r.Severity = strings.ToLower(get("severity"))
		if r.Severity == "" {
			r.Severity = "unknown"
		}
		if r.ID == "" {
			sum := sha256.Sum256([]byte(strings.Join([]string{r.Control, r.Date.Format(time.RFC3339), r.Status, r.Resource, r.Account, r.Note}, "\x00")))
			r.ID = "row-" + hex.EncodeToString(sum[:])[:24]
		}
		return r, nil
	}
}

func (rd *Reader) date(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty: every row needs the date of its result")
	}
	layouts := []string{"2006-01-02", time.RFC3339Nano, "2006-01-02 15:04:05", "1/2/2006"}
	if rd.m.DateFormat != "" {
		layouts = []string{rd.m.DateFormat}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	want := "YYYY-MM-DD"
	if rd.m.DateFormat != "" {
		want = "the layout " + rd.m.DateFormat
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want %s)", s, want)
}

// ReadError is err from encoding/csv as an *Error naming the line, with
// a row of the wrong width said in words (header is the file's header).
func ReadError(err error, header []string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := &Error{Line: pe.Line, Err: pe.Err}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			e.Err = fmt.Errorf("the row does not have the header's %d fields: it is cut short or has extra ones", len(header))
		} else if pe.Column > 0 {
			e.Err = fmt.Errorf("character %d: %v", pe.Column, pe.Err)
		}
		return e
	}
	return &Error{Err: err}
}
