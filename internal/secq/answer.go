package secq

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// Verdict is the short answer to a question.
type Verdict string

const (
	Yes           Verdict = "yes"
	No            Verdict = "no"
	Partial       Verdict = "partial"
	NotApplicable Verdict = "not-applicable"
	// Undecided: ward holds nothing that decides it (a manual question
	// with no approved answer).
	Undecided Verdict = ""
)

// Label is the verdict as a customer's drop-down writes it.
func (v Verdict) Label() string {
	switch v {
	case Yes:
		return "Yes"
	case No:
		return "No"
	case Partial:
		return "Partial"
	case NotApplicable:
		return "N/A"
	}
	return ""
}

// PolicyRef is a policy that covers a control: its title and when it was
// last reviewed or approved.
type PolicyRef struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Reviewed date.Date `json:"reviewed,omitzero"`
}

// Options tune the answers.
type Options struct {
	// Policies names the policies covering a control. The workspace has
	// no policies yet; when it does, the caller passes them here and the
	// narratives cite them. nil: no policy is cited.
	Policies func(control string) []PolicyRef
}

// Basis is one control's standing as an answer drew on it.
type Basis struct {
	Control      string      `json:"control"`
	Title        string      `json:"title"`
	Adopted      bool        `json:"adopted"`
	Status       string      `json:"status"` // the workspace's: planned | in-progress | implemented | not-applicable
	State        string      `json:"state"`  // posture's: met | partial | not-met | not-applicable
	Reason       string      `json:"reason"`
	LastEvidence date.Date   `json:"last_evidence,omitzero"`
	EvidenceNote string      `json:"evidence_note,omitempty"`
	Policies     []PolicyRef `json:"policies,omitempty"`
}

// key is what an approval remembers of the control: a change to it puts
// the approved answer back to review.
func (b Basis) key() string { return b.Status + "/" + b.State }

// Answer is ward's answer to one bank question (or own entry) on a date.
type Answer struct {
	Question string  `json:"question"` // bank id or own entry id
	Verdict  Verdict `json:"verdict"`
	// Text is the whole answer: the verdict and the narrative.
	Text      string   `json:"text"`
	Narrative string   `json:"narrative"`
	Basis     []Basis  `json:"basis"`
	Facts     []string `json:"facts,omitempty"`
	// Sources is what the answer drew on, one line each, for the comment
	// column and the reviewer.
	Sources []string `json:"sources"`
	// Approved is the approved answer the text is, when it is one; Stale
	// when a control under it changed since (the text is then ward's
	// fresh answer, and the approved one is kept for the reviewer).
	Approved *Approved `json:"approved,omitempty"`
	Stale    bool      `json:"stale,omitempty"`
	// Review: a person should look before this goes out, and why.
	Review  bool     `json:"review"`
	Reasons []string `json:"reasons,omitempty"`
}

// Answerer answers bank questions from one organization's workspace on
// one date. Control standings are computed once each.
type Answerer struct {
	bank     *Bank
	ws       *workspace.Workspace
	cat      *catalog.Catalog
	asOf     date.Date
	opt      Options
	approved map[string]Approved
	basis    map[string]Basis
	evidence map[string][]*workspace.Evidence
}

// NewAnswerer prepares answers as of asOf. approved are the organization's
// live approved answers (bank ids and own entries).
func NewAnswerer(b *Bank, ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date, approved []Approved, opt Options) *Answerer {
	// The evidence readiness judges by: what the workspace holds and what
	// ward derives from its policies, acknowledgments and trainings.
	a := &Answerer{bank: b, ws: ws, cat: cat, asOf: asOf, opt: opt, approved: map[string]Approved{}, basis: map[string]Basis{},
		evidence: evidence.IndexRefs(policy.WithDerived(ws).Evidence)}
	for _, ap := range approved {
		a.approved[ap.ID] = ap
	}
	return a
}

// Bank is the bank answered from.
func (a *Answerer) Bank() *Bank { return a.bank }

// Approved is the approved answer with id, if there is one.
func (a *Answerer) Approved(id string) (Approved, bool) {
	ap, ok := a.approved[id]
	return ap, ok
}

// Own lists the organization's own entries, by id.
func (a *Answerer) Own() []Approved {
	var out []Approved
	for _, id := range keysOf(a.approved) {
		if ap := a.approved[id]; ap.Own() {
			out = append(out, ap)
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Aliases are the phrasings and own entries the approved answers teach
// the matcher.
func (a *Answerer) Aliases() []Alias {
	var out []Alias
	ids := make([]string, 0, len(a.approved))
	for id := range a.approved {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ap := a.approved[id]
		if ap.Own() {
			out = append(out, Alias{Target: ap.ID, Text: ap.Question, Controls: ap.Controls})
		}
		for _, t := range ap.Aliases {
			out = append(out, Alias{Target: ap.ID, Text: t, Controls: ap.Controls})
		}
	}
	return out
}

// Control is one control's standing, as posture judges it on the date,
// with its last evidence and the policies that cover it.
func (a *Answerer) Control(id string) Basis {
	if b, ok := a.basis[id]; ok {
		return b
	}
	st := posture.Control(a.ws, a.cat, id, a.asOf)
	b := Basis{Control: id, Title: st.Title, Adopted: st.Adopted, Status: st.Status, State: st.State, Reason: st.Reason}
	for _, e := range a.evidence[id] {
		if e.Collected.After(a.asOf) {
			continue
		}
		if b.LastEvidence.IsZero() || e.Collected.After(b.LastEvidence) {
			b.LastEvidence, b.EvidenceNote = e.Collected, e.Note
		}
	}
	if a.opt.Policies != nil {
		b.Policies = a.opt.Policies(id)
	}
	a.basis[id] = b
	return b
}

// BasisOf is the standing of each control, as an approval records it.
func (a *Answerer) BasisOf(controls []string) map[string]string {
	out := map[string]string{}
	for _, c := range controls {
		out[c] = a.Control(c).key()
	}
	return out
}

// Answer answers a bank question or an own entry by id; ok is false for
// an id that is neither.
func (a *Answerer) Answer(id string) (Answer, bool) {
	if q := a.bank.Question(id); q != nil {
		return a.answerBank(q), true
	}
	if ap, ok := a.approved[id]; ok && ap.Own() {
		return a.answerOwn(ap), true
	}
	return Answer{}, false
}

func (a *Answerer) answerBank(q *Question) Answer {
	ans := Answer{Question: q.ID}
	var bases []Basis
	for _, c := range q.Controls {
		bases = append(bases, a.Control(c))
	}
	ans.Basis = bases
	ans.Verdict = verdictOf(q.Logic, bases)
	if q.Polarity == PolarityNegative {
		ans.Verdict = invert(ans.Verdict)
	}
	var facts []string
	if q.Fact != "" {
		f := a.fact(q.Fact)
		facts = f.lines
		if f.verdict != nil {
			ans.Verdict = *f.verdict
		} else if f.worse && ans.Verdict == Yes {
			ans.Verdict = Partial
		}
		if f.review != "" {
			ans.Review = true
			ans.Reasons = append(ans.Reasons, f.review)
		}
	}
	ans.Facts = facts
	if q.Manual {
		ans.Verdict = Undecided
	}
	ans.Narrative = narrative(q, ans.Verdict, bases, facts)
	ans.Text = withVerdict(ans.Verdict, ans.Narrative)
	ans.Sources = sources(a.bank, q.ID, bases)
	a.reviewReasons(&ans, q.Manual, q.Polarity == PolarityNegative, bases)
	a.applyApproval(&ans, q.Controls)
	return ans
}

func (a *Answerer) answerOwn(ap Approved) Answer {
	ans := Answer{Question: ap.ID, Verdict: ap.Verdict}
	for _, c := range ap.Controls {
		ans.Basis = append(ans.Basis, a.Control(c))
	}
	ans.Narrative = ap.Text
	ans.Text = ap.Text
	ans.Sources = sources(nil, "", ans.Basis)
	a.applyApproval(&ans, ap.Controls)
	return ans
}

// reviewReasons marks what a person must check: a manual question, an
// answer that rests on no adopted control, a verdict short of the good
// one (yes; no for a negative question).
func (a *Answerer) reviewReasons(ans *Answer, manual, negative bool, bases []Basis) {
	add := func(s string) { ans.Review, ans.Reasons = true, append(ans.Reasons, s) }
	if manual {
		add("ward keeps no record that decides this: the text is a draft to complete")
		return
	}
	if negative && ans.Verdict == Undecided {
		add("the controls that would rule this out are not all in place: ward cannot answer no")
	}
	var none []string
	for _, b := range bases {
		if !b.Adopted {
			none = append(none, b.Control)
		}
	}
	if len(none) == len(bases) {
		add("no control behind this answer is adopted (" + strings.Join(none, ", ") + "): ward cannot say it is in place")
	}
	bad := No
	if negative {
		bad = Yes
	}
	switch ans.Verdict {
	case bad:
		add("the answer is " + string(bad))
	case Partial:
		add("the answer is partial")
	}
}

// applyApproval puts an approved answer in place of ward's own when the
// controls under it are as they were at approval; otherwise it keeps
// ward's fresh answer and says what changed.
func (a *Answerer) applyApproval(ans *Answer, controls []string) {
	ap, ok := a.approved[ans.Question]
	if !ok {
		return
	}
	ans.Approved = &ap
	changed := a.changes(ap, controls)
	if len(changed) == 0 {
		ans.Text, ans.Verdict = ap.Text, ap.Verdict
		ans.Narrative = strings.TrimSpace(strings.TrimPrefix(ap.Text, ap.Verdict.Label()+"."))
		ans.Review, ans.Reasons = false, nil
		ans.Sources = append([]string{fmt.Sprintf("approved by %s on %s", ap.ApprovedBy, ap.ApprovedOn)}, ans.Sources...)
		return
	}
	ans.Stale = true
	ans.Review = true
	ans.Reasons = append([]string{fmt.Sprintf("the answer %s approved on %s rests on controls that changed since: %s", ap.ApprovedBy, ap.ApprovedOn, strings.Join(changed, "; "))}, ans.Reasons...)
}

// changes lists the controls whose standing differs from the approval's.
func (a *Answerer) changes(ap Approved, controls []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range append(slices.Clone(controls), keys(ap.Basis)...) {
		if seen[c] {
			continue
		}
		seen[c] = true
		was, had := ap.Basis[c]
		now := a.Control(c).key()
		switch {
		case !had:
			out = append(out, c+" was not part of the approval")
		case was != now:
			out = append(out, fmt.Sprintf("%s was %s, is %s", c, was, now))
		}
	}
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// verdictOf decides from the controls' standing on the date:
//
//   - every adopted control not applicable: not applicable;
//   - all (every adopted control that applies met, none missing) or any
//     (one met): yes;
//   - some met or partly met: partial;
//   - otherwise (planned only, or nothing adopted): no.
func verdictOf(logic string, bases []Basis) Verdict {
	var adopted, met, partial, na int
	for _, b := range bases {
		if !b.Adopted {
			continue
		}
		adopted++
		switch b.State {
		case posture.Met:
			met++
		case posture.Partial:
			partial++
		case posture.NotApplicable:
			na++
		}
	}
	switch {
	case adopted > 0 && na == adopted:
		return NotApplicable
	case logic == LogicAny && met > 0:
		return Yes
	case met > 0 && met+na == len(bases):
		return Yes
	case met+partial > 0:
		return Partial
	}
	return No
}

// invert answers a negative question ("Is real PHI used in testing?")
// from the controls that rule it out: when they operate, no. When they do
// not, ward cannot say that it happens, only that nothing rules it out:
// undecided, for a person.
func invert(v Verdict) Verdict {
	switch v {
	case Yes:
		return No
	case No, Partial:
		return Undecided
	}
	return v
}

func withVerdict(v Verdict, narrative string) string {
	if v == Undecided {
		return narrative
	}
	return v.Label() + ". " + narrative
}

// narrative is the answer's prose: what ward says when the controls
// operate, then where each control stands when it does not, the facts,
// the policies and the last evidence.
func narrative(q *Question, v Verdict, bases []Basis, facts []string) string {
	var parts []string
	switch {
	case v == Undecided && q.Polarity == PolarityNegative && !q.Manual:
		for _, b := range bases {
			parts = append(parts, standing(b))
		}
	case v == Yes || v == Undecided:
		parts = append(parts, q.Answer)
	case v == NotApplicable:
		for _, b := range bases {
			parts = append(parts, fmt.Sprintf("%s: %s.", b.Title, strings.TrimPrefix(b.Reason, "not applicable: ")))
		}
	default:
		if q.Polarity == PolarityNegative && v == No {
			parts = append(parts, q.Answer)
			break
		}
		// Everything is in place but something is short of current (the
		// period's evidence, an open scan finding): say what is done,
		// then what is short. Otherwise, where each control stands.
		inPlace := true
		for _, b := range bases {
			inPlace = inPlace && b.Adopted && (b.Status == "implemented" || b.Status == "not-applicable")
		}
		if inPlace {
			parts = append(parts, q.Answer)
		}
		for _, b := range bases {
			if !inPlace || b.State != posture.Met {
				parts = append(parts, standing(b))
			}
		}
	}
	parts = append(parts, facts...)
	var pol []string
	for _, b := range bases {
		for _, p := range b.Policies {
			s := p.Title
			if !p.Reviewed.IsZero() {
				s += fmt.Sprintf(" (reviewed %s)", p.Reviewed)
			}
			if !slices.Contains(pol, s) {
				pol = append(pol, s)
			}
		}
	}
	if len(pol) > 0 {
		parts = append(parts, "Policy: "+strings.Join(pol, "; ")+".")
	}
	if d := lastEvidence(bases); !d.IsZero() && v != NotApplicable {
		parts = append(parts, fmt.Sprintf("Evidence last collected %s.", d))
	}
	return strings.Join(parts, " ")
}

// standing says where one control is, in a sentence.
func standing(b Basis) string {
	switch {
	case !b.Adopted:
		return fmt.Sprintf("%s: not yet in place.", b.Title)
	case b.State == posture.Met:
		return fmt.Sprintf("%s: in place.", b.Title)
	case b.Status == "in-progress":
		return fmt.Sprintf("%s: being put in place.", b.Title)
	case b.Status == "planned":
		return fmt.Sprintf("%s: planned.", b.Title)
	case b.State == posture.NotApplicable:
		return fmt.Sprintf("%s: not applicable.", b.Title)
	}
	switch {
	case strings.Contains(b.Reason, "failing finding"):
		return fmt.Sprintf("%s: in place, with findings from automated scans being remediated.", b.Title)
	case b.LastEvidence.IsZero():
		return fmt.Sprintf("%s: in place; its evidence is not yet recorded.", b.Title)
	case strings.Contains(b.Reason, "; but "):
		// What posture found short besides the evidence (people overdue
		// acknowledging a policy, a training).
		_, short, _ := strings.Cut(b.Reason, "; but ")
		return fmt.Sprintf("%s: in place, but %s.", b.Title, short)
	}
	return fmt.Sprintf("%s: in place; the evidence for the current period is not yet recorded.", b.Title)
}

func lastEvidence(bases []Basis) date.Date {
	var d date.Date
	for _, b := range bases {
		if b.LastEvidence.After(d) {
			d = b.LastEvidence
		}
	}
	return d
}

// sources lists what an answer drew on: the bank question, then each
// control with its standing, evidence and policies.
func sources(b *Bank, id string, bases []Basis) []string {
	var out []string
	if b != nil {
		out = append(out, fmt.Sprintf("ward answer bank %s, question %s", b.Version, id))
	}
	for _, x := range bases {
		s := fmt.Sprintf("control %s (%s", x.Control, x.State)
		if x.Adopted {
			s += ", " + x.Status
		} else {
			s += ", not adopted"
		}
		if !x.LastEvidence.IsZero() {
			s += ", evidence " + x.LastEvidence.String()
		}
		s += ")"
		for _, p := range x.Policies {
			s += ", policy " + p.Title
		}
		out = append(out, s)
	}
	return out
}

// Index is the matcher over the bank and what the approved answers teach
// it (their aliases and own entries).
func (a *Answerer) Index() *Index { return NewIndex(a.bank, a.Aliases()) }

// WorkspacePolicies finds the policies covering a control: the
// workspace's policies that name it (policies[].controls) and are in
// force on asOf, each with the date of its last review or approval.
func WorkspacePolicies(ws *workspace.Workspace, asOf date.Date) func(control string) []PolicyRef {
	return func(control string) []PolicyRef {
		var out []PolicyRef
		for i := range ws.Policies {
			p := &ws.Policies[i]
			if !slices.Contains(p.Controls, control) || p.InForce(asOf) == nil {
				continue
			}
			out = append(out, PolicyRef{ID: p.ID, Title: p.Title, Reviewed: p.LastReview(asOf)})
		}
		return out
	}
}
