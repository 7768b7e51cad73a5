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
	"sort"
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
	// NotDue: the period runs past the window's end, so its evidence is
	// due after the window closes; not having it yet is no exception in it.
	NotDue = "not-due"
)

// Occurrence is one period in which a control owes evidence: Start and
// End are its part inside the window asked for, PeriodStart and PeriodEnd
// the whole calendar period it is judged on (evidence anywhere in it
// covers it).
type Occurrence struct {
	Start       date.Date `json:"start"`
	End         date.Date `json:"end"`
	PeriodStart date.Date `json:"period_start"`
	PeriodEnd   date.Date `json:"period_end"`
	Status      string    `json:"status"`
	Evidence    []string  `json:"evidence,omitempty"` // ids of the items that cover it
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
// clipped to the window for display, with their status on asOf given the
// evidence. A period is judged as a whole, as the control's obligation
// is: the quarterly review done in October covers the fourth quarter of a
// window that opens in mid-November (the obligation was met, before the
// window), and an annual control owes one performance per calendar year,
// not one per slice of a year the window cuts. A period that runs past
// the window's end is due after the window closes: without evidence yet
// it is NotDue, never an exception of that window. So a six-month window
// across a new year asks an annual control for at most the year that
// ends inside it.
//
// The periods are contiguous and in order, so each item finds the ones it
// speaks for by binary search: the cost grows with periods + items, not
// their product (two years of daily evidence is 730 × 730 otherwise).
func Occurrences(freq string, from, to, asOf date.Date, items []workspace.Evidence) []Occurrence {
	refs := make([]*workspace.Evidence, len(items))
	for i := range items {
		refs[i] = &items[i]
	}
	return OccurrencesOf(freq, from, to, asOf, refs)
}

// OccurrencesOf is Occurrences over references (what IndexRefs gives), for
// callers that look at many controls and should not copy every item.
func OccurrencesOf(freq string, from, to, asOf date.Date, items []*workspace.Evidence) []Occurrence {
	if !Scheduled(freq) || to.Before(from) {
		return nil
	}
	out := make([]Occurrence, 0, estimate(freq, from, to))
	ends := make([]date.Date, 0, cap(out)) // each whole period's last day
	first, _ := PeriodOf(freq, from)
	for d := from; !d.After(to); {
		ps, pe := PeriodOf(freq, d)
		out = append(out, Occurrence{Start: date.Max(ps, from), End: date.Min(pe, to), PeriodStart: ps, PeriodEnd: pe})
		ends = append(ends, pe)
		d = pe.AddDays(1)
	}
	last := ends[len(ends)-1]
	// at is the index of the whole period that holds d, for d inside
	// [first, last].
	at := func(d date.Date) int {
		return sort.Search(len(ends), func(i int) bool { return !ends[i].Before(d) })
	}
	inPeriods := func(d date.Date) bool { return !d.IsZero() && !d.Before(first) && !d.After(last) }
	for _, e := range items {
		// A stated period is the item's whole claim (workspace.Covers);
		// without one, the collection date places it.
		if !e.PeriodStart.IsZero() && !e.PeriodEnd.IsZero() {
			if !e.PeriodEnd.Before(first) && !e.PeriodStart.After(last) {
				for i := at(date.Max(e.PeriodStart, first)); i <= at(date.Min(e.PeriodEnd, last)); i++ {
					out[i].Evidence = append(out[i].Evidence, e.ID)
				}
			}
			continue
		}
		if inPeriods(e.Collected) {
			c := at(e.Collected)
			out[c].Evidence = append(out[c].Evidence, e.ID)
		}
	}
	for i := range out {
		o := &out[i]
		switch {
		case len(o.Evidence) > 0:
			o.Status = Covered
		case ends[i].After(to):
			o.Status = NotDue
		case o.End.Before(asOf):
			o.Status = Exception
		case o.Start.After(asOf):
			o.Status = Upcoming
		default:
			o.Status = Due
		}
	}
	return out
}

// estimate is about how many periods of freq [from, to] holds, to size
// the list once.
func estimate(freq string, from, to date.Date) int {
	per := 1
	switch freq {
	case "weekly":
		per = 7
	case "monthly", "continuous":
		per = 28
	case "quarterly":
		per = 90
	case "semi-annual":
		per = 181
	case "annual":
		per = 365
	}
	return (from.DaysUntil(to)+1)/per + 2
}

// Live drops the items another item supersedes: a correction replaces
// what it corrects, and both stay on record.
func Live(items []workspace.Evidence) []workspace.Evidence {
	superseded := supersededIDs(items)
	out := make([]workspace.Evidence, 0, len(items))
	for _, e := range items {
		if !superseded[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// supersededIDs is the set of ids some item supersedes (nil when none).
func supersededIDs(items []workspace.Evidence) map[string]bool {
	var superseded map[string]bool
	for i := range items {
		if s := items[i].Supersedes; s != "" {
			if superseded == nil {
				superseded = map[string]bool{}
			}
			superseded[s] = true
		}
	}
	return superseded
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

// eachControl calls f with every control e is attached to, in the order
// of ControlIDs, without allocating.
func eachControl(e *workspace.Evidence, f func(string)) {
	if e.Control != "" {
		f(e.Control)
	}
	for _, c := range e.Controls {
		if c != e.Control {
			f(c)
		}
	}
}

// IndexRefs is Index without copying: references into items, grouped by
// control. items must not change while the index is in use.
func IndexRefs(items []workspace.Evidence) map[string][]*workspace.Evidence {
	return IndexRefsWith(items, nil)
}

// IndexRefsWith is IndexRefs over items followed by more, as if they
// were one list (a supersedes in either names an item in either), without
// making that list: the workspace's evidence and the items its workforce
// records derive (policy.Derived), for rules that read both.
func IndexRefsWith(items, more []workspace.Evidence) map[string][]*workspace.Evidence {
	superseded := supersededIDs(items)
	for i := range more {
		if s := more[i].Supersedes; s != "" {
			if superseded == nil {
				superseded = map[string]bool{}
			}
			superseded[s] = true
		}
	}
	counts := map[string]int{}
	for _, list := range [2][]workspace.Evidence{items, more} {
		for i := range list {
			if !superseded[list[i].ID] {
				eachControl(&list[i], func(c string) { counts[c]++ })
			}
		}
	}
	idx := make(map[string][]*workspace.Evidence, len(counts))
	for c, n := range counts {
		idx[c] = make([]*workspace.Evidence, 0, n)
	}
	for _, list := range [2][]workspace.Evidence{items, more} {
		for i := range list {
			if !superseded[list[i].ID] {
				e := &list[i]
				eachControl(e, func(c string) { idx[c] = append(idx[c], e) })
			}
		}
	}
	return idx
}

// Index groups live evidence by control id, once, for rules that look at
// every control. It sizes every group first: an MSP overview indexes
// hundreds of thousands of items, and growing the groups item by item
// copied each several times.
func Index(items []workspace.Evidence) map[string][]workspace.Evidence {
	superseded := supersededIDs(items)
	counts := map[string]int{}
	for i := range items {
		if !superseded[items[i].ID] {
			eachControl(&items[i], func(c string) { counts[c]++ })
		}
	}
	idx := make(map[string][]workspace.Evidence, len(counts))
	for c, n := range counts {
		idx[c] = make([]workspace.Evidence, 0, n)
	}
	for i := range items {
		if !superseded[items[i].ID] {
			eachControl(&items[i], func(c string) { idx[c] = append(idx[c], items[i]) })
		}
	}
	return idx
}

// CountsFor names the calendar periods of freq an item speaks for, as
// Covers decides: those its stated period overlaps ("2026-Q3", "2026-Q3
// to 2026-Q4"), or, without a stated period, the one it was collected in;
// byCollection says which. It is "" for a frequency with no calendar.
// Pages and the CLI show it, so that an item with no period does not
// silently count for the period it happened to be collected in.
func CountsFor(e workspace.Evidence, freq string) (label string, byCollection bool) {
	if !Scheduled(freq) {
		return "", false
	}
	if e.PeriodStart.IsZero() || e.PeriodEnd.IsZero() {
		if e.Collected.IsZero() {
			return "", true
		}
		s, _ := PeriodOf(freq, e.Collected)
		return Label(freq, s), true
	}
	first, _ := PeriodOf(freq, e.PeriodStart)
	last, _ := PeriodOf(freq, e.PeriodEnd)
	if first.Equal(last) {
		return Label(freq, first), false
	}
	return Label(freq, first) + " to " + Label(freq, last), false
}
