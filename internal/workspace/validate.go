package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ward/internal/date"
)

// Enumerations that model.go keeps as comments.
var (
	Roles           = []string{RoleCoveredEntity, RoleBusinessAssociate, RoleSubcontractor}
	SOC2Types       = []string{"none", "type1", "type2"}
	SOC2Categories  = []string{"availability", "confidentiality", "processing-integrity", "privacy"}
	EvidenceSources = []string{SourceWorkspace, SourceUpload, SourceImporter, SourceCLI}
)

// oralDelayMaxDays: an oral law-enforcement request delays notification
// for no longer than 30 days from the oral statement, 45 CFR 164.412(b).
const oralDelayMaxDays = 30

// checker validates a decoded workspace: required fields, enumerations,
// ranges, unique ids and references between records.
type checker struct {
	l    *Loaded
	ws   *Workspace
	opt  Options
	errs Errors
	root *os.Root
	// ids of each kind, for references
	people, systems, vendors, customers, controls, analyses, evidence, threats, vulns map[string]int
	policies, trainings                                                               map[string]int
}

func (l *Loaded) validate(opt Options) Errors {
	c := &checker{l: l, ws: l.Workspace, opt: opt}
	defer func() {
		if c.root != nil {
			c.root.Close()
		}
	}()
	c.checkBounds()
	c.indexes()
	c.organization()
	c.checkPeople()
	c.checkSystems()
	c.checkFlows()
	c.checkVendors()
	c.checkCustomers()
	c.checkAgreements()
	c.checkLibrary()
	c.checkRiskAnalyses()
	c.checkRisks()
	c.checkControls()
	c.checkEvidence()
	c.checkIncidents()
	c.checkPrivacy()
	c.checkPolicies()
	c.checkTrainings()
	c.checkAcknowledgements()
	c.checkTrainingRecords()
	c.checkReminders()
	return c.errs
}

func (c *checker) errf(section string, i int, field, format string, args ...any) {
	idx := i
	if section == "organization" {
		idx = 0
	}
	// A value that could not be decoded, or sits inside one that could
	// not, was reported already; its zero value would only add noise.
	for f := field; ; f = parentField(f) {
		if c.l.bad[posKey{section, idx, f}] {
			return
		}
		if f == "" {
			break
		}
	}
	c.errs = append(c.errs, c.l.Errorf(section, i, field, format, args...))
}

func (c *checker) present(section string, i int, field string) bool {
	_, ok := c.l.lines[posKey{section, i, field}]
	return ok
}

// other names another record in an error about this one: its path and
// line in the files (vendors[0] (ws.yaml:6)), or, for a workspace edited
// in the web app or the API (Validate), which has no files and whose
// indices mean nothing to the person, "another vendor" (issue 19: a form
// said "vendors[11] (:0)").
func (c *checker) other(section string, first int, field string) string {
	file, line := c.l.Pos(section, first, field)
	if file == "" {
		return "another " + singular(section)
	}
	return fmt.Sprintf("%s (%s:%d)", c.l.Field(section, first, ""), file, line)
}

// singular is one record of a section, in words: risk_analyses → risk
// analysis.
func singular(section string) string {
	s := strings.ReplaceAll(section, "_", " ")
	switch {
	case s == "people":
		return "person"
	case strings.HasSuffix(s, "ses"):
		return strings.TrimSuffix(s, "es")
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	}
	return strings.TrimSuffix(s, "s")
}

// indexes records the first record of every id, reporting duplicates.
func (c *checker) indexes() {
	ids := func(section, field, kind string, n int, id func(int) string) map[string]int {
		m := map[string]int{}
		for i := range n {
			v := id(i)
			if v == "" {
				continue
			}
			if first, dup := m[v]; dup {
				c.errf(section, i, field, "%q is already the %s of %s; %ss must be unique", v, kind, c.other(section, first, field), kind)
				continue
			}
			m[v] = i
		}
		return m
	}
	ws := c.ws
	c.people = ids("people", "email", "email", len(ws.People), func(i int) string { return ws.People[i].Email })
	c.systems = ids("systems", "id", "id", len(ws.Systems), func(i int) string { return ws.Systems[i].ID })
	c.vendors = ids("vendors", "id", "id", len(ws.Vendors), func(i int) string { return ws.Vendors[i].ID })
	c.customers = ids("customers", "id", "id", len(ws.Customers), func(i int) string { return ws.Customers[i].ID })
	c.controls = ids("controls", "id", "id", len(ws.Controls), func(i int) string { return ws.Controls[i].ID })
	c.threats = ids("threats", "id", "id", len(ws.Threats), func(i int) string { return ws.Threats[i].ID })
	c.vulns = ids("vulnerabilities", "id", "id", len(ws.Vulnerabilities), func(i int) string { return ws.Vulnerabilities[i].ID })
	c.analyses = ids("risk_analyses", "id", "id", len(ws.RiskAnalyses), func(i int) string { return ws.RiskAnalyses[i].ID })
	c.evidence = ids("evidence", "id", "id", len(ws.Evidence), func(i int) string { return ws.Evidence[i].ID })
	ids("agreements", "id", "id", len(ws.Agreements), func(i int) string { return ws.Agreements[i].ID })
	ids("risks", "id", "id", len(ws.Risks), func(i int) string { return ws.Risks[i].ID })
	ids("incidents", "id", "id", len(ws.Incidents), func(i int) string { return ws.Incidents[i].ID })
	c.policies = ids("policies", "id", "id", len(ws.Policies), func(i int) string { return ws.Policies[i].ID })
	c.trainings = ids("trainings", "id", "id", len(ws.Trainings), func(i int) string { return ws.Trainings[i].ID })
	flows := map[string]int{}
	for i, f := range ws.Flows {
		if f.From == "" || f.To == "" {
			continue
		}
		if first, dup := flows[f.Key()]; dup {
			c.errf("flows", i, "", "the same flow as %s; give one of them a name to tell them apart", c.other("flows", first, ""))
			continue
		}
		flows[f.Key()] = i
	}
}

// required reports a missing value; hint says what belongs there.
func (c *checker) required(section string, i int, field, value, hint string) bool {
	if value != "" {
		return true
	}
	msg := "is missing"
	if hint != "" {
		msg += ": " + hint
	}
	c.errf(section, i, field, "%s", msg)
	return false
}

func (c *checker) oneOf(section string, i int, field, value string, allowed []string, required bool) {
	if value == "" {
		if required {
			c.errf(section, i, field, "is missing: one of %s", strings.Join(allowed, ", "))
		}
		return
	}
	if !slices.Contains(allowed, value) {
		c.errf(section, i, field, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
}

// ref checks that value names a record of another section.
func (c *checker) ref(section string, i int, field, value string, ids map[string]int, what string) bool {
	if value == "" {
		return true
	}
	if _, ok := ids[value]; ok {
		return true
	}
	msg := fmt.Sprintf("%q is not %s", value, what)
	if s := suggest(value, keys(ids)); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	c.errf(section, i, field, "%s", msg)
	return false
}

func (c *checker) person(section string, i int, field, email string) {
	c.ref(section, i, field, email, c.people, "the email of anyone listed under people")
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// score checks a likelihood or impact rating on the 1..5 scale.
func (c *checker) score(section string, i int, field string, v int, required bool) {
	if v == 0 && !c.present(section, i, field) {
		if required {
			c.errf(section, i, field, "is missing: rate 1 (lowest) to 5 (highest)")
		}
		return
	}
	if v == 0 && !required {
		return // zero residual means "as inherent"
	}
	if v < 1 || v > 5 {
		c.errf(section, i, field, "%d is outside the scale 1..5", v)
	}
}

func (c *checker) notNegative(section string, i int, field string, v int64) {
	if v < 0 {
		c.errf(section, i, field, "%d is negative", v)
	}
}

// file checks a path to an evidence or agreement file: inside the
// workspace folder, and there. os.Root refuses paths that escape the
// folder, including through symbolic links.
func (c *checker) file(section string, i int, field, p string) {
	if p == "" {
		return
	}
	native := filepath.FromSlash(p)
	if !filepath.IsLocal(native) {
		c.errf(section, i, field, "%q is outside the workspace folder: give a path inside it, relative to it", p)
		return
	}
	if c.l.Dir == "" {
		return // an in-memory workspace (Validate): the file is in the blob store
	}
	if c.root == nil {
		r, err := os.OpenRoot(c.l.Dir)
		if err != nil {
			c.errf(section, i, field, "cannot open the workspace folder to check %q: %v", p, err)
			return
		}
		c.root = r
	}
	fi, err := c.root.Stat(native)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.errf(section, i, field, "%q does not exist in the workspace folder (%s)", p, c.l.Dir)
	case err != nil:
		c.errf(section, i, field, "%q cannot be used: %v", p, errors.Unwrap(err))
	case fi.IsDir():
		c.errf(section, i, field, "%q is a folder, not a file", p)
	}
}

func (c *checker) organization() {
	o := c.ws.Organization
	const s = "organization"
	c.required(s, 0, "name", o.Name, "the organization's name")
	if o.Slug != "" && !validSlug(o.Slug) {
		c.errf(s, 0, "slug", "%q is not a slug: use lower-case letters, digits and single hyphens, such as %q", o.Slug, Slug(o.Slug))
	}
	for j, r := range o.Roles {
		c.oneOf(s, 0, fmt.Sprintf("roles[%d]", j), r, Roles, true)
	}
	c.person(s, 0, "officers.privacy", o.Officers.Privacy)
	c.person(s, 0, "officers.security", o.Officers.Security)
	c.oneOf(s, 0, "soc2.type", o.SOC2.Type, SOC2Types, false)
	for j, cat := range o.SOC2.Categories {
		c.oneOf(s, 0, fmt.Sprintf("soc2.categories[%d]", j), cat, SOC2Categories, true)
	}
	if o.SOC2.SkipType1 && (o.SOC2.Type == "type1" || o.SOC2.Type == "none") {
		c.errf(s, 0, "soc2.skip_type1", "skips the Type I report, but soc2.type is %s: skip_type1 is for a Type II target (type: type2)", o.SOC2.Type)
	}
	if n := o.Workforce.AckWithinDays; n != nil {
		c.notNegative(s, 0, "workforce.ack_within_days", int64(*n))
	}
	if n := o.Workforce.TerminationWithinDays; n != nil {
		c.notNegative(s, 0, "workforce.termination_within_days", int64(*n))
	}
	c.checkTrust()
	c.checkSSO()
	if len(o.RiskMatrix) > 0 {
		ok := len(o.RiskMatrix) == 5
		for _, row := range o.RiskMatrix {
			ok = ok && len(row) == 5
		}
		if !ok {
			c.errf(s, 0, "risk_matrix", "must be 5 rows (likelihood 1..5) of 5 levels each (impact 1..5)")
		}
	}
}

// checkTrust holds organization.trust to its sections, document kinds,
// references and bounds.
func (c *checker) checkTrust() {
	t := c.ws.Organization.Trust
	if t == nil {
		return
	}
	const s = "organization"
	seen := map[string]bool{}
	for j, sec := range t.Public {
		f := fmt.Sprintf("trust.public[%d]", j)
		c.oneOf(s, 0, f, sec, TrustSections, true)
		if seen[sec] {
			c.errf(s, 0, f, "%q is listed twice", sec)
		}
		seen[sec] = true
	}
	if t.Contact != "" && !strings.Contains(t.Contact, "@") {
		c.errf(s, 0, "trust.contact", "%q is not an e-mail address", t.Contact)
	}
	if n := t.SubprocessorNoticeDays; n < 0 || n > 365 {
		c.errf(s, 0, "trust.subprocessor_notice_days", "%d is outside 0..365: give the notice the organization promises in days (30 is common)", n)
	}
	if n := t.LinkHours; n < 0 || n > 24*30 {
		c.errf(s, 0, "trust.link_hours", "%d is outside 0..720: a download link lasts at most 30 days (default %d hours)", n, DefaultTrustLinkHours)
	}
	ids := map[string]int{}
	for j, d := range t.Documents {
		p := func(f string) string { return fmt.Sprintf("trust.documents[%d].%s", j, f) }
		if c.required(s, 0, p("id"), d.ID, "a short unique name such as soc2-report") {
			if !validSlug(d.ID) {
				c.errf(s, 0, p("id"), "%q is not an id: use lower-case letters, digits and single hyphens, such as %q", d.ID, Slug(d.ID))
			} else if first, dup := ids[d.ID]; dup {
				c.errf(s, 0, p("id"), "%q is already the id of organization.trust.documents[%d]", d.ID, first)
			}
			ids[d.ID] = j
		}
		c.oneOf(s, 0, p("kind"), d.Kind, TrustDocumentKinds, true)
		c.required(s, 0, p("title"), d.Title, "what the page calls it, such as SOC 2 Type II report")
		switch {
		case d.Evidence == "" && d.File == "":
			c.errf(s, 0, p("file"), "a document needs a file: give file (a path in the workspace folder) or evidence (an evidence id with a file)")
		case d.Evidence != "" && d.File != "":
			c.errf(s, 0, p("evidence"), "give either evidence or file, not both")
		case d.Evidence != "":
			if i, ok := c.evidence[d.Evidence]; !ok {
				c.errf(s, 0, p("evidence"), "%q is not an evidence id in this workspace", d.Evidence)
			} else if c.ws.Evidence[i].File == "" {
				c.errf(s, 0, p("evidence"), "evidence %q has no file to offer (only a link or a note)", d.Evidence)
			}
		default:
			c.file(s, 0, p("file"), d.File)
		}
	}
}

func (c *checker) checkPeople() {
	for i, p := range c.ws.People {
		if c.required("people", i, "email", p.Email, "every person is known by an e-mail address") && !strings.Contains(p.Email, "@") {
			c.errf("people", i, "email", "%q is not an e-mail address", p.Email)
		}
		if !p.Start.IsZero() && !p.End.IsZero() && p.End.Before(p.Start) {
			c.errf("people", i, "end", "%s is before start %s: end is the last day of work", p.End, p.Start)
		}
		for j, id := range p.Access {
			c.ref("people", i, fmt.Sprintf("access[%d]", j), id, c.systems, "a system id in this workspace")
		}
	}
}

func (c *checker) checkSystems() {
	for i, s := range c.ws.Systems {
		c.required("systems", i, "id", s.ID, "a short unique name such as patient-api")
		c.oneOf("systems", i, "kind", s.Kind, SystemKinds, true)
		c.ref("systems", i, "vendor", s.Vendor, c.vendors, "a vendor id in this workspace")
		c.person("systems", i, "owner", s.Owner)
	}
}

func (c *checker) checkFlows() {
	for i, f := range c.ws.Flows {
		if c.required("flows", i, "from", f.From, "the id of the system the data leaves") {
			c.ref("flows", i, "from", f.From, c.systems, "a system id in this workspace")
		}
		if c.required("flows", i, "to", f.To, "the id of the system the data reaches") {
			c.ref("flows", i, "to", f.To, c.systems, "a system id in this workspace")
		}
	}
}

func (c *checker) checkVendors() {
	for i, v := range c.ws.Vendors {
		c.required("vendors", i, "id", v.ID, "a short unique name such as aws")
	}
}

func (c *checker) checkCustomers() {
	for i, cu := range c.ws.Customers {
		c.required("customers", i, "id", cu.ID, "a short unique name such as st-marys")
	}
}

func (c *checker) checkAgreements() {
	const s = "agreements"
	for i, a := range c.ws.Agreements {
		c.required(s, i, "id", a.ID, "a short unique name such as baa-twilio")
		c.oneOf(s, i, "kind", a.Kind, AgreementKinds, true)
		c.oneOf(s, i, "direction", a.Direction, AgreementDirections, true)
		c.oneOf(s, i, "status", a.Status, AgreementStatuses, true)
		if c.required(s, i, "counterparty", a.Counterparty, "the vendor id (downstream) or customer id (upstream) that signed") {
			_, isVendor := c.vendors[a.Counterparty]
			_, isCustomer := c.customers[a.Counterparty]
			switch {
			case a.Direction == "downstream" && !isVendor && isCustomer:
				c.errf(s, i, "counterparty", "%q is a customer, and a downstream agreement is with a vendor (our subprocessor): use direction: upstream, or name a vendor", a.Counterparty)
			case a.Direction == "upstream" && !isCustomer && isVendor:
				c.errf(s, i, "counterparty", "%q is a vendor, and an upstream agreement is with a customer (a covered entity): use direction: downstream, or name a customer", a.Counterparty)
			case a.Direction == "downstream":
				c.ref(s, i, "counterparty", a.Counterparty, c.vendors, "a vendor id in this workspace")
			case a.Direction == "upstream":
				c.ref(s, i, "counterparty", a.Counterparty, c.customers, "a customer id in this workspace")
			case !isVendor && !isCustomer:
				c.errf(s, i, "counterparty", "%q is neither a vendor id nor a customer id in this workspace", a.Counterparty)
			}
		}
		c.notNegative(s, i, "breach_notice_days", int64(a.BreachNoticeDays))
		if !a.Effective.IsZero() && !a.Expires.IsZero() && a.Expires.Before(a.Effective) {
			c.errf(s, i, "expires", "%s is before effective %s", a.Expires, a.Effective)
		}
		c.file(s, i, "file", a.File)
		c.clauses(i, a)
		if a.Agent && a.Kind != "" && a.Kind != "baa" {
			c.errf(s, i, "agent", "an agency relationship is recorded on the BAA (kind: baa), not on a %s", a.Kind)
		}
		if a.NotifiesOnBehalf && (a.Kind != "baa" || a.Direction != "upstream") {
			c.errf(s, i, "notifies_on_behalf", "is read on an upstream BAA only (kind: baa, direction: upstream): it records that a covered entity delegated its breach notices to you")
		}
	}
}

// clauses checks an agreement's clause review: known checklist ids, each
// marked once, with a status.
func (c *checker) clauses(i int, a Agreement) {
	const s = "agreements"
	known := func(field, id string) {
		if c.opt.KnownClause != nil && !c.opt.KnownClause(id) {
			c.errf(s, i, field, "%q is not a clause of the BAA checklist (docs/workspace.md lists them, under agreements)", id)
		}
	}
	for j, id := range a.Clauses {
		known(fmt.Sprintf("clauses[%d]", j), id)
	}
	seen := map[string]bool{}
	for j, m := range a.ClauseReview {
		f := fmt.Sprintf("clause_review[%d]", j)
		if c.required(s, i, f+".clause", m.Clause, "a BAA checklist clause id such as permitted-uses") {
			known(f+".clause", m.Clause)
			if seen[m.Clause] {
				c.errf(s, i, f+".clause", "%q is marked twice: keep one mark per clause", m.Clause)
			}
			seen[m.Clause] = true
		}
		c.oneOf(s, i, f+".status", m.Status, ClauseStatuses, true)
	}
}

// checkLibrary checks the organization's own threats and vulnerabilities:
// a title, a category for a threat, ids the embedded library does not
// already use, and references that resolve.
func (c *checker) checkLibrary() {
	lib := func(f func(string) bool, id string) bool { return f != nil && f(id) }
	for i, t := range c.ws.Threats {
		const s = "threats"
		c.ownLibraryID(s, i, t.ID, "threat", "llm-prompt-retention", lib(c.opt.LibraryThreat, t.ID))
		c.required(s, i, "title", t.Title, "a short name for the threat")
		c.oneOf(s, i, "category", t.Category, ThreatCategories, true)
		for j, v := range t.Vulnerabilities {
			if _, ok := c.vulns[v]; !ok && !lib(c.opt.LibraryVulnerability, v) {
				c.errf(s, i, fmt.Sprintf("vulnerabilities[%d]", j), "%q is neither a vulnerability of the library (ward risk vulnerabilities) nor one listed under vulnerabilities", v)
			}
		}
		c.controlRefs(s, i, t.Controls)
	}
	for i, v := range c.ws.Vulnerabilities {
		const s = "vulnerabilities"
		c.ownLibraryID(s, i, v.ID, "vulnerability", "shared-front-desk-login", lib(c.opt.LibraryVulnerability, v.ID))
		c.required(s, i, "title", v.Title, "a short name for the weakness")
		c.controlRefs(s, i, v.Controls)
	}
}

// ownLibraryID checks the id of an own threat or vulnerability: present,
// an id a risk can name, and not one of the embedded library's (taken).
func (c *checker) ownLibraryID(s string, i int, id, what, example string, taken bool) {
	switch {
	case !c.required(s, i, "id", id, "a short unique name such as "+example):
	case !libraryID.MatchString(id):
		c.errf(s, i, "id", "%q is not an id: lower-case letters, digits and - . _ only, such as %s (risks name it)", id, example)
	case taken && what == "threat":
		c.errf(s, i, "id", "%q is already a threat of the embedded library (ward risk threats): risks can name it as it is; give your own threat another id", id)
	case taken:
		c.errf(s, i, "id", "%q is already a %s of the embedded library (ward risk %s): give your own another id", id, what, s)
	}
}

// libraryID is the form of an own threat's or vulnerability's id: a risk
// names it as its threat or vulnerability, beside free text.
var libraryID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// controlRefs checks a list of control ids: each adopted in the workspace
// or in the catalog.
func (c *checker) controlRefs(s string, i int, ids []string) {
	for j, id := range ids {
		if _, ok := c.controls[id]; ok || c.known(id) {
			continue
		}
		c.errf(s, i, fmt.Sprintf("controls[%d]", j), "%q is neither a control in this workspace nor in the catalog", id)
	}
}

func (c *checker) checkRiskAnalyses() {
	const s = "risk_analyses"
	for i, ra := range c.ws.RiskAnalyses {
		c.required(s, i, "id", ra.ID, "a short unique name such as ra-2026")
		if ra.Performed.IsZero() {
			c.errf(s, i, "performed", "is missing: the date the analysis was performed (YYYY-MM-DD)")
		}
		c.person(s, i, "performed_by", ra.PerformedBy)
		c.person(s, i, "approved_by", ra.ApprovedBy)
		if ra.Previous != "" && ra.Previous == ra.ID {
			c.errf(s, i, "previous", "an analysis cannot review itself: name the earlier analysis")
		} else {
			c.ref(s, i, "previous", ra.Previous, c.analyses, "a risk analysis id in this workspace")
		}
	}
}

func (c *checker) checkRisks() {
	const s = "risks"
	for i, r := range c.ws.Risks {
		c.required(s, i, "id", r.ID, "a short unique name")
		c.ref(s, i, "analysis", r.Analysis, c.analyses, "a risk analysis id in this workspace")
		if c.required(s, i, "asset", r.Asset, "the id of the system at risk") {
			c.ref(s, i, "asset", r.Asset, c.systems, "a system id in this workspace")
		}
		c.required(s, i, "threat", r.Threat, "what could happen, such as ransomware")
		c.required(s, i, "vulnerability", r.Vulnerability, "the weakness the threat would exploit")
		c.score(s, i, "likelihood", r.Likelihood, true)
		c.score(s, i, "impact", r.Impact, true)
		c.score(s, i, "residual_likelihood", r.ResidualLikelihood, false)
		c.score(s, i, "residual_impact", r.ResidualImpact, false)
		c.oneOf(s, i, "treatment", r.Treatment, RiskTreatments, true)
		c.person(s, i, "owner", r.Owner)
		c.person(s, i, "accepted_by", r.AcceptedBy)
		if r.Treatment == "accept" && r.AcceptedBy == "" {
			c.errf(s, i, "accepted_by", "is missing: an accepted risk needs the e-mail of the person who accepted it")
		}
		c.ref(s, i, "acceptance_record", r.AcceptanceRecord, c.evidence, "an evidence id in this workspace")
		c.controlRefs(s, i, r.Controls)
	}
}

func (c *checker) known(id string) bool { return c.opt.KnownControl == nil || c.opt.KnownControl(id) }

func (c *checker) checkControls() {
	const s = "controls"
	for i, ct := range c.ws.Controls {
		if c.required(s, i, "id", ct.ID, "a catalog control id such as access-review") && ct.Title == "" && !c.known(ct.ID) {
			msg := fmt.Sprintf("%q is not a catalog control; an organization's own control needs a title", ct.ID)
			c.errf(s, i, "id", "%s", msg)
		}
		c.oneOf(s, i, "status", ct.Status, ControlStatuses, true)
		c.oneOf(s, i, "frequency", ct.Frequency, Frequencies, false)
		c.person(s, i, "owner", ct.Owner)
		if ct.Status == "not-applicable" && ct.Justification == "" {
			c.errf(s, i, "justification", "is missing: say why the control does not apply (an auditor will ask)")
		}
		if ct.Status == "not-applicable" && ct.EquivalentMeasure == "" && c.opt.Addressable != nil {
			if specs := c.opt.Addressable(ct); len(specs) > 0 {
				c.errf(s, i, "equivalent_measure", "is missing: %s answers HIPAA addressable %s; not implementing it needs the equivalent alternative measure taken instead, or why none is reasonable (45 CFR 164.306(d)(3))",
					ct.ID, strings.Join(specs, ", "))
			}
		}
	}
}

func (c *checker) checkEvidence() {
	const s = "evidence"
	for i, e := range c.ws.Evidence {
		if e.Collected.IsZero() {
			c.errf(s, i, "collected", "is missing: the date the evidence was collected (YYYY-MM-DD)")
		}
		if len(e.ControlIDs()) == 0 {
			c.errf(s, i, "control", "is missing: name the control this evidence is for (control: ID, or controls: [ID, ...])")
		}
		c.ref(s, i, "control", e.Control, c.controls, "a control listed under controls")
		for j, id := range e.Controls {
			c.ref(s, i, fmt.Sprintf("controls[%d]", j), id, c.controls, "a control listed under controls")
		}
		if e.File == "" && e.Link == "" && e.Note == "" {
			c.errf(s, i, "file", "is missing: evidence needs a file, a link or a note")
		}
		if e.Supersedes != "" && e.Supersedes == e.ID {
			c.errf(s, i, "supersedes", "an item cannot supersede itself")
		} else {
			c.ref(s, i, "supersedes", e.Supersedes, c.evidence, "an evidence id in this workspace")
		}
		switch {
		case e.PeriodStart.IsZero() != e.PeriodEnd.IsZero():
			c.errf(s, i, "period_end", "period_start and period_end go together: give both or neither")
		case !e.PeriodStart.IsZero() && e.PeriodEnd.Before(e.PeriodStart):
			c.errf(s, i, "period_end", "%s is before period_start %s", e.PeriodEnd, e.PeriodStart)
		}
		c.notNegative(s, i, "size", e.Size)
		c.oneOf(s, i, "source", e.Source, EvidenceSources, false)
		c.file(s, i, "file", e.File)
	}
}

func (c *checker) checkIncidents() {
	const s = "incidents"
	for i, in := range c.ws.Incidents {
		c.required(s, i, "id", in.ID, "a short unique name such as inc-2026-001")
		if in.Discovered.IsZero() {
			// The breach clock runs from discovery, 164.404(a)(2).
			c.errf(s, i, "discovered", "is missing: the date the incident was discovered (YYYY-MM-DD)")
		}
		if !in.Occurred.IsZero() && !in.Discovered.IsZero() && in.Occurred.After(in.Discovered) {
			c.errf(s, i, "occurred", "%s is after discovered %s", in.Occurred, in.Discovered)
		}
		c.required(s, i, "summary", in.Summary, "one line on what happened")
		c.oneOf(s, i, "status", in.Status, IncidentStatuses, false)
		for j, id := range in.Systems {
			c.ref(s, i, fmt.Sprintf("systems[%d]", j), id, c.systems, "a system id in this workspace")
		}
		for j, id := range in.Vendors {
			c.ref(s, i, fmt.Sprintf("vendors[%d]", j), id, c.vendors, "a vendor id in this workspace")
		}
		for j, id := range in.Customers {
			c.ref(s, i, fmt.Sprintf("customers[%d]", j), id, c.customers, "a customer id in this workspace")
		}
		if in.HeldAs != "" {
			o := c.ws.Organization
			switch {
			case !slices.Contains(Capacities, in.HeldAs):
				c.errf(s, i, "held_as", "%q is not one of %s", in.HeldAs, strings.Join(Capacities, ", "))
			case in.HeldAs == RoleCoveredEntity && !o.HasRole(RoleCoveredEntity):
				c.errf(s, i, "held_as", "covered-entity: the organization does not declare the covered-entity role (organization.roles)")
			case in.HeldAs == RoleBusinessAssociate && !o.HasRole(RoleBusinessAssociate) && !o.HasRole(RoleSubcontractor):
				c.errf(s, i, "held_as", "business-associate: the organization declares neither the business-associate nor the subcontractor role (organization.roles)")
			}
		}
		if in.KeyCompromised != nil && !in.Encrypted {
			c.errf(s, i, "key_compromised", "is about the encryption key, but encrypted is false: set encrypted: true, or leave key_compromised out")
		}
		c.notNegative(s, i, "individuals", int64(in.Individuals))
		sum := 0
		for _, n := range in.States {
			sum += n
		}
		if in.Individuals > 0 && sum > in.Individuals {
			c.errf(s, i, "states", "the residents per state add up to %d, more than the %d individuals affected", sum, in.Individuals)
		}
		for _, st := range slices.Sorted(maps.Keys(in.States)) {
			c.notNegative(s, i, "states."+st, int64(in.States[st]))
			if !slices.Contains(Jurisdictions, st) {
				c.errf(s, i, "states."+st, "%q is not a US state or jurisdiction code (two capital letters, such as CA, DC or PR): media notice is counted per state or jurisdiction (45 CFR 164.406)", st)
			}
		}
		for _, p := range IncidentFigureProblems(in) {
			c.errf(s, i, p.Field, "%s", p.Message)
		}
		for j, n := range in.NoticesSent {
			c.notAfterToday(s, i, fmt.Sprintf("notices_sent[%d].sent", j), n.Sent, "the notice")
		}
		if d := in.LawEnforcementDelay; d != nil {
			c.oneOf(s, i, "law_enforcement_delay.kind", d.Kind, DelayKinds, true)
			if d.Requested.IsZero() {
				c.errf(s, i, "law_enforcement_delay.requested", "is missing: the date law enforcement asked for the delay")
			}
			switch {
			case d.Until.IsZero() && d.Kind == "written":
				c.errf(s, i, "law_enforcement_delay.until", "is missing: a written request delays notification for the time it specifies (164.412(a))")
			case d.Until.IsZero() && d.Kind == "oral":
				c.errf(s, i, "law_enforcement_delay.until", "is missing: an oral request delays notification at most %d days (164.412(b))", oralDelayMaxDays)
			case d.Until.IsZero() || d.Requested.IsZero():
			case d.Until.Before(d.Requested):
				c.errf(s, i, "law_enforcement_delay.until", "%s is before requested %s", d.Until, d.Requested)
			case d.Kind == "oral" && d.Requested.DaysUntil(d.Until) > oralDelayMaxDays:
				c.errf(s, i, "law_enforcement_delay.until", "%s is %d days after the oral request of %s; an oral request delays notification at most %d days (164.412(b)): record the written statement as kind: written",
					d.Until, d.Requested.DaysUntil(d.Until), d.Requested, oralDelayMaxDays)
			}
		}
		if a := in.Assessment; a != nil {
			c.oneOf(s, i, "assessment.exclusion", a.Exclusion, BreachExclusions, false)
			c.person(s, i, "assessment.decided_by", a.DecidedBy)
		}
		for j, t := range in.Timeline {
			f := fmt.Sprintf("timeline[%d]", j)
			if t.Date.IsZero() {
				c.errf(s, i, f+".date", "is missing: the date of this entry (YYYY-MM-DD)")
			}
			c.required(s, i, f+".note", t.Note, "what happened on that date")
		}
	}
}

// notAfterToday reports a date after Options.Today: what it records has
// not happened yet.
func (c *checker) notAfterToday(section string, i int, field string, d date.Date, what string) {
	if c.opt.Today.IsZero() || d.IsZero() || !d.After(c.opt.Today) {
		return
	}
	c.errf(section, i, field, "%s is in the future (today is %s): record %s once it has happened", d, c.opt.Today, what)
}

func (c *checker) audience(section string, i int, a Audience) {
	for j, r := range a {
		if strings.TrimSpace(r) == "" {
			c.errf(section, i, fmt.Sprintf("audience[%d]", j), "is empty: write all, or people's job roles")
		}
	}
}

// RecordSources are how an acknowledgement or a training
// completion was recorded besides the files (set by ward).
var RecordSources = []string{RecordWeb, SourceCLI, RecordImport}

func (c *checker) checkPolicies() {
	const s = "policies"
	for i, p := range c.ws.Policies {
		switch {
		case !c.required(s, i, "id", p.ID, "a short unique name such as sanctions"):
		case !libraryID.MatchString(p.ID):
			c.errf(s, i, "id", "%q is not an id: lower-case letters, digits and - . _ only, such as sanctions", p.ID)
		}
		c.required(s, i, "title", p.Title, "the policy's name, such as Sanctions policy")
		if p.Template != "" && c.opt.KnownTemplate != nil && !c.opt.KnownTemplate(p.Template) {
			c.errf(s, i, "template", "%q is not a built-in policy template (ward policy templates lists them); leave it out for the organization's own policy", p.Template)
		}
		c.person(s, i, "owner", p.Owner)
		c.audience(s, i, p.Audience)
		c.notNegative(s, i, "review_months", int64(p.ReviewMonths))
		c.controlRefs(s, i, p.Controls)
		if len(p.Versions) == 0 && !c.l.bad[posKey{s, i, "versions"}] {
			c.errf(s, i, "versions", "is missing: a policy needs at least one version, with the file that holds its text")
		}
		prev := 0
		for j, v := range p.Versions {
			f := fmt.Sprintf("versions[%d]", j)
			switch {
			case v.Version < 1:
				c.errf(s, i, f+".version", "is missing: versions are numbered 1, 2, 3, ... oldest first")
			case v.Version <= prev:
				c.errf(s, i, f+".version", "%d does not follow version %d: list the versions oldest first, each number once", v.Version, prev)
			}
			prev = max(prev, v.Version)
			if c.required(s, i, f+".file", v.File, "the Markdown file with this version's text, such as policies/"+p.ID+"-v1.md") {
				c.file(s, i, f+".file", v.File)
			}
			switch {
			case v.ApprovedBy != "" && v.ApprovedOn.IsZero():
				c.errf(s, i, f+".approved_on", "is missing: an approval has a date (approved_by and approved_on go together)")
			case v.ApprovedBy == "" && !v.ApprovedOn.IsZero():
				c.errf(s, i, f+".approved_by", "is missing: an approval names the person who approved (approved_by and approved_on go together)")
			}
			c.person(s, i, f+".approved_by", v.ApprovedBy)
			c.notAfterToday(s, i, f+".approved_on", v.ApprovedOn, "the approval")
			if !v.Effective.IsZero() && v.ApprovedOn.IsZero() {
				c.errf(s, i, f+".effective", "a draft has no effective date: approve the version first")
			} else if !v.Effective.IsZero() && v.Effective.Before(v.ApprovedOn) {
				c.errf(s, i, f+".effective", "%s is before approved_on %s: a version takes effect on or after its approval", v.Effective, v.ApprovedOn)
			}
		}
		for j, r := range p.Reviews {
			f := fmt.Sprintf("reviews[%d]", j)
			if r.On.IsZero() {
				c.errf(s, i, f+".on", "is missing: the date of the review (YYYY-MM-DD)")
			}
			c.notAfterToday(s, i, f+".on", r.On, "the review")
			if c.required(s, i, f+".by", r.By, "the e-mail of the person who reviewed the policy") {
				c.person(s, i, f+".by", r.By)
			}
		}
	}
}

func (c *checker) checkTrainings() {
	const s = "trainings"
	for i, t := range c.ws.Trainings {
		switch {
		case !c.required(s, i, "id", t.ID, "a short unique name such as hipaa-awareness"):
		case !libraryID.MatchString(t.ID):
			c.errf(s, i, "id", "%q is not an id: lower-case letters, digits and - . _ only, such as hipaa-awareness", t.ID)
		}
		c.required(s, i, "title", t.Title, "the training's name")
		c.audience(s, i, t.Audience)
		if t.WithinDaysOfHire != nil {
			c.notNegative(s, i, "within_days_of_hire", int64(*t.WithinDaysOfHire))
		}
		if t.EveryMonths != nil {
			c.notNegative(s, i, "every_months", int64(*t.EveryMonths))
		}
		c.controlRefs(s, i, t.Controls)
	}
}

func (c *checker) checkAcknowledgements() {
	const s = "acknowledgements"
	seen := map[string]int{}
	for i, a := range c.ws.Acknowledgements {
		if c.required(s, i, "person", a.Person, "the e-mail of the person who acknowledged") {
			c.person(s, i, "person", a.Person)
		}
		if c.required(s, i, "policy", a.Policy, "the id of the policy acknowledged") &&
			c.ref(s, i, "policy", a.Policy, c.policies, "a policy id in this workspace") {
			p := &c.ws.Policies[c.policies[a.Policy]]
			v := p.Version(a.Version)
			switch {
			case a.Version == 0 && !c.present(s, i, "version"):
				c.errf(s, i, "version", "is missing: the version of %s that was acknowledged", a.Policy)
			case v == nil:
				c.errf(s, i, "version", "policy %s has no version %d (its versions: %s)", a.Policy, a.Version, versionList(p))
			case !v.Approved():
				c.errf(s, i, "version", "version %d of %s is a draft: only an approved version can be acknowledged", a.Version, a.Policy)
			case !a.On.IsZero() && a.On.Before(v.ApprovedOn):
				c.errf(s, i, "on", "%s is before version %d of %s was approved (%s)", a.On, a.Version, a.Policy, v.ApprovedOn)
			}
		}
		if a.On.IsZero() {
			c.errf(s, i, "on", "is missing: the date of the acknowledgement (YYYY-MM-DD)")
		}
		c.notAfterToday(s, i, "on", a.On, "the acknowledgement")
		c.oneOf(s, i, "source", a.Source, RecordSources, false)
		if a.Person != "" && a.Policy != "" && a.Version > 0 {
			if first, dup := seen[a.Key()]; dup {
				c.errf(s, i, "", "%s acknowledged version %d of %s already (%s): keep one", a.Person, a.Version, a.Policy, c.other(s, first, ""))
			} else {
				seen[a.Key()] = i
			}
		}
	}
}

func versionList(p *Policy) string {
	var vs []string
	for _, v := range p.Versions {
		vs = append(vs, strconv.Itoa(v.Version))
	}
	if len(vs) == 0 {
		return "none"
	}
	return strings.Join(vs, ", ")
}

func (c *checker) checkTrainingRecords() {
	const s = "training_records"
	seen := map[string]int{}
	for i, r := range c.ws.TrainingRecords {
		if c.required(s, i, "person", r.Person, "the e-mail of the person who completed the training") {
			c.person(s, i, "person", r.Person)
		}
		if c.required(s, i, "training", r.Training, "the id of the training completed") {
			c.ref(s, i, "training", r.Training, c.trainings, "a training id in this workspace")
		}
		if r.Completed.IsZero() {
			c.errf(s, i, "completed", "is missing: the date the training was completed (YYYY-MM-DD)")
		}
		c.notAfterToday(s, i, "completed", r.Completed, "the completion")
		c.file(s, i, "file", r.File)
		c.oneOf(s, i, "source", r.Source, RecordSources, false)
		if r.Person != "" && r.Training != "" && !r.Completed.IsZero() {
			if first, dup := seen[r.Key()]; dup {
				c.errf(s, i, "", "%s completed %s on %s already (%s): keep one", r.Person, r.Training, r.Completed, c.other(s, first, ""))
			} else {
				seen[r.Key()] = i
			}
		}
	}
}

func (c *checker) checkReminders() {
	const s = "security_reminders"
	seen := map[string]int{}
	for i, r := range c.ws.SecurityReminders {
		if r.On.IsZero() {
			c.errf(s, i, "on", "is missing: the date the reminder went out (YYYY-MM-DD)")
		}
		c.notAfterToday(s, i, "on", r.On, "the reminder")
		c.required(s, i, "title", r.Title, "what the reminder was about")
		if !r.On.IsZero() && r.Title != "" {
			if first, dup := seen[r.Key()]; dup {
				c.errf(s, i, "", "the same reminder as %s (the same date and title)", c.l.Field(s, first, ""))
			} else {
				seen[r.Key()] = i
			}
		}
	}
}
