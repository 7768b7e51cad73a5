package secq

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/secq/sheet"
)

// The benchmark (bench/questionnaire): a hospital-style questionnaire
// with the right bank question for each row marked by hand. It measures
// the matcher at DefaultThreshold:
//
//	coverage  = rows answered (confidence at or over the threshold) / rows
//	precision = rows answered with a right bank question / rows answered
//
// A row the key marks "-" (no bank question answers it) is right only
// when it is left for review. The "dev" half was looked at while tuning;
// the "holdout" half only ever through these totals.

var benchDir = filepath.Join("..", "..", "bench", "questionnaire")

type benchRow struct {
	sheet.Row
	set  string
	want []string // nil: no bank question answers it
}

func loadBenchmark(t testing.TB) []benchRow {
	t.Helper()
	var questions []sheet.Row
	for _, f := range []struct {
		name string
		spec sheet.Spec
	}{
		{"mercy-regional.xlsx", sheet.Spec{Sheet: "Vendor Assessment", Question: "Question", Answer: "Vendor Response", Comment: "Additional Comments"}},
		{"lakeshore-university.xlsx", sheet.Spec{Sheet: "Requirements", Question: "Requirement", Answer: "Supplier Response (Y/N/NA)", Comment: "Supplier Explanation"}},
		{"riverside-health-network.csv", sheet.Spec{Question: "Question Text", Answer: "Response", Comment: "Notes"}},
	} {
		data, err := os.ReadFile(filepath.Join(benchDir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		book, err := sheet.Read(f.name, data, f.spec)
		if err != nil {
			t.Fatal(err)
		}
		questions = append(questions, book.Rows...)
	}
	kf, err := os.Open(filepath.Join(benchDir, "key.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	recs, err := csv.NewReader(kf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	key := map[string][]string{}
	for _, r := range recs[1:] {
		key[r[0]] = r[1:]
	}
	var out []benchRow
	for _, r := range questions {
		k, ok := key[r.Ref]
		if !ok {
			t.Fatalf("row %d (%s) is not in key.csv", r.Row, r.Ref)
		}
		br := benchRow{Row: r, set: k[0]}
		if k[1] != "-" {
			br.want = strings.Split(k[1], "|")
		}
		out = append(out, br)
	}
	if len(out) != len(recs)-1 {
		t.Fatalf("the workbook has %d questions, the key %d", len(out), len(recs)-1)
	}
	return out
}

type score struct{ rows, answered, right, inScope int }

func (s score) coverage() float64  { return ratio(s.answered, s.rows) }
func (s score) precision() float64 { return ratio(s.right, s.answered) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (s score) String() string {
	return fmt.Sprintf("%3d rows (%d with a bank answer): coverage %5.1f%% (%d answered), precision %5.1f%% (%d right)",
		s.rows, s.inScope, 100*s.coverage(), s.answered, 100*s.precision(), s.right)
}

func scoreBenchmark(rows []benchRow, ix *Index, threshold float64, detail func(benchRow, Match, bool)) map[string]*score {
	sc := map[string]*score{"dev": {}, "holdout": {}, "holdout2": {}, "holdout3": {}, "all": {}}
	for _, r := range rows {
		m := ix.Match(r.Question)
		answered := m.Target != "" && m.Confidence >= threshold
		right := false
		for _, w := range r.want {
			right = right || w == m.Target
		}
		for _, k := range []string{r.set, "all"} {
			s := sc[k]
			s.rows++
			if r.want != nil {
				s.inScope++
			}
			if answered {
				s.answered++
				if right {
					s.right++
				}
			}
		}
		if detail != nil {
			detail(r, m, answered)
		}
	}
	return sc
}

func TestBenchmarkKey(t *testing.T) {
	b := Default()
	for _, r := range loadBenchmark(t) {
		if !slices.Contains([]string{"dev", "holdout", "holdout2", "holdout3"}, r.set) {
			t.Errorf("%s: set %q is not dev, holdout or holdout2", r.Ref, r.set)
		}
		for _, w := range r.want {
			if b.Question(w) == nil {
				t.Errorf("%s: the key names %q, which is not a bank question", r.Ref, w)
			}
		}
	}
}

// TestBenchmark prints precision and coverage at the default threshold
// and holds the matcher to the figures the README states. Set
// WARD_BENCH_DETAIL=1 to list the dev rows (never the holdout's).
func TestBenchmark(t *testing.T) {
	rows := loadBenchmark(t)
	ix := NewIndex(Default(), nil)
	var detail func(benchRow, Match, bool)
	if os.Getenv("WARD_BENCH_DETAIL") != "" {
		detail = func(r benchRow, m Match, answered bool) {
			if r.set != "dev" && os.Getenv("WARD_BENCH_DETAIL") != "all" {
				return
			}
			mark := "  "
			right := false
			for _, w := range r.want {
				right = right || w == m.Target
			}
			switch {
			case answered && right:
				mark = "ok"
			case answered:
				mark = "XX"
			case right:
				mark = "lo"
			case r.want == nil:
				mark = "ok"
			default:
				mark = "--"
			}
			t.Logf("%s %-7s %.3f %-28s (2nd %-24s) want %-30s %s", mark, r.Ref, m.Confidence, m.Target, m.Second, strings.Join(r.want, "|"), r.Question)
		}
	}
	sc := scoreBenchmark(rows, ix, DefaultThreshold, detail)
	fmt.Printf("questionnaire benchmark at threshold %.2f (bank %s, %d questions):\n", DefaultThreshold, Default().Version, len(Default().Questions))
	for _, k := range []string{"dev", "holdout", "holdout2", "holdout3", "all"} {
		fmt.Printf("  %-8s %s\n", k, sc[k])
	}
	// The floor under the figures the README states (all rows: 82.8%
	// coverage, 95.7% precision when measured): a change to the bank, the
	// synonyms or the matcher that loses ground fails here.
	if all := sc["all"]; all.precision() < 0.95 || all.coverage() < 0.80 {
		t.Errorf("the matcher fell under the README's figures: %s", all)
	}
}
