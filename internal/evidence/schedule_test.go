package evidence

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

var d = date.MustParse

func ev(id, collected string) workspace.Evidence {
	return workspace.Evidence{ID: id, Control: "c", Collected: d(collected)}
}

func TestPeriodOf(t *testing.T) {
	cases := []struct {
		freq, day, start, end string
	}{
		{"quarterly", "2026-11-23", "2026-10-01", "2026-12-31"},
		{"quarterly", "2026-03-31", "2026-01-01", "2026-03-31"},
		{"monthly", "2028-02-10", "2028-02-01", "2028-02-29"}, // leap year
		{"monthly", "2027-02-10", "2027-02-01", "2027-02-28"},
		{"continuous", "2026-12-31", "2026-12-01", "2026-12-31"},
		{"weekly", "2026-11-23", "2026-11-23", "2026-11-29"}, // a Monday
		{"weekly", "2027-01-01", "2026-12-28", "2027-01-03"}, // across the year
		{"semi-annual", "2026-07-01", "2026-07-01", "2026-12-31"},
		{"annual", "2026-05-05", "2026-01-01", "2026-12-31"},
		{"daily", "2026-05-05", "2026-05-05", "2026-05-05"},
	}
	for _, c := range cases {
		s, e := PeriodOf(c.freq, d(c.day))
		if s.String() != c.start || e.String() != c.end {
			t.Errorf("%s %s: got %s..%s, want %s..%s", c.freq, c.day, s, e, c.start, c.end)
		}
	}
}

func TestOccurrencesWindowStartingMidQuarter(t *testing.T) {
	// A six-month Type II window from 2026-11-15. The fourth quarter is
	// shown from the window's start but judged whole: the review done on
	// 2026-11-02 met that quarter's obligation. The second quarter of 2027
	// ends after the window does, so it is not due in it.
	items := []workspace.Evidence{ev("q4-early", "2026-11-02"), ev("q1", "2027-02-10")}
	got := Occurrences("quarterly", d("2026-11-15"), d("2027-05-14"), d("2027-04-20"), items)
	want := []Occurrence{
		{Start: d("2026-11-15"), End: d("2026-12-31"), PeriodStart: d("2026-10-01"), PeriodEnd: d("2026-12-31"), Status: Covered, Evidence: []string{"q4-early"}},
		{Start: d("2027-01-01"), End: d("2027-03-31"), PeriodStart: d("2027-01-01"), PeriodEnd: d("2027-03-31"), Status: Covered, Evidence: []string{"q1"}},
		{Start: d("2027-04-01"), End: d("2027-05-14"), PeriodStart: d("2027-04-01"), PeriodEnd: d("2027-06-30"), Status: NotDue},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// Without the November review the fourth quarter is an exception: its
	// obligation fell inside the window and nothing met it.
	got = Occurrences("quarterly", d("2026-11-15"), d("2027-05-14"), d("2027-04-20"), items[1:])
	if got[0].Status != Exception {
		t.Errorf("Q4 without evidence: %s, want exception", got[0].Status)
	}
}

// An annual control in a six-month window across a new year owes the
// year that ends inside the window, met by evidence from earlier in that
// year; the next year ends after the window and is not due in it. (The
// window of the demo: 2026-10-01 to 2027-03-31.)
func TestOccurrencesAnnualAcrossNewYear(t *testing.T) {
	from, to := d("2026-10-01"), d("2027-03-31")
	for _, c := range []struct {
		name  string
		items []workspace.Evidence
		want  []string
	}{
		{"done in July", []workspace.Evidence{ev("ra-2026", "2026-07-10")}, []string{Covered, NotDue}},
		{"never done", nil, []string{Exception, NotDue}},
		{"done in the window, in 2027", []workspace.Evidence{ev("ra-2027", "2027-02-01")}, []string{Exception, Covered}},
	} {
		got := Occurrences("annual", from, to, d("2027-06-01"), c.items)
		var st []string
		for _, o := range got {
			st = append(st, o.Status)
		}
		if !reflect.DeepEqual(st, c.want) {
			t.Errorf("%s: %v, want %v", c.name, st, c.want)
		}
	}
}

func TestOccurrencesMonthlyAcrossLeapFebruary(t *testing.T) {
	items := []workspace.Evidence{ev("jan", "2028-01-31"), ev("feb", "2028-02-29"), ev("apr", "2028-04-01")}
	got := Occurrences("monthly", d("2028-01-01"), d("2028-06-30"), d("2028-05-15"), items)
	var states []string
	for _, o := range got {
		states = append(states, Label("monthly", o.Start)+":"+o.Status)
	}
	want := []string{"2028-01:covered", "2028-02:covered", "2028-03:exception", "2028-04:covered", "2028-05:due", "2028-06:upcoming"}
	if !reflect.DeepEqual(states, want) {
		t.Fatalf("got %v, want %v", states, want)
	}
}

func TestPeriodEvidenceCoversOverlap(t *testing.T) {
	// An access review collected after the quarter but stating the
	// period it covers counts for that period.
	e := workspace.Evidence{ID: "r", Control: "c", Collected: d("2027-01-05"), PeriodStart: d("2026-10-01"), PeriodEnd: d("2026-12-31")}
	got := Occurrences("quarterly", d("2026-10-01"), d("2026-12-31"), d("2027-01-10"), []workspace.Evidence{e})
	if len(got) != 1 || got[0].Status != Covered {
		t.Fatalf("got %+v", got)
	}
	// The stated period is its whole claim: collected in January, it is
	// not also the first quarter's review, which is still due.
	got = Occurrences("quarterly", d("2026-10-01"), d("2027-03-31"), d("2027-01-10"), []workspace.Evidence{e})
	if len(got) != 2 || got[0].Status != Covered || got[1].Status != Due {
		t.Fatalf("Q4 2026 and Q1 2027: got %+v", got)
	}
}

func TestLiveDropsSuperseded(t *testing.T) {
	items := []workspace.Evidence{ev("a", "2026-10-01"), {ID: "b", Control: "c", Collected: d("2026-10-02"), Supersedes: "a"}}
	live := Live(items)
	if len(live) != 1 || live[0].ID != "b" {
		t.Fatalf("got %+v", live)
	}
}

func TestCheckEvidenceMissing(t *testing.T) {
	ws := &workspace.Workspace{
		Controls: []workspace.Control{
			{ID: "access-review", Status: "implemented", Frequency: "quarterly"},
			{ID: "backup", Status: "implemented", Frequency: "monthly"},
			{ID: "planned-one", Status: "planned", Frequency: "monthly"},
			{ID: "ir-test", Status: "implemented", Frequency: "on-event"},
		},
		Evidence: []workspace.Evidence{
			{ID: "ar-q3", Control: "access-review", Collected: d("2026-09-20")},
			{ID: "bk-nov", Control: "backup", Collected: d("2026-11-03")},
		},
	}
	got := Check(ws, d("2026-11-23"))
	if len(got) != 1 || got[0].Rule != "evidence.missing" || got[0].Subject != "access-review" || got[0].Severity != "warning" {
		t.Fatalf("got %+v", got)
	}
	// Evidence for Q4 clears it.
	ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "ar-q4", Control: "access-review", Collected: d("2026-11-20")})
	if got := Check(ws, d("2026-11-23")); len(got) != 0 {
		t.Fatalf("after adding Q4 evidence: %+v", got)
	}
}

// naiveOccurrences is the definition Occurrences must keep: every period,
// every item, Covers.
func naiveOccurrences(freq string, from, to, asOf date.Date, items []workspace.Evidence) []Occurrence {
	var out []Occurrence
	for d := from; !d.After(to); {
		ps, pe := PeriodOf(freq, d)
		o := Occurrence{Start: date.Max(ps, from), End: date.Min(pe, to), PeriodStart: ps, PeriodEnd: pe}
		for _, e := range items {
			if e.Covers(ps, pe) {
				o.Evidence = append(o.Evidence, e.ID)
			}
		}
		switch {
		case len(o.Evidence) > 0:
			o.Status = Covered
		case pe.After(to):
			o.Status = NotDue
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

func TestOccurrencesMatchesTheDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2026))
	base := d("2025-01-01")
	for n := range 2000 {
		freq := []string{"daily", "weekly", "monthly", "continuous", "quarterly", "semi-annual", "annual"}[n%7]
		from := base.AddDays(r.IntN(400))
		to := from.AddDays(r.IntN(500))
		asOf := base.AddDays(r.IntN(900))
		var items []workspace.Evidence
		for i := range r.IntN(12) {
			e := workspace.Evidence{ID: fmt.Sprintf("e%d", i), Collected: base.AddDays(r.IntN(1000))}
			if r.IntN(3) == 0 {
				e.PeriodStart = base.AddDays(r.IntN(1000))
				e.PeriodEnd = e.PeriodStart.AddDays(r.IntN(200))
			}
			items = append(items, e)
		}
		got, want := Occurrences(freq, from, to, asOf, items), naiveOccurrences(freq, from, to, asOf, items)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %s..%s as of %s, items %+v:\ngot  %+v\nwant %+v", freq, from, to, asOf, items, got, want)
		}
	}
}

func TestCountsFor(t *testing.T) {
	cases := []struct {
		e            workspace.Evidence
		freq, want   string
		byCollection bool
	}{
		{workspace.Evidence{Collected: d("2026-10-02")}, "quarterly", "2026-Q4", true},
		{workspace.Evidence{Collected: d("2026-10-02"), PeriodStart: d("2026-07-01"), PeriodEnd: d("2026-09-30")}, "quarterly", "2026-Q3", false},
		{workspace.Evidence{Collected: d("2026-10-02"), PeriodStart: d("2026-08-01"), PeriodEnd: d("2026-10-31")}, "quarterly", "2026-Q3 to 2026-Q4", false},
		{workspace.Evidence{Collected: d("2026-10-02")}, "monthly", "2026-10", true},
		{workspace.Evidence{Collected: d("2026-10-02")}, "on-event", "", false},
	}
	for _, c := range cases {
		got, by := CountsFor(c.e, c.freq)
		if got != c.want || by != c.byCollection {
			t.Errorf("CountsFor(%+v, %s) = %q %v, want %q %v", c.e, c.freq, got, by, c.want, c.byCollection)
		}
		// What it names is what Covers decides.
		if c.want != "" {
			s, e := PeriodOf(c.freq, d("2026-11-15"))
			if covers := c.e.Covers(s, e); covers != strings.Contains(got, Label(c.freq, s)) {
				t.Errorf("%+v: CountsFor says %q, Covers(%s) says %v", c.e, got, Label(c.freq, s), covers)
			}
		}
	}
}
