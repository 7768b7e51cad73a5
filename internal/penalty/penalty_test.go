package penalty

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var d = date.MustParse

// TestPublishedFigures checks Compute for one violation against every
// published cell of every row: per-violation min and max and the
// calendar-year cap, per tier.
func TestPublishedFigures(t *testing.T) {
	type tier struct{ min, max int64 }
	cases := []struct {
		name string
		on   string
		src  string
		cap  int64
		tier [4]tier
	}{
		{"88 FR 69531 (2023 adjustment, effective 2023-10-06)", "2023-10-06", "88 FR 69531", 2_067_813,
			[4]tier{{137, 68_928}, {1_379, 68_928}, {13_785, 68_928}, {68_928, 2_067_813}}},
		{"89 FR 64815 (2024 adjustment, effective 2024-08-08)", "2024-08-08", "89 FR 64815", 2_134_831,
			[4]tier{{141, 71_162}, {1_424, 71_162}, {14_232, 71_162}, {71_162, 2_134_831}}},
		{"91 FR 3665 (2025 adjustment, effective 2026-01-28)", "2026-01-28", "91 FR 3665", 2_190_294,
			[4]tier{{145, 73_011}, {1_461, 73_011}, {14_602, 73_011}, {73_011, 2_190_294}}},
	}
	for _, c := range cases {
		for i, want := range c.tier {
			r, err := Compute(i+1, 1, d(c.on))
			if err != nil {
				t.Fatalf("%s tier %d: %v", c.name, i+1, err)
			}
			if r.Source != c.src || r.Effective.String() != c.on {
				t.Errorf("%s tier %d: row %s %s", c.name, i+1, r.Source, r.Effective)
			}
			if r.PerViolation.Min != want.min || r.PerViolation.Max != want.max || r.CalendarYearCap != c.cap {
				t.Errorf("%s tier %d: %d–%d cap %d, want %d–%d cap %d", c.name, i+1, r.PerViolation.Min, r.PerViolation.Max, r.CalendarYearCap, want.min, want.max, c.cap)
			}
			if r.Range.Min != want.min || r.Range.Max != min(want.max, c.cap) {
				t.Errorf("%s tier %d: one violation ranges %+v", c.name, i+1, r.Range)
			}
		}
	}
}

// TestRowsFollowFromTheirMultiplier cross-checks the table: each adjusted
// amount is the previous row's amount times the stated cost-of-living
// multiplier, rounded to the nearest dollar (28 U.S.C. 2461 note, sec. 5).
// A typo in one cell fails here even if the same typo were in the test above.
func TestRowsFollowFromTheirMultiplier(t *testing.T) {
	for i := 1; i < len(Table); i++ {
		prev, row := Table[i-1], Table[i]
		m, err := parseFloat(row.Multiplier)
		if err != nil {
			t.Fatalf("%s: multiplier %q: %v", row.Source, row.Multiplier, err)
		}
		adj := func(v int64) int64 { return int64(math.Round(float64(v) * m)) }
		for k := range 4 {
			if got, want := row.Tiers[k], (Amounts{adj(prev.Tiers[k].Min), adj(prev.Tiers[k].Max)}); got != want {
				t.Errorf("%s tier %d: %+v, %s × %s gives %+v", row.Source, k+1, got, prev.Source, row.Multiplier, want)
			}
		}
		if adj(prev.Cap) != row.Cap {
			t.Errorf("%s cap %d, %s × %s gives %d", row.Source, row.Cap, prev.Source, row.Multiplier, adj(prev.Cap))
		}
	}
}

func parseFloat(s string) (float64, error) {
	var f float64
	err := json.Unmarshal([]byte(s), &f)
	return f, err
}

func TestStatutoryBase(t *testing.T) {
	// 42 U.S.C. 1320d-5(a)(3); 45 CFR 160.404(b)(2)(i)–(iv).
	want := [4]Amounts{{100, 50_000}, {1_000, 50_000}, {10_000, 50_000}, {50_000, 1_500_000}}
	if Statutory.Tiers != want || Statutory.Cap != 1_500_000 {
		t.Errorf("statutory base %+v cap %d", Statutory.Tiers, Statutory.Cap)
	}
}

func TestRange(t *testing.T) {
	cases := []struct {
		name       string
		tier, n    int
		on         string
		min, max   int64
		discretion int64
	}{
		{"91 FR 3665 tier 1, 10 violations: below the cap", 1, 10, "2026-02-01", 1_450, 730_110, 25_000},
		{"91 FR 3665 tier 1, 100 violations: 160.404(b)(2) cap binds the maximum", 1, 100, "2026-02-01", 14_500, 2_190_294, 25_000},
		{"91 FR 3665 tier 2, 1000 violations: cap binds the minimum too", 2, 1_000, "2026-02-01", 1_461_000, 2_190_294, 100_000},
		{"91 FR 3665 tier 3, 150 violations: min 2,190,300 is over the cap", 3, 150, "2026-02-01", 2_190_294, 2_190_294, 250_000},
		// 84 FR 18151 lowered tiers 1–3 only: tier 4 keeps the 102.3 cap in effect.
		{"91 FR 3665 tier 4, 40 violations: cap at both ends", 4, 40, "2026-02-01", 2_190_294, 2_190_294, 2_190_294},
		{"89 FR 64815 tier 4, 1 violation: per-violation max equals the cap", 4, 1, "2025-06-30", 71_162, 2_134_831, 2_134_831},
		{"89 FR 64815 tier 3, 5 violations", 3, 5, "2025-06-30", 71_160, 355_810, 250_000},
		{"88 FR 69531 tier 2, many violations cannot overflow", 2, math.MaxInt, "2024-01-01", 2_067_813, 2_067_813, 100_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Compute(c.tier, c.n, d(c.on))
			if err != nil {
				t.Fatal(err)
			}
			if r.Range.Min != c.min || r.Range.Max != c.max {
				t.Errorf("range %+v, want %d–%d", r.Range, c.min, c.max)
			}
			// 84 FR 18151: the discretion cap is shown apart, marked as policy.
			if r.DiscretionCap.Amount != c.discretion || !strings.Contains(r.DiscretionCap.Note, "adjusted for inflation") {
				t.Errorf("discretion cap %+v", r.DiscretionCap)
			}
			if c.tier < 4 && (!r.DiscretionCap.Unadjusted || !strings.Contains(r.DiscretionCap.Note, "not codified")) {
				t.Errorf("tier %d discretion cap must be marked the unadjusted 2019 figure: %+v", c.tier, r.DiscretionCap)
			}
		})
	}
}

// TestCFR160_404b2iv_Tier4KeepsThe102_3Cap: the 2019 Notification of
// Enforcement Discretion (84 FR 18151) lowered the annual caps of tiers
// 1–3 only. Tier 4 (willful neglect, not corrected, 45 CFR
// 160.404(b)(2)(iv)) keeps the calendar-year cap of 45 CFR 102.3:
// $2,190,294 from January 28, 2026 (91 FR 3665), adjusted, not the 2019
// notice's unadjusted $1,500,000. The JSON marks which figures are the
// unadjusted 2019 ones.
func TestCFR160_404b2iv_Tier4KeepsThe102_3Cap(t *testing.T) {
	r, err := Compute(4, 1, d("2026-01-28"))
	if err != nil {
		t.Fatal(err)
	}
	if r.DiscretionCap.Amount != 2_190_294 || r.DiscretionCap.Unadjusted {
		t.Errorf("tier 4 discretion cap %+v, want the 102.3 cap $2,190,294, adjusted", r.DiscretionCap)
	}
	if !strings.Contains(r.DiscretionCap.Note, "tiers 1–3 only") || !strings.Contains(r.DiscretionCap.Source, "91 FR 3665") {
		t.Errorf("tier 4 note and source: %+v", r.DiscretionCap)
	}
	js, _ := json.Marshal(r)
	if !strings.Contains(string(js), `"unadjusted":false`) {
		t.Errorf("JSON does not mark tier 4 adjusted: %s", js)
	}
	// Tiers 1–3: the lowered 2019 caps, marked unadjusted (84 FR 18151).
	for tier, want := range map[int]int64{1: 25_000, 2: 100_000, 3: 250_000} {
		r, err := Compute(tier, 1, d("2026-01-28"))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(r.DiscretionCap)
		if r.DiscretionCap.Amount != want || !strings.Contains(string(js), `"unadjusted":true`) {
			t.Errorf("tier %d: %s, want %d marked unadjusted", tier, js, want)
		}
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "$2,190,294 per year for this tier") || !strings.Contains(b.String(), "not lowered by the notice") {
		t.Errorf("text:\n%s", b.String())
	}
}

func TestRowSelection(t *testing.T) {
	cases := []struct {
		name string
		on   string
		year int
		want string
	}{
		{"the day before 91 FR 3665 took effect", "2026-01-27", 0, "89 FR 64815"},
		{"91 FR 3665 takes effect on publication, 2026-01-28", "2026-01-28", 0, "91 FR 3665"},
		{"the day before 89 FR 64815", "2024-08-07", 0, "88 FR 69531"},
		{"--year 2023: in effect on December 31", "", 2023, "88 FR 69531"},
		{"--year 2024", "", 2024, "89 FR 64815"},
		{"--year 2025: the 2025 adjustment only took effect in 2026", "", 2025, "89 FR 64815"},
		{"--year 2026", "", 2026, "91 FR 3665"},
		{"--year 2030: the latest row until a new one is added", "", 2030, "91 FR 3665"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r Result
			var err error
			if c.year != 0 {
				r, err = ComputeYear(2, 1, c.year)
			} else {
				r, err = Compute(2, 1, d(c.on))
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != c.want {
				t.Errorf("row %s, want %s", r.Source, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name    string
		tier, n int
		on      date.Date
		errHas  string
	}{
		{"tier 0", 0, 1, d("2026-02-01"), "tier 0 is not 1..4"},
		{"tier 5", 5, 1, d("2026-02-01"), "tier 5 is not 1..4"},
		{"no violations", 1, 0, d("2026-02-01"), "at least 1"},
		{"negative violations", 1, -3, d("2026-02-01"), "at least 1"},
		{"before the first row (88 FR 69531, 2023-10-06)", 1, 1, d("2023-10-05"), "before ward's first 45 CFR 102.3 row"},
		{"--year 2022", 1, 1, YearEnd(2022), "2022-12-31 is before"},
		{"no date", 1, 1, date.Date{}, "no date given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compute(c.tier, c.n, c.on)
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("error %v, want one containing %q", err, c.errHas)
			}
		})
	}
}

func TestTableIsOrderedAndSourced(t *testing.T) {
	for i, r := range Table {
		if r.Source == "" || r.Effective.IsZero() {
			t.Errorf("row %d lacks its source or effective date", i)
		}
		if i > 0 && !Table[i-1].Effective.Before(r.Effective) {
			t.Errorf("row %s is not after %s", r.Source, Table[i-1].Source)
		}
	}
}

func TestJSONContract(t *testing.T) {
	r, err := Compute(4, 3, d("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"calendar_year_cap", "discretion_cap", "effective", "per_violation", "range", "source", "tier"}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	wantJSON := `{"tier":4,"effective":"2026-01-28","source":"91 FR 3665","per_violation":{"min":73011,"max":2190294},"calendar_year_cap":2190294,"range":{"min":219033,"max":2190294},"discretion_cap":{"amount":2190294,"unadjusted":false,"source":"84 FR 18151; 45 CFR 102.3 (91 FR 3665)","note":`
	if !strings.HasPrefix(string(b), wantJSON) {
		t.Errorf("json %s\nwant prefix %s", b, wantJSON)
	}
}

func TestCriminal(t *testing.T) {
	// 42 U.S.C. 1320d-6(b)(1)–(3).
	want := []struct {
		fine  int64
		years int
	}{{50_000, 1}, {100_000, 5}, {250_000, 10}}
	if len(Criminal) != len(want) {
		t.Fatalf("%d paragraphs", len(Criminal))
	}
	for i, w := range want {
		if Criminal[i].MaxFine != w.fine || Criminal[i].MaxYears != w.years {
			t.Errorf("%s: %+v", Criminal[i].Paragraph, Criminal[i])
		}
	}
}

func TestEnforcementIsSourced(t *testing.T) {
	for _, a := range Enforcement {
		if len(a.Sources) < 2 || a.Announced.IsZero() || a.Amount <= 0 {
			t.Errorf("%s: every action needs a date, an amount and at least two sources", a.Title)
		}
	}
}

func TestDollars(t *testing.T) {
	for n, want := range map[int64]string{0: "$0", 145: "$145", 1_461: "$1,461", 73_011: "$73,011", 2_190_294: "$2,190,294", -1_000: "-$1,000"} {
		if got := Dollars(n); got != want {
			t.Errorf("Dollars(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestWriteText(t *testing.T) {
	r, err := ComputeYear(2, 25, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "tier2-25-2026.txt")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("text differs from %s; run go test ./internal/penalty -update and review\n%s", path, b.String())
	}
}
