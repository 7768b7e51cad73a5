package riskreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"ward/internal/risk"
)

// RegisterHeader is the register sheet's header row.
var RegisterHeader = []string{"ID", "Asset", "Threat", "Vulnerability", "Likelihood", "Impact", "Inherent score", "Inherent level",
	"Controls", "Residual likelihood", "Residual impact", "Residual score", "Residual level", "Residual assumed",
	"Treatment", "Owner", "Due", "Completed", "Accepted by", "Acceptance reason", "Notes"}

// writeXLSX writes the register workbook: "Register" (one row per risk,
// sorted by residual level), "Treatment plan", and "Scales".
func writeXLSX(w io.Writer, rep Report) error {
	x := excelize.NewFile()
	defer x.Close()
	const reg = "Register"
	if err := x.SetSheetName("Sheet1", reg); err != nil {
		return err
	}
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}}})
	styles := map[risk.Level]int{}
	for _, lv := range risk.Levels {
		styles[lv], _ = x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(risk.LevelColor(lv), "#")}}})
	}
	put := func(sheet string, row int, vals []any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		x.SetSheetRow(sheet, cell, &vals)
	}
	hdr := make([]any, len(RegisterHeader))
	for i, h := range RegisterHeader {
		hdr[i] = h
	}
	put(reg, 1, hdr)
	last, _ := excelize.CoordinatesToCellName(len(RegisterHeader), 1)
	x.SetCellStyle(reg, "A1", last, head)
	for i, s := range rep.Register {
		r := s.Risk
		row := i + 2
		put(reg, row, []any{r.ID, r.Asset, s.ThreatTitle, s.VulnerabilityTitle, r.Likelihood, r.Impact, s.InherentScore, string(s.Inherent),
			strings.Join(r.Controls, ", "), s.ResidualLikelihood, s.ResidualImpact, s.ResidualScore, string(s.Residual), yesNo(s.ResidualAssumed),
			r.Treatment, r.Owner, dateStr(r.Due.IsZero(), r.Due.String()), dateStr(r.Completed.IsZero(), r.Completed.String()), r.AcceptedBy, r.AcceptanceReason, r.Notes})
		x.SetCellStyle(reg, fmt.Sprintf("H%d", row), fmt.Sprintf("H%d", row), styles[s.Inherent])
		x.SetCellStyle(reg, fmt.Sprintf("M%d", row), fmt.Sprintf("M%d", row), styles[s.Residual])
	}
	x.SetColWidth(reg, "A", "B", 14)
	x.SetColWidth(reg, "C", "D", 36)
	x.SetColWidth(reg, "E", "U", 14)
	x.SetPanes(reg, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(rep.Register) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(RegisterHeader), len(rep.Register)+1)
		x.AutoFilter(reg, "A1:"+end, nil)
	}

	const plan = "Treatment plan"
	x.NewSheet(plan)
	put(plan, 1, []any{"Risk", "Residual", "Treatment", "Measure", "Owner", "Due", "Status"})
	x.SetCellStyle(plan, "A1", "G1", head)
	for i, p := range rep.Plan {
		put(plan, i+2, []any{p.RiskID, p.Level, p.Treatment, p.Measure, p.Owner, p.Due, p.Status})
	}
	x.SetColWidth(plan, "D", "D", 60)
	x.SetColWidth(plan, "E", "G", 22)

	const sc = "Scales"
	x.NewSheet(sc)
	put(sc, 1, []any{"Scale", "Value", "Rating", "Definition"})
	x.SetCellStyle(sc, "A1", "D1", head)
	row := 2
	for _, l := range risk.LikelihoodScale {
		put(sc, row, []any{"Likelihood", l.Value, l.Word, l.Definition})
		row++
	}
	for _, l := range risk.ImpactScale {
		put(sc, row, []any{"Impact", l.Value, l.Word, l.Definition})
		row++
	}
	x.SetColWidth(sc, "D", "D", 100)
	put(sc, row+1, []any{"Analysis", rep.Analysis.ID, "Performed " + rep.Analysis.Performed.String(), rep.Organization})
	return x.Write(w)
}

func dateStr(zero bool, s string) string {
	if zero {
		return ""
	}
	return s
}
