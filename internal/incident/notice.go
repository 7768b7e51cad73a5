package incident

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"ward/internal/workspace"
)

// The drafts below are Markdown a person finishes and sends. Where ward
// does not know a fact the notice needs, it writes a placeholder in double
// brackets, [[like this]], so that an unfinished draft is easy to spot (and
// to search for) before it goes out. A short "drafting notes" block above
// the letter says which rule the draft serves; it is not part of the
// notice.

func ph(what string) string { return "[[" + what + "]]" }

func orDefault(v, placeholder string) string {
	if strings.TrimSpace(v) == "" {
		return ph(placeholder)
	}
	return v
}

func orgName(ws *workspace.Workspace) string {
	return orDefault(ws.Organization.Name, "organization name")
}

// officer names the privacy officer (who answers breach questions) with
// their e-mail, falling back to the security officer.
func officer(ws *workspace.Workspace) (name, email string) {
	email = ws.Organization.Officers.Privacy
	if email == "" {
		email = ws.Organization.Officers.Security
	}
	if email == "" {
		return ph("privacy officer name"), ph("e-mail address")
	}
	if p := ws.Person(email); p != nil && p.Name != "" {
		return p.Name, email
	}
	return ph("privacy officer name"), email
}

func phiTypes(inc workspace.Incident) string {
	if len(inc.PHITypes) == 0 {
		return ph("the types of information involved, e.g. names, addresses, dates of birth, Social Security numbers, insurance numbers, diagnoses, medications")
	}
	return strings.Join(inc.PHITypes, ", ")
}

func occurred(inc workspace.Incident) string {
	if inc.Occurred.IsZero() {
		return ph("date of the breach, or the best estimate of when it began")
	}
	return inc.Occurred.String()
}

func discovered(inc workspace.Incident) string {
	if inc.Discovered.IsZero() {
		return ph("date of discovery")
	}
	return inc.Discovered.String()
}

func statesLine(f Figures) string {
	if len(f.States) == 0 {
		return ph("residents affected per state or jurisdiction" + f.whose())
	}
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(f.States)) {
		parts = append(parts, fmt.Sprintf("%s %d", st, f.States[st]))
	}
	return strings.Join(parts, ", ")
}

func individualsLine(f Figures) string {
	if f.Individuals == 0 {
		return ph("number of individuals affected" + f.whose())
	}
	return fmt.Sprint(f.Individuals)
}

// Figures are the head count and residents per state a notice states.
type Figures struct {
	Individuals int            `json:"individuals"`
	States      map[string]int `json:"states,omitempty"`
	// Customer is whose people they are, "" for the whole incident.
	Customer string `json:"customer,omitempty"`
	// Known is false when the incident names several customers and
	// records no split for this one (incident.affected).
	Known bool `json:"known"`
}

func (f Figures) whose() string {
	if f.Customer == "" || f.Known {
		return ""
	}
	return " for " + f.Customer + " alone (record each customer's figures under affected)"
}

// FiguresFor is what a notice about customer's people states: that
// customer's share (incident.affected) when recorded; the incident's
// totals when it names no other customer; else unknown. customer ""
// is the whole incident (the sums).
func FiguresFor(inc workspace.Incident, customer string) Figures {
	if customer == "" {
		return Figures{Individuals: inc.TotalIndividuals(), States: inc.TotalStates(), Known: true}
	}
	if a := inc.AffectedOf(customer); a != nil {
		return Figures{Individuals: a.Individuals, States: a.States, Customer: customer, Known: true}
	}
	if len(uniq(inc.Customers)) <= 1 {
		return Figures{Individuals: inc.TotalIndividuals(), States: inc.TotalStates(), Customer: customer, Known: true}
	}
	return Figures{Customer: customer}
}

// Portal words for incident.breach_type and incident.locations.
var (
	breachTypeWords = map[string]string{"hacking": "hacking/IT incident", "unauthorized-access": "unauthorized access/disclosure", "theft": "theft", "loss": "loss", "improper-disposal": "improper disposal", "other": "other"}
	locationWords   = map[string]string{"desktop": "desktop computer", "emr": "electronic medical record", "email": "e-mail", "laptop": "laptop", "network-server": "network server", "portable-device": "other portable electronic device", "paper": "paper/films", "other": "other"}
)

// BreachTypes is the incident's type of breach in the HHS portal's
// words: incident.breach_type, else read from the summary (inferred
// true), else nil.
func BreachTypes(inc workspace.Incident) (types []string, inferred bool) {
	if len(inc.BreachType) > 0 {
		for _, t := range inc.BreachType {
			types = append(types, orDefault(breachTypeWords[t], t))
		}
		return types, false
	}
	s := " " + strings.ToLower(inc.Summary) + " "
	for _, r := range []struct {
		kind  string
		words []string
	}{
		{"theft", []string{"stolen", "theft", "stole ", "burglar", "break-in", "robbed"}},
		{"loss", []string{" lost", "missing", "misplaced", "left on", "left in"}},
		{"hacking", []string{"hack", "phish", "ransomware", "malware", "intrusion", "compromised account", "account takeover", "credential stuffing"}},
		{"unauthorized-access", []string{"misdirected", "e-mailed to", "emailed to", "mailed to", "faxed to", "sent to the wrong", "another patient", "wrong patient", "snoop", "unauthorized access", "disclosed"}},
		{"improper-disposal", []string{"dispos", "shred", "discarded", "dumpster", "recycl"}},
	} {
		for _, w := range r.words {
			if strings.Contains(s, w) {
				types = append(types, breachTypeWords[r.kind])
				break
			}
		}
	}
	return types, len(types) > 0
}

// Locations is where the breached information was, in the HHS portal's
// words: incident.locations, else read from the systems' kinds and names
// and the summary (inferred true).
func Locations(ws *workspace.Workspace, inc workspace.Incident) (locs []string, inferred bool) {
	if len(inc.Locations) > 0 {
		for _, l := range inc.Locations {
			locs = append(locs, orDefault(locationWords[l], l))
		}
		return locs, false
	}
	add := func(l string) {
		if w := locationWords[l]; !slices.Contains(locs, w) {
			locs = append(locs, w)
		}
	}
	has := func(s string, words ...string) bool {
		s = strings.ToLower(s)
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	for _, id := range inc.Systems {
		sys := ws.System(id)
		if sys == nil {
			continue
		}
		name := sys.ID + " " + sys.Name
		switch {
		case has(name, "e-mail", "email", "mail"):
			add("email")
		case has(name, "ehr", "emr", "medical record", "chart"):
			add("emr")
		case sys.Kind == "endpoint" && has(sys.ID+" "+sys.Name, "laptop", "macbook", "notebook"):
			add("laptop")
		case sys.Kind == "endpoint" && has(sys.ID+" "+sys.Name, "desktop", "workstation", " pc"):
			add("desktop")
		case sys.Kind == "endpoint" && has(sys.ID+" "+sys.Name, "phone", "tablet", "mobile", "usb", "drive", "ipad"):
			add("portable-device")
		case sys.Kind == "datastore" || sys.Kind == "service":
			add("network-server")
		default:
			add("other")
		}
	}
	if has(inc.Summary, "paper", "printed", "print-out", "printout", "film") {
		add("paper")
	}
	if len(locs) == 0 && has(inc.Summary, "laptop") {
		add("laptop")
	}
	return locs, len(locs) > 0
}

// systemLabel is "Staff laptops (laptops, endpoint)".
func systemLabel(ws *workspace.Workspace, id string) string {
	if s := ws.System(id); s != nil {
		return fmt.Sprintf("%s (%s, %s)", orDefault(s.Name, id), id, s.Kind)
	}
	return id
}

// encryptionControl reports whether a control is about encryption at
// rest (the catalog's encryption-at-rest, or an organization's own
// disk or device encryption control).
func encryptionControl(id string) bool {
	id = strings.ToLower(id)
	return strings.Contains(id, "encrypt") && (strings.Contains(id, "rest") || strings.Contains(id, "disk") || strings.Contains(id, "device"))
}

// hasType reports whether any recorded PHI type mentions one of the words.
func hasType(inc workspace.Incident, words ...string) bool {
	for _, t := range inc.PHITypes {
		t = strings.ToLower(t)
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
	}
	return false
}

// dueFor finds the due date of the first notification of a kind, or
// says why there is none: no breach to notify, or a notice that is the
// covered entity's to give, not a business associate's.
func dueFor(ws *workspace.Workspace, r Result, to, customer string) string {
	for _, n := range r.Notifications {
		if n.To == to && (customer == "" || n.Customer == customer) {
			return fmt.Sprintf("%s (%s), without unreasonable delay.", n.Due, n.Citation)
		}
	}
	return notOwed(ws, r, to) + "."
}

// notOwed says why the organization owes no notice of kind to.
func notOwed(ws *workspace.Workspace, r Result, to string) string {
	held := r.HeldAs
	if held == "" {
		held, _ = HeldAs(ws, workspace.Incident{})
	}
	switch {
	case !r.Breach:
		return "not required: ward's determination finds no breach of unsecured PHI to notify"
	case to != ToCoveredEntity && to != ToBusinessAssociate && held == HeldAsBusinessAssociate:
		return "not this organization's to give: it held the PHI as a business associate, so it notifies the covered entity (164.410), whose duty this notice is (164.404-164.408), unless the BAA delegates it (notifies_on_behalf)"
	case (to == ToCoveredEntity || to == ToBusinessAssociate) && held == HeldAsCoveredEntity:
		return "not owed: the organization held this PHI as a covered entity, for its own patients or members; it gives the notices itself (164.404-164.408)"
	}
	return "not required by ward's determination"
}

// CustomerRecipient is who a business associate's notice to a customer
// goes to: a covered entity, or, for a subcontractor, the business
// associate it serves (a customer recorded without covered_entity: true).
func CustomerRecipient(ws *workspace.Workspace, customer string) string {
	if c := ws.Customer(customer); c != nil && !c.CoveredEntity && ws.Organization.HasRole(workspace.RoleSubcontractor) {
		return ToBusinessAssociate
	}
	return ToCoveredEntity
}

// onBehalf lists the covered entities a kind of notice is given for
// under a delegating BAA.
func onBehalf(r Result, to string) []string {
	var out []string
	for _, n := range r.Notifications {
		if n.To == to && n.OnBehalfOf != "" && !slices.Contains(out, n.OnBehalfOf) {
			out = append(out, n.OnBehalfOf)
		}
	}
	return out
}

// customerName is a customer's name, or its id.
func customerName(ws *workspace.Workspace, id string) string {
	if c := ws.Customer(id); c != nil && c.Name != "" {
		return c.Name
	}
	return id
}

// Draft is one notice draft: the letter (Markdown of a small subset: #
// and ## headings, paragraphs, "- " lists, [[placeholders]]) and the
// drafting notes that go beside it, which are not part of the notice.
type Draft struct {
	Kind     string `json:"kind"` // individuals, hhs, covered-entity, business-associate
	Customer string `json:"customer,omitempty"`
	// Title says what the draft is, e.g. "notice to individuals, 45 CFR
	// 164.404(c)".
	Title string `json:"title"`
	// Required is false when ward's determination finds no notice owed.
	Required bool `json:"notice_required"`
	// Determination is the determination's reason, the first note.
	Determination string   `json:"determination"`
	Notes         []string `json:"notes"`
	Letter        string   `json:"letter"`
}

// AllNotes are the drafting notes as shown beside the letter: the
// determination first, the reminder about placeholders last.
func (d Draft) AllNotes() []string {
	first := "Determination: breach of unsecured PHI. " + d.Determination
	if !d.Required {
		first = "Determination: no notice is required. " + d.Determination
	}
	out := append([]string{first}, d.Notes...)
	return append(out, "Fill in every highlighted placeholder before sending.")
}

// Markdown is the draft as one Markdown text: the notes in a quoted
// block under an HTML comment naming the draft, then the letter.
func (d Draft) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- ward draft: %s -->\n\n", d.Title)
	b.WriteString("> **Drafting notes (remove before sending).**\n")
	notes := d.AllNotes()
	for i, l := range notes[:len(notes)-1] {
		if i == 0 && !d.Required {
			l = strings.Replace(l, "no notice is required", "**no notice is required**", 1)
		}
		fmt.Fprintf(&b, "> %s\n", l)
	}
	b.WriteString("> Replace every [[placeholder]] before sending.\n\n")
	b.WriteString(d.Letter)
	return b.String()
}

func newDraft(kind, customer, title string, det Determination, notes ...string) Draft {
	return Draft{Kind: kind, Customer: customer, Title: title, Required: det.Breach, Determination: det.Reason, Notes: notes}
}

// DraftIndividualLetter drafts the notice to affected individuals with the
// content 164.404(c)(1) requires, in plain language (164.404(c)(2)):
// (A) what happened, with the date of the breach and of its discovery;
// (B) the types of unsecured PHI involved; (C) the steps individuals should
// take to protect themselves; (D) what the organization is doing to
// investigate, mitigate the harm and protect against further breaches;
// (E) contact procedures, which must include a toll-free number and an
// e-mail address, web site or postal address.
func DraftIndividualLetter(ws *workspace.Workspace, inc workspace.Incident, det Determination) string {
	return IndividualLetter(ws, inc, det).Markdown()
}

// IndividualLetter is DraftIndividualLetter's draft, its notes apart.
func IndividualLetter(ws *workspace.Workspace, inc workspace.Incident, det Determination) Draft {
	var b strings.Builder
	r := Deadlines(ws, inc, inc.Discovered)
	lines := []string{
		"Required content: 45 CFR 164.404(c)(1)(A)–(E); plain language: 164.404(c)(2).",
		"Send by: " + dueFor(ws, r, ToIndividuals, ""),
		"Method (164.404(d)(1)): written notice by first-class mail to the individual's last known address, or by e-mail if the individual agreed to electronic notice; for a deceased individual, to the next of kin or personal representative when their address is known.",
		"Minors and others with a personal representative (164.502(g)): address the letter to the parent, guardian or other person who acts for the individual, as their personal representative.",
		"Substitute notice (164.404(d)(2)), when contact details are insufficient or out of date: for fewer than 10 individuals, an alternative written notice, telephone or other means; for 10 or more, a conspicuous posting for 90 days on the home page of your web site, or conspicuous notice in major print or broadcast media in geographic areas where the individuals affected likely reside, and in either case a toll-free number active for at least 90 days where people can learn whether their information was involved.",
		"Urgent cases (164.404(d)(3)): where possible imminent misuse of the PHI makes it urgent, you may also tell individuals by telephone or other means, in addition to this written notice, never instead of it.",
	}
	forCE := onBehalf(r, ToIndividuals)
	switch {
	case len(forCE) > 0:
		lines = append(lines, "Given on behalf of "+strings.Join(forCE, ", ")+": the BAA delegates the covered entity's notice to you (notifies_on_behalf); the letter says whose patients' information it was.")
	case r.HeldAs == HeldAsBusinessAssociate:
		lines = append(lines, "The organization held this PHI as a business associate: individuals are notified by the covered entity (164.404) unless a BAA delegates the letter to you (notifies_on_behalf); this draft is for the covered entity to adapt.")
	}
	dr := newDraft(ToIndividuals, "", "notice to individuals, 45 CFR 164.404(c)", det, lines...)

	name := orgName(ws)
	offName, offEmail := officer(ws)
	fmt.Fprintf(&b, "# Notice of a data breach\n\n%s\n\n%s\n\nDear %s,\n\n", ph("date of the letter"), ph("recipient name and address; for a minor or an individual with a personal representative, the parent, guardian or representative (164.502(g))"), ph("recipient name"))
	switch {
	case len(forCE) == 1:
		fmt.Fprintf(&b, "We are writing on behalf of %s to tell you about an incident at %s, which provides services to %s, that involved some of your health information, what we are doing about it, and what you can do.\n\n", customerName(ws, forCE[0]), name, customerName(ws, forCE[0]))
	case len(forCE) > 1:
		fmt.Fprintf(&b, "We are writing on behalf of %s to tell you about an incident at %s, which provides services to it, that involved some of your health information, what we are doing about it, and what you can do.\n\n", ph("the covered entity: one of "+strings.Join(forCE, ", ")), name)
	default:
		fmt.Fprintf(&b, "We are writing to tell you about an incident at %s that involved some of your health information, what we are doing about it, and what you can do.\n\n", name)
	}

	b.WriteString("## What happened\n\n")
	fmt.Fprintf(&b, "%s The breach occurred on %s and we discovered it on %s.\n\n", orDefault(sentence(inc.Summary), "a plain description of what happened"), occurred(inc), discovered(inc))

	b.WriteString("## What information was involved\n\n")
	fmt.Fprintf(&b, "The information involved was: %s.\n\n", phiTypes(inc))

	b.WriteString("## What you can do\n\n")
	b.WriteString("- Review the statements you receive from your health plan and health care providers (such as an explanation of benefits). If you see services you did not receive, contact the plan or provider.\n")
	if hasType(inc, "social security", "ssn", "driver", "license", "passport") {
		b.WriteString("- Consider placing a fraud alert or a free security freeze with the nationwide credit bureaus, and review your credit reports (free at annualcreditreport.com).\n")
	}
	if hasType(inc, "financial", "bank", "card", "account") {
		b.WriteString("- Watch your bank and card statements and tell your bank at once about anything you do not recognize.\n")
	}
	fmt.Fprintf(&b, "- %s\n\n", ph("any other steps specific to this breach, e.g. enrolment code for credit monitoring offered"))

	b.WriteString("## What we are doing\n\n")
	fmt.Fprintf(&b, "We are investigating the incident: %s. ", ph("what the investigation has found and is doing"))
	if a := inc.Assessment; a != nil && strings.TrimSpace(a.Mitigation) != "" {
		fmt.Fprintf(&b, "What we have done to limit the harm: %s ", sentence(a.Mitigation))
	} else {
		fmt.Fprintf(&b, "To limit the harm, %s. ", ph("what was done to mitigate harm to the individuals"))
	}
	fmt.Fprintf(&b, "To protect against further breaches, %s.\n\n", ph("the safeguards added or strengthened"))

	b.WriteString("## For more information\n\n")
	fmt.Fprintf(&b, "Call us toll-free at %s (%s), write to %s, visit %s, or write to us at %s.\n\n", ph("toll-free number"), ph("hours"), offEmail, ph("web site"), ph("postal address"))
	fmt.Fprintf(&b, "Sincerely,\n\n%s\nPrivacy Officer, %s\n", offName, name)
	dr.Letter = b.String()
	return dr
}

// DraftHHSSummary lays out the facts HHS's breach portal asks for: the
// breach and discovery dates, the type of breach, the location of the
// breached information, the individuals affected, the safeguards in place
// before the breach and the actions taken in response. The portal's own
// choices are listed where ward cannot know the answer.
func DraftHHSSummary(ws *workspace.Workspace, inc workspace.Incident, det Determination) string {
	return HHSSummary(ws, inc, det, "").Markdown()
}

// HHSSummary is DraftHHSSummary's draft, its notes apart. customer, when
// set, is the covered entity the report is for (a BAA that delegates its
// notices to us, notifies_on_behalf): the report then states only that
// covered entity's individuals (incident.affected).
func HHSSummary(ws *workspace.Workspace, inc workspace.Incident, det Determination, customer string) Draft {
	var b strings.Builder
	r := Deadlines(ws, inc, inc.Discovered)
	report := notOwed(ws, r, ToHHS)
	for _, n := range r.Notifications {
		if customer != "" && n.OnBehalfOf != customer {
			continue
		}
		switch {
		case n.To == ToHHS && n.Assumption != "" && strings.Contains(n.Assumption, "not known yet"):
			report = fmt.Sprintf("the number of individuals is not known yet, so ward takes the protective route: submit by %s, with the notice to individuals, as for 500 or more (164.408(b)); if the count turns out under 500, it goes in the annual log instead (164.408(c))", n.Due)
		case n.To == ToHHS:
			report = fmt.Sprintf("breach affecting 500 or more individuals, submit by %s, at the same time as the notice to individuals (164.408(b))", n.Due)
		case n.To == ToHHSAnnualLog:
			report = fmt.Sprintf("breach affecting fewer than 500 individuals, submit with the annual log by %s (164.408(c))", n.Due)
		}
	}
	hhsLines := []string{"Report: " + report + ".",
		"Submit through the HHS OCR breach portal; keep a copy and record the submission as sent (Mark sent on the incident's page, or ward breach sent)."}
	forCE := append(onBehalf(r, ToHHS), onBehalf(r, ToHHSAnnualLog)...)
	if customer != "" {
		forCE = []string{customer}
	}
	if len(forCE) > 0 {
		hhsLines = append(hhsLines, "Submitted on behalf of "+strings.Join(forCE, ", ")+", whose BAA delegates its notices to you (notifies_on_behalf): the covered entity is the reporting entity, and you are its business associate.")
	}
	types, typesInferred := BreachTypes(inc)
	locs, locsInferred := Locations(ws, inc)
	switch {
	case typesInferred && locsInferred:
		hhsLines = append(hhsLines, "The type of breach and the location are read from the summary and the systems involved (incident.breach_type and incident.locations are not recorded): confirm them.")
	case typesInferred:
		hhsLines = append(hhsLines, "The type of breach is read from the summary (incident.breach_type is not recorded): confirm it.")
	case locsInferred:
		hhsLines = append(hhsLines, "The location is read from the systems involved (incident.locations is not recorded): confirm it.")
	}
	dr := newDraft(ToHHS, customer, "HHS breach report summary, 45 CFR 164.408", det, hhsLines...)

	offName, offEmail := officer(ws)
	fmt.Fprintf(&b, "# Breach report: %s\n\n", inc.ID)
	b.WriteString("## Reporting entity\n\n")
	switch {
	case len(forCE) == 1:
		fmt.Fprintf(&b, "- Name: %s (covered entity), reported by %s, its business associate, under their BAA\n", customerName(ws, forCE[0]), orgName(ws))
		fmt.Fprintf(&b, "- Type: %s\n", ph("covered entity type: health plan, health care provider or clearinghouse"))
	case len(forCE) > 1:
		fmt.Fprintf(&b, "- Name: %s (covered entity), reported by %s, its business associate, under their BAA\n", ph("one report per covered entity: "+strings.Join(forCE, ", ")), orgName(ws))
		fmt.Fprintf(&b, "- Type: %s\n", ph("covered entity type: health plan, health care provider or clearinghouse"))
	default:
		fmt.Fprintf(&b, "- Name: %s\n", orgName(ws))
		fmt.Fprintf(&b, "- Type: %s\n", orDefault(strings.Join(ws.Organization.Roles, ", "), "covered entity type: health plan, health care provider, clearinghouse, or business associate"))
	}
	fmt.Fprintf(&b, "- Address: %s\n", ph("street, city, state, ZIP"))
	fmt.Fprintf(&b, "- Contact: %s, %s, %s\n", offName, offEmail, ph("telephone"))
	if len(inc.Vendors) > 0 {
		var vs []string
		for _, id := range inc.Vendors {
			if v := ws.Vendor(id); v != nil && v.Name != "" {
				vs = append(vs, fmt.Sprintf("%s (%s)", v.Name, id))
			} else {
				vs = append(vs, id)
			}
		}
		fmt.Fprintf(&b, "- Vendors involved (the portal asks whether a business associate was): %s\n", strings.Join(vs, ", "))
	}

	fig := FiguresFor(inc, customer)
	if customer == "" && len(forCE) == 1 {
		fig = FiguresFor(inc, forCE[0])
	}
	b.WriteString("\n## The breach\n\n")
	fmt.Fprintf(&b, "- Breach start date: %s\n", occurred(inc))
	fmt.Fprintf(&b, "- Breach end date: %s\n", ph("end date, if known"))
	fmt.Fprintf(&b, "- Discovery date: %s\n", discovered(inc))
	fmt.Fprintf(&b, "- Approximate number of individuals affected: %s\n", individualsLine(fig))
	fmt.Fprintf(&b, "- Residents per state or jurisdiction: %s\n", statesLine(fig))
	if len(types) > 0 {
		fmt.Fprintf(&b, "- Type of breach: %s\n", strings.Join(types, ", "))
	} else {
		fmt.Fprintf(&b, "- Type of breach: %s\n", ph("one or more of: hacking/IT incident, unauthorized access/disclosure, theft, loss, improper disposal, other"))
	}
	loc := ph("one or more of: desktop computer, electronic medical record, e-mail, laptop, network server, other portable electronic device, paper/films, other")
	if len(locs) > 0 {
		loc = strings.Join(locs, ", ")
	}
	if len(inc.Systems) > 0 {
		var ss []string
		for _, id := range inc.Systems {
			ss = append(ss, systemLabel(ws, id))
		}
		loc += "; systems involved: " + strings.Join(ss, ", ")
	}
	fmt.Fprintf(&b, "- Location of breached information: %s\n", loc)
	fmt.Fprintf(&b, "- Type of PHI involved: %s\n", phiTypes(inc))
	fmt.Fprintf(&b, "- Brief description: %s\n", orDefault(sentence(inc.Summary), "what happened"))

	// Never contradict the incident: an encryption control is not listed
	// as a safeguard in place for PHI the incident records as
	// unencrypted, nor for a breached system that is not encrypted at
	// rest.
	b.WriteString("\n## Safeguards in place before the breach\n\n")
	var unencrypted []string
	for _, id := range inc.Systems {
		s := ws.System(id)
		if s == nil {
			continue
		}
		switch {
		case !s.EncryptedAtRest:
			fmt.Fprintf(&b, "- %s: not encrypted at rest\n", systemLabel(ws, id))
			unencrypted = append(unencrypted, id)
		case !inc.Encrypted:
			fmt.Fprintf(&b, "- %s: encrypted at rest per the inventory, but the breached PHI is recorded as not encrypted (incident.encrypted: false)\n", systemLabel(ws, id))
		default:
			fmt.Fprintf(&b, "- %s: encrypted at rest\n", systemLabel(ws, id))
		}
	}
	var implemented, notHere []string
	for _, c := range ws.Controls {
		if c.Status != "implemented" {
			continue
		}
		if encryptionControl(c.ID) && (len(unencrypted) > 0 || !inc.Encrypted) {
			notHere = append(notHere, c.ID)
			continue
		}
		implemented = append(implemented, c.ID)
	}
	if len(implemented) > 0 {
		fmt.Fprintf(&b, "- Controls recorded as implemented: %s\n", strings.Join(implemented, ", "))
	}
	if len(notHere) > 0 {
		where := "the breached PHI"
		if len(unencrypted) > 0 {
			where = strings.Join(unencrypted, ", ")
		}
		fmt.Fprintf(&b, "- Not in place for the breached information: %s (recorded as implemented elsewhere, but %s was not encrypted)\n", strings.Join(notHere, ", "), where)
	}
	if ra := ws.LatestRiskAnalysis(inc.Discovered); ra != nil {
		fmt.Fprintf(&b, "- Security Rule risk analysis: %s, performed %s\n", ra.ID, ra.Performed)
	} else {
		b.WriteString("- Security Rule risk analysis: none recorded before discovery\n")
	}
	fmt.Fprintf(&b, "- %s\n", ph("the portal's choices that apply: privacy rule safeguards (training, policies and procedures), security rule administrative / physical / technical safeguards, none"))

	b.WriteString("\n## Notice given\n\n")
	for _, n := range r.Notifications {
		if n.To == ToHHS || n.To == ToHHSAnnualLog || n.To == ToCoveredEntity || n.To == ToBusinessAssociate {
			continue // HHS is this report; a business associate's notice is not asked for
		}
		if customer != "" && n.OnBehalfOf != customer {
			continue
		}
		sent := ph("date sent")
		if !n.Sent.IsZero() {
			sent = n.Sent.String()
		}
		fmt.Fprintf(&b, "- %s: due %s, sent %s\n", Recipient(n), n.Due, sent)
	}
	fmt.Fprintf(&b, "- Substitute notice given: %s\n", ph("yes / no"))
	if d := inc.LawEnforcementDelay; d != nil {
		fmt.Fprintf(&b, "- Law-enforcement delay: %s statement of %s (164.412)\n", d.Kind, d.Requested)
	}

	b.WriteString("\n## Actions taken in response\n\n")
	if a := inc.Assessment; a != nil && strings.TrimSpace(a.Mitigation) != "" {
		fmt.Fprintf(&b, "- Mitigation: %s\n", sentence(a.Mitigation))
	}
	for _, e := range inc.Timeline {
		fmt.Fprintf(&b, "- %s: %s\n", e.Date, e.Note)
	}
	fmt.Fprintf(&b, "- %s\n", ph("the portal's choices that apply, e.g. security and/or privacy safeguards improved, sanctions imposed, policies revised, training provided, other"))
	dr.Letter = b.String()
	return dr
}

// DraftCoveredEntityNotice drafts a business associate's notice to one
// covered-entity customer (164.410). 164.410(c) asks for (1) the
// identification of each individual whose unsecured PHI has been, or is
// reasonably believed to have been, accessed, acquired, used or disclosed,
// to the extent possible, and (2) any other available information the
// covered entity needs for its own notice to individuals under 164.404(c),
// at the time of the notice or promptly as it becomes available.
func DraftCoveredEntityNotice(ws *workspace.Workspace, inc workspace.Incident, det Determination, customer string) string {
	return CustomerNotice(ws, inc, det, customer).Markdown()
}

// CustomerNotice is DraftCoveredEntityNotice's draft, its notes apart.
func CustomerNotice(ws *workspace.Workspace, inc workspace.Incident, det Determination, customer string) Draft {
	var b strings.Builder
	r := Deadlines(ws, inc, inc.Discovered)
	kind := CustomerRecipient(ws, customer)
	lines := []string{
		"Required content: 45 CFR 164.410(c)(1)–(2).",
		"Send by: " + dueFor(ws, r, kind, customer),
	}
	if kind == ToBusinessAssociate {
		lines = append(lines, "You are a subcontractor: a business associate of the business associate you serve (45 CFR 160.103), so your 164.410 notice goes to it, not to the covered entities it serves (164.504(e)(5)); it notifies them.")
	}
	if days, id := baaTerm(ws, customer, inc.Discovered); days > 0 {
		lines = append(lines, fmt.Sprintf("BAA %s sets a breach-notice term of %d days; follow any form or address for notices it names.", id, days))
	}
	if a := upstreamBAA(ws, customer, inc.Discovered, func(a workspace.Agreement) bool { return a.Agent }); a != nil {
		lines = append(lines, fmt.Sprintf("BAA %s makes you %s's agent: your discovery on %s started its own clock (164.404(a)(2)), so send this at once.", a.ID, customer, r.ClockStart))
	}
	if a := upstreamBAA(ws, customer, inc.Discovered, func(a workspace.Agreement) bool { return a.NotifiesOnBehalf }); a != nil && kind == ToCoveredEntity {
		lines = append(lines, fmt.Sprintf("BAA %s delegates %s's notices to individuals, the media and HHS to you: see those drafts too.", a.ID, customer))
	}
	if f := FiguresFor(inc, customer); !f.Known {
		lines = append(lines, fmt.Sprintf("The incident names %d customers and records no figures for %s (incident.affected): the letter leaves its head count as a placeholder. Never send one customer another's figures.", len(uniq(inc.Customers)), customer))
	} else if len(uniq(inc.Customers)) > 1 {
		lines = append(lines, fmt.Sprintf("The figures are %s's own (incident.affected): %d of the incident's %d individuals. Each customer's notice states only its own people.", customer, f.Individuals, inc.TotalIndividuals()))
	}
	title := "business associate notice to a covered entity, 45 CFR 164.410(c)"
	if kind == ToBusinessAssociate {
		title = "subcontractor notice to a business associate, 45 CFR 164.410(c)"
	}
	dr := newDraft(kind, customer, title, det, lines...)

	placeholder := "covered entity"
	if kind == ToBusinessAssociate {
		placeholder = "business associate"
	}
	to := customer
	if c := ws.Customer(customer); c != nil {
		to = orDefault(c.Name, customer)
		if c.Contact != "" {
			to += " (" + c.Contact + ")"
		}
	}
	to = orDefault(to, placeholder)
	name := orgName(ws)
	offName, offEmail := officer(ws)
	fmt.Fprintf(&b, "# Notice of a breach of unsecured protected health information\n\nTo: %s\nFrom: %s, %s (%s)\nDate: %s\nOur reference: %s\n\n", to, name, offName, offEmail, ph("date of this notice"), inc.ID)
	if kind == ToBusinessAssociate {
		fmt.Fprintf(&b, "As your subcontractor, a business associate of yours (45 CFR 160.103), %s is notifying you under 45 CFR 164.410 and our business associate agreement of a breach of unsecured protected health information we hold on your behalf, so that you can notify the covered entities it belongs to.\n\n", name)
	} else {
		fmt.Fprintf(&b, "As your business associate, %s is notifying you under 45 CFR 164.410 and our business associate agreement of a breach of unsecured protected health information we hold on your behalf.\n\n", name)
	}

	b.WriteString("## 1. Individuals affected (164.410(c)(1))\n\n")
	fig := FiguresFor(inc, customer)
	fmt.Fprintf(&b, "Number of your individuals affected: %s. Residents per state or jurisdiction: %s.\n\n", individualsLine(fig), statesLine(fig))
	fmt.Fprintf(&b, "The individuals are identified in the attached list: %s. %s\n\n", ph("attach the list: each individual's name and the identifiers and contact details you hold, sent by a secure channel"), ph("if some individuals cannot yet be identified, say so and when the list will be completed"))

	if kind == ToBusinessAssociate {
		b.WriteString("## 2. Information for the covered entities' notices to individuals (164.410(c)(2), 164.404(c))\n\n")
	} else {
		b.WriteString("## 2. Information for your notice to individuals (164.410(c)(2), 164.404(c))\n\n")
	}
	fmt.Fprintf(&b, "- What happened: %s\n", orDefault(sentence(inc.Summary), "what happened"))
	fmt.Fprintf(&b, "- Date of the breach: %s\n", occurred(inc))
	fmt.Fprintf(&b, "- Date we discovered it: %s\n", discovered(inc))
	fmt.Fprintf(&b, "- Types of PHI involved: %s\n", phiTypes(inc))
	if types, _ := BreachTypes(inc); len(types) > 0 {
		fmt.Fprintf(&b, "- Type of breach: %s\n", strings.Join(types, ", "))
	}
	if locs, _ := Locations(ws, inc); len(locs) > 0 {
		fmt.Fprintf(&b, "- Location of the information: %s\n", strings.Join(locs, ", "))
	}
	if len(inc.Systems) > 0 {
		var ss []string
		for _, id := range inc.Systems {
			ss = append(ss, systemLabel(ws, id))
		}
		fmt.Fprintf(&b, "- Systems involved: %s\n", strings.Join(ss, ", "))
	}
	if a := inc.Assessment; a != nil {
		if a.Nature != "" || a.UnauthorizedPerson != "" || a.AcquiredOrViewed != "" {
			fmt.Fprintf(&b, "- Our risk assessment (164.402(2)): nature and extent: %s; unauthorized person: %s; acquired or viewed: %s\n",
				clause(orDefault(a.Nature, "not yet assessed")), clause(orDefault(a.UnauthorizedPerson, "not yet assessed")), clause(orDefault(a.AcquiredOrViewed, "not yet assessed")))
		}
	}
	if a := inc.Assessment; a != nil && strings.TrimSpace(a.Mitigation) != "" {
		fmt.Fprintf(&b, "- What we have done to mitigate harm: %s\n", sentence(a.Mitigation))
	} else {
		fmt.Fprintf(&b, "- What we have done to mitigate harm: %s\n", ph("mitigation so far"))
	}
	fmt.Fprintf(&b, "- What we are doing to prevent a recurrence: %s\n", ph("safeguards added or strengthened"))
	fmt.Fprintf(&b, "- Steps individuals can take: %s\n", ph("suggested steps, e.g. review explanation-of-benefits statements; credit freeze if Social Security numbers were involved"))
	if d := inc.LawEnforcementDelay; d != nil {
		fmt.Fprintf(&b, "- Law-enforcement delay: a %s statement of %s asks that notification be delayed (164.412); please coordinate with us before notifying individuals, the media or HHS. %s\n", d.Kind, d.Requested, ph("the official's name and agency"))
	}
	fmt.Fprintf(&b, "\nWe will send further information promptly as it becomes available. Contact: %s, %s, %s.\n", offName, offEmail, ph("telephone"))
	dr.Letter = b.String()
	return dr
}

// clause trims s and the full stop that ends it, so that answers written
// as sentences can be joined with semicolons ("…data; unauthorized
// person: …", not "…data.; …").
func clause(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ".")
}

// sentence trims s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}
