package evidence

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

// benchEvidence is one organization of the posture benchmark: 120
// controls with two years of monthly evidence, about one month in twenty
// skipped, a few items stating the period they cover.
func benchEvidence() []workspace.Evidence {
	r := rand.New(rand.NewPCG(120, 24))
	first := date.MustParse("2024-12-01")
	var items []workspace.Evidence
	for c := range 120 {
		for m := range 24 {
			if r.IntN(20) == 0 {
				continue
			}
			e := workspace.Evidence{ID: fmt.Sprintf("e%d-%d", c, m), Control: fmt.Sprintf("c%d", c), Collected: first.AddMonths(m).AddDays(r.IntN(27))}
			if r.IntN(10) == 0 {
				e.PeriodStart, e.PeriodEnd = first.AddMonths(m), first.AddMonths(m+1).AddDays(-1)
			}
			items = append(items, e)
		}
	}
	return items
}

// BenchmarkOccurrences is every control's monthly occurrences over the
// two years for one organization of 120 controls (2,880 periods against
// about 2,740 items), indexed once.
func BenchmarkOccurrences(b *testing.B) {
	items := benchEvidence()
	from, to, asOf := date.MustParse("2024-12-01"), date.MustParse("2026-11-30"), date.MustParse("2026-11-23")
	b.Run("indexed", func(b *testing.B) {
		for b.Loop() {
			idx := IndexRefs(items)
			for c := range 120 {
				OccurrencesOf("monthly", from, to, asOf, idx[fmt.Sprintf("c%d", c)])
			}
		}
	})
	// One control's occurrences from its own evidence: the control page.
	own := Index(items)["c7"]
	b.Run("one-control", func(b *testing.B) {
		for b.Loop() {
			Occurrences("monthly", from, to, asOf, own)
		}
	})
	// Weekly over two years: 105 periods, where the per-period scan of
	// every item used to dominate.
	b.Run("weekly", func(b *testing.B) {
		var weekly []workspace.Evidence
		for w := range 104 {
			weekly = append(weekly, workspace.Evidence{ID: fmt.Sprint(w), Control: "c", Collected: from.AddDays(7*w + 2)})
		}
		for b.Loop() {
			Occurrences("weekly", from, to, asOf, weekly)
		}
	})
}
