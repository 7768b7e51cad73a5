package penalty

import (
	"fmt"

	"ward/internal/date"
)

// DiscretionCap is the annual cap for the tier under HHS's 2019
// enforcement discretion, marked as policy by its note. Unadjusted says
// the amount is the 2019 figure, not adjusted for inflation (tiers 1–3);
// tier 4, which the notice did not lower, carries the 102.3 cap in
// effect, adjusted (Unadjusted false).
type DiscretionCap struct {
	Amount     int64  `json:"amount"`
	Unadjusted bool   `json:"unadjusted"`
	Source     string `json:"source"`
	Note       string `json:"note"`
}

// discretionCap is the tier's cap under the 2019 notice, from the row in
// effect for tier 4.
func discretionCap(tier int, row Row) DiscretionCap {
	if tier == 4 {
		return DiscretionCap{Amount: row.Cap, Source: Discretion.Source + "; 45 CFR 102.3 (" + row.Source + ")", Note: Discretion.Tier4Note}
	}
	return DiscretionCap{Amount: Discretion.Caps[tier-1], Unadjusted: true, Source: Discretion.Source, Note: Discretion.Note}
}

// Result is the answer of `ward penalty`. Its JSON is a contract
// (issue 8): tier, effective, source, per_violation, calendar_year_cap,
// range, discretion_cap. The other fields serve the text and page views.
type Result struct {
	Tier            int           `json:"tier"`
	Effective       date.Date     `json:"effective"`
	Source          string        `json:"source"`
	PerViolation    Amounts       `json:"per_violation"`
	CalendarYearCap int64         `json:"calendar_year_cap"`
	Range           Amounts       `json:"range"`
	DiscretionCap   DiscretionCap `json:"discretion_cap"`

	TierName   string    `json:"-"`
	Violations int       `json:"-"`
	On         date.Date `json:"-"`
	Row        Row       `json:"-"`
}

// Compute is the civil money penalty exposure for a number of identical
// violations in one calendar year at a culpability tier, from the row of
// 45 CFR 102.3 in effect on the given date (the date of assessment).
//
// The range is min×N to max×N, each limited by the calendar-year cap for
// identical violations (160.404(b)(2)): the cap binds the minimum too, so
// a large N at tier 4 gives the cap at both ends. Violations of different
// provisions, or in different calendar years, each have their own cap:
// compute them separately and add.
func Compute(tier, violations int, on date.Date) (Result, error) {
	if tier < 1 || tier > 4 {
		return Result{}, fmt.Errorf("tier %d is not 1..4 (1: did not know; 2: reasonable cause; 3: willful neglect, corrected within 30 days; 4: willful neglect, not corrected)", tier)
	}
	if violations < 1 {
		return Result{}, fmt.Errorf("violations must be at least 1, got %d", violations)
	}
	row, err := RowOn(on)
	if err != nil {
		return Result{}, err
	}
	per := row.Tiers[tier-1]
	return Result{
		Tier:            tier,
		Effective:       row.Effective,
		Source:          row.Source,
		PerViolation:    per,
		CalendarYearCap: row.Cap,
		Range:           Amounts{Min: capped(per.Min, violations, row.Cap), Max: capped(per.Max, violations, row.Cap)},
		DiscretionCap:   discretionCap(tier, row),
		TierName:        TierNames[tier-1],
		Violations:      violations,
		On:              on,
		Row:             row,
	}, nil
}

// ComputeYear is Compute for `--year YYYY`: the amounts in effect on
// December 31 of that year, that is the latest row that took effect in or
// before it (2026 gives 91 FR 3665; 2025 gives 89 FR 64815, since the
// 2025 adjustment only took effect on January 28, 2026).
func ComputeYear(tier, violations, year int) (Result, error) {
	return Compute(tier, violations, YearEnd(year))
}

// YearEnd is the date `--year` stands for.
func YearEnd(year int) date.Date { return date.New(year, 12, 31) }

// RowOn is the row of Table in effect on the date.
func RowOn(on date.Date) (Row, error) {
	if on.IsZero() {
		return Row{}, fmt.Errorf("no date given: pass the date of assessment (--date YYYY-MM-DD) or a year (--year YYYY)")
	}
	first := Table[0]
	if on.Before(first.Effective) {
		return Row{}, fmt.Errorf("%s is before ward's first 45 CFR 102.3 row (effective %s, %s): earlier adjusted amounts are not in the table; see the statutory base (%s) and the 102.3 history", on, first.Effective, first.Source, Statutory.Source)
	}
	row := first
	for _, r := range Table[1:] {
		if r.Effective.After(on) {
			break
		}
		row = r
	}
	return row, nil
}

// capped is min(amount×n, cap) without overflowing for any n.
func capped(amount int64, n int, limit int64) int64 {
	if amount <= 0 {
		return 0
	}
	if int64(n) > limit/amount {
		return limit
	}
	return min(amount*int64(n), limit)
}
