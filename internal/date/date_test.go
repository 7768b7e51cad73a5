package date

import (
	"encoding/json"
	"testing"
)

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2027-01-31", 1, "2027-02-28"},
		{"2028-01-31", 1, "2028-02-29"}, // leap year
		{"2028-02-29", 12, "2029-02-28"},
		{"2026-10-31", 1, "2026-11-30"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-15", -13, "2024-12-15"},
		{"2026-06-01", 0, "2026-06-01"},
	}
	for _, c := range cases {
		if got := MustParse(c.from).AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestAddDaysCountsCalendarDays(t *testing.T) {
	// 45 CFR 164.404(b): 60 calendar days after discovery.
	cases := []struct{ from, want string }{
		{"2027-12-31", "2028-02-29"},
		{"2028-01-01", "2028-03-01"},
		{"2026-11-10", "2027-01-09"},
	}
	for _, c := range cases {
		d := MustParse(c.from)
		got := d.AddDays(60)
		if got.String() != c.want {
			t.Errorf("%s + 60 days = %s, want %s", c.from, got, c.want)
		}
		if n := d.DaysUntil(got); n != 60 {
			t.Errorf("DaysUntil = %d, want 60", n)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"2027-02-30", "2027-13-01", "tomorrow", "2027/01/01", "27-01-01", ""} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

func TestJSON(t *testing.T) {
	var v struct {
		A Date `json:"a"`
		B Date `json:"b"`
	}
	v.A = MustParse("2026-11-23")
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"a":"2026-11-23","b":null}` {
		t.Fatalf("got %s", b)
	}
	var back struct {
		A Date `json:"a"`
		B Date `json:"b"`
	}
	if err := json.Unmarshal(b, &back); err != nil || !back.A.Equal(v.A) || !back.B.IsZero() {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}

func TestMinMax(t *testing.T) {
	a, b := MustParse("2026-01-01"), MustParse("2026-02-01")
	if Min(a, b) != a || Min(Date{}, b) != b || Max(a, b) != b || Max(a, Date{}) != a {
		t.Fatal("Min/Max")
	}
}

// The web forms take ISO and US dates (issue 19 item 8) and say which
// date they read; every other order or an abbreviated year is refused.
func TestParseInput(t *testing.T) {
	good := map[string]string{
		"2026-12-01":   "2026-12-01",
		" 2026-12-01 ": "2026-12-01",
		"12/01/2026":   "2026-12-01",
		"12/1/2026":    "2026-12-01",
		"1/12/2026":    "2026-01-12",
		"02/29/2028":   "2028-02-29",
	}
	for in, want := range good {
		d, err := ParseInput(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseInput(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "13/01/2026", "02/29/2027", "12/01/26", "2026/12/01", "01.12.2026", "2027-02-30", "12/-1/2026", "+1/01/2026", "12/01/2026x", "1 Dec 2026"} {
		if d, err := ParseInput(in); err == nil {
			t.Errorf("ParseInput(%q) = %v; want an error", in, d)
		}
	}
	if got := MustParse("2026-12-01").Long(); got != "Tuesday, 1 December 2026" {
		t.Errorf("Long = %q", got)
	}
}

// TestCheckYears: the years ward works with, shared by the workspace, the
// web's ?as_of= and the CLI's --as-of, end on 1900-01-01 and 2199-12-31.
func TestCheckYears(t *testing.T) {
	for s, ok := range map[string]bool{
		"1899-12-31": false, "1900-01-01": true, "2026-12-05": true,
		"2199-12-31": true, "2200-01-01": false, "9999-12-31": false,
	} {
		err := CheckYears(MustParse(s))
		if (err == nil) != ok {
			t.Errorf("CheckYears(%s) = %v, want ok %v", s, err, ok)
		}
		d, err := ParseAsOf(s)
		if (err == nil) != ok || ok && d.String() != s {
			t.Errorf("ParseAsOf(%q) = %v, %v", s, d, err)
		}
	}
	if _, err := ParseAsOf("2026-13-01"); err == nil {
		t.Error("ParseAsOf took month 13")
	}
}
