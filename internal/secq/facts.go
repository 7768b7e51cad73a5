package secq

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ward/internal/incident"
	"ward/internal/phimap"
)

// A fact is a figure from the workspace an answer quotes: who the
// officers are, when the risk analysis was done, which subprocessors hold
// PHI under which agreements. Some decide the verdict themselves (a SOC 2
// report exists or not, whatever the controls say).
type fact struct {
	lines   []string
	verdict *Verdict // set: the fact decides
	worse   bool     // the workspace contradicts a "yes": make it partial
	review  string   // set: a reason for a person to look
}

func verdict(v Verdict) *Verdict { return &v }

func (a *Answerer) fact(name string) fact {
	ws := a.ws
	switch name {
	case "officers":
		var ls []string
		for _, o := range []struct{ role, email string }{{"Security Officer", ws.Organization.Officers.Security}, {"Privacy Officer", ws.Organization.Officers.Privacy}} {
			if o.email == "" {
				continue
			}
			who := o.email
			if p := ws.Person(o.email); p != nil && p.Name != "" {
				who = fmt.Sprintf("%s (%s)", p.Name, o.email)
			}
			ls = append(ls, fmt.Sprintf("%s: %s.", o.role, who))
		}
		return fact{lines: ls}

	case "risk-analysis":
		ra := ws.LatestRiskAnalysis(a.asOf)
		if ra == nil {
			return fact{lines: []string{"No risk analysis is recorded yet."}, worse: true}
		}
		l := fmt.Sprintf("The latest risk analysis was performed on %s", ra.Performed)
		if ra.Methodology != "" {
			l += " following " + ra.Methodology
		}
		f := fact{lines: []string{l + "."}}
		if ra.Performed.AddMonths(12).Before(a.asOf) {
			f.lines = append(f.lines, "It is more than a year old.")
			f.worse = true
		}
		return f

	case "soc2":
		s := ws.Organization.SOC2
		switch s.Type {
		case "type2":
			if s.ObservationStart.IsZero() {
				return fact{lines: []string{"A SOC 2 Type II examination is planned; its observation period is not yet set."}, verdict: verdict(No)}
			}
			months := s.Months()
			end := s.ObservationStart.AddMonths(months).AddDays(-1)
			if end.Before(a.asOf) {
				return fact{lines: []string{fmt.Sprintf("Our SOC 2 Type II report covers %s to %s and is available under NDA.", s.ObservationStart, end)},
					verdict: verdict(Yes), review: "check that the auditor has issued the report for this period before promising it"}
			}
			return fact{lines: []string{fmt.Sprintf("Our SOC 2 Type II observation period runs from %s to %s; the report follows its end.", s.ObservationStart, end)}, verdict: verdict(Partial)}
		case "type1":
			return fact{lines: []string{"We are preparing a SOC 2 Type I examination."}, verdict: verdict(Partial)}
		}
		return fact{lines: []string{"We have no SOC 2 examination under way."}, verdict: verdict(No)}

	case "hitrust":
		l := "We do not hold a HITRUST certification."
		if ws.Organization.Answers.EnterpriseHealthSystems {
			l += " A HITRUST assessment is on our roadmap for enterprise health-system customers."
		}
		return fact{lines: []string{l}, verdict: verdict(No)}

	case "subprocessors":
		g := phimap.Build(ws)
		var ls []string
		missing := false
		for _, v := range g.VendorsWithPHI() {
			name := v
			if vd := ws.Vendor(v); vd != nil && vd.Name != "" {
				name = vd.Name
			}
			baa := "no BAA in force"
			for _, ag := range ws.Agreements {
				if ag.Kind == "baa" && ag.Direction == "downstream" && ag.Counterparty == v && ag.InForce(a.asOf) {
					baa = "BAA in force since " + ag.Effective.String()
					break
				}
			}
			if strings.HasPrefix(baa, "no") {
				missing = true
			}
			ls = append(ls, fmt.Sprintf("%s (%s)", name, baa))
		}
		if len(ls) == 0 {
			return fact{lines: []string{"No vendor system holds PHI."}}
		}
		f := fact{lines: []string{"Subprocessors with PHI: " + strings.Join(ls, "; ") + "."}}
		if missing {
			f.worse = true
			f.review = "a subprocessor with PHI has no BAA in force"
		}
		return f

	case "phi-encryption":
		g := phimap.Build(ws)
		var all, plain []string
		for _, id := range g.PHISystems() {
			all = append(all, id)
			if s := ws.System(id); s != nil && !s.EncryptedAtRest {
				plain = append(plain, id)
			}
		}
		if len(all) == 0 {
			return fact{}
		}
		if len(plain) == 0 {
			return fact{lines: []string{fmt.Sprintf("All %d systems that hold PHI are encrypted at rest.", len(all))}}
		}
		return fact{lines: []string{fmt.Sprintf("%d of %d systems that hold PHI are encrypted at rest; not yet: %s.", len(all)-len(plain), len(all), strings.Join(plain, ", "))}, worse: true}

	case "baa-customers":
		var n int
		var days []int
		for _, ag := range ws.Agreements {
			if ag.Kind != "baa" || ag.Direction != "upstream" || !ag.InForce(a.asOf) {
				continue
			}
			n++
			if ag.BreachNoticeDays > 0 && !slices.Contains(days, ag.BreachNoticeDays) {
				days = append(days, ag.BreachNoticeDays)
			}
		}
		if n == 0 {
			return fact{}
		}
		sort.Ints(days)
		l := fmt.Sprintf("BAAs are in force with %d covered-entity %s.", n, plural(n, "customer"))
		if len(days) > 0 {
			ds := make([]string, len(days))
			for i, d := range days {
				ds[i] = fmt.Sprint(d)
			}
			l += fmt.Sprintf(" They set breach notice within %s days of discovery.", strings.Join(ds, " or "))
		}
		return fact{lines: []string{l}}

	case "breaches":
		from := a.asOf.AddMonths(-36)
		var n int
		for _, inc := range ws.Incidents {
			if inc.Discovered.Before(from) || inc.Discovered.After(a.asOf) {
				continue
			}
			if incident.Determine(ws, inc).Breach {
				n++
			}
		}
		if n == 0 {
			return fact{lines: []string{fmt.Sprintf("Our incident log records no breach of unsecured PHI since %s.", from)}, verdict: verdict(No)}
		}
		return fact{lines: []string{fmt.Sprintf("Our incident log records %d %s of unsecured PHI since %s; details are available under NDA.", n, plural(n, "breach"), from)},
			verdict: verdict(Yes), review: "a breach is on record: describe it before sending"}
	}
	return fact{}
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	if strings.HasSuffix(w, "ch") {
		return w + "es"
	}
	return w + "s"
}
