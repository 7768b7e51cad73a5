package workspace

import (
	"strings"
	"testing"
)

// Each covered entity's notice states only its own people (45 CFR
// 164.410(c)(1)), so the per-customer figures must add up to the
// incident's: a split that does not is refused, naming file, line and
// field, as are notices recorded as sent that the rule does not know.
func TestCFR164_410c1_LoadIncidentAffectedMustAddUp(t *testing.T) {
	yaml := head + `customers:
  - id: lakeside
    covered_entity: true
  - id: st-marys
    covered_entity: true
incidents:
  - id: inc-1
    summary: laptop stolen
    discovered: 2026-11-01
    phi_involved: true
    customers: [lakeside, st-marys]
    individuals: 700
    states: {CA: 650, NV: 50}
    affected:
      - customer: lakeside
        individuals: 600
        states: {CA: 600}
      - customer: st-marys
        individuals: 90
        states: {CA: 40, NV: 50, ZZ: 1}
      - customer: valley
        individuals: 1
    notices_sent:
      - to: media
        sent: 2026-11-20
      - to: press
        sent: 2026-11-20
        method: pigeon
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := strings.Join(errorLines(t, err), "\n")
	for _, want := range []string{
		`ws.yaml:16: incidents[0].individuals: is 700, but the customers' figures under affected add up to 691`,
		`ws.yaml:17: incidents[0].states.CA: is 650, but the customers' figures under affected add up to 640`,
		`ws.yaml:24: incidents[0].affected[1].states.ZZ: "ZZ" is not a US state or jurisdiction code`,
		`ws.yaml:25: incidents[0].affected[2].customer: "valley" is not one of the incident's customers (lakeside, st-marys)`,
		`incidents[0].notices_sent[0].state: is missing: the state or jurisdiction whose media was told (164.406)`,
		`incidents[0].notices_sent[1].to: "press" is not one of individuals, media, hhs, hhs-annual-log, covered-entity, business-associate`,
		`incidents[0].notices_sent[1].method: "pigeon" is not one of`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
}

// Left out, the totals are the sums of the customers' figures.
func TestIncidentTotalsFromAffected(t *testing.T) {
	in := Incident{Customers: []string{"a", "b"}, Affected: []Affected{{Customer: "a", Individuals: 600, States: map[string]int{"CA": 600}}, {Customer: "b", Individuals: 112, States: map[string]int{"CA": 40, "NV": 72}}}}
	if n := in.TotalIndividuals(); n != 712 {
		t.Errorf("total %d, want 712", n)
	}
	if st := in.TotalStates(); st["CA"] != 640 || st["NV"] != 72 {
		t.Errorf("states %v", st)
	}
	if ps := IncidentFigureProblems(in); len(ps) != 0 {
		t.Errorf("problems %v", ps)
	}
	in.Individuals = 700
	if ps := IncidentFigureProblems(in); len(ps) != 1 || ps[0].Field != "individuals" {
		t.Errorf("problems %v, want individuals", ps)
	}
}

// A notice is given once someone knows of the breach: the clock runs from
// discovery, the first day a workforce member or agent knew (164.404(a)(2)).
// A notice recorded as sent before that is a mistyped date; it would clear
// a deadline the notice never met. A timeline entry marked knew moves the
// first day back.
func TestCFR164_404a2_NoticeNotBeforeDiscovery(t *testing.T) {
	yaml := head + `incidents:
  - id: inc-1
    summary: laptop stolen
    discovered: 2026-11-15
    phi_involved: true
    individuals: 20
    notices_sent:
      - to: individuals
        sent: 2026-11-14
  - id: inc-2
    summary: misdirected fax
    discovered: 2026-11-15
    phi_involved: true
    individuals: 3
    timeline:
      - date: 2026-11-10
        by: dana@acme.example
        note: saw the fax log
        knew: true
    notices_sent:
      - to: individuals
        sent: 2026-11-12
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := strings.Join(errorLines(t, err), "\n")
	if !strings.Contains(got, `incidents[0].notices_sent[0].sent: 2026-11-14 is before the breach was discovered (2026-11-15)`) {
		t.Errorf("a notice before discovery is accepted:\n%s", got)
	}
	if strings.Contains(got, "incidents[1].notices_sent") {
		t.Errorf("a notice after a knew entry is refused:\n%s", got)
	}
}
