package workforce

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"ward/internal/date"
)

// Sheets and their columns, in order.
var (
	SheetSummary     = "Summary"
	SheetStatus      = "Status"
	SheetAcks        = "Acknowledgements"
	SheetCompletions = "Training completions"
	SheetPeople      = "Joiners and leavers"
	SheetReminders   = "Security reminders"
	SheetAbout       = "About"

	SummaryColumns     = []string{"Kind", "Id", "Title", "Version", "Audience", "Done", "Open", "Overdue"}
	StatusColumns      = []string{"Person", "Name", "Job role", "Kind", "Id", "Title", "Version", "Status", "Due", "Done on", "Why due"}
	AckColumns         = []string{"Date", "Person", "Name", "Policy", "Title", "Version", "Due", "On time", "Source"}
	CompletionColumns  = []string{"Completed", "Person", "Name", "Training", "Title", "Certificate", "SHA-256", "Source"}
	PeopleColumns      = []string{"Person", "Name", "Job role", "Status", "Start", "Last day", "Clearance", "Access", "PHI access open", "Removal deadline", "Open tasks", "Overdue tasks"}
	ReminderColumns    = []string{"Date", "Title", "Link", "Note"}
	statusHighlight    = "overdue"
	sheetHeaderColour  = "1F3A5F"
	overdueRowColour   = "FDECEA"
	generatedByCommand = "ward report workforce"
)

// WriteXLSX writes the report as a workbook, one sheet per part. Dates
// are text (YYYY-MM-DD), so they read the same in every spreadsheet and
// sort as dates; counts are numbers.
func WriteXLSX(w io.Writer, r Report) error {
	x := excelize.NewFile()
	defer x.Close()
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{sheetHeaderColour}}})
	if err != nil {
		return err
	}
	late, err := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{overdueRowColour}}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	sheet := func(name string, columns []string, widths []float64, rows [][]any, bad func(i int) bool) error {
		if name == SheetSummary {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		hdr := make([]any, len(columns))
		for i, c := range columns {
			hdr[i] = c
		}
		if err := x.SetSheetRow(name, "A1", &hdr); err != nil {
			return err
		}
		last, _ := excelize.ColumnNumberToName(len(columns))
		x.SetCellStyle(name, "A1", last+"1", head)
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := x.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
			if bad != nil && bad(i) {
				x.SetCellStyle(name, fmt.Sprintf("A%d", i+2), fmt.Sprintf("%s%d", last, i+2), late)
			}
		}
		for i, wd := range widths {
			col, _ := excelize.ColumnNumberToName(i + 1)
			x.SetColWidth(name, col, col, wd)
		}
		x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		if len(rows) > 0 {
			x.AutoFilter(name, fmt.Sprintf("A1:%s%d", last, len(rows)+1), nil)
		}
		return nil
	}

	var rows [][]any
	for _, s := range r.Summary {
		rows = append(rows, []any{s.Kind, s.ID, s.Title, version(s.Version), s.Audience, s.Done, s.Open, s.Overdue})
	}
	if err := sheet(SheetSummary, SummaryColumns, []float64{10, 22, 40, 9, 20, 8, 8, 9}, rows, func(i int) bool { return r.Summary[i].Overdue > 0 }); err != nil {
		return err
	}
	rows = nil
	for _, s := range r.Status {
		rows = append(rows, []any{s.Person, s.Name, s.Role, s.Kind, s.ID, s.Title, version(s.Version), s.Task.Status, day(s.Due), day(s.On), s.Why})
	}
	if err := sheet(SheetStatus, StatusColumns, []float64{28, 20, 20, 9, 22, 36, 9, 10, 12, 12, 40}, rows, func(i int) bool { return r.Status[i].Task.Status == statusHighlight }); err != nil {
		return err
	}
	rows = nil
	for _, a := range r.Acks {
		rows = append(rows, []any{day(a.On), a.Person, a.Name, a.Policy, a.Title, a.Version, day(a.Due), yesNo(a.OnTime, a.Due), a.Source})
	}
	if err := sheet(SheetAcks, AckColumns, []float64{12, 28, 20, 22, 36, 9, 12, 9, 11}, rows, func(i int) bool { return !r.Acks[i].Due.IsZero() && !r.Acks[i].OnTime }); err != nil {
		return err
	}
	rows = nil
	for _, c := range r.Completions {
		rows = append(rows, []any{day(c.Completed), c.Person, c.Name, c.Training, c.Title, c.File, c.SHA256, c.Source})
	}
	if err := sheet(SheetCompletions, CompletionColumns, []float64{12, 28, 20, 22, 36, 30, 20, 11}, rows, nil); err != nil {
		return err
	}
	rows = nil
	for _, p := range r.People {
		rows = append(rows, []any{p.Email, p.Name, p.Role, p.Status, day(p.Start), day(p.End), day(p.Clearance), strings.Join(p.Access, ", "),
			strings.Join(p.AccessOpen, ", "), day(p.Deadline), p.Open, p.Overdue})
	}
	if err := sheet(SheetPeople, PeopleColumns, []float64{28, 20, 20, 11, 12, 12, 12, 30, 24, 14, 10, 12}, rows, func(i int) bool { return len(r.People[i].AccessOpen) > 0 }); err != nil {
		return err
	}
	rows = nil
	for _, m := range r.Reminders {
		rows = append(rows, []any{day(m.On), m.Title, m.Link, m.Note})
	}
	if err := sheet(SheetReminders, ReminderColumns, []float64{12, 40, 36, 40}, rows, nil); err != nil {
		return err
	}
	about := [][]any{
		{"Organization", r.Organization},
		{"As of", r.AsOf.String()},
		{"People", strconv.Itoa(len(r.People))},
		{"Acknowledgements on record", strconv.Itoa(len(r.Acks))},
		{"Training completions on record", strconv.Itoa(len(r.Completions))},
		{"Status", "done: acknowledged, or the training is current; open: owed, not yet due; overdue: owed and past its due date"},
		{"Due dates", "acknowledgements within organization.workforce.ack_within_days (30 by default) of a version's approval, or of a later start; trainings within their days after hire, then every recurrence (45 CFR 164.308(a)(5)(i))"},
		{"Access", "a leaver's access to PHI systems ends within organization.workforce.termination_within_days (1 by default) of the last day (45 CFR 164.308(a)(3)(ii)(C))"},
		{"Generated by", generatedByCommand},
	}
	if _, err := x.NewSheet(SheetAbout); err != nil {
		return err
	}
	for i, row := range about {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(SheetAbout, cell, &row); err != nil {
			return err
		}
	}
	x.SetColWidth(SheetAbout, "A", "A", 30)
	x.SetColWidth(SheetAbout, "B", "B", 100)
	x.SetActiveSheet(0)
	return x.Write(w)
}

func day(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func version(v int) any {
	if v == 0 {
		return ""
	}
	return v
}

func yesNo(ok bool, due date.Date) string {
	switch {
	case due.IsZero():
		return ""
	case ok:
		return "yes"
	}
	return "no"
}
