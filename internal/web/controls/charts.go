package controls

import (
	"fmt"
	"math"

	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// The readiness page's charts are drawn here as numbers for the
// templates: geometry only, colours by class in static/charts.css, so
// they render under the CSP (no style attributes, no <style>).

// SectionChart is a horizontal bar per section of one framework (HIPAA
// safeguard families, SOC 2 series, CSF functions), its length the
// section's readiness percentage.
type SectionChart struct {
	Width, Height int
	LabelW        int // left margin for the section names
	BarW          int // the full length of a bar (100 %)
	Rows          []SectionBar
}

type SectionBar struct {
	Name    string
	Percent float64
	Y, W    int
	TextX   int
	Score   posture.Score
}

const (
	sectionRowH  = 24
	sectionBarH  = 16
	sectionLabel = 230
	sectionBar   = 360
)

func sectionChart(p *posture.Posture) SectionChart {
	c := SectionChart{LabelW: sectionLabel, BarW: sectionBar, Width: sectionLabel + sectionBar + 60}
	for i, s := range p.Sections {
		w := int(math.Round(s.Score.Percent * sectionBar / 100))
		c.Rows = append(c.Rows, SectionBar{Name: s.Name, Percent: s.Score.Percent, Score: s.Score, Y: i * sectionRowH, W: w, TextX: sectionLabel + w + 6})
	}
	c.Height = len(c.Rows) * sectionRowH
	return c
}

// Donut is the share of each implementation status among the controls
// the organization has adopted, as arcs of one circle: each arc is the
// circle's stroke dashed to its length and rotated to its start.
type Donut struct {
	Total         int
	R             float64
	Circumference float64
	Arcs          []DonutArc
}

type DonutArc struct {
	Status  string
	Count   int
	Len     float64 // of the dash
	Gap     float64 // the rest of the circle
	Offset  float64 // negative start, for stroke-dashoffset
	Percent int
}

// donutStatuses in the order the arcs are drawn.
var donutStatuses = []string{"implemented", "in-progress", "planned", "not-applicable"}

func StatusDonut(ws *workspace.Workspace) Donut {
	d := Donut{R: 60}
	d.Circumference = 2 * math.Pi * d.R
	counts := map[string]int{}
	for _, c := range ws.Controls {
		counts[c.Status]++
		d.Total++
	}
	at := 0.0
	for _, st := range donutStatuses {
		n := counts[st]
		if n == 0 {
			continue
		}
		l := d.Circumference * float64(n) / float64(d.Total)
		d.Arcs = append(d.Arcs, DonutArc{Status: st, Count: n, Len: round2(l), Gap: round2(d.Circumference - l), Offset: round2(-at),
			Percent: int(math.Round(float64(n) * 100 / float64(d.Total)))})
		at += l
	}
	return d
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// Coverage is, per month over the last twelve, the share of scheduled
// occurrences that ended that month with evidence: the trend an auditor's
// sample will reflect.
type Coverage struct {
	Width, Height int
	Months        []CoverageMonth
}

type CoverageMonth struct {
	Label             string
	Covered, Total    int
	Percent           int
	X, W, Y, H        int
	TextX             int
	Empty             bool
	CoveredOfTotal    string
	ShortLabel        string
	BaselineY, LabelY int
}

const (
	coverageMonths = 12
	coverageColW   = 44
	coverageChartH = 120
)

// EvidenceCoverage counts, for each of the twelve months before asOf's,
// the occurrences of implemented scheduled controls whose period ended in
// that month, and how many of them had evidence.
func EvidenceCoverage(ws *workspace.Workspace, asOf date.Date) Coverage {
	first := date.New(asOf.Year(), asOf.Month(), 1).AddMonths(-coverageMonths)
	last := date.New(asOf.Year(), asOf.Month(), 1).AddDays(-1)
	type tally struct{ covered, total int }
	months := make([]tally, coverageMonths)
	idx := evidence.Index(policy.WithDerived(ws).Evidence) // with the workforce records' evidence, as readiness
	for _, c := range ws.Controls {
		if c.Status != "implemented" || !evidence.Scheduled(c.Frequency) || c.Frequency == "daily" {
			continue
		}
		// Periods that end in the chart's months: start from the period
		// holding its first day (a quarter may begin before it).
		from, _ := evidence.PeriodOf(c.Frequency, first)
		for _, o := range evidence.Occurrences(c.Frequency, from, last, asOf, idx[c.ID]) {
			if o.End.Before(first) {
				continue
			}
			i := (o.End.Year()-first.Year())*12 + int(o.End.Month()) - int(first.Month())
			if i < 0 || i >= coverageMonths {
				continue
			}
			months[i].total++
			if o.Status == evidence.Covered {
				months[i].covered++
			}
		}
	}
	cov := Coverage{Width: coverageMonths * coverageColW, Height: coverageChartH + 18}
	for i, t := range months {
		m := first.AddMonths(i)
		cm := CoverageMonth{Label: m.Time().Format("2006-01"), ShortLabel: m.Time().Format("Jan"), Covered: t.covered, Total: t.total,
			X: i*coverageColW + 6, W: coverageColW - 12, TextX: i*coverageColW + coverageColW/2, BaselineY: coverageChartH, LabelY: coverageChartH + 14}
		if t.total == 0 {
			cm.Empty = true
		} else {
			cm.Percent = t.covered * 100 / t.total
			cm.H = max(1, cm.Percent*coverageChartH/100)
		}
		cm.Y = coverageChartH - cm.H
		cm.CoveredOfTotal = fmt.Sprintf("%s: %d of %d occurrences covered", cm.Label, t.covered, t.total)
		cov.Months = append(cov.Months, cm)
	}
	return cov
}
