// Package evidence turns a control's frequency into the occurrences an
// auditor will test, and decides which of them the evidence covers: the
// arithmetic behind SOC 2 Type II exceptions and `evidence.missing`.
//
// Periods are calendar-aligned, as auditors sample them: a quarterly
// control owes one piece of evidence per calendar quarter, a monthly one
// per calendar month, a weekly one per ISO week (Monday to Sunday), a
// semi-annual one per half-year, an annual one per calendar year. A
// continuous (automated) control is evidenced monthly: auditors sample
// its operation, and a month without any output is the gap they find.
// On-event controls have no schedule.
//
// It depends only on the workspace model and dates.
package evidence

import (
	"fmt"
	"time"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Occurrence states.
const (
	Covered   = "covered"   // evidence dated inside the period exists
	Exception = "exception" // the period is over and nothing covers it
	Due       = "due"       // the period holds the as-of date and is not yet covered
	Upcoming  = "upcoming"  // the period starts after the as-of date
)

// Occurrence is one period in which a control owes evidence.
type Occurrence struct {
	Start    date.Date `json:"start"`
	End      date.Date `json:"end"`
	Status   string    `json:"status"`
	Evidence []string  `json:"evidence,omitempty"` // ids of the items that cover it
}

// Label names the period the way a person says it: "2026-Q4", "2026-10",
// "2026-W41", "2026-H2", "2026".
func Label(freq string, start date.Date) string {
	switch freq {
	case "daily":
		return start.String()
	case "weekly":
		y, w := start.Time().ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case "monthly", "continuous":
		return start.Time().Format("2006-01")
	case "quarterly":
		return fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	case "semi-annual":
		return fmt.Sprintf("%d-H%d", start.Year(), (int(start.Month())-1)/6+1)
	case "annual":
		return fmt.Sprintf("%d", start.Year())
	}
	return start.String()
}

// Scheduled reports whether a frequency owes evidence on a calendar.
func Scheduled(freq string) bool {
	switch freq {
	case "continuous", "daily", "weekly", "monthly", "quarterly", "semi-annual", "annual":
		return true
	}
	return false
}

// PeriodOf returns the calendar period of freq that contains d.
func PeriodOf(freq string, d date.Date) (start, end date.Date) {
	y, m := d.Year(), d.Month()
	switch freq {
	case "daily":
		return d, d
	case "weekly":
		wd := int(d.Time().Weekday()+6) % 7 // Monday = 0
		start = d.AddDays(-wd)
		return start, start.AddDays(6)
	case "monthly", "continuous":
		start = date.New(y, m, 1)
	case "quarterly":
		start = date.New(y, time.Month((int(m)-1)/3*3+1), 1)
		return start, start.AddMonths(3).AddDays(-1)
	case "semi-annual":
		start = date.New(y, time.Month((int(m)-1)/6*6+1), 1)
		return start, start.AddMonths(6).AddDays(-1)
	case "annual":
		start = date.New(y, 1, 1)
		return start, date.New(y, 12, 31)
	default:
		return d, d
	}
	return start, start.AddMonths(1).AddDays(-1)
}

// Occurrences lists the periods of freq that intersect [from, to], each
// clipped to the window (a Type II window that opens mid-quarter tests the
// rest of that quarter only: evidence from before the window does not
// speak for it), with their status on asOf given the evidence.
func Occurrences(freq string, from, to, asOf date.Date, items []workspace.Evidence) []Occurrence {
	if !Scheduled(freq) || to.Before(from) {
		return nil
	}
	var out []Occurrence
	for d := from; !d.After(to); {
		ps, pe := PeriodOf(freq, d)
		o := Occurrence{Start: date.Max(ps, from), End: date.Min(pe, to)}
		for _, e := range items {
			if e.Covers(o.Start, o.End) {
				o.Evidence = append(o.Evidence, e.ID)
			}
		}
		switch {
		case len(o.Evidence) > 0:
			o.Status = Covered
		case o.End.Before(asOf):
			o.Status = Exception
		case o.Start.After(asOf):
			o.Status = Upcoming
		default:
			o.Status = Due
		}
		out = append(out, o)
		d = pe.AddDays(1)
	}
	return out
}

// Live drops the items another item supersedes: a correction replaces
// what it corrects, and both stay on record.
func Live(items []workspace.Evidence) []workspace.Evidence {
	superseded := map[string]bool{}
	for _, e := range items {
		if e.Supersedes != "" {
			superseded[e.Supersedes] = true
		}
	}
	out := make([]workspace.Evidence, 0, len(items))
	for _, e := range items {
		if !superseded[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// ForControl returns the live evidence attached to a control.
func ForControl(items []workspace.Evidence, control string) []workspace.Evidence {
	var out []workspace.Evidence
	for _, e := range items {
		for _, c := range e.ControlIDs() {
			if c == control {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// Index groups live evidence by control id, once, for rules that look at
// every control.
func Index(items []workspace.Evidence) map[string][]workspace.Evidence {
	idx := map[string][]workspace.Evidence{}
	for _, e := range Live(items) {
		for _, c := range e.ControlIDs() {
			idx[c] = append(idx[c], e)
		}
	}
	return idx
}
