package policy

import (
	"fmt"
	"slices"

	"ward/internal/date"
	"ward/internal/workspace"
)

// The changes a person makes to the policy records, as pure functions
// over the workspace: the command line and the web app each validate the
// result with apply's rules and store it in one audited transaction.

// Draft is a new policy, or a new text for one.
type Draft struct {
	ID       string   // the policy id (default: the template id)
	Template string   // a built-in template id, or "" for the organization's own
	Title    string   // default: the template's
	Owner    string   // an e-mail
	Controls []string // default: the template's
	SHA256   string   // the text, already in the blob store
}

// FileOf is where version n of policy id is kept in the workspace folder.
func FileOf(id string, n int) string { return fmt.Sprintf("policies/%s-v%d.md", id, n) }

// AddDraft gives a policy a new draft text. For a new id it creates the
// policy with version 1; for an existing one whose newest version is a
// draft it replaces that draft's text, and otherwise adds the next
// version as a draft. It returns the policy, the version and whether the
// policy is new.
func AddDraft(ws *workspace.Workspace, d Draft) (workspace.Policy, int, bool, error) {
	if d.ID == "" {
		d.ID = d.Template
	}
	if d.ID == "" {
		return workspace.Policy{}, 0, false, fmt.Errorf("a policy needs an id")
	}
	if d.SHA256 == "" {
		return workspace.Policy{}, 0, false, fmt.Errorf("a draft needs its text")
	}
	if p := ws.Policy(d.ID); p != nil {
		if d.Template != "" && p.Template != "" && d.Template != p.Template {
			return workspace.Policy{}, 0, false, fmt.Errorf("policy %s answers the template %s, not %s", p.ID, p.Template, d.Template)
		}
		if !p.RetiredOn.IsZero() {
			return workspace.Policy{}, 0, false, fmt.Errorf("policy %s was retired on %s: write a new policy", p.ID, p.RetiredOn)
		}
		np := clonePolicy(*p)
		if n := len(np.Versions); n > 0 && !np.Versions[n-1].Approved() {
			np.Versions[n-1].SHA256 = d.SHA256
			return np, np.Versions[n-1].Version, false, nil
		}
		v := maxVersion(np) + 1
		np.Versions = append(np.Versions, workspace.PolicyVersion{Version: v, File: FileOf(np.ID, v), SHA256: d.SHA256})
		return np, v, false, nil
	}
	t := TemplateByID(d.Template)
	if d.Template != "" && t == nil {
		return workspace.Policy{}, 0, false, fmt.Errorf("%q is not a built-in template (ward policy templates lists them)", d.Template)
	}
	p := workspace.Policy{ID: d.ID, Title: d.Title, Template: d.Template, Owner: d.Owner, Controls: d.Controls,
		Versions: []workspace.PolicyVersion{{Version: 1, File: FileOf(d.ID, 1), SHA256: d.SHA256}}}
	if t != nil {
		if p.Title == "" {
			p.Title = t.Title
		}
		if p.Controls == nil {
			p.Controls = slices.Clone(t.Controls)
		}
	}
	if p.Title == "" {
		return workspace.Policy{}, 0, false, fmt.Errorf("an organization's own policy needs a title")
	}
	return p, 1, true, nil
}

// Approve records the approval of a draft version by a person named in
// the workspace, on a date, effective then or later. version 0 is the
// newest draft.
func Approve(ws *workspace.Workspace, id string, version int, by string, on, effective date.Date) (workspace.Policy, int, error) {
	p := ws.Policy(id)
	if p == nil {
		return workspace.Policy{}, 0, fmt.Errorf("%q is not a policy id", id)
	}
	if ws.Person(by) == nil {
		return workspace.Policy{}, 0, fmt.Errorf("%q is not anyone under people: only a person named in the workspace approves a policy", by)
	}
	np := clonePolicy(*p)
	var v *workspace.PolicyVersion
	if version == 0 {
		for i := len(np.Versions) - 1; i >= 0; i-- {
			if !np.Versions[i].Approved() {
				v = &np.Versions[i]
				break
			}
		}
		if v == nil {
			return workspace.Policy{}, 0, fmt.Errorf("policy %s has no draft to approve (write one with ward policy new %s)", id, id)
		}
	} else if v = np.Version(version); v == nil {
		return workspace.Policy{}, 0, fmt.Errorf("policy %s has no version %d", id, version)
	}
	if v.Approved() {
		return workspace.Policy{}, 0, fmt.Errorf("version %d of %s was approved already, by %s on %s", v.Version, id, v.ApprovedBy, v.ApprovedOn)
	}
	if !effective.IsZero() && effective.Before(on) {
		return workspace.Policy{}, 0, fmt.Errorf("effective %s is before the approval on %s", effective, on)
	}
	v.ApprovedBy, v.ApprovedOn = by, on
	if !effective.IsZero() && !effective.Equal(on) {
		v.Effective = effective
	}
	return np, v.Version, nil
}

// Review records a review that keeps the policy's text as it is.
func Review(ws *workspace.Workspace, id, by string, on date.Date, note string) (workspace.Policy, error) {
	p := ws.Policy(id)
	if p == nil {
		return workspace.Policy{}, fmt.Errorf("%q is not a policy id", id)
	}
	if p.InForce(on) == nil {
		return workspace.Policy{}, fmt.Errorf("policy %s has no version in force on %s to review: approve one", id, on)
	}
	np := clonePolicy(*p)
	np.Reviews = append(np.Reviews, workspace.PolicyReview{On: on, By: by, Note: note})
	return np, nil
}

// Acknowledge builds a person's acknowledgement of a policy on a date:
// of version (0: the version in force then). An acknowledgement already
// recorded is returned with done true.
func Acknowledge(ws *workspace.Workspace, person, id string, version int, on date.Date, source string) (a workspace.Acknowledgement, done bool, err error) {
	p := ws.Policy(id)
	if p == nil {
		return a, false, fmt.Errorf("%q is not a policy id", id)
	}
	if version == 0 {
		v := p.InForce(on)
		if v == nil {
			return a, false, fmt.Errorf("policy %s has no version in force on %s to acknowledge", id, on)
		}
		version = v.Version
	}
	a = workspace.Acknowledgement{Person: person, Policy: id, Version: version, On: on, Source: source}
	for _, x := range ws.Acknowledgements {
		if x.Key() == a.Key() {
			return x, true, nil
		}
	}
	return a, false, nil
}

func clonePolicy(p workspace.Policy) workspace.Policy {
	p.Versions = slices.Clone(p.Versions)
	p.Reviews = slices.Clone(p.Reviews)
	p.Controls = slices.Clone(p.Controls)
	p.Audience = slices.Clone(p.Audience)
	return p
}

func maxVersion(p workspace.Policy) int {
	n := 0
	for _, v := range p.Versions {
		n = max(n, v.Version)
	}
	return n
}
