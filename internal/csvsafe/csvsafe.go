// Package csvsafe writes CSV that is safe to open in a spreadsheet: a
// cell that begins with =, +, -, @, a tab or a carriage return would be
// read by Excel, LibreOffice or Google Sheets as a formula (CSV or
// formula injection: =HYPERLINK(...) sending data away, a DDE command),
// so it is prefixed with a single quote, as the OWASP cheat sheet on CSV
// injection recommends. A plain number (-5, +1.5) is left as it is. Every
// CSV ward writes goes through here.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Cell is s as a spreadsheet reads it as text.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '\t' && s[0] != '\r' {
			return s // a number, not a formula
		}
		return "'" + s
	}
	return s
}

// Cells is Cell of every value, in a new slice.
func Cells(rec []string) []string {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = Cell(s)
	}
	return out
}

// Writer is a csv.Writer whose Write and WriteAll neutralise every cell.
type Writer struct{ *csv.Writer }

func NewWriter(w io.Writer) *Writer { return &Writer{csv.NewWriter(w)} }

func (w *Writer) Write(rec []string) error { return w.Writer.Write(Cells(rec)) }

func (w *Writer) WriteAll(recs [][]string) error {
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
