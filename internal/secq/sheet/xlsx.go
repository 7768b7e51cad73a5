package sheet

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits on what a workbook may unpack to: a questionnaire is a few
// hundred kilobytes; a zip bomb is refused rather than unpacked.
var xlsxOptions = excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 32 << 20}

// reviewFill is the highlight of an answer cell a person must look at.
const reviewFill = "FFF2CC"

func (b *Book) readXLSX(data []byte, spec Spec) (err error) {
	defer func() {
		// excelize is a large parser of outside input: a panic on a
		// damaged file is a refusal of that file, not a crash.
		if r := recover(); r != nil {
			err = &Error{File: b.Name, Msg: fmt.Sprintf("the workbook is damaged and could not be read (%v)", r)}
		}
	}()
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return &Error{File: b.Name, Msg: "this is an old-format (.xls) or password-protected workbook: save it as an unprotected .xlsx"}
	}
	if !bytes.HasPrefix(data, []byte("PK")) {
		return &Error{File: b.Name, Msg: "this is not an XLSX workbook (an .xlsx file is a zip archive): save it as .xlsx, or name a CSV file .csv"}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), xlsxOptions)
	if err != nil {
		return &Error{File: b.Name, Msg: "the workbook could not be read: " + err.Error()}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return &Error{File: b.Name, Msg: "the workbook has no sheets"}
	}
	name := sheets[0]
	if spec.Sheet != "" {
		i := slices.IndexFunc(sheets, func(s string) bool { return strings.EqualFold(s, spec.Sheet) })
		if i < 0 {
			return &Error{File: b.Name, Msg: fmt.Sprintf("no sheet %q: the workbook has %s", spec.Sheet, quoteList(sheets))}
		}
		name = sheets[i]
	}
	b.Sheet = name
	rows, err := f.GetRows(name)
	if err != nil {
		return &Error{File: b.Name, Sheet: name, Msg: "the sheet could not be read: " + err.Error()}
	}
	fail := func(at, format string, a ...any) error {
		return &Error{File: b.Name, Sheet: name, At: at, Msg: fmt.Sprintf(format, a...)}
	}
	if err := b.layout(table(rows), spec, fail); err != nil {
		return err
	}
	if err := b.checkMerges(f, fail); err != nil {
		return err
	}
	b.Choices = listChoices(f, name, b.Answer, b.Rows[0].Row)
	b.raw = data
	return nil
}

// checkMerges refuses merged cells over the question, answer or comment
// column in a question row: an answer written there would be hidden by
// the merge, or land beside the wrong question.
func (b *Book) checkMerges(f *excelize.File, fail func(at, format string, a ...any) error) error {
	merges, err := f.GetMergeCells(b.Sheet, true)
	if err != nil {
		return fail("", "the merged cells could not be read: %v", err)
	}
	questionRows := map[int]bool{}
	for _, r := range b.Rows {
		questionRows[r.Row] = true
	}
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		var over []string
		for _, c := range []struct {
			n    int
			role string
		}{{b.Question, "question"}, {b.Answer, "answer"}, {b.Comment, "comment"}} {
			if c.n != 0 && c.n >= c1 && c.n <= c2 {
				over = append(over, fmt.Sprintf("the %s column %s", c.role, colName(c.n)))
			}
		}
		if len(over) == 0 {
			continue
		}
		for r := r1; r <= r2; r++ {
			if questionRows[r] {
				return fail("cells "+m.GetStartAxis()+":"+m.GetEndAxis(), "are merged over %s, in question row %d: unmerge them so that each question has its own answer cell", strings.Join(over, " and "), r)
			}
		}
	}
	return nil
}

// listChoices reads a list validation (a drop-down) on the answer
// column's first question cell: the values the customer accepts.
func listChoices(f *excelize.File, sheet string, col, row int) []string {
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		return nil
	}
	for _, dv := range dvs {
		if dv == nil || dv.Type != "list" || !inSqref(dv.Sqref, col, row) {
			continue
		}
		v := strings.TrimSpace(dv.Formula1)
		v = strings.TrimPrefix(strings.TrimSuffix(v, "</formula1>"), "<formula1>")
		if !strings.HasPrefix(v, `"`) {
			continue // a range reference: the choices live elsewhere
		}
		var out []string
		for _, s := range strings.Split(strings.Trim(v, `"`), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// inSqref reports whether the cell is in a space-separated list of
// ranges ("D5:D120 F5").
func inSqref(sqref string, col, row int) bool {
	for _, part := range strings.Fields(sqref) {
		a, z, ok := strings.Cut(part, ":")
		if !ok {
			z = a
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(a)
		c2, r2, err2 := excelize.CellNameToCoordinates(z)
		if err1 == nil && err2 == nil && col >= c1 && col <= c2 && row >= r1 && row <= r2 {
			return true
		}
	}
	return false
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func (b *Book) writeXLSX(w io.Writer, fills []Fill) error {
	f, err := excelize.OpenReader(bytes.NewReader(b.raw), xlsxOptions)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := b.fillXLSX(f, b.Sheet, fills); err != nil {
		return err
	}
	return f.Write(w)
}

// fillXLSX writes the fills into the sheet: values into the answer and
// comment cells (their styles kept), a note when there is no comment
// column, and a highlight on answers to review.
func (b *Book) fillXLSX(f *excelize.File, sheet string, fills []Fill) error {
	highlighted := map[int]int{} // original style id -> highlighted copy
	for _, fl := range fills {
		cell, err := excelize.CoordinatesToCellName(b.Answer, fl.Row)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, cell, fl.Answer); err != nil {
			return err
		}
		if b.Comment > 0 {
			cc, _ := excelize.CoordinatesToCellName(b.Comment, fl.Row)
			if err := f.SetCellStr(sheet, cc, fl.Comment); err != nil {
				return err
			}
		} else if fl.Comment != "" {
			_ = f.DeleteComment(sheet, cell) // ours replaces an earlier one
			if err := f.AddComment(sheet, excelize.Comment{Cell: cell, Author: "ward", Paragraph: []excelize.RichTextRun{{Text: fl.Comment}}}); err != nil {
				return err
			}
		}
		if fl.Review {
			id, err := f.GetCellStyle(sheet, cell)
			if err != nil {
				return err
			}
			hid, ok := highlighted[id]
			if !ok {
				st, err := f.GetStyle(id)
				if err != nil || st == nil {
					st = &excelize.Style{}
				}
				st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{reviewFill}}
				if hid, err = f.NewStyle(st); err != nil {
					return err
				}
				highlighted[id] = hid
			}
			if err := f.SetCellStyle(sheet, cell, cell, hid); err != nil {
				return err
			}
		}
	}
	return nil
}
