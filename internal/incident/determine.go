// Package incident decides whether a security incident is a breach of
// unsecured PHI (45 CFR 164.402), who must be told by when (164.404–
// 164.412), drafts the notices (164.404(c), 164.408, 164.410(c)), and
// supplies the `breach.deadline` gate rule.
//
// Everything here is a pure function of the workspace model and the dates
// it is given: it never reads the clock, and it depends on no storage,
// HTTP or CLI package, so the command line, the API and the pages are thin
// views of one answer.
//
// Conventions:
//
//   - A notification counts as sent when the incident's timeline has an
//     entry whose note begins with "notified:<to>", optionally followed by
//     ":<state>" for media, ":<customer>" for a covered entity or a
//     business associate, or the covered entity a notice is given for
//     under a delegating BAA, e.g. "notified:hhs", "notified:media:CA",
//     "notified:covered-entity:st-marys",
//     "notified:business-associate:brightside",
//     "notified:individuals:st-marys". The entry's date is the date it
//     was sent. An entry without the qualifier covers every notification
//     of that kind.
//   - A timeline entry marked knew: true records the day its by (a
//     workforce member, or a vendor that is our agent) knew of the
//     breach; dated before discovered, it starts the clocks
//     (164.404(a)(2)).
//   - Dates are calendar dates; the rule counts calendar days, so no due
//     date is moved off a weekend or holiday.
package incident

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Bases of a determination: why the answer is what it is.
const (
	BasisNoPHI          = "no-phi"
	BasisExclusion      = "exclusion"
	BasisSafeHarbor     = "safe-harbor"
	BasisLowProbability = "low-probability"
	BasisPresumed       = "presumed"
)

// Determination is the answer to "is this a breach of unsecured PHI that
// must be notified?" with the reason a person can defend to OCR
// (164.414(b) puts the burden of proof on the organization).
type Determination struct {
	Breach   bool   `json:"breach"`
	Basis    string `json:"basis"`
	Reason   string `json:"reason"`
	Citation string `json:"citation"`
	// Missing lists the four-factor assessment fields that are empty when
	// the assessment claims a low probability of compromise.
	Missing []string `json:"missing,omitempty"`
	// Warnings do not change the answer but weaken the record.
	Warnings  []string  `json:"warnings,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedOn date.Date `json:"decided_on,omitzero"`
}

// The four factors of 164.402 (definition of breach, paragraph (2)), in
// the regulation's order, with the workspace field that records each.
var factors = []struct {
	field, label string
	get          func(*workspace.Assessment) string
}{
	{"nature", "(i) the nature and extent of the PHI involved, including the types of identifiers and the likelihood of re-identification", func(a *workspace.Assessment) string { return a.Nature }},
	{"unauthorized_person", "(ii) the unauthorized person who used the PHI or to whom it was disclosed", func(a *workspace.Assessment) string { return a.UnauthorizedPerson }},
	{"acquired_or_viewed", "(iii) whether the PHI was actually acquired or viewed", func(a *workspace.Assessment) string { return a.AcquiredOrViewed }},
	{"mitigation", "(iv) the extent to which the risk to the PHI has been mitigated", func(a *workspace.Assessment) string { return a.Mitigation }},
}

// exclusions maps the workspace's exclusion names to the paragraphs of
// 164.402(1) and a short description in our words.
var exclusions = map[string]struct{ cite, what string }{
	"workforce-good-faith":   {"164.402(1)(i)", "an unintentional acquisition, access or use by a workforce member or person acting under the organization's authority, in good faith, within the scope of authority, and not further used or disclosed impermissibly"},
	"inadvertent-authorized": {"164.402(1)(ii)", "an inadvertent disclosure by a person authorized to access PHI to another authorized person at the same covered entity, business associate or organized health care arrangement, and not further used or disclosed impermissibly"},
	"unable-to-retain":       {"164.402(1)(iii)", "a disclosure where there is a good faith belief that the unauthorized recipient would not reasonably have been able to retain the information"},
}

// Determine applies 164.402 to an incident, in this order:
//
//  1. no PHI involved: not a breach (the rule is about PHI);
//  2. a statutory exclusion recorded (164.402(1)(i)–(iii)): not a breach;
//  3. the PHI was secured per HHS guidance: encrypted (encrypted: true)
//     with a key that was not compromised with it (key_compromised:
//     false), or destroyed: not "unsecured PHI", so the notification
//     duties of 164.404–164.410 do not arise (the safe harbor). Encrypted
//     with the key compromised is unsecured; encrypted with the key's
//     fate not recorded does not establish the safe harbor (164.414(b)
//     puts the burden of proof on the organization), and the
//     determination goes on as for unsecured PHI, saying so;
//  4. a documented four-factor assessment concluding a low probability of
//     compromise, with all four factors filled in (164.402(2)): not a breach;
//  5. otherwise presumed a breach (164.402(2)). A low-probability
//     conclusion with a factor missing does not rebut the presumption.
func Determine(ws *workspace.Workspace, inc workspace.Incident) Determination {
	d := Determination{}
	a := inc.Assessment
	if a != nil {
		d.DecidedBy, d.DecidedOn = a.DecidedBy, a.DecidedOn
	}
	if !inc.PHIInvolved {
		d.Basis = BasisNoPHI
		d.Citation = "164.402"
		d.Reason = "No PHI was involved (phi_involved is false): a breach under 164.402 is of protected health information, so no breach notification is owed. Keep the incident on the log (164.308(a)(6)(ii))."
		return d
	}
	if a != nil && a.Exclusion != "" {
		if ex, ok := exclusions[a.Exclusion]; ok {
			d.Basis = BasisExclusion
			d.Citation = ex.cite
			d.Reason = fmt.Sprintf("Not a breach: statutory exclusion %s recorded (%s)%s.", ex.cite, ex.what, decidedBy(a))
			d.Warnings = append(d.Warnings, missingDecider(a)...)
			return d
		}
		d.Warnings = append(d.Warnings, fmt.Sprintf("assessment.exclusion %q is not one of %s; it was ignored", a.Exclusion, strings.Join(workspace.BreachExclusions, ", ")))
	}
	// keyNote says why encrypted PHI is not secured, when it is not.
	keyNote := ""
	switch {
	case inc.Encrypted && inc.KeyCompromised != nil && !*inc.KeyCompromised:
		d.Basis = BasisSafeHarbor
		d.Citation = "164.402 (unsecured protected health information)"
		d.Reason = "Safe harbor: the PHI was encrypted per HHS guidance and the key was not compromised with it (key_compromised: false), so it is not unsecured PHI and 164.404–164.410 require no notification. Keep the evidence that the encryption met the guidance (NIST SP 800-111 at rest, 800-52/800-77/800-113 in transit) and that the key was kept apart from the data and not exposed."
		return d
	case inc.Encrypted && inc.KeyCompromised != nil:
		keyNote = "The PHI was encrypted, but the key was compromised with it (key_compromised: true): HHS guidance secures encrypted PHI only if the key was not breached, so it is unsecured PHI and there is no safe harbor. "
	case inc.Encrypted:
		keyNote = "The PHI is recorded as encrypted, but not whether the key was compromised with it: HHS guidance secures encrypted PHI only if the key was not breached, so the safe harbor is not established. Record key_compromised: false, with the evidence that the key was kept apart and not exposed, to claim it; until then the PHI is treated as unsecured. "
	}

	if a != nil && a.LowProbability {
		for _, f := range factors {
			if strings.TrimSpace(f.get(a)) == "" {
				d.Missing = append(d.Missing, f.field)
			}
		}
		if len(d.Missing) == 0 {
			d.Basis = BasisLowProbability
			d.Citation = "164.402(2)"
			d.Reason = "Not a breach: the documented four-factor assessment demonstrates a low probability that the PHI has been compromised (164.402(2))" + decidedBy(a) + "."
			if keyNote != "" {
				d.Warnings = append(d.Warnings, strings.TrimSpace(keyNote))
			}
			d.Warnings = append(d.Warnings, missingDecider(a)...)
			return d
		}
		var labels []string
		for _, f := range factors {
			if slices.Contains(d.Missing, f.field) {
				labels = append(labels, fmt.Sprintf("%s (assessment.%s)", f.label, f.field))
			}
		}
		d.Breach, d.Basis, d.Citation = true, BasisPresumed, "164.402(2)"
		d.Reason = keyNote + "Presumed a breach: the assessment concludes a low probability of compromise but does not document " +
			strings.Join(labels, "; ") + ". 164.402(2) requires at least all four factors; fill them in or notify."
		return d
	}
	d.Breach, d.Basis, d.Citation = true, BasisPresumed, "164.402(2)"
	d.Reason = keyNote + "Presumed a breach of unsecured PHI: no exclusion applies, the PHI was not secured, and no assessment documents a low probability of compromise (164.402(2))."
	if a != nil {
		d.Reason = keyNote + "Presumed a breach of unsecured PHI: no exclusion applies, the PHI was not secured, and the four-factor assessment does not conclude a low probability of compromise (164.402(2))."
	}
	if hint := encryptedSystems(ws, inc); hint != "" && !inc.Encrypted {
		d.Warnings = append(d.Warnings, hint)
	}
	return d
}

func decidedBy(a *workspace.Assessment) string {
	switch {
	case a.DecidedBy != "" && !a.DecidedOn.IsZero():
		return fmt.Sprintf(", decided by %s on %s", a.DecidedBy, a.DecidedOn)
	case a.DecidedBy != "":
		return ", decided by " + a.DecidedBy
	}
	return ""
}

func missingDecider(a *workspace.Assessment) []string {
	if a.DecidedBy != "" && !a.DecidedOn.IsZero() {
		return nil
	}
	return []string{"the assessment does not record who decided and when (assessment.decided_by, assessment.decided_on); 164.414(b) puts the burden of proof on you and 164.530(j) asks for the documentation"}
}

// encryptedSystems hints at the safe harbor when every involved system is
// recorded as encrypted at rest: that alone does not prove the PHI was
// secured (the keys may have been exposed, the copy may have been
// decrypted), so it is a hint, never the answer.
func encryptedSystems(ws *workspace.Workspace, inc workspace.Incident) string {
	if ws == nil || len(inc.Systems) == 0 {
		return ""
	}
	for _, id := range inc.Systems {
		s := ws.System(id)
		if s == nil || !s.EncryptedAtRest {
			return ""
		}
	}
	return fmt.Sprintf("every system involved (%s) is recorded as encrypted at rest: if the PHI taken was still encrypted per HHS guidance and the key was not compromised with it, record encrypted: true and key_compromised: false (safe harbor)", strings.Join(inc.Systems, ", "))
}
