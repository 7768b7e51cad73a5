package todo

import (
	"net/url"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/incident"
	"ward/internal/policy"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// Plain is a finding as the web app shows it to a newcomer: a title with
// names instead of ids, why it matters, and the action that fixes it with
// the page where it is done. The rule id and the CLI's message stay with
// it, in small print.
type Plain struct {
	Title string `json:"title"`
	Why   string `json:"why"`
	Fix   string `json:"fix"`
	Link  string `json:"link,omitempty"`
}

// Explain is f in plain language, with links under /orgs/{slug}.
func Explain(ws *workspace.Workspace, asOf date.Date, slug string, f finding.Finding) Plain {
	b := builder{ws: ws, asOf: asOf, n: names{ws}, base: "/orgs/" + slug, records: policy.NewRecords(ws)}
	it := b.fromFinding(f)
	return Plain{Title: it.Title, Why: it.Why, Fix: it.Fix, Link: it.Link}
}

func urlPathEscape(s string) string { return url.PathEscape(s) }

// names turns ids into the names people use.
type names struct{ ws *workspace.Workspace }

func (n names) vendor(id string) string {
	if v := n.ws.Vendor(id); v != nil && v.Name != "" {
		return v.Name
	}
	return id
}

func (n names) customer(id string) string {
	if c := n.ws.Customer(id); c != nil && c.Name != "" {
		return c.Name
	}
	return id
}

// party is a vendor's or a customer's name.
func (n names) party(id string) string {
	if v := n.ws.Vendor(id); v != nil {
		return n.vendor(id)
	}
	return n.customer(id)
}

func (n names) system(id string) string {
	if s := n.ws.System(id); s != nil && s.Name != "" {
		return s.Name
	}
	return id
}

func (n names) systemList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = n.system(id)
	}
	switch len(out) {
	case 0:
		return "no system"
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

func (n names) person(email string) string {
	if p := n.ws.Person(email); p != nil && p.Name != "" {
		return p.Name
	}
	return email
}

func (n names) control(id string) string {
	if c := n.ws.Control(id); c != nil && c.Title != "" {
		return c.Title
	}
	if c := catalog.Default().Control(id); c != nil && c.Title != "" {
		return c.Title
	}
	return id
}

func (n names) riskTitle(r workspace.Risk) string {
	t := risk.LibraryFor(n.ws).ThreatTitle(r.Threat)
	if t == "" {
		t = r.ID
	}
	if r.Asset != "" {
		t += " (" + n.system(r.Asset) + ")"
	}
	return t
}

// recipient names who a breach notice goes to.
func (n names) recipient(x incident.Notification) string {
	switch x.To {
	case incident.ToCoveredEntity, incident.ToBusinessAssociate:
		if x.Customer != "" {
			return n.customer(x.Customer)
		}
	}
	r := incident.Recipient(x)
	if x.OnBehalfOf != "" {
		r = strings.ReplaceAll(r, x.OnBehalfOf, n.customer(x.OnBehalfOf))
	}
	return r
}

// flowEnds are a flow key's systems: "a->b#name".
func flowEnds(key string) (from, to string) {
	key, _, _ = strings.Cut(key, "#")
	from, to, _ = strings.Cut(key, "->")
	return from, to
}

// agreementWith is the first agreement of kind with a counterparty in a
// direction, preferring one not yet executed (the one to finish).
func agreementWith(ws *workspace.Workspace, party, direction string) *workspace.Agreement {
	var found *workspace.Agreement
	for i := range ws.Agreements {
		a := &ws.Agreements[i]
		if a.Counterparty != party || a.Kind != "baa" || (direction != "" && a.Direction != direction) {
			continue
		}
		if a.Status == "draft" || a.Status == "sent" {
			return a
		}
		if found == nil {
			found = a
		}
	}
	return found
}

// newBAA is the agreement form prefilled for a BAA with party: its kind,
// direction, counterparty, status executed from the as-of date, and an id
// when baa-<party> is free.
func (b *builder) newBAA(party, direction string) string {
	q := url.Values{}
	q.Set("kind", "baa")
	q.Set("direction", direction)
	q.Set("counterparty", party)
	q.Set("status", "executed")
	q.Set("effective", b.asOf.String())
	id := "baa-" + party
	taken := false
	for _, a := range b.ws.Agreements {
		taken = taken || a.ID == id
	}
	if !taken {
		q.Set("id", id)
	}
	return b.link("/agreements/new?" + q.Encode())
}

// fromFinding is one finding as an item: its kind and place in the list,
// a title a newcomer understands, why it matters, and the fix.
func (b *builder) fromFinding(f finding.Finding) Item {
	ws, n := b.ws, b.n
	it := Item{Kind: KindOther, tier: tierOther, Severity: f.Severity, Rule: f.Rule, Subject: f.Subject, Detail: f.Message,
		Due: messageDue(f.Message), Why: cite(f.Message)}
	if it.Why != "" {
		it.Why = "See " + it.Why + "."
	}
	privacyOfficer := func() { it.Owner, it.OwnerEmail = b.officer(ws.Organization.Officers.Privacy) }
	securityOfficer := func() { it.Owner, it.OwnerEmail = b.officer(ws.Organization.Officers.Security) }
	systemOwner := func(id string) {
		if s := ws.System(id); s != nil && s.Owner != "" {
			it.Owner, it.OwnerEmail = b.officer(s.Owner)
			return
		}
		securityOfficer()
	}
	agreement := func() *workspace.Agreement {
		for i := range ws.Agreements {
			if ws.Agreements[i].ID == f.Subject {
				return &ws.Agreements[i]
			}
		}
		return nil
	}
	switch f.Rule {
	case "baa.downstream.missing":
		who := n.vendor(f.Subject)
		it.Kind, it.tier = KindGate, tierGate
		it.Title = "No BAA with " + who + ", and PHI reaches it"
		it.Why = "PHI may reach a vendor only under a business associate agreement in force (45 CFR 164.308(b), 164.314(a)); until then the systems on its path may not go live."
		if a := agreementWith(ws, f.Subject, "downstream"); a != nil && (a.Status == "draft" || a.Status == "sent") {
			it.Fix = "Record the signed BAA with " + who
			it.Link = b.link("/agreements/" + urlPathEscape(a.ID) + "/edit")
		} else {
			it.Fix = "Create the BAA with " + who
			it.Link = b.newBAA(f.Subject, "downstream")
		}
		privacyOfficer()
	case "baa.upstream.missing":
		who := n.customer(f.Subject)
		it.Kind, it.tier = KindGate, tierGate
		it.Title = "No BAA in force with " + who + ", whose PHI is on our platform or about to be"
		it.Why = "A business associate may handle a covered entity's PHI only under a BAA with it (45 CFR 164.502(e), 164.504(e))."
		if a := agreementWith(ws, f.Subject, "upstream"); a != nil && (a.Status == "draft" || a.Status == "sent") {
			it.Fix = "Record the signed BAA with " + who
			it.Link = b.link("/agreements/" + urlPathEscape(a.ID) + "/edit")
		} else {
			it.Fix = "Create the BAA with " + who
			it.Link = b.newBAA(f.Subject, "upstream")
		}
		privacyOfficer()
	case "baa.expired", "baa.expiring":
		it.Kind, it.tier = KindBAA, tierBAA
		who, noun := f.Subject, "BAA"
		if a := agreement(); a != nil {
			who, noun = n.party(a.Counterparty), agreementNoun(*a)
			it.Due = a.Expires
		}
		if f.Rule == "baa.expired" {
			it.Title = "The " + noun + " with " + who + " expired"
			if !it.Due.IsZero() {
				it.Title += " on " + it.Due.String()
			}
			it.Title += ", and PHI still reaches them"
			it.Why = "With the agreement expired, no BAA is in force while PHI flows (45 CFR 164.308(b), 164.502(e))."
		} else {
			it.Title = "The " + noun + " with " + who + " expires on " + it.Due.String()
			it.Why = "Once it lapses, PHI may no longer be shared with them (45 CFR 164.308(b), 164.502(e))."
		}
		it.Fix = "Renew the " + noun + " with " + who
		it.Link = b.link("/agreements/" + urlPathEscape(f.Subject) + "/edit")
		privacyOfficer()
	case "baa.no-signed-copy":
		it.Kind = KindBAA
		who := f.Subject
		if a := agreement(); a != nil {
			who = n.party(a.Counterparty)
		}
		it.Title = "No signed copy of the BAA with " + who + " on file"
		it.Why = "The signed agreement is the documentation kept for six years (45 CFR 164.316(b)(2)) and the proof an auditor asks for."
		it.Fix = "Upload the signed BAA with " + who
		it.Link = b.link("/agreements/" + urlPathEscape(f.Subject))
		privacyOfficer()
	case "baa.unreviewed", "baa.clause-missing":
		it.Kind = KindBAA
		who := f.Subject
		if a := agreement(); a != nil {
			who = n.party(a.Counterparty)
		}
		if f.Rule == "baa.unreviewed" {
			it.Title = "Nobody has checked the clauses of the BAA with " + who
			it.Fix = "Review the BAA's clauses"
		} else {
			it.Title = "The BAA with " + who + " lacks clauses the rule requires"
			it.Fix = "Amend the BAA, then mark its clauses"
		}
		it.Why = "A BAA must contain the clauses 45 CFR 164.504(e)(2) and 164.314(a)(2) list."
		it.Link = b.link("/agreements/" + urlPathEscape(f.Subject) + "#clauses")
		privacyOfficer()
	case "baa.flowdown":
		it.Kind = KindBAA
		who := f.Subject
		if a := agreement(); a != nil {
			who = n.party(a.Counterparty)
		}
		it.Title = who + " may tell you of a breach later than you promised your customer"
		it.Why = "You cannot keep a notice term shorter than the one your own vendor owes you."
		it.Fix = "Renegotiate the BAA with " + who
		it.Link = b.link("/agreements/" + urlPathEscape(f.Subject) + "/edit")
		privacyOfficer()
	case "flow.unencrypted":
		from, to := flowEnds(f.Subject)
		it.Kind, it.tier = KindGate, tierGate
		it.Title = "PHI travels unencrypted from " + n.system(from) + " to " + n.system(to)
		it.Why = "Encryption in transit is addressable (45 CFR 164.312(e)(2)(ii)); ward holds the gate because only encrypted PHI keeps the breach safe harbor (164.402)."
		it.Fix = "Encrypt the flow (TLS), then mark it encrypted"
		it.Link = b.link("/flows/" + urlPathEscape(f.Subject) + "/edit")
		systemOwner(to)
	case "storage.unencrypted":
		it.Kind, it.tier = KindGate, tierGate
		it.Title = n.system(f.Subject) + " holds PHI but is not encrypted at rest"
		it.Why = "Encryption at rest is addressable (45 CFR 164.312(a)(2)(iv)); ward holds the gate because only encrypted PHI keeps the breach safe harbor (164.402)."
		it.Fix = "Encrypt its storage, then mark it encrypted"
		it.Link = b.link("/systems/" + urlPathEscape(f.Subject) + "/edit")
		systemOwner(f.Subject)
	case "inventory.phi-unmarked":
		it.Kind = KindGate
		it.Title = "PHI reaches " + n.system(f.Subject) + ", but it is not marked as holding PHI"
		it.Why = "The risk analysis must cover every system with ePHI (45 CFR 164.308(a)(1)(ii)(A))."
		it.Fix = "Mark " + n.system(f.Subject) + " as holding PHI, or stop the PHI reaching it"
		it.Link = b.link("/systems/" + urlPathEscape(f.Subject) + "/edit")
		systemOwner(f.Subject)
	case "risk-analysis.missing", "risk-analysis.stale":
		it.Kind = KindRisk
		if f.Severity == finding.Error {
			it.tier = tierGate
		} else {
			it.tier = tierRisk
		}
		if f.Rule == "risk-analysis.missing" {
			it.Title = "No risk analysis on record"
			it.Fix = "Start the risk analysis"
			it.Link = b.link("/risks/questionnaire")
		} else {
			it.Title = "The risk analysis is out of date"
			it.Fix = "Review the risk analysis"
			it.Link = b.link("/risks")
		}
		it.Why = "An accurate and thorough risk analysis is the first Security Rule requirement (45 CFR 164.308(a)(1)(ii)(A))."
		securityOfficer()
	case "officer.privacy.missing", "officer.security.missing":
		it.Kind = KindOther
		if f.Rule == "officer.privacy.missing" {
			it.Title = "No privacy officer named"
			it.Why = "A covered entity designates a privacy official (45 CFR 164.530(a))."
		} else {
			it.Title = "No security officer named"
			it.Why = "One person is responsible for security (45 CFR 164.308(a)(2))."
		}
		if f.Severity == finding.Error {
			it.tier = tierGate
		}
		it.Fix = "Name the officer in the organization's settings"
		it.Link = b.link("/plan")
	case "risk.overdue":
		it.Kind, it.tier = KindRisk, tierRisk
		title := f.Subject
		for _, r := range ws.Risks {
			if r.ID == f.Subject {
				title = n.riskTitle(r)
				it.Due = r.Due
				it.Owner, it.OwnerEmail = b.officer(r.Owner)
			}
		}
		it.Title = "Overdue risk treatment: " + title
		it.Why = "The risk management plan's measures, on the dates it set (45 CFR 164.308(a)(1)(ii)(B))."
		it.Fix = "Record the treatment as completed, or set a new date"
		it.Link = b.link("/risks/" + urlPathEscape(f.Subject) + "/edit")
	case "risk.coverage":
		it.Kind, it.tier = KindRisk, tierRisk
		it.Title = n.system(f.Subject) + " holds or carries PHI but no risk in the analysis covers it"
		it.Why = "The risk analysis covers all ePHI (45 CFR 164.308(a)(1)(ii)(A))."
		it.Fix = "Add a risk for " + n.system(f.Subject)
		it.Link = b.link("/risks/new?asset=" + url.QueryEscape(f.Subject))
		systemOwner(f.Subject)
	case "evidence.missing":
		it.Kind, it.tier = KindEvidence, tierEvidence
		it.Title = "Evidence due for " + n.control(f.Subject)
		it.Why = "An auditor tests every period of a control: a period with no evidence is an exception."
		it.Fix = "Attach this period's evidence"
		it.Link = b.link("/controls/" + urlPathEscape(f.Subject))
		if c := ws.Control(f.Subject); c != nil && c.Owner != "" {
			it.Owner, it.OwnerEmail = b.officer(c.Owner)
		}
	case "policy.review-overdue", "policy.missing":
		it.Kind, it.tier = KindPolicy, tierWorkforce
		title := f.Subject
		if p := ws.Policy(f.Subject); p != nil {
			title = p.Title
			if p.Owner != "" {
				it.Owner, it.OwnerEmail = b.officer(p.Owner)
			}
		}
		if f.Rule == "policy.missing" {
			name := f.Subject
			if t := policy.TemplateByID(f.Subject); t != nil {
				name = strings.ToLower(t.Title[:1]) + t.Title[1:]
			}
			it.Title = "No approved " + name
			it.Why = "The Security Rule asks for written policies and procedures (45 CFR 164.316(a))."
			it.Fix = "Write the policy from ward's template and approve it"
			it.Link = b.link("/policies")
		} else {
			it.Title = "The " + title + " is due for its review"
			it.Why = "Policies are reviewed periodically and updated as needed (45 CFR 164.316(b)(2)(iii))."
			it.Fix = "Review it, then record the review"
			it.Link = b.link("/policies/" + urlPathEscape(f.Subject) + "#review")
		}
	case "scan.untracked":
		it.Title = "A scanner check fails on a control you have not adopted: " + f.Subject
		it.Why = "It counts in no readiness score until a control carries it."
		it.Fix = "Adopt the control"
		it.Link = b.link("/controls")
	case "soc2.observation-short":
		it.Title = "The SOC 2 observation window is shorter than auditors usually accept"
		it.Why = "Common practice, not law: most Type II reports cover 3 to 12 months."
		it.Fix = "Open the plan"
		it.Link = b.link("/plan")
	case "privacy.notice-missing":
		it.Kind, it.tier = KindPrivacyRequest, tierOther
		it.Title = "No notice of privacy practices in effect"
		it.Why = "A covered entity provides a notice of its privacy practices (45 CFR 164.520)."
		it.Fix = "Record the notice"
		it.Link = b.link("/privacy/notice")
		privacyOfficer()
	case "privacy.denial-incomplete", "privacy.fee-basis-missing", "privacy.request-overdue", "privacy.request-due":
		it.Kind = KindPrivacyRequest
		if f.Rule == "privacy.denial-incomplete" {
			it.Title = "The denial of request " + f.Subject + " did not state the individual's rights"
			it.Fix = "Send a written denial that does, then record it"
		} else if f.Rule == "privacy.fee-basis-missing" {
			it.Title = "Request " + f.Subject + " was charged a fee with no record of how it was worked out"
			it.Fix = "Record how the fee was worked out"
		} else {
			it.tier = tierPrivacy
			it.Title = "Act on Privacy Rule request " + f.Subject
			it.Fix = "Act on the request, then record the outcome"
		}
		it.Link = b.link("/privacy/requests/" + urlPathEscape(f.Subject))
		privacyOfficer()
	case "breach.deadline":
		it.Kind, it.tier = KindBreachNotice, tierBreach
		it.Title = "A breach notice for " + f.Subject + " is due"
		it.Fix = "Give the notice, then record it as sent on the incident"
		it.Link = b.link("/incidents/" + urlPathEscape(f.Subject))
		privacyOfficer()
	case "policy.ack-overdue":
		it.Kind, it.tier = KindPolicy, tierWorkforce
		it.Title = n.person(f.Subject) + " has not acknowledged a policy in time"
		it.Fix = "Ask them to read and acknowledge it"
		it.Link = b.link("/people?overdue=1")
		it.Owner, it.OwnerEmail = b.officer(f.Subject)
	case "training.overdue":
		it.Kind, it.tier = KindTraining, tierWorkforce
		it.Title = n.person(f.Subject) + " is overdue for a training"
		it.Fix = "Have them complete it, then record the completion"
		it.Link = b.link("/trainings")
		it.Owner, it.OwnerEmail = b.officer(f.Subject)
	case "workforce.termination-open":
		it.Kind, it.tier = KindWorkforce, tierWorkforce
		it.Title = n.person(f.Subject) + " has left and can still reach PHI systems"
		it.Fix = "Remove the access in each system"
		securityOfficer()
	default:
		it.Title = f.Subject + ": " + firstSentence(f.Message)
		it.Fix = "See the details"
	}
	return it
}

// firstSentence is a message up to its first colon, semicolon or full
// stop: what is wrong, without how the CLI fixes it.
func firstSentence(msg string) string {
	if i := strings.IndexAny(msg, ":;"); i > 0 {
		return msg[:i]
	}
	if i := strings.Index(msg, ". "); i > 0 {
		return msg[:i]
	}
	return msg
}
