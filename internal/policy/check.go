package policy

import (
	"fmt"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Rule ids (DESIGN.md: stable, never renamed).
const (
	RuleMissing         = "policy.missing"
	RuleReviewOverdue   = "policy.review-overdue"
	RuleAckOverdue      = "policy.ack-overdue"
	RuleTrainingOverdue = "training.overdue"
	RuleTerminationOpen = "workforce.termination-open"
)

// Rules lists the rule ids Check can report.
var Rules = []string{RuleMissing, RuleReviewOverdue, RuleAckOverdue, RuleTrainingOverdue, RuleTerminationOpen}

// Severities, and why:
//
//   - workforce.termination-open is an error: a leaver who can still reach
//     ePHI is an open path to it today, which the termination procedures
//     of 45 CFR 164.308(a)(3)(ii)(C) exist to close (SOC 2 CC6.2, CC6.3),
//     as much a gate failure as unencrypted storage.
//   - The others are warnings. The gate (exit 1) is for what exposes PHI
//     now; a missing or late document is a program gap that `ward posture`
//     counts against readiness, as evidence.missing is: policy.missing
//     (164.316(a) asks for written policies; SOC 2 CC5.3),
//     policy.review-overdue (164.316(b)(2)(iii): review periodically; the
//     interval is the organization's own), policy.ack-overdue
//     (164.316(b)(2)(ii) asks that policies be available to those who
//     carry them out; the acknowledgement is how SOC 2 CC2.2 and CC1.1 are
//     shown) and training.overdue (164.308(a)(5)(i)).
var severity = map[string]string{
	RuleMissing:         finding.Warning,
	RuleReviewOverdue:   finding.Warning,
	RuleAckOverdue:      finding.Warning,
	RuleTrainingOverdue: finding.Warning,
	RuleTerminationOpen: finding.Error,
}

// Severity is a rule's severity.
func Severity(rule string) string { return severity[rule] }

// Check runs the policy, training and workforce rules on asOf.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	return CheckWith(ws, NewRecords(ws), asOf)
}

// CheckWith is Check with the workspace's records (NewRecords(ws)), which
// other rules read too.
func CheckWith(ws *workspace.Workspace, r *Records, asOf date.Date) []finding.Finding {
	var out []finding.Finding
	add := func(rule, subject, format string, args ...any) {
		out = append(out, finding.Finding{Rule: rule, Severity: severity[rule], Subject: subject, Message: fmt.Sprintf(format, args...)})
	}
	for _, m := range Missing(ws, asOf) {
		add(RuleMissing, m.Template.ID, "%s", m.Message())
	}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		if p.InForce(asOf) == nil {
			continue
		}
		if due := p.ReviewDue(asOf); asOf.After(due) {
			add(RuleReviewOverdue, p.ID, "%s was last reviewed on %s and was due for review on %s (every %s, 45 CFR 164.316(b)(2)(iii)): review it, then record the review (reviews:) or approve a new version.",
				p.Title, p.LastReview(asOf), due, plural(p.Months(), "month"))
		}
	}
	for _, t := range r.Tasks(asOf) {
		if t.Status != Overdue {
			continue
		}
		switch t.Kind {
		case KindPolicy:
			add(RuleAckOverdue, t.Person, "has not acknowledged %s (%s) version %d, due %s (%s): ask them to read and acknowledge it (ward policy ack %s --person %s).",
				t.Title, t.ID, t.Version, t.Due, t.Why, t.ID, t.Person)
		case KindTraining:
			last := "never completed"
			if !t.On.IsZero() {
				last = "last completed " + t.On.String()
			}
			due := "due " + t.Due.String() + ", " + t.Why
			if t.Due.IsZero() {
				due = t.Why
			}
			add(RuleTrainingOverdue, t.Person, "%s (%s) is overdue: %s; %s (45 CFR 164.308(a)(5)(i)): record the completion (ward training record %s --person %s).",
				t.Title, t.ID, last, due, t.ID, t.Person)
		}
	}
	for _, l := range OpenTerminations(ws, asOf) {
		add(RuleTerminationOpen, l.Person, "left on %s and can still reach PHI systems %s, past the deadline of %s (45 CFR 164.308(a)(3)(ii)(C)): remove the access and take the systems off the person's access list.",
			l.End, strings.Join(l.Systems, ", "), l.Deadline)
	}
	finding.Sort(out)
	return out
}

// Gap is a required template without an approved policy in force.
type Gap struct {
	Template *Template
	// Policy is the organization's policy for the template that has no
	// version in force (only drafts, or retired), if any.
	Policy  *workspace.Policy
	Retired bool // the policy was retired by then
}

// Message says what is missing and what to do.
func (g Gap) Message() string {
	t := g.Template
	cite := t.Citation()
	switch {
	case g.Policy != nil && g.Retired:
		return fmt.Sprintf("%s was retired and no other policy answers the %s template (%s): write one (ward policy new %s).", g.Policy.ID, t.ID, cite, t.ID)
	case g.Policy != nil:
		return fmt.Sprintf("%s has no approved version in force (%s): approve it (ward policy approve %s --by EMAIL).", g.Policy.ID, cite, g.Policy.ID)
	}
	return fmt.Sprintf("No approved %s (%s): write one from the template and approve it (ward policy new %s).", strings.ToLower(t.Title[:1])+t.Title[1:], cite, t.ID)
}

// Missing lists the required templates (Required) that no policy in force
// on asOf answers.
func Missing(ws *workspace.Workspace, asOf date.Date) []Gap {
	var out []Gap
	for _, t := range Required(ws) {
		var draft *workspace.Policy
		answered := false
		for i := range ws.Policies {
			p := &ws.Policies[i]
			if p.Template != t.ID {
				continue
			}
			if p.InForce(asOf) != nil {
				answered = true
				break
			}
			if draft == nil {
				draft = p
			}
		}
		if !answered {
			g := Gap{Template: t, Policy: draft}
			g.Retired = draft != nil && draft.Status(asOf) == workspace.PolicyRetired
			out = append(out, g)
		}
	}
	return out
}
