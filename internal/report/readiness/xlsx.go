package readiness

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"ward/internal/posture"
)

// RequirementHeader is the header row of each framework's sheet.
var RequirementHeader = []string{"Requirement", "Title", "Section", "Status", "Reason", "Controls in scope", "Missing"}

// writeXLSX writes the workbook: "Summary" (one row per framework), one
// sheet per framework (every requirement, status coloured), and "Type II
// exceptions" when there is an observation window.
func writeXLSX(w io.Writer, rep Report) error {
	x := excelize.NewFile()
	defer x.Close()
	const summary = "Summary"
	if err := x.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}}})
	fill := map[string]int{}
	for st, col := range map[string]string{posture.Met: "DCEFDC", posture.Partial: "FFF2CC", posture.NotMet: "FDECEA", posture.NotApplicable: "EEF1F5"} {
		fill[st], _ = x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{col}}})
	}
	put := func(sheet string, row int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		x.SetSheetRow(sheet, cell, &vals)
	}
	header := func(sheet string, cols []string) {
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = c
		}
		put(sheet, 1, vals...)
		last, _ := excelize.CoordinatesToCellName(len(cols), 1)
		x.SetCellStyle(sheet, "A1", last, head)
		x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	header(summary, []string{"Framework", "Met", "Partly met", "Not met", "Not applicable", "Requirements", "Ready %", "As of"})
	for i, p := range rep.Frameworks {
		put(summary, i+2, p.Name, p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total, p.Score.Percent, rep.AsOf.String())
	}
	put(summary, len(rep.Frameworks)+3, Rule)
	x.SetColWidth(summary, "A", "A", 36)
	x.SetColWidth(summary, "B", "H", 14)
	var windows []*posture.Posture
	for _, p := range rep.Frameworks {
		sheet := sheetName(p)
		x.NewSheet(sheet)
		header(sheet, RequirementHeader)
		for i, r := range p.Requirements {
			row := i + 2
			put(sheet, row, r.ID, r.Title, r.Section, StatusLabel(r.Status), r.Reason, strings.Join(r.InScope, ", "), strings.Join(r.Missing, "\n"))
			x.SetCellStyle(sheet, fmt.Sprintf("D%d", row), fmt.Sprintf("D%d", row), fill[r.Status])
		}
		x.SetColWidth(sheet, "A", "A", 20)
		x.SetColWidth(sheet, "B", "C", 32)
		x.SetColWidth(sheet, "D", "D", 14)
		x.SetColWidth(sheet, "E", "G", 48)
		if len(p.Requirements) > 0 {
			x.AutoFilter(sheet, fmt.Sprintf("A1:G%d", len(p.Requirements)+1), nil)
		}
		if p.Window != nil && p.Window.Type == "type2" {
			windows = append(windows, p)
		}
	}
	for _, p := range windows {
		const exc = "Type II exceptions"
		x.NewSheet(exc)
		header(exc, []string{"Control", "Period", "From", "To", "Window"})
		for i, e := range p.Exceptions {
			put(exc, i+2, e.Control, e.Period, e.Start.String(), e.End.String(), p.Window.Start.String()+" to "+p.Window.End.String())
		}
		x.SetColWidth(exc, "A", "A", 28)
		x.SetColWidth(exc, "B", "E", 16)
	}
	return x.Write(w)
}

// sheetName is the framework's sheet: its name cut to Excel's 31
// characters.
func sheetName(p *posture.Posture) string {
	n := strings.NewReplacer(":", "", "/", " ", "?", "", "*", "", "[", "(", "]", ")").Replace(p.Name)
	if len(n) > 31 {
		n = strings.ToUpper(p.Framework)
	}
	return n
}
