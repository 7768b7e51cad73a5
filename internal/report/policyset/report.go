// Package policyset builds the approved policy set as one document for an
// auditor or investigator (45 CFR 164.316): a cover, the versions in
// force with their approval, next review and retention date, the earlier
// versions still kept, the approval record, and then every policy in
// force, rendered from its Markdown. It knows nothing of storage: the
// caller passes a function that reads a version's text.
package policyset

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// Row is one approved version in the version table.
type Row struct {
	Policy     string    `json:"policy"`
	Title      string    `json:"title"`
	Version    int       `json:"version"`
	State      string    `json:"state"` // policy.VersionInForce, VersionSuperseded, ...
	ApprovedBy string    `json:"approved_by"`
	Approver   string    `json:"approver"` // the approver's name, or their e-mail
	ApprovedOn date.Date `json:"approved_on"`
	Effective  date.Date `json:"effective"`
	// InEffectUntil is the last day it was in effect (zero while it is).
	InEffectUntil date.Date `json:"in_effect_until"`
	// NextReview is when the policy is next due for review
	// (164.316(b)(2)(iii)); only for the version in force.
	NextReview    date.Date `json:"next_review"`
	ReviewOverdue bool      `json:"review_overdue"`
	// RetainUntil: six years from creation or from when last in effect,
	// whichever is later (164.316(b)(2)(i)).
	RetainUntil date.Date `json:"retain_until"`
	File        string    `json:"file"`
	SHA256      string    `json:"sha256"`
	Changes     string    `json:"changes,omitempty"`
}

// Event is one line of the approval record.
type Event struct {
	On      date.Date `json:"on"`
	Policy  string    `json:"policy"`
	Version int       `json:"version,omitempty"`
	What    string    `json:"what"` // approved | reviewed, text kept | retired
	By      string    `json:"by,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// Document is one policy in force, as the set prints it.
type Document struct {
	Row
	Owner    string   `json:"owner,omitempty"`
	Audience []string `json:"audience"`
	Controls []string `json:"controls"`
	Citation string   `json:"citation,omitempty"`
	// Text is the version's Markdown (not in the JSON: it is the file).
	Text string `json:"-"`
}

// Missing is a policy the organization's frameworks ask for with no
// approved version in force.
type Missing struct {
	Template string `json:"template"`
	Title    string `json:"title"`
	Message  string `json:"message"`
}

// Draft is a version awaiting approval.
type Draft struct {
	Policy  string `json:"policy"`
	Title   string `json:"title"`
	Version int    `json:"version"`
}

// Report is the policy set on a date.
type Report struct {
	Organization    string    `json:"organization"`
	AsOf            date.Date `json:"as_of"`
	PrivacyOfficer  string    `json:"privacy_officer"`
	SecurityOfficer string    `json:"security_officer"`
	// InForce are the versions in force, one per policy, in workspace
	// order; Policies the same versions with their text.
	InForce []Row `json:"in_force"`
	// Kept are the other approved versions (superseded, retired, or not
	// yet in effect) whose retention date has not passed.
	Kept     []Row      `json:"kept"`
	Record   []Event    `json:"record"`
	Missing  []Missing  `json:"missing"`
	Drafts   []Draft    `json:"drafts"`
	Policies []Document `json:"policies"`
	// Problems are texts that could not be read (the set says so where
	// each belongs).
	Problems []string `json:"problems"`
}

// TextFunc reads one version's Markdown.
type TextFunc func(p *workspace.Policy, v workspace.PolicyVersion) (string, error)

// Build assembles the policy set on asOf. Only approvals, reviews and
// retirements on or before asOf are in the record.
func Build(ws *workspace.Workspace, asOf date.Date, text TextFunc) (Report, error) {
	r := Report{Organization: ws.Organization.Name, AsOf: asOf,
		PrivacyOfficer: personLabel(ws, ws.Organization.Officers.Privacy), SecurityOfficer: personLabel(ws, ws.Organization.Officers.Security),
		InForce: []Row{}, Kept: []Row{}, Record: []Event{}, Missing: []Missing{}, Drafts: []Draft{}, Policies: []Document{}, Problems: []string{}}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		d, ok := policy.Show(ws, p.ID, asOf)
		if !ok {
			continue
		}
		for _, v := range d.Versions {
			if !v.Approved() {
				if !p.RetiredOn.IsZero() && !p.RetiredOn.After(asOf) {
					continue
				}
				r.Drafts = append(r.Drafts, Draft{Policy: p.ID, Title: p.Title, Version: v.Version})
				continue
			}
			if v.ApprovedOn.After(asOf) {
				continue // approved later than the date asked about
			}
			row := Row{Policy: p.ID, Title: p.Title, Version: v.Version, State: v.State, ApprovedBy: v.ApprovedBy, Approver: name(ws, v.ApprovedBy),
				ApprovedOn: v.ApprovedOn, Effective: v.EffectiveOn(), InEffectUntil: v.InEffectUntil, RetainUntil: v.RetainUntil,
				File: v.File, SHA256: v.SHA256, Changes: v.Changes}
			r.Record = append(r.Record, Event{On: v.ApprovedOn, Policy: p.ID, Version: v.Version, What: "approved", By: row.Approver, Note: approvalNote(v)})
			if v.State != policy.VersionInForce {
				if v.RetainUntil.IsZero() || !v.RetainUntil.Before(asOf) {
					r.Kept = append(r.Kept, row)
				}
				continue
			}
			row.NextReview, row.ReviewOverdue = d.ReviewDue, d.ReviewOverdue
			r.InForce = append(r.InForce, row)
			doc := Document{Row: row, Owner: name(ws, p.Owner), Audience: d.Audience, Controls: d.Controls, Citation: d.Citation}
			t, err := text(p, v.PolicyVersion)
			if err != nil {
				// The set is still printed, saying so where the text
				// belongs and on the cover.
				msg := fmt.Sprintf("the text of %s version %d could not be read: %v", p.ID, v.Version, err)
				r.Problems = append(r.Problems, msg)
				t = "# " + p.Title + "\n\n**Not printed:** " + mdEscape(msg) + ".\n"
			}
			doc.Text = t
			r.Policies = append(r.Policies, doc)
		}
		for _, rv := range p.Reviews {
			if rv.On.IsZero() || rv.On.After(asOf) {
				continue
			}
			v := 0
			if iv := p.InForce(rv.On); iv != nil {
				v = iv.Version
			}
			r.Record = append(r.Record, Event{On: rv.On, Policy: p.ID, Version: v, What: "reviewed, text kept", By: name(ws, rv.By), Note: rv.Note})
		}
		if !p.RetiredOn.IsZero() && !p.RetiredOn.After(asOf) {
			r.Record = append(r.Record, Event{On: p.RetiredOn, Policy: p.ID, What: "retired"})
		}
	}
	slices.SortStableFunc(r.Record, func(a, b Event) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		return strings.Compare(a.Policy, b.Policy)
	})
	for _, g := range policy.Missing(ws, asOf) {
		r.Missing = append(r.Missing, Missing{Template: g.Template.ID, Title: g.Template.Title, Message: g.Message()})
	}
	return r, nil
}

// mdEscape keeps a message from being read as Markdown or HTML.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+!|&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func approvalNote(v policy.VersionState) string {
	var parts []string
	if !v.Effective.IsZero() && v.Effective != v.ApprovedOn {
		parts = append(parts, "effective "+v.Effective.String())
	}
	if v.Changes != "" {
		parts = append(parts, v.Changes)
	}
	return strings.Join(parts, "; ")
}

// name is a person's name from the workspace, or what was recorded.
func name(ws *workspace.Workspace, email string) string {
	if p := ws.Person(email); p != nil && p.Name != "" {
		return p.Name
	}
	return email
}

func personLabel(ws *workspace.Workspace, email string) string {
	if email == "" {
		return ""
	}
	if p := ws.Person(email); p != nil && p.Name != "" {
		return p.Name + " (" + email + ")"
	}
	return email
}
