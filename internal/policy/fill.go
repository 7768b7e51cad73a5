package policy

import (
	"fmt"
	"sort"
	"strings"

	"ward/internal/catalog"
	"ward/internal/workspace"
)

// Fill is what a template can say about the organization: its name, its
// officers, the frequencies of its controls, the breach-notice terms of
// its BAAs, its trainings and its workforce deadlines.
type Fill struct {
	Org               string
	PrivacyOfficer    string // "Dana Kim (dana@acme.example)"
	SecurityOfficer   string
	CoveredEntity     bool
	BusinessAssociate bool
	AckDays           int
	TerminationDays   int
	ReviewMonths      int
	// Upstream are the BAAs with covered-entity customers, Downstream
	// those with subcontractors, each with its breach-notice days.
	Upstream   []Term
	Downstream []Term
	Trainings  []TrainingTerm
	// Policies are the titles of the organization's policies (or of the
	// templates that apply, before there are any).
	Policies []string

	freqs map[string]string
}

// Term is one BAA's breach-notice term.
type Term struct {
	Agreement string
	Party     string
	Days      int // 0: the agreement sets none
}

// TrainingTerm is one training as a policy states it.
type TrainingTerm struct {
	Title    string
	HireDays int
	Every    int    // months; 0 once
	Audience string // "" for everyone
}

// NewFill gathers the template data from the workspace.
func NewFill(ws *workspace.Workspace, cat *catalog.Catalog, reviewMonths int) Fill {
	o := ws.Organization
	if reviewMonths <= 0 {
		reviewMonths = workspace.DefaultReviewMonths
	}
	f := Fill{
		Org:               o.Name,
		PrivacyOfficer:    officer(ws, o.Officers.Privacy, "privacy"),
		SecurityOfficer:   officer(ws, o.Officers.Security, "security"),
		CoveredEntity:     o.HasRole(workspace.RoleCoveredEntity),
		BusinessAssociate: o.HasRole(workspace.RoleBusinessAssociate) || o.HasRole(workspace.RoleSubcontractor),
		AckDays:           o.Workforce.AckDays(),
		TerminationDays:   o.Workforce.TerminationDays(),
		ReviewMonths:      reviewMonths,
		freqs:             map[string]string{},
	}
	if f.Org == "" {
		f.Org = "The organization"
	}
	if !f.CoveredEntity && !f.BusinessAssociate {
		f.BusinessAssociate = o.Answers.HandlesPHI && o.Answers.SellsToCoveredEntities
	}
	for _, c := range cat.Controls {
		f.freqs[c.ID] = c.Frequency
	}
	for _, c := range ws.Controls {
		if c.Frequency != "" {
			f.freqs[c.ID] = c.Frequency
		}
	}
	for _, a := range ws.Agreements {
		if a.Kind != "baa" || (a.Status != "executed" && a.Status != "sent") {
			continue
		}
		t := Term{Agreement: a.ID, Party: a.Counterparty, Days: a.BreachNoticeDays}
		if a.Direction == "upstream" {
			if c := ws.Customer(a.Counterparty); c != nil && c.Name != "" {
				t.Party = c.Name
			}
			f.Upstream = append(f.Upstream, t)
		} else {
			if v := ws.Vendor(a.Counterparty); v != nil && v.Name != "" {
				t.Party = v.Name
			}
			f.Downstream = append(f.Downstream, t)
		}
	}
	byParty := func(ts []Term) {
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].Party < ts[j].Party })
	}
	byParty(f.Upstream)
	byParty(f.Downstream)
	for _, t := range ws.Trainings {
		tt := TrainingTerm{Title: t.Title, HireDays: t.HireDays(), Every: t.Recurrence()}
		if !t.Audience.Everyone() {
			tt.Audience = strings.Join(t.Audience, ", ")
		}
		f.Trainings = append(f.Trainings, tt)
	}
	for _, p := range ws.Policies {
		if p.RetiredOn.IsZero() {
			f.Policies = append(f.Policies, p.Title)
		}
	}
	if len(f.Policies) == 0 {
		for _, t := range Required(ws) {
			f.Policies = append(f.Policies, t.Title)
		}
	}
	return f
}

// Freq is a control's frequency in words: the organization's, else the
// catalog's ("quarterly"); "on a schedule the Security Officer sets" for
// a control without one.
func (f Fill) Freq(control string) string {
	switch fr := f.freqs[control]; fr {
	case "", "on-event":
		return "on a schedule the Security Officer sets"
	case "continuous":
		return "continuously"
	case "semi-annual":
		return "twice a year"
	case "annual":
		return "every year"
	default:
		return fr
	}
}

func officer(ws *workspace.Workspace, email, which string) string {
	if email == "" {
		return fmt.Sprintf("(not yet named: set organization.officers.%s)", which)
	}
	if p := ws.Person(email); p != nil && p.Name != "" {
		return fmt.Sprintf("%s (%s)", p.Name, email)
	}
	return email
}
