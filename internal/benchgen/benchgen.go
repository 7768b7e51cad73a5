// Package benchgen generates organizations of a chosen size for the
// benchmarks under bench/: deterministic for a seed, valid by the rules
// ward apply uses (workspace.Validate), and shaped like a growing
// business associate — systems on vendors' platforms, flows between
// them, a BAA per vendor, a risk register, controls from the catalog
// evidenced monthly, a few incidents.
//
// It builds the in-memory model only; a benchmark stores it through the
// store's apply path (store.OrgStore.Apply) or writes it out as a
// workspace folder (workspace.Write) for `ward apply`. It must not depend
// on the store or the web app.
package benchgen

import (
	"fmt"
	"math/rand/v2"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// Size says how much of each record kind an organization has.
type Size struct {
	Systems int
	Flows   int
	Vendors int
	People  int
	Risks   int
	// Controls are taken from the catalog in order, then made up (with
	// mappings) when the catalog has fewer.
	Controls int
	// Months of monthly evidence on every control that is not planned,
	// ending in the month of AsOf.
	Months    int
	Incidents int
}

// Large is the single organization of issue 21: 2,000 systems, 10,000
// flows, 300 vendors, 200 risks and 24 months of evidence on 110
// controls.
var Large = Size{Systems: 2000, Flows: 10000, Vendors: 300, People: 120, Risks: 200, Controls: 110, Months: 24, Incidents: 12}

// Practice is one organization of an MSP's book: a small clinic or
// start-up.
var Practice = Size{Systems: 12, Flows: 30, Vendors: 6, People: 10, Risks: 8, Controls: 60, Months: 24, Incidents: 1}

// Scale multiplies every count of s by f (at least 1 of each kind s has).
func (s Size) Scale(f float64) Size {
	m := func(n int) int {
		if n == 0 {
			return 0
		}
		return max(1, int(float64(n)*f+0.5))
	}
	return Size{Systems: m(s.Systems), Flows: m(s.Flows), Vendors: m(s.Vendors), People: m(s.People), Risks: m(s.Risks),
		Controls: m(s.Controls), Months: s.Months, Incidents: m(s.Incidents)}
}

// AsOf is the date the generated data leads up to: the last month of
// evidence, the newest incident.
var AsOf = date.MustParse("2026-11-30")

// Org generates one organization. The same seed, slug and size give the
// same workspace every time.
func Org(seed uint64, slug, name string, sz Size) *workspace.Workspace {
	r := rand.New(rand.NewPCG(seed, 21))
	start := AsOf.AddMonths(-max(sz.Months, 1) + 1)
	start = date.New(start.Year(), start.Month(), 1)
	domain := slug + ".example"
	ws := &workspace.Workspace{Organization: workspace.Organization{
		Name: name, Slug: slug,
		Roles:        []string{workspace.RoleBusinessAssociate},
		ProgramStart: start,
		Answers:      workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
		SOC2: workspace.SOC2{Type: "type2", SkipType1: true, ObservationStart: AsOf.AddMonths(-12).AddDays(1),
			ObservationMonths: 12, Categories: []string{"availability", "confidentiality"}},
	}}

	// People first: systems, controls and risks name owners.
	people := make([]string, 0, max(sz.People, 1))
	for i := range max(sz.People, 1) {
		email := fmt.Sprintf("person%04d@%s", i, domain)
		people = append(people, email)
		ws.People = append(ws.People, workspace.Person{Email: email, Name: fmt.Sprintf("Person %d", i), Role: "staff",
			Start: start.AddDays(-r.IntN(900)), Clearance: start.AddDays(-r.IntN(900) - 900)})
	}
	ws.Organization.Officers = workspace.Officers{Privacy: people[0], Security: people[len(people)/2]}
	owner := func() string { return people[r.IntN(len(people))] }

	vendors := make([]string, 0, sz.Vendors)
	for i := range sz.Vendors {
		id := fmt.Sprintf("vendor-%03d", i)
		vendors = append(vendors, id)
		ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: id, Name: fmt.Sprintf("Vendor %d", i),
			Services: []string{"hosting"}, Location: "United States"})
		// Most vendors have an executed BAA; some only sent one.
		status := "executed"
		if r.IntN(10) == 0 {
			status = "sent"
		}
		a := workspace.Agreement{ID: "baa-" + id, Kind: "baa", Counterparty: id, Direction: "downstream", Status: status}
		if status == "executed" {
			a.Effective = start.AddDays(r.IntN(300))
			a.BreachNoticeDays = 5 + r.IntN(25)
		}
		ws.Agreements = append(ws.Agreements, a)
	}

	kinds := workspace.SystemKinds
	systems := make([]string, 0, sz.Systems)
	for i := range sz.Systems {
		id := fmt.Sprintf("sys-%05d", i)
		systems = append(systems, id)
		phi := r.IntN(3) > 0
		s := workspace.System{ID: id, Name: fmt.Sprintf("System %d", i), Kind: kinds[r.IntN(len(kinds))],
			PHI: phi, LivePHI: phi, EncryptedAtRest: r.IntN(20) > 0, Owner: owner(),
			Description: "generated system " + id}
		if len(vendors) > 0 && r.IntN(4) > 0 {
			s.Vendor = vendors[r.IntN(len(vendors))]
		}
		ws.Systems = append(ws.Systems, s)
	}
	if len(systems) > 1 {
		seen := map[[2]int]bool{}
		for i := 0; len(ws.Flows) < sz.Flows && i < sz.Flows*4; i++ {
			from, to := r.IntN(len(systems)), r.IntN(len(systems))
			if from == to || seen[[2]int{from, to}] {
				continue
			}
			seen[[2]int{from, to}] = true
			ws.Flows = append(ws.Flows, workspace.Flow{From: systems[from], To: systems[to],
				PHI: ws.Systems[from].PHI && r.IntN(2) == 0, EncryptedInTransit: r.IntN(15) > 0})
		}
	}

	cat := catalog.Default()
	controls := make([]string, 0, sz.Controls)
	for i := range sz.Controls {
		c := workspace.Control{Status: "implemented", Owner: owner(), Frequency: "monthly"}
		if i < len(cat.Controls) {
			c.ID = cat.Controls[i].ID
		} else {
			c.ID = fmt.Sprintf("own-control-%03d", i)
			c.Title = "Own control " + c.ID
			c.Mappings = map[string][]string{"hipaa": {"164.308(a)(1)(ii)(D)"}, "soc2": {"CC7.2"}, "csf": {"DE.CM-01"}}
		}
		switch r.IntN(20) {
		case 0:
			c.Status = "planned"
		case 1:
			c.Status = "in-progress"
		}
		ws.Controls = append(ws.Controls, c)
		controls = append(controls, c.ID)
		if c.Status == "planned" {
			continue
		}
		for m := range sz.Months {
			if r.IntN(25) == 0 {
				continue // a missed month: a gap the posture shows
			}
			first := start.AddMonths(m)
			ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: fmt.Sprintf("ev-%s-%02d", c.ID, m), Control: c.ID,
				Collected: first.AddDays(r.IntN(27)), PeriodStart: first, PeriodEnd: first.AddMonths(1).AddDays(-1),
				Note: "monthly review"})
		}
	}

	if sz.Risks > 0 && len(systems) > 0 {
		ws.RiskAnalyses = []workspace.RiskAnalysis{{ID: "ra-1", Performed: start.AddDays(30), Scope: "every system",
			Methodology: "NIST SP 800-30 Rev. 1", PerformedBy: people[0], ApprovedBy: owner()}}
		for i := range sz.Risks {
			rk := workspace.Risk{ID: fmt.Sprintf("risk-%04d", i), Analysis: "ra-1", Asset: systems[r.IntN(len(systems))],
				Threat: "generated threat", Vulnerability: fmt.Sprintf("generated weakness %d", i),
				Likelihood: 1 + r.IntN(5), Impact: 1 + r.IntN(5), Treatment: "mitigate", Owner: owner(),
				Due: AsOf.AddDays(r.IntN(200) - 60)}
			if len(controls) > 0 {
				rk.Controls = []string{controls[r.IntN(len(controls))]}
			}
			ws.Risks = append(ws.Risks, rk)
		}
	}

	for i := range sz.Incidents {
		d := AsOf.AddDays(-r.IntN(600))
		in := workspace.Incident{ID: fmt.Sprintf("inc-%03d", i), Discovered: d, Occurred: d.AddDays(-r.IntN(5)),
			Summary: "generated incident", Status: "closed", PHIInvolved: false,
			Timeline: []workspace.TimelineEntry{{Date: d, By: owner(), Note: "reported"}}}
		if len(systems) > 0 {
			in.Systems = []string{systems[r.IntN(len(systems))]}
		}
		if i == 0 {
			in.Status = "open"
		}
		ws.Incidents = append(ws.Incidents, in)
	}
	return ws
}

// MSP generates n practices, slugs practice-000 up, each from its own
// seed.
func MSP(seed uint64, n int, sz Size) []*workspace.Workspace {
	out := make([]*workspace.Workspace, n)
	for i := range out {
		out[i] = Org(seed+uint64(i)*7919, fmt.Sprintf("practice-%03d", i), fmt.Sprintf("Practice %03d", i), sz)
	}
	return out
}
