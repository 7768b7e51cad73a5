package kit

import (
	"html/template"
)

// Term is one entry of the glossary: the program's words a newcomer
// meets on the pages, explained once on /help and on hover wherever a
// page uses them (gloss).
type Term struct {
	ID    string `json:"id"`
	Term  string `json:"term"`
	Short string `json:"short"` // one sentence: the hover text
	More  string `json:"more"`  // the help page adds this
}

// Glossary is ward's own wording; the citations are to the regulation.
var Glossary = []Term{
	{"phi", "PHI and ePHI", "Protected health information: health data that identifies a person, held by a covered entity or a business associate; ePHI is PHI in electronic form.",
		"Defined in 45 CFR 160.103. The Security Rule protects ePHI; the Privacy and Breach Notification Rules cover PHI in any form."},
	{"live-phi-gate", "Live PHI gate (go-live gate)", "ward's check that no real patient data reaches a system before its safeguards are in place: a BAA with every vendor on its path, encryption, a risk analysis.",
		"While an error on the gate stands, the systems and customers on its path are \"blocked\": they may not hold real (live) PHI yet, only test data. \"Closed\" means blocked; the gate \"passes\" or is \"open\" when nothing stands in the way. Errors block; warnings do not. ward check exits 1 while the gate fails."},
	{"covered-entity", "Covered entity", "A health plan, a health care clearinghouse, or a provider that bills electronically: the party the HIPAA rules are written for first.",
		"45 CFR 160.103. A clinic, a hospital or an insurer is one; a software company serving them usually is not."},
	{"business-associate", "Business associate", "A company that handles PHI for a covered entity (hosting, billing, software): bound by the Security Rule directly and by its BAA.",
		"45 CFR 160.103. A business associate's own vendors that touch the PHI are subcontractors, themselves business associates."},
	{"baa", "BAA (business associate agreement)", "The contract that lets PHI pass to a business associate, with the clauses 45 CFR 164.504(e) requires.",
		"Without a BAA in force, sharing PHI with the other party is a disclosure the Privacy Rule does not permit."},
	{"upstream-baa", "Upstream BAA", "A BAA with a customer: the covered entity (or the business associate) whose PHI you handle. You are its business associate.",
		"In ward: direction upstream, counterparty a customer. A customer with live PHI and no upstream BAA in force blocks the gate (164.502(e), 164.504(e))."},
	{"downstream-baa", "Downstream BAA", "A BAA with a vendor that receives PHI from you (a cloud host, an email or AI service): your subcontractor.",
		"In ward: direction downstream, counterparty a vendor. PHI reaching a vendor with no downstream BAA in force blocks the gate (164.308(b), 164.314(a))."},
	{"addressable", "Addressable (implementation specification)", "A Security Rule safeguard you must assess: implement it if reasonable and appropriate, or document why not and what equivalent you do instead.",
		"45 CFR 164.306(d)(3). Addressable is not optional. Encryption at rest and in transit are addressable; ward still holds the gate on them, because only encrypted PHI keeps the breach safe harbor (164.402)."},
	{"required", "Required (implementation specification)", "A Security Rule safeguard every covered entity and business associate must implement as written.",
		"45 CFR 164.306(d)(2)."},
	{"safe-harbor", "Breach safe harbor", "PHI encrypted to HHS's guidance, with the key not compromised, is not \"unsecured\": losing it is not a reportable breach.",
		"45 CFR 164.402 (unsecured PHI) and HHS's guidance on rendering PHI unusable, unreadable or indecipherable."},
	{"type1", "SOC 2 Type I", "An auditor's report on whether your controls are designed suitably on one date.",
		"Quicker to get; buyers often accept it as a first step toward a Type II."},
	{"type2", "SOC 2 Type II", "An auditor's report on whether your controls operated effectively over a period (the observation window, usually 3 to 12 months).",
		"Every period of every control is tested: a period with no evidence is an exception in the report."},
	{"observation-window", "Observation window", "The period a SOC 2 Type II report covers; the controls must run, with evidence, through all of it.",
		"ward warns below 3 months, a common-practice floor (not a rule)."},
	{"risk-analysis", "Risk analysis", "The documented assessment of the risks to the ePHI you hold: the first Security Rule requirement.",
		"45 CFR 164.308(a)(1)(ii)(A); the measures it leads to are the risk management plan, 164.308(a)(1)(ii)(B)."},
	{"risk-treatment", "Risk treatment", "What you decided to do about a risk: mitigate it (with an owner and a due date), accept it (with a reason and who accepted), transfer or avoid it.",
		"An overdue mitigation is a ward check error (risk.overdue)."},
	{"evidence", "Evidence (of a control)", "A dated record that a control ran in a period: a screenshot, an export, a report, a scan.",
		"Controls with a schedule owe evidence every period (monthly, quarterly...). ward counts a period without evidence against readiness."},
	{"breach-notice", "Breach notice", "The notices the Breach Notification Rule requires after a breach of unsecured PHI: to individuals, to HHS, to the media (over 500 in a state), and from a business associate to its covered entity.",
		"45 CFR 164.404-164.410: no later than 60 days after discovery, or sooner where a BAA says so."},
}

func GlossaryTerm(id string) *Term {
	for i := range Glossary {
		if Glossary[i].ID == id {
			return &Glossary[i]
		}
	}
	return nil
}

// Gloss draws text as a term with its short definition on hover (a title,
// so no script) and a link to its entry on /help.
func Gloss(id, text string) template.HTML {
	t := GlossaryTerm(id)
	if t == nil {
		return template.HTML(template.HTMLEscapeString(text))
	}
	return template.HTML(`<a class="term" href="/help#` + template.HTMLEscapeString(t.ID) + `" title="` +
		template.HTMLEscapeString(t.Short) + `">` + template.HTMLEscapeString(text) + `</a>`)
}
