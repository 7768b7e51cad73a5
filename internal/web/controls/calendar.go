package controls

import (
	"fmt"
	"strings"

	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/workspace"
)

// Schedule is a control's occurrences in the SOC 2 Type II observation
// window (when the organization has one), else in the last 24 months (90
// days for a daily control), drawn as a calendar strip: one cell per
// occurrence, covered green, exception red, due amber, upcoming grey.
type Schedule struct {
	Frequency string    `json:"frequency"`
	Scheduled bool      `json:"scheduled"`
	Window    string    `json:"window,omitempty"` // type2 | recent
	Start     date.Date `json:"start,omitzero"`
	End       date.Date `json:"end,omitzero"`
	// Why is set when there is no strip.
	Why    string         `json:"why,omitempty"`
	Cells  []Cell         `json:"occurrences"`
	Counts map[string]int `json:"counts"`
	Width  int            `json:"-"`
	Height int            `json:"-"`
}

// Cell is one occurrence and where the strip draws it.
type Cell struct {
	Label string    `json:"period"`
	Start date.Date `json:"start"`
	End   date.Date `json:"end"`
	// PeriodStart and PeriodEnd are the whole calendar period the
	// occurrence is judged on; Start and End its part in the window.
	PeriodStart date.Date `json:"period_start"`
	PeriodEnd   date.Date `json:"period_end"`
	Status      string    `json:"status"`
	Evidence    []string  `json:"evidence,omitempty"`
	X           int       `json:"-"`
	W           int       `json:"-"`
	TextX       int       `json:"-"`
	ShowText    bool      `json:"-"`
}

// Title is the cell's tooltip.
func (c Cell) Title() string {
	status := c.Status
	if status == evidence.NotDue {
		status = "due after the window closes"
	}
	t := fmt.Sprintf("%s · %s · %s to %s", c.Label, status, c.PeriodStart, c.PeriodEnd)
	if len(c.Evidence) > 0 {
		t += " · " + strings.Join(c.Evidence, ", ")
	}
	return t
}

const (
	stripWidth  = 720
	stripCellH  = 26
	stripLabelH = 16
)

// typeIIWindow is the organization's SOC 2 Type II observation window,
// the same arithmetic as posture's (three months when unstated).
func typeIIWindow(ws *workspace.Workspace) (start, end date.Date, ok bool) {
	s := ws.Organization.SOC2
	if s.Type != "type2" || s.ObservationStart.IsZero() {
		return date.Date{}, date.Date{}, false
	}
	months := s.Months()
	return s.ObservationStart, s.ObservationStart.AddMonths(months).AddDays(-1), true
}

func controlSchedule(ws *workspace.Workspace, freq, status string, live []workspace.Evidence, asOf date.Date) Schedule {
	sc := Schedule{Frequency: freq, Scheduled: evidence.Scheduled(freq), Cells: []Cell{}, Counts: map[string]int{}}
	switch {
	case !sc.Scheduled && freq == "":
		sc.Why = "No frequency is set, so no evidence is owed on a calendar."
		return sc
	case !sc.Scheduled:
		sc.Why = "Runs " + freq + ": evidence is attached when it happens, not on a calendar."
		return sc
	case status != "implemented":
		sc.Why = "The schedule starts when the control is implemented."
		return sc
	}
	if s, e, ok := typeIIWindow(ws); ok {
		sc.Window, sc.Start, sc.End = "type2", s, e
	} else {
		back := asOf.AddMonths(-23)
		if freq == "daily" {
			back = asOf.AddDays(-89)
		}
		sc.Window = "recent"
		sc.Start, _ = evidence.PeriodOf(freq, back)
		if freq != "daily" && freq != "weekly" {
			sc.Start = date.New(back.Year(), back.Month(), 1)
			sc.Start, _ = evidence.PeriodOf(freq, sc.Start)
		}
		_, sc.End = evidence.PeriodOf(freq, asOf)
	}
	occ := evidence.Occurrences(freq, sc.Start, sc.End, asOf, live)
	n := len(occ)
	if n == 0 {
		sc.Why = "No occurrence falls in the window."
		return sc
	}
	gap := 0
	if stripWidth/n >= 6 {
		gap = 2
	}
	labels := stripWidth/n >= 52
	sc.Width, sc.Height = stripWidth, stripCellH
	if labels {
		sc.Height += stripLabelH
	}
	for i, o := range occ {
		x0, x1 := i*stripWidth/n, (i+1)*stripWidth/n
		c := Cell{Label: evidence.Label(freq, o.Start), Start: o.Start, End: o.End, PeriodStart: o.PeriodStart, PeriodEnd: o.PeriodEnd, Status: o.Status, Evidence: o.Evidence,
			X: x0, W: max(1, x1-x0-gap), ShowText: labels}
		c.TextX = x0 + c.W/2
		sc.Cells = append(sc.Cells, c)
		sc.Counts[o.Status]++
	}
	return sc
}
