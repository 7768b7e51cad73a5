package auditpack

import (
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"ward/internal/catalog"
	"ward/internal/csvsafe"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// RequestList is the auditor's request list (the "PBC" list): for every
// requirement in scope, each control the organization runs for it, the
// evidence the control is expected to produce, the evidence that exists
// (ids, dates, files, hashes), and what is missing for the period.
type RequestList struct {
	Organization string       `json:"organization"`
	Framework    string       `json:"framework"`
	Name         string       `json:"name"`
	AsOf         date.Date    `json:"as_of"`
	PeriodStart  date.Date    `json:"period_start"`
	PeriodEnd    date.Date    `json:"period_end"`
	Period       string       `json:"period"` // what the period is: the Type II window, or the last twelve months
	Rows         []RequestRow `json:"rows"`
}

// RequestRow is one requirement × control × evidence item. A control
// without evidence, and a requirement without an adopted control, still
// get one row: that is where the request list shows the gap.
type RequestRow struct {
	Requirement      string    `json:"requirement"`
	RequirementTitle string    `json:"requirement_title"`
	Control          string    `json:"control"`
	ControlTitle     string    `json:"control_title"`
	ControlStatus    string    `json:"control_status"`
	Frequency        string    `json:"frequency"`
	Owner            string    `json:"owner"`
	Expected         string    `json:"expected"` // the evidence an auditor expects for the control
	EvidenceID       string    `json:"evidence_id"`
	Collected        date.Date `json:"collected"`
	CoversStart      date.Date `json:"covers_start"`
	CoversEnd        date.Date `json:"covers_end"`
	File             string    `json:"file"`
	SHA256           string    `json:"sha256"`
	Size             int64     `json:"size"`
	Link             string    `json:"link"`
	AddedBy          string    `json:"added_by"`
	Source           string    `json:"source"`
	Missing          string    `json:"missing"`
}

// BuildRequestList lists framework's requirements in scope (SOC 2: the
// categories the organization chose, Security always) on asOf. The period
// is the SOC 2 Type II observation window when the organization has one;
// otherwise the twelve months ending on asOf, the look-back of a yearly
// evaluation (HIPAA 164.308(a)(8)) and of a Type I readiness review.
func BuildRequestList(ws *workspace.Workspace, cat *catalog.Catalog, framework string, asOf date.Date) (*RequestList, error) {
	fw := cat.Framework(framework)
	if fw == nil || len(fw.Assessable()) == 0 || !slices.Contains(Frameworks, framework) {
		return nil, fmt.Errorf("no framework %q with requirements (hipaa, soc2, csf)", framework)
	}
	rl := &RequestList{Organization: ws.Organization.Slug, Framework: fw.ID, Name: fw.Name, AsOf: asOf, Rows: []RequestRow{}}
	rl.PeriodStart, rl.PeriodEnd = asOf.AddMonths(-12).AddDays(1), asOf
	rl.Period = "the twelve months ending on the as-of date"
	// A period with no evidence is an "exception" only in a SOC 2 Type II
	// observation window; elsewhere readiness says "no evidence for" it.
	missed := "no evidence"
	s := ws.Organization.SOC2
	if framework == "soc2" && s.Type == "type2" && !s.ObservationStart.IsZero() {
		missed = "exception"
		months := s.Months()
		rl.PeriodStart, rl.PeriodEnd = s.ObservationStart, s.ObservationStart.AddMonths(months).AddDays(-1)
		rl.Period = fmt.Sprintf("the SOC 2 Type II observation window (%d months)", months)
	}
	scope := map[string]bool{"security": true}
	for _, c := range s.Categories {
		scope[c] = true
	}
	// The evidence the workforce records derive (reminders sent,
	// acknowledgements, approvals: policy.Derived) counts as readiness and
	// the gate count it, so the list and the readiness report agree.
	idx := evidence.Index(policy.WithDerived(ws).Evidence)
	for _, items := range idx {
		sort.SliceStable(items, func(i, j int) bool { return items[i].Collected.Before(items[j].Collected) })
	}
	missing := map[string]string{}
	for _, r := range fw.Assessable() {
		if framework == "soc2" && !scope[r.Category] {
			continue
		}
		mapped := slices.Clone(r.Controls)
		for _, c := range ws.Controls {
			if slices.Contains(c.Mappings[framework], r.ID) && !slices.Contains(mapped, c.ID) {
				mapped = append(mapped, c.ID)
			}
		}
		sort.Strings(mapped)
		base := RequestRow{Requirement: r.ID, RequirementTitle: r.Title}
		adopted := 0
		for _, id := range mapped {
			c := ws.Control(id)
			if c == nil {
				continue
			}
			adopted++
			row := base
			row.Control, row.ControlStatus, row.Owner, row.Frequency, row.ControlTitle = id, c.Status, c.Owner, c.Frequency, c.Title
			if cc := cat.Control(id); cc != nil {
				if row.ControlTitle == "" {
					row.ControlTitle = cc.Title
				}
				if row.Frequency == "" {
					row.Frequency = cc.Frequency
				}
				row.Expected = cc.Evidence
			}
			m, ok := missing[id]
			if !ok {
				m = controlMissing(c, row.Frequency, idx[id], rl.PeriodStart, rl.PeriodEnd, asOf, missed)
				missing[id] = m
			}
			row.Missing = m
			n := 0
			for _, e := range idx[id] {
				if e.Collected.After(asOf) {
					continue
				}
				n++
				er := row
				er.EvidenceID, er.Collected, er.CoversStart, er.CoversEnd = e.ID, e.Collected, e.PeriodStart, e.PeriodEnd
				er.SHA256, er.Link, er.AddedBy, er.Source = e.SHA256, e.Link, e.AddedBy, e.Source
				if e.File != "" {
					er.File, er.Size = path.Base(e.File), e.Size
				}
				rl.Rows = append(rl.Rows, er)
			}
			if n == 0 {
				rl.Rows = append(rl.Rows, row)
			}
		}
		if adopted == 0 {
			row := base
			row.Missing = "no control adopted for this requirement"
			if len(mapped) > 0 {
				row.Missing += "; the catalog maps: " + strings.Join(mapped, ", ")
			}
			rl.Rows = append(rl.Rows, row)
		}
	}
	return rl, nil
}

// controlMissing says what the control still owes for the period on asOf:
// nothing (""), or why not, or the occurrences with no evidence, each
// marked "(missed)": "exception" in a Type II window, "no evidence" in
// any other period.
func controlMissing(c *workspace.Control, freq string, items []workspace.Evidence, from, to, asOf date.Date, missed string) string {
	switch c.Status {
	case "not-applicable":
		return "not applicable: " + c.Justification
	case "planned":
		return "not implemented (planned)"
	case "in-progress":
		if len(items) == 0 {
			return "being implemented; no evidence yet"
		}
	}
	if len(items) == 0 {
		return "no evidence"
	}
	if !evidence.Scheduled(freq) {
		return ""
	}
	var gaps []string
	for _, o := range evidence.Occurrences(freq, from, to, asOf, items) {
		switch o.Status {
		case evidence.Exception:
			gaps = append(gaps, evidence.Label(freq, o.Start)+" ("+missed+")")
		case evidence.Due:
			gaps = append(gaps, evidence.Label(freq, o.Start)+" (due by "+o.End.String()+")")
		}
	}
	return strings.Join(gaps, "; ")
}

// RequestColumns are the request list's columns, in CSV and XLSX.
var RequestColumns = []string{"requirement", "requirement_title", "control", "control_title", "control_status", "frequency", "owner",
	"expected_evidence", "evidence_id", "collected", "covers_start", "covers_end", "file", "sha256", "size", "link", "added_by", "source", "missing_in_period"}

func (r RequestRow) cells() []string {
	size := ""
	if r.File != "" {
		size = strconv.FormatInt(r.Size, 10)
	}
	return []string{r.Requirement, r.RequirementTitle, r.Control, r.ControlTitle, r.ControlStatus, r.Frequency, r.Owner,
		r.Expected, r.EvidenceID, dateCell(r.Collected), dateCell(r.CoversStart), dateCell(r.CoversEnd), r.File, r.SHA256, size,
		r.Link, r.AddedBy, r.Source, r.Missing}
}

// WriteRequestCSV writes the request list as CSV, one row per
// requirement × control × evidence item.
// Cells that a spreadsheet would read as a formula are neutralised
// (csvsafe).
func WriteRequestCSV(w io.Writer, rl *RequestList) error {
	cw := csvsafe.NewWriter(w)
	cw.Write(RequestColumns)
	for _, r := range rl.Rows {
		cw.Write(r.cells())
	}
	cw.Flush()
	return cw.Error()
}

// RequestSheet is the name of the request list's sheet in the workbook.
const RequestSheet = "Request list"

// WriteRequestXLSX writes the workbook: "Request list" (the rows, with a
// frozen header and a filter, gaps highlighted) and "About" (organization,
// framework, as-of date, period).
func WriteRequestXLSX(w io.Writer, rl *RequestList) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", RequestSheet); err != nil {
		return err
	}
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}}})
	gap, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FDECEA"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	wrap, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	put := func(sheet string, row int, vals []string) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		vs := make([]any, len(vals))
		for i, v := range vals {
			vs[i] = v
		}
		x.SetSheetRow(sheet, cell, &vs)
	}
	put(RequestSheet, 1, RequestColumns)
	lastCol, _ := excelize.ColumnNumberToName(len(RequestColumns))
	x.SetCellStyle(RequestSheet, "A1", lastCol+"1", head)
	for i, r := range rl.Rows {
		row := i + 2
		cells := r.cells()
		put(RequestSheet, row, cells)
		if r.Size > 0 {
			x.SetCellInt(RequestSheet, fmt.Sprintf("O%d", row), r.Size)
		}
		style := wrap
		if r.Missing != "" && r.ControlStatus != "not-applicable" {
			style = gap
		}
		x.SetCellStyle(RequestSheet, fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", lastCol, row), style)
	}
	x.SetColWidth(RequestSheet, "A", "A", 20)
	x.SetColWidth(RequestSheet, "B", "D", 30)
	x.SetColWidth(RequestSheet, "E", "G", 14)
	x.SetColWidth(RequestSheet, "H", "H", 40)
	x.SetColWidth(RequestSheet, "I", "L", 14)
	x.SetColWidth(RequestSheet, "M", "N", 30)
	x.SetColWidth(RequestSheet, "O", "R", 14)
	x.SetColWidth(RequestSheet, "S", "S", 40)
	x.SetPanes(RequestSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(rl.Rows) > 0 {
		x.AutoFilter(RequestSheet, fmt.Sprintf("A1:%s%d", lastCol, len(rl.Rows)+1), nil)
	}
	const about = "About"
	x.NewSheet(about)
	for i, kv := range [][]string{
		{"Organization", rl.Organization},
		{"Framework", rl.Name},
		{"As of", rl.AsOf.String()},
		{"Period", rl.PeriodStart.String() + " to " + rl.PeriodEnd.String() + ": " + rl.Period},
		{"Rows", strconv.Itoa(len(rl.Rows))},
		{"Generated by", "ward report request-list"},
	} {
		put(about, i+1, kv)
	}
	x.SetColWidth(about, "A", "A", 16)
	x.SetColWidth(about, "B", "B", 80)
	return x.Write(w)
}
