package secq

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
)

// OwnPrefix starts the id of an organization's own entry: a question the
// bank does not have, answered and approved by a person.
const OwnPrefix = "own-"

// Approved is an answer a person approved: reused for its question until
// a control under it changes (which puts it back to review). It also
// teaches the matcher the customers' phrasings it was approved for.
type Approved struct {
	// ID is the bank question it answers, or an own entry's id (own-...).
	ID string `json:"id"`
	// Question is an own entry's question; empty for a bank question.
	Question string  `json:"question,omitempty"`
	Verdict  Verdict `json:"verdict,omitempty"`
	Text     string  `json:"text"`
	// Controls are an own entry's; a bank question's come from the bank.
	Controls []string `json:"controls,omitempty"`
	// Aliases are customers' questions a reviewer matched to it.
	Aliases []string `json:"aliases,omitempty"`
	// Basis is each control's standing (status/state) when approved.
	Basis      map[string]string `json:"basis"`
	ApprovedBy string            `json:"approved_by"`
	ApprovedOn date.Date         `json:"approved_on"`
}

// Own reports whether it is an organization's own entry.
func (ap Approved) Own() bool { return strings.HasPrefix(ap.ID, OwnPrefix) }

// Verdicts an approved answer may carry.
var Verdicts = []Verdict{Yes, No, Partial, NotApplicable, Undecided}

// Check says what is wrong with an approved answer, against the bank.
func (ap Approved) Check(b *Bank) error {
	var errs []error
	switch {
	case ap.Own():
		if !validID(ap.ID) {
			errs = append(errs, fmt.Errorf("id %q: an own entry's id is own- and lower-case letters, digits and hyphens", ap.ID))
		}
		if strings.TrimSpace(ap.Question) == "" {
			errs = append(errs, errors.New("question: an own entry needs the question it answers"))
		}
	case b.Question(ap.ID) == nil:
		errs = append(errs, fmt.Errorf("id %q is not a bank question (an own entry's id starts with %q)", ap.ID, OwnPrefix))
	case ap.Question != "":
		errs = append(errs, errors.New("question: only an own entry carries its question; a bank question's is the bank's"))
	}
	if strings.TrimSpace(ap.Text) == "" {
		errs = append(errs, errors.New("text: the approved answer is empty"))
	}
	if !slices.Contains(Verdicts, ap.Verdict) {
		errs = append(errs, fmt.Errorf("verdict %q is not yes, no, partial or not-applicable", ap.Verdict))
	}
	if ap.ApprovedBy == "" || ap.ApprovedOn.IsZero() {
		errs = append(errs, errors.New("approved_by and approved_on: say who approved it and when"))
	}
	return errors.Join(errs...)
}

// Approve records a person's approval of text for the question id (a bank
// question or an own entry), as of the answerer's date: the controls'
// standing now is what a later change is measured against. alias, when
// not empty, is the customer's phrasing to learn. prev is the approval it
// replaces, whose aliases are kept.
func (a *Answerer) Approve(prev *Approved, id, question string, verdict Verdict, text string, controls []string, alias, by string) Approved {
	ap := Approved{ID: id, Verdict: verdict, Text: strings.TrimSpace(text), ApprovedBy: by, ApprovedOn: a.asOf}
	if prev != nil {
		ap.Aliases = slices.Clone(prev.Aliases)
		if prev.Own() {
			ap.Question, ap.Controls = prev.Question, slices.Clone(prev.Controls)
		}
	}
	if strings.HasPrefix(id, OwnPrefix) {
		if question != "" {
			ap.Question = strings.TrimSpace(question)
		}
		if controls != nil {
			ap.Controls = slices.Clone(controls)
		}
	}
	if q := a.bank.Question(id); q != nil {
		controls = q.Controls
	} else {
		controls = ap.Controls
	}
	ap.Basis = a.BasisOf(controls)
	alias = strings.Join(strings.Fields(alias), " ")
	if alias != "" && !strings.EqualFold(alias, ap.Question) && !slices.ContainsFunc(ap.Aliases, func(s string) bool { return strings.EqualFold(s, alias) }) {
		if q := a.bank.Question(id); q == nil || !strings.EqualFold(alias, q.Question) {
			ap.Aliases = append(ap.Aliases, alias)
		}
	}
	return ap
}

// OwnID makes an own entry's id from its question: own- and the first
// words, lower case.
func OwnID(question string) string {
	var parts []string
	for _, w := range words(question) {
		if stopWords[w] || !validID(w) {
			continue
		}
		parts = append(parts, w)
		if len(parts) == 6 {
			break
		}
	}
	if len(parts) == 0 {
		parts = []string{"question"}
	}
	return OwnPrefix + strings.Join(parts, "-")
}
