package workspace

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Problem is one thing wrong with a record, by field (the field path
// inside the record, as in the YAML: "affected[1].states.CA").
type Problem struct {
	Field, Message string
}

// IncidentFigureProblems checks an incident's breach_type, locations,
// per-customer figures (affected) and notices recorded as sent. The
// per-customer figures must add up to the totals: each covered entity's
// notice states only its own people, so a split that does not match the
// head count would give someone the wrong facts. `ward apply` and the web
// forms use it alike.
func IncidentFigureProblems(in Incident) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	for j, t := range in.BreachType {
		if !slices.Contains(BreachTypes, t) {
			add(fmt.Sprintf("breach_type[%d]", j), "%q is not one of %s", t, strings.Join(BreachTypes, ", "))
		}
	}
	for j, l := range in.Locations {
		if !slices.Contains(BreachLocations, l) {
			add(fmt.Sprintf("locations[%d]", j), "%q is not one of %s", l, strings.Join(BreachLocations, ", "))
		}
	}
	if len(in.Affected) > 0 {
		seen := map[string]bool{}
		total := 0
		states := map[string]int{}
		for j, a := range in.Affected {
			f := fmt.Sprintf("affected[%d]", j)
			switch {
			case a.Customer == "":
				add(f+".customer", "is missing: the customer id these figures are for")
			case !slices.Contains(in.Customers, a.Customer):
				add(f+".customer", "%q is not one of the incident's customers (%s): list it under customers first", a.Customer, strings.Join(in.Customers, ", "))
			case seen[a.Customer]:
				add(f+".customer", "%q is listed twice: give each customer one entry", a.Customer)
			}
			seen[a.Customer] = true
			if a.Individuals < 0 {
				add(f+".individuals", "%d is negative", a.Individuals)
			}
			total += a.Individuals
			sum := 0
			for _, st := range slices.Sorted(maps.Keys(a.States)) {
				n := a.States[st]
				switch {
				case !slices.Contains(Jurisdictions, st):
					add(f+".states."+st, "%q is not a US state or jurisdiction code (two capital letters, such as CA, DC or PR)", st)
				case n < 0:
					add(f+".states."+st, "%d is negative", n)
				}
				sum += n
				states[st] += n
			}
			if a.Individuals > 0 && sum > a.Individuals {
				add(f+".states", "the residents per state add up to %d, more than this customer's %d individuals", sum, a.Individuals)
			}
		}
		for j, c := range in.Customers {
			if !seen[c] {
				add(fmt.Sprintf("customers[%d]", j), "%q has no entry under affected: when affected is given, give every customer its figures (0 if none of its people were involved)", c)
			}
		}
		if in.Individuals > 0 && total != in.Individuals {
			add("individuals", "is %d, but the customers' figures under affected add up to %d: they must add up (or leave individuals out, and ward takes the sum)", in.Individuals, total)
		}
		if len(in.States) > 0 {
			for _, st := range slices.Sorted(maps.Keys(mergeKeys(in.States, states))) {
				if slices.Contains(Jurisdictions, st) && in.States[st] != states[st] {
					add("states."+st, "is %d, but the customers' figures under affected add up to %d: they must add up (or leave states out, and ward takes the sums)", in.States[st], states[st])
				}
			}
		}
	}
	// The first day anyone knew: discovered, or an earlier timeline entry
	// marked knew (164.404(a)(2)). No notice is given before it.
	known := in.Discovered
	for _, t := range in.Timeline {
		if t.Knew && !t.Date.IsZero() && (known.IsZero() || t.Date.Before(known)) {
			known = t.Date
		}
	}
	for j, n := range in.NoticesSent {
		f := fmt.Sprintf("notices_sent[%d]", j)
		switch {
		case n.To == "":
			add(f+".to", "is missing: one of %s", strings.Join(NoticeRecipients, ", "))
		case !slices.Contains(NoticeRecipients, n.To):
			add(f+".to", "%q is not one of %s", n.To, strings.Join(NoticeRecipients, ", "))
		}
		if n.Sent.IsZero() {
			add(f+".sent", "is missing: the date the notice was given (YYYY-MM-DD)")
		} else if !in.Occurred.IsZero() && n.Sent.Before(in.Occurred) {
			add(f+".sent", "%s is before the incident occurred (%s)", n.Sent, in.Occurred)
		} else if !known.IsZero() && n.Sent.Before(known) {
			what := "the breach was discovered"
			if known != in.Discovered {
				what = "anyone knew of the breach (the timeline's first knew entry)"
			}
			add(f+".sent", "%s is before %s (%s): a notice is given once the breach is known (164.404(a)(2))", n.Sent, what, known)
		}
		switch {
		case n.To == "media" && n.State == "":
			add(f+".state", "is missing: the state or jurisdiction whose media was told (164.406)")
		case n.State != "" && n.To != "media":
			add(f+".state", "goes with to: media only")
		case n.State != "" && !slices.Contains(Jurisdictions, n.State):
			add(f+".state", "%q is not a US state or jurisdiction code", n.State)
		}
		if n.Customer != "" && !slices.Contains(in.Customers, n.Customer) {
			add(f+".customer", "%q is not one of the incident's customers (%s)", n.Customer, strings.Join(in.Customers, ", "))
		}
		if n.Method != "" && !slices.Contains(NoticeMethods, n.Method) {
			add(f+".method", "%q is not one of %s", n.Method, strings.Join(NoticeMethods, ", "))
		}
	}
	return ps
}

func mergeKeys(a, b map[string]int) map[string]int {
	m := maps.Clone(a)
	if m == nil {
		m = map[string]int{}
	}
	for k := range b {
		m[k] += 0
	}
	return m
}
