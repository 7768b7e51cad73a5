// Package date is the calendar date used everywhere in ward.
//
// Regulatory clocks count calendar days, never hours in some time zone, so
// a Date has no time and no location. The zero Date means "not set".
// It must not depend on any other ward package.
package date

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil calendar date. Its zero value is "unset".
type Date struct {
	t time.Time // always UTC midnight, or zero
}

// Layout is the only textual form ward reads and writes.
const Layout = "2006-01-02"

// New returns the date year-month-day, normalising overflow the way
// time.Date does (January 32 is February 1).
func New(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// Parse reads YYYY-MM-DD and rejects anything else, including impossible
// dates such as 2027-02-30.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// MinYear and MaxYear bound the years ward works with: a compliance
// program's records do not predate 1900 nor run past 2199, and no loop
// over months or days from such a date should run for centuries. The
// workspace's dates, the web's ?as_of= and the CLI's --as-of keep to them.
const (
	MinYear = 1900
	MaxYear = 2199
)

// CheckYears refuses a date outside the years MinYear to MaxYear.
func CheckYears(d Date) error {
	if d.Year() < MinYear || d.Year() > MaxYear {
		return fmt.Errorf("%s is outside the years %d to %d", d, MinYear, MaxYear)
	}
	return nil
}

// ParseAsOf reads the date rules are evaluated as of (--as-of): Parse,
// then CheckYears.
func ParseAsOf(s string) (Date, error) {
	d, err := Parse(s)
	if err != nil {
		return Date{}, err
	}
	if err := CheckYears(d); err != nil {
		return Date{}, err
	}
	return d, nil
}

// MustParse is Parse for literals in tests and embedded data.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the calendar date of t in t's own location.
func Of(t time.Time) Date { return New(t.Year(), t.Month(), t.Day()) }

// Today is the current date in UTC. Only the command line calls it: rules
// take the date as an argument.
func Today() Date { return Of(time.Now().UTC()) }

func (d Date) IsZero() bool      { return d.t.IsZero() }
func (d Date) Time() time.Time   { return d.t }
func (d Date) Year() int         { return d.t.Year() }
func (d Date) Month() time.Month { return d.t.Month() }
func (d Date) Day() int          { return d.t.Day() }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(Layout)
}

// AddDays moves n calendar days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths moves n calendar months and clamps to the last day of the
// target month (January 31 + 1 month = February 28 or 29), which is what a
// person means by "a month later" and what time.AddDate does not do.
func (d Date) AddMonths(n int) Date {
	y, m := d.t.Year(), int(d.t.Month())-1+n
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	month := time.Month(m + 1)
	day := min(d.t.Day(), DaysIn(y, month))
	return New(y, month, day)
}

// DaysIn is the number of days in the month.
func DaysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DaysUntil is the number of calendar days from d to e (negative if e is
// earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.t.Sub(d.t).Hours() / 24)
}

func (d Date) Before(e Date) bool { return d.t.Before(e.t) }
func (d Date) After(e Date) bool  { return d.t.After(e.t) }
func (d Date) Equal(e Date) bool  { return d.t.Equal(e.t) }

// Compare returns -1, 0 or +1.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// Min and Max of two dates; an unset date loses to a set one.
func Min(a, b Date) Date {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func Max(a, b Date) Date {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON writes null for an unset date so that JSON consumers never
// see an empty string where a date belongs.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}

// ParseInput reads a date as a person types it into a form: ISO
// (2026-12-01) or the US order month/day/year (12/01/2026, 12/1/2026), the
// year always in full. Surrounding space is ignored. The workspace files
// keep ISO alone (Parse); this is for the web forms, which echo the date
// they read (Long) so that 01/12/2026 cannot pass for 1 December.
func ParseInput(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if d, err := Parse(s); err == nil {
		return d, nil
	}
	if parts := strings.Split(s, "/"); len(parts) == 3 {
		m, errM := strconv.Atoi(parts[0])
		d, errD := strconv.Atoi(parts[1])
		y, errY := strconv.Atoi(parts[2])
		switch {
		case errM != nil || errD != nil || errY != nil || len(parts[0]) > 2 || len(parts[1]) > 2 || strings.ContainsAny(s, "+- "):
		case len(parts[2]) != 4:
			return Date{}, fmt.Errorf("%q: write the year in full (12/01/2026 or 2026-12-01)", s)
		case m < 1 || m > 12:
			return Date{}, fmt.Errorf("%q: %d is not a month (month/day/year: 12/01/2026, or 2026-12-01)", s, m)
		case d < 1 || d > DaysIn(y, time.Month(m)):
			return Date{}, fmt.Errorf("%q: %s %d has no day %d", s, time.Month(m), y, d)
		default:
			return New(y, time.Month(m), d), nil
		}
	}
	return Date{}, fmt.Errorf("%q is not a date (write 2026-12-01 or 12/01/2026)", s)
}

// Long is the date written out for people, "Tuesday, 1 December 2026",
// with no order of day and month to misread.
func (d Date) Long() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("Monday, 2 January 2006")
}
