// Package sheet reads a customer's security questionnaire (XLSX or CSV)
// and writes ward's answers back into the customer's own layout: the
// answer, comment and review marks go into the named columns of the
// question rows, and every other cell, sheet, style, column width and
// validation is left as the customer made it.
//
// Reading is strict and says what to fix: a missing sheet or column, an
// empty sheet, merged cells over the question or answer column, a CSV
// that is not UTF-8 are errors naming the file, the sheet and the cell or
// line. Nothing is written until everything has been read and checked.
//
// The package depends on excelize and the standard library only; what
// the answers are is secq's business.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Formats.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// Spec says where the questionnaire is: columns by letter ("C") or by
// header text ("Question"); empty columns are looked for by their header.
type Spec struct {
	Sheet    string // XLSX: the sheet's name; "" = the first sheet
	Question string
	Answer   string
	Comment  string // optional
	// HeaderRow is the header's row: 0 finds it (the row of the named
	// columns, or the first that fills both the question and the answer
	// column), NoHeader says there is none.
	HeaderRow int
	// Encoding of a CSV: "" detects UTF-8 and UTF-16 (with or without a
	// byte-order mark) and refuses anything else; "latin1",
	// "windows-1252", "utf-16le" and "utf-16be" convert.
	Encoding string
}

// NoHeader is Spec.HeaderRow for a sheet without a header row.
const NoHeader = -1

// Row is one question of the questionnaire.
type Row struct {
	Row      int    `json:"row"` // 1-based row (XLSX) or line of the record (CSV)
	Ref      string `json:"ref"` // the row's first column
	Question string `json:"question"`
}

// Book is a questionnaire read and checked, ready to be filled.
type Book struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	Sheet  string `json:"sheet"`
	// Columns, 1-based; Comment is 0 when there is none.
	Question, Answer, Comment int `json:"-"`
	// Header is the header row (0: none).
	Header int   `json:"header"`
	Rows   []Row `json:"rows"`
	// Notes say what was done to read the file (an encoding converted).
	Notes []string `json:"notes,omitempty"`
	// Choices are the values the answer column's data validation allows
	// (a Yes/No drop-down), when it has one.
	Choices []string `json:"choices,omitempty"`

	raw     []byte // the XLSX as read: each Write starts from it
	records [][]string
	comma   rune
	enc     string // the CSV's original encoding, for the notes
}

// Columns names the columns as letters, for messages.
func (b *Book) Columns() (question, answer, comment string) {
	question, answer = colName(b.Question), colName(b.Answer)
	if b.Comment > 0 {
		comment = colName(b.Comment)
	}
	return
}

// Error is bad input, naming where: the file, the sheet, and a cell,
// column or line when there is one.
type Error struct {
	File  string
	Sheet string
	At    string // "D7", "column C", "line 12"
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ": sheet %q", e.Sheet)
	}
	if e.At != "" {
		b.WriteString(": " + e.At)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// FormatOf is the format a file name says: .xlsx (or .xlsm) or .csv.
func FormatOf(name string) (string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return XLSX, nil
	case ".csv", ".txt":
		return CSV, nil
	case ".xls":
		return "", &Error{File: name, Msg: "this is the old Excel 97-2003 format (.xls): open it in Excel and save it as .xlsx (or as CSV UTF-8)"}
	}
	return "", &Error{File: name, Msg: "ward reads questionnaires as .xlsx or .csv: save the file in one of those formats"}
}

// Read reads the questionnaire in data (named name, whose extension
// gives the format) and checks it against spec.
func Read(name string, data []byte, spec Spec) (b *Book, err error) {
	format, err := FormatOf(name)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, &Error{File: name, Msg: "the file is empty"}
	}
	b = &Book{Name: name, Format: format}
	if format == CSV {
		err = b.readCSV(data, spec)
	} else {
		err = b.readXLSX(data, spec)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// table is a sheet as text: rows of cells, 0-based.
type table [][]string

func (t table) cell(row, col int) string { // 1-based
	if row < 1 || row > len(t) || col < 1 || col > len(t[row-1]) {
		return ""
	}
	return strings.TrimSpace(t[row-1][col-1])
}

func (t table) width() int {
	w := 0
	for _, r := range t {
		w = max(w, len(r))
	}
	return w
}

// headerScan is how many rows from the top a header may be found in.
const headerScan = 30

// layout resolves the spec's columns against a sheet's text and lists the
// question rows. at names the sheet for errors.
func (b *Book) layout(t table, spec Spec, fail func(at, format string, a ...any) error) error {
	if len(t) == 0 || t.width() == 0 {
		return fail("", "the sheet is empty: there are no questions to answer")
	}
	type col struct {
		given, role string
		n           int
	}
	cols := []*col{{spec.Question, "question", 0}, {spec.Answer, "answer", 0}, {spec.Comment, "comment", 0}}
	header := 0
	switch {
	case spec.HeaderRow > len(t):
		return fail("", "header row %d is past the sheet's last row, %d", spec.HeaderRow, len(t))
	case spec.HeaderRow > 0:
		header = spec.HeaderRow
	case spec.HeaderRow < NoHeader:
		return fail("", "header row %d: give a row number, or none", spec.HeaderRow)
	}
	// Columns named by header text fix the header row.
	for _, c := range cols {
		if c.given == "" || isLetters(c.given) {
			continue
		}
		if spec.HeaderRow == NoHeader {
			return fail("", "the %s column is named by its header %q, but the sheet has no header row: give its letter", c.role, c.given)
		}
		r, n := findHeader(t, func(s string) bool { return strings.EqualFold(s, c.given) }, header)
		if n == 0 {
			return fail("", "no column headed %q%s", c.given, headersHint(t, header))
		}
		header, c.n = r, n
	}
	for _, c := range cols {
		if c.given != "" && isLetters(c.given) {
			n, ok := colNumber(c.given)
			if !ok {
				return fail("", "--%s-col %q is not a column letter (A to XFD) or a header", c.role, c.given)
			}
			c.n = n
		}
	}
	// Columns not given are looked for by their usual headers.
	guess := map[string][]string{
		"question": {"question", "questions", "control question", "requirement"},
		"answer":   {"response", "answer", "vendor response", "supplier response", "vendor answer", "supplier answer", "your answer", "your response", "answers", "responses", "yes/no", "yes / no"},
	}
	for _, c := range cols[:2] {
		if c.n != 0 {
			continue
		}
		if spec.HeaderRow == NoHeader {
			return fail("", "without a header row, name the %s column by its letter (--%s-col)", c.role, c.role)
		}
		r, n := findHeader(t, func(s string) bool { return matchesAny(s, guess[c.role]) }, header)
		if n == 0 {
			return fail("", "no %s column found by its header: name it with --%s-col (a letter or the header text)%s", c.role, c.role, headersHint(t, header))
		}
		header, c.n = r, n
	}
	b.Question, b.Answer, b.Comment = cols[0].n, cols[1].n, cols[2].n
	if b.Question == b.Answer {
		return fail("", "the question and answer columns are both %s: the answers need a column of their own", colName(b.Question))
	}
	if b.Comment != 0 && (b.Comment == b.Question || b.Comment == b.Answer) {
		return fail("", "the comment column %s is also the %s column", colName(b.Comment), map[bool]string{true: "question", false: "answer"}[b.Comment == b.Question])
	}
	if header == 0 && spec.HeaderRow == 0 {
		// Columns by letter only: a header is the first row that names
		// both the question and the answer column (an unanswered
		// questionnaire has no text in the answer column below it).
		for r := 1; r <= min(len(t), headerScan); r++ {
			if t.cell(r, b.Question) != "" && t.cell(r, b.Answer) != "" {
				header = r
				break
			}
		}
	}
	b.Header = header
	for r := header + 1; r <= len(t); r++ {
		q := t.cell(r, b.Question)
		if q == "" {
			continue
		}
		b.Rows = append(b.Rows, Row{Row: r, Ref: t.cell(r, 1), Question: oneLine(q)})
	}
	if len(b.Rows) == 0 {
		where := "under the header"
		if header == 0 {
			where = "in it"
		}
		return fail("column "+colName(b.Question), "no questions %s: the question column is empty (is it the right sheet and column?)", where)
	}
	return nil
}

// findHeader finds the first cell in the top rows that ok accepts; in row
// only, when row is not 0. It returns the row and column (1-based).
func findHeader(t table, ok func(string) bool, row int) (int, int) {
	from, to := 1, min(len(t), headerScan)
	if row != 0 {
		from, to = row, row
	}
	for r := from; r <= to; r++ {
		for c := 1; c <= len(t[r-1]); c++ {
			if s := t.cell(r, c); s != "" && ok(oneLine(s)) {
				return r, c
			}
		}
	}
	return 0, 0
}

func matchesAny(s string, names []string) bool {
	s = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":")))
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

func headersHint(t table, row int) string {
	if row == 0 {
		for r := 1; r <= min(len(t), headerScan); r++ {
			n := 0
			for c := 1; c <= len(t[r-1]); c++ {
				if t.cell(r, c) != "" {
					n++
				}
			}
			if n >= 2 {
				row = r
				break
			}
		}
	}
	if row == 0 {
		return ""
	}
	var hs []string
	for c := 1; c <= len(t[row-1]); c++ {
		if s := t.cell(row, c); s != "" {
			hs = append(hs, fmt.Sprintf("%s %q", colName(c), oneLine(s)))
		}
		if len(hs) == 12 {
			hs = append(hs, "...")
			break
		}
	}
	if len(hs) == 0 {
		return ""
	}
	return fmt.Sprintf(" (row %d has %s)", row, strings.Join(hs, ", "))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isLetters(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// maxCol is the last column of a worksheet (XFD).
const maxCol = 16384

func colNumber(s string) (int, bool) {
	n := 0
	for _, r := range strings.ToUpper(s) {
		n = n*26 + int(r-'A'+1)
	}
	return n, n >= 1 && n <= maxCol
}

func colName(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// Fill is what goes into one question row.
type Fill struct {
	Row     int
	Answer  string // into the answer column
	Comment string // into the comment column; without one, a note on the answer cell (XLSX) or an added column (CSV)
	Review  bool   // highlight the answer cell for a person to look at
}

// Write writes the filled questionnaire in format (XLSX or CSV): the
// original with the fills in place. The Book can be written more than
// once; each Write starts from the original.
func (b *Book) Write(format string, fills []Fill) (_ []byte, err error) {
	defer func() {
		// As in reading: a damaged part excelize trips over (a styles
		// part it cannot read, say) is an error for this file, not a crash.
		if r := recover(); r != nil {
			err = &Error{File: b.Name, Sheet: b.Sheet, Msg: fmt.Sprintf("the workbook is damaged and the answers could not be written into it (%v): save it again from Excel and retry", r)}
		}
	}()
	var buf bytes.Buffer
	switch {
	case b.Format == XLSX && format == XLSX:
		err = b.writeXLSX(&buf, fills)
	case b.Format == CSV && format == CSV:
		err = b.writeCSV(&buf, fills)
	case b.Format == CSV && format == XLSX:
		err = b.writeCSVAsXLSX(&buf, fills)
	case b.Format == XLSX && format == CSV:
		return nil, errors.New("an XLSX questionnaire is answered into an .xlsx file (its other sheets and formatting would be lost in a CSV)")
	default:
		return nil, fmt.Errorf("unknown output format %q", format)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
