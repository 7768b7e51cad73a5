package penalty

import (
	"fmt"
	"io"
	"strconv"
)

// WriteText prints a penalty result for a person, with its sources and the
// enforcement-discretion cap marked as policy. The criminal penalties are
// WriteCriminal's, printed only when asked for (ward penalty --criminal).
func WriteText(w io.Writer, r Result) error {
	plural := "s"
	if r.Violations == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "HIPAA civil money penalty, tier %d (%s)\n", r.Tier, r.TierName)
	fmt.Fprintf(w, "Amounts of 45 CFR 102.3 in effect on %s: effective %s, %s\n\n", r.On, r.Effective, r.Source)
	fmt.Fprintf(w, "  per violation:          %s to %s\n", Dollars(r.PerViolation.Min), Dollars(r.PerViolation.Max))
	fmt.Fprintf(w, "  calendar-year cap:      %s for identical violations (45 CFR 160.404(b)(2))\n", Dollars(r.CalendarYearCap))
	fmt.Fprintf(w, "  %d violation%s in one year: %s to %s\n\n", r.Violations, plural, Dollars(r.Range.Min), Dollars(r.Range.Max))
	adj := "unadjusted 2019 figure"
	if !r.DiscretionCap.Unadjusted {
		adj = "not lowered by the notice: the 102.3 cap, adjusted"
	}
	fmt.Fprintf(w, "Enforcement discretion (policy, not law): %s per year for this tier (%s, %s).\n", Dollars(r.DiscretionCap.Amount), r.DiscretionCap.Source, adj)
	fmt.Fprintf(w, "  %s\n\n", r.DiscretionCap.Note)
	s := Statutory.Tiers[r.Tier-1]
	fmt.Fprintf(w, "Statutory base before inflation adjustment (%s): %s to %s per violation, %s per year.\n", Statutory.Source, Dollars(s.Min), Dollars(s.Max), Dollars(Statutory.Cap))
	_, err := fmt.Fprintln(w, "Adjusted amounts apply to violations on or after November 2, 2015; re-check eCFR 45 CFR 102.3 for a later adjustment.")
	return err
}

// Dollars formats whole dollars with thousands separators: $2,190,294.
func Dollars(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-$" + string(out)
	}
	return "$" + string(out)
}
