package incidents

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/incidents", Role: store.RoleEditor, Handler: newIncidentPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/incidents/{id}/assessment", Role: store.RoleEditor, Handler: saveAssessmentPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/incidents/{id}/timeline", Role: store.RoleEditor, Handler: addTimelinePage},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/incidents", Role: store.RoleEditor, Handler: createIncidentAPI},
		kit.Route{Method: "PUT", Pattern: "/api/v1/orgs/{org}/incidents/{id}", Role: store.RoleEditor, Handler: putIncidentAPI},
	)
}

// incidentCheck validates inc inside the write's transaction, against
// the organization as it is then (a system retired meanwhile).
func incidentCheck(inc workspace.Incident) func(cur *workspace.Workspace) error {
	return func(cur *workspace.Workspace) error {
		if fe := ValidateIncident(cur, inc); len(fe) > 0 {
			return &records.EditRefused{Errs: fe}
		}
		return nil
	}
}

// ValidateIncident applies the workspace's rules for an incident (the
// same as `ward apply`) and the assessment wizard's own: a conclusion of
// low probability needs all four factors of 164.402(2), and an assessment
// names who decided and when. It returns nil when inc may be stored.
func ValidateIncident(ws *workspace.Workspace, inc workspace.Incident) records.FieldErrors {
	fe := records.FieldErrors{}
	switch {
	case inc.ID == "":
		fe.Add("id", "is missing: a short unique name such as inc-2026-001")
	default:
		if err := bounds.ID(inc.ID); err != nil {
			fe.Add("id", "%v", err)
		}
	}
	if inc.Discovered.IsZero() {
		fe.Add("discovered", "is missing: the date the incident was discovered; every clock runs from it (164.404(a)(2))")
	}
	if !inc.Occurred.IsZero() && !inc.Discovered.IsZero() && inc.Occurred.After(inc.Discovered) {
		fe.Add("occurred", "%s is after discovered %s", inc.Occurred, inc.Discovered)
	}
	if strings.TrimSpace(inc.Summary) == "" {
		fe.Add("summary", "is missing: one line on what happened")
	}
	if inc.Status != "" && !slices.Contains(workspace.IncidentStatuses, inc.Status) {
		fe.Add("status", "%q is not one of %s", inc.Status, strings.Join(workspace.IncidentStatuses, ", "))
	}
	for _, id := range inc.Systems {
		if ws.System(id) == nil {
			fe.Add("systems", "%q is not a system in this organization", id)
		}
	}
	for _, id := range inc.Vendors {
		if ws.Vendor(id) == nil {
			fe.Add("vendors", "%q is not a vendor in this organization", id)
		}
	}
	for _, id := range inc.Customers {
		if ws.Customer(id) == nil {
			fe.Add("customers", "%q is not a customer in this organization", id)
		}
	}
	if inc.HeldAs != "" {
		o := ws.Organization
		switch {
		case !slices.Contains(workspace.Capacities, inc.HeldAs):
			fe.Add("held_as", "%q is not one of %s", inc.HeldAs, strings.Join(workspace.Capacities, ", "))
		case inc.HeldAs == workspace.RoleCoveredEntity && !o.HasRole(workspace.RoleCoveredEntity):
			fe.Add("held_as", "covered-entity: the organization does not declare the covered-entity role")
		case inc.HeldAs == workspace.RoleBusinessAssociate && !o.HasRole(workspace.RoleBusinessAssociate) && !o.HasRole(workspace.RoleSubcontractor):
			fe.Add("held_as", "business-associate: the organization declares neither the business-associate nor the subcontractor role")
		}
	}
	if inc.KeyCompromised != nil && !inc.Encrypted {
		fe.Add("key_compromised", "is about the encryption key, but the PHI is not recorded as encrypted")
	}
	if inc.Individuals < 0 {
		fe.Add("individuals", "%d is negative", inc.Individuals)
	}
	sum := 0
	for _, st := range slices.Sorted(maps.Keys(inc.States)) {
		n := inc.States[st]
		switch {
		case !slices.Contains(workspace.Jurisdictions, st):
			fe.Add("states", "%q is not a US state or jurisdiction code (CA, DC, PR)", st)
		case n < 0:
			fe.Add("states", "%s: %d is negative", st, n)
		}
		sum += n
	}
	if inc.Individuals > 0 && sum > inc.Individuals {
		fe.Add("states", "the residents per state add up to %d, more than the %d individuals affected", sum, inc.Individuals)
	}
	if d := inc.LawEnforcementDelay; d != nil {
		if !slices.Contains(workspace.DelayKinds, d.Kind) {
			fe.Add("law_enforcement_delay.kind", "%q is not one of written, oral", d.Kind)
		}
		if d.Requested.IsZero() {
			fe.Add("law_enforcement_delay.requested", "is missing: the date law enforcement asked for the delay")
		}
		switch {
		case d.Until.IsZero() && d.Kind == "written":
			fe.Add("law_enforcement_delay.until", "is missing: a written statement delays notification for the time it specifies (164.412(a))")
		case d.Until.IsZero() && d.Kind == "oral":
			fe.Add("law_enforcement_delay.until", "is missing: an oral statement delays notification at most %d days (164.412(b))", incident.OralDelayMaxDays)
		case d.Until.IsZero() || d.Requested.IsZero():
		case d.Until.Before(d.Requested):
			fe.Add("law_enforcement_delay.until", "%s is before the request of %s", d.Until, d.Requested)
		case d.Kind == "oral" && d.Requested.DaysUntil(d.Until) > incident.OralDelayMaxDays:
			fe.Add("law_enforcement_delay.until", "%s is %d days after the oral statement of %s; an oral statement delays notification at most %d days (164.412(b)): get it in writing and record it as written",
				d.Until, d.Requested.DaysUntil(d.Until), d.Requested, incident.OralDelayMaxDays)
		}
	}
	if a := inc.Assessment; a != nil {
		if a.Exclusion != "" && !slices.Contains(workspace.BreachExclusions, a.Exclusion) {
			fe.Add("assessment.exclusion", "%q is not one of %s", a.Exclusion, strings.Join(workspace.BreachExclusions, ", "))
		}
		if a.LowProbability {
			for _, f := range []struct{ field, value, what string }{
				{"assessment.nature", a.Nature, "(i) the nature and extent of the PHI and identifiers"},
				{"assessment.unauthorized_person", a.UnauthorizedPerson, "(ii) who used or received it"},
				{"assessment.acquired_or_viewed", a.AcquiredOrViewed, "(iii) whether it was actually acquired or viewed"},
				{"assessment.mitigation", a.Mitigation, "(iv) the extent of mitigation"},
			} {
				if strings.TrimSpace(f.value) == "" {
					fe.Add(f.field, "is missing: a low probability of compromise must be demonstrated by at least the four factors of 164.402(2); document %s, or conclude it is a breach", f.what)
				}
			}
		}
		switch {
		case a.DecidedBy == "":
			fe.Add("assessment.decided_by", "is missing: who made the determination (164.414(b) puts the burden of proof on you)")
		case ws.Person(a.DecidedBy) == nil:
			fe.Add("assessment.decided_by", "%q is not anyone listed under people", a.DecidedBy)
		}
		switch {
		case a.DecidedOn.IsZero():
			fe.Add("assessment.decided_on", "is missing: the date of the determination")
		case !inc.Discovered.IsZero() && a.DecidedOn.Before(inc.Discovered):
			fe.Add("assessment.decided_on", "%s is before the incident was discovered (%s)", a.DecidedOn, inc.Discovered)
		}
	}
	for _, p := range workspace.IncidentFigureProblems(inc) {
		fe.Add(p.Field, "%s", p.Message)
	}
	for i, t := range inc.Timeline {
		if t.Date.IsZero() {
			fe.Add(fmt.Sprintf("timeline[%d].date", i), "is missing: the date of this entry")
		}
		if strings.TrimSpace(t.Note) == "" {
			fe.Add(fmt.Sprintf("timeline[%d].note", i), "is missing: what happened on that date")
		}
	}
	// Then every rule `ward apply` holds an incident to, by field, where
	// the wizard's own rules have not already said something.
	for k, msg := range incidentWorkspaceErrors(ws, inc) {
		if _, ok := fe[k]; !ok {
			fe[k] = msg
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// incidentWorkspaceErrors validates the workspace with inc in it (in
// place of the incident with its id, or added) as `ward apply` does, and
// returns the errors about inc, by field.
func incidentWorkspaceErrors(ws *workspace.Workspace, inc workspace.Incident) map[string]string {
	w := *ws
	w.Incidents = slices.Clone(ws.Incidents)
	i := slices.IndexFunc(w.Incidents, func(x workspace.Incident) bool { return x.ID == inc.ID })
	if i < 0 {
		i = len(w.Incidents)
		w.Incidents = append(w.Incidents, inc)
	} else {
		w.Incidents[i] = inc
	}
	out := map[string]string{}
	for field, msg := range workspace.Validate(&w, records.ValidationOptions()).FieldErrors("incidents", i) {
		if field == "" {
			field = "id"
		}
		out[field] = msg
	}
	return out
}

// AssessmentForm is the breach assessment wizard as typed: the facts
// that decide whether notification is owed (PHI, individuals per state,
// secured or not, law-enforcement delay), the exclusions of 164.402(1),
// the four factors of 164.402(2), the conclusion and who decided when.
type AssessmentForm struct {
	PHIInvolved    bool
	PHITypes       string
	Individuals    string
	States         string // one "CA 600" or "CA=600" a line
	Secured        string // "secured" or "unsecured"
	KeyCompromised string // with secured: "no", "yes" or "" (not known)
	Exclusion      string
	Nature         string
	Unauthorized   string
	Acquired       string
	Mitigation     string
	LowProbability string // "yes" or "no"
	DelayKind      string // "", written, oral
	DelayRequested string
	DelayUntil     string
	DecidedBy      string
	DecidedOn      string
	// BreachType and Locations are the HHS portal's choices ticked;
	// Affected each customer's own figures (issue 19 item 12).
	BreachType []string
	Locations  []string
	Affected   []AffectedRow
	Errors     records.FieldErrors
}

// AffectedErrors are the errors of the per-customer figures, in field
// order.
func (f AssessmentForm) AffectedErrors() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(f.Errors)) {
		if strings.HasPrefix(k, "affected") || strings.HasPrefix(k, "customers[") {
			out = append(out, k+": "+f.Errors[k])
		}
	}
	return out
}

// Has reports whether v is among the ticked values.
func (AssessmentForm) Has(list []string, v string) bool { return slices.Contains(list, v) }

// AffectedRow is one customer's figures as typed in the wizard, and
// what is wrong with them.
type AffectedRow struct {
	Customer, Name, Individuals, States string
	Error                               string
}

// Choices the wizard offers for the type of breach and the location, in
// the HHS portal's words.
func (AssessmentForm) BreachTypeChoices() []records.Choice {
	return []records.Choice{{ID: "theft", Name: "theft"}, {ID: "loss", Name: "loss"}, {ID: "hacking", Name: "hacking/IT incident"}, {ID: "unauthorized-access", Name: "unauthorized access/disclosure"}, {ID: "improper-disposal", Name: "improper disposal"}, {ID: "other", Name: "other"}}
}

func (AssessmentForm) LocationChoices() []records.Choice {
	return []records.Choice{{ID: "laptop", Name: "laptop"}, {ID: "desktop", Name: "desktop computer"}, {ID: "portable-device", Name: "other portable electronic device"}, {ID: "network-server", Name: "network server"}, {ID: "email", Name: "e-mail"}, {ID: "emr", Name: "electronic medical record"}, {ID: "paper", Name: "paper/films"}, {ID: "other", Name: "other"}}
}

// statesText writes residents per state one "CA 600" a line.
func statesText(m map[string]int) string {
	var lines []string
	for _, st := range slices.Sorted(maps.Keys(m)) {
		lines = append(lines, fmt.Sprintf("%s %d", st, m[st]))
	}
	return strings.Join(lines, "\n")
}

// affectedRows lists the incident's customers with their figures, when
// it names more than one (one customer's figures are the incident's).
func affectedRows(ws *workspace.Workspace, inc workspace.Incident) []AffectedRow {
	if len(inc.Customers) < 2 {
		return nil
	}
	var rows []AffectedRow
	for _, c := range inc.Customers {
		row := AffectedRow{Customer: c, Name: c}
		if ws != nil {
			row.Name = customerLabel(ws, c)
		}
		if a := inc.AffectedOf(c); a != nil {
			if a.Individuals > 0 {
				row.Individuals = strconv.Itoa(a.Individuals)
			}
			row.States = statesText(a.States)
		}
		rows = append(rows, row)
	}
	return rows
}

// assessmentFormOf fills the wizard from the stored incident; the
// decision date defaults to today.
func assessmentFormOf(inc workspace.Incident, today date.Date) AssessmentForm {
	f := AssessmentForm{PHIInvolved: inc.PHIInvolved, PHITypes: strings.Join(inc.PHITypes, ", "), Secured: "unsecured", LowProbability: "no", DecidedOn: today.String(),
		BreachType: slices.Clone(inc.BreachType), Locations: slices.Clone(inc.Locations), Affected: affectedRows(nil, inc)}
	if inc.Encrypted {
		f.Secured = "secured"
	}
	if k := inc.KeyCompromised; k != nil {
		f.KeyCompromised = map[bool]string{true: "yes", false: "no"}[*k]
	}
	if inc.Individuals > 0 {
		f.Individuals = strconv.Itoa(inc.Individuals)
	}
	var lines []string
	for _, st := range slices.Sorted(maps.Keys(inc.States)) {
		lines = append(lines, fmt.Sprintf("%s %d", st, inc.States[st]))
	}
	f.States = strings.Join(lines, "\n")
	if d := inc.LawEnforcementDelay; d != nil {
		f.DelayKind, f.DelayRequested, f.DelayUntil = d.Kind, dateText(d.Requested), dateText(d.Until)
	}
	if a := inc.Assessment; a != nil {
		f.Exclusion, f.Nature, f.Unauthorized, f.Acquired, f.Mitigation = a.Exclusion, a.Nature, a.UnauthorizedPerson, a.AcquiredOrViewed, a.Mitigation
		if a.LowProbability {
			f.LowProbability = "yes"
		}
		if a.DecidedBy != "" {
			f.DecidedBy = a.DecidedBy
		}
		if !a.DecidedOn.IsZero() {
			f.DecidedOn = a.DecidedOn.String()
		}
	}
	return f
}

func dateText(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// readAssessmentForm reads the posted wizard.
func readAssessmentForm(r *http.Request) AssessmentForm {
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	return AssessmentForm{
		PHIInvolved: v("phi_involved") == "yes", PHITypes: v("phi_types"), Individuals: v("individuals"), States: v("states"),
		Secured: v("encrypted"), KeyCompromised: v("key_compromised"), Exclusion: v("assessment.exclusion"),
		Nature: v("assessment.nature"), Unauthorized: v("assessment.unauthorized_person"), Acquired: v("assessment.acquired_or_viewed"), Mitigation: v("assessment.mitigation"),
		LowProbability: v("assessment.low_probability"),
		DelayKind:      v("law_enforcement_delay.kind"), DelayRequested: v("law_enforcement_delay.requested"), DelayUntil: v("law_enforcement_delay.until"),
		DecidedBy: v("assessment.decided_by"), DecidedOn: v("assessment.decided_on"),
		BreachType: r.PostForm["breach_type"], Locations: r.PostForm["locations"], Affected: readAffected(r),
	}
}

// readAffected reads the per-customer rows: parallel lists of
// affected.customer, affected.individuals and affected.states.
func readAffected(r *http.Request) []AffectedRow {
	cs, ns, ss := r.PostForm["affected.customer"], r.PostForm["affected.individuals"], r.PostForm["affected.states"]
	var rows []AffectedRow
	for i, c := range cs {
		row := AffectedRow{Customer: strings.TrimSpace(c), Name: c}
		if i < len(ns) {
			row.Individuals = strings.TrimSpace(ns[i])
		}
		if i < len(ss) {
			row.States = strings.TrimSpace(ss[i])
		}
		rows = append(rows, row)
	}
	return rows
}

// parseStates reads residents per state, one "CA 600" (or CA=600) a
// line, adding errors under field.
func parseStates(fe records.FieldErrors, field, text string) map[string]int {
	var m map[string]int
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '=' || r == ':' || r == '\t' || r == ',' })
		if len(fields) != 2 {
			fe.Add(field, "line %d, %q: write a state code and a count, e.g. CA 600", i+1, line)
			continue
		}
		st := strings.ToUpper(fields[0])
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			fe.Add(field, "line %d, %q: %q is not a whole number", i+1, line, fields[1])
			continue
		}
		if m == nil {
			m = map[string]int{}
		}
		if _, dup := m[st]; dup {
			fe.Add(field, "line %d: %s is listed twice", i+1, st)
		}
		m[st] = n
	}
	return m
}

// apply writes the form onto a copy of inc; errors that the text itself
// causes (a number or date that does not parse) are in the result's
// errors, and ValidateIncident's are added to them.
func (f AssessmentForm) apply(ws *workspace.Workspace, inc workspace.Incident) (workspace.Incident, records.FieldErrors) {
	fe := records.FieldErrors{}
	inc.PHIInvolved = f.PHIInvolved
	inc.PHITypes = nil
	for _, t := range strings.Split(f.PHITypes, ",") {
		if t = strings.TrimSpace(t); t != "" {
			inc.PHITypes = append(inc.PHITypes, t)
		}
	}
	inc.Individuals = 0
	if f.Individuals != "" {
		n, err := strconv.Atoi(f.Individuals)
		if err != nil {
			fe.Add("individuals", "%q is not a whole number", f.Individuals)
		}
		inc.Individuals = n
	}
	inc.States = parseStates(fe, "states", f.States)
	inc.BreachType, inc.Locations = nil, nil
	for _, t := range f.BreachType {
		if t != "" && !slices.Contains(inc.BreachType, t) {
			inc.BreachType = append(inc.BreachType, t)
		}
	}
	for _, l := range f.Locations {
		if l != "" && !slices.Contains(inc.Locations, l) {
			inc.Locations = append(inc.Locations, l)
		}
	}
	// Each customer's own figures; the totals are their sums when left
	// blank, and must match them otherwise.
	inc.Affected = nil
	filled := false
	for _, row := range f.Affected {
		filled = filled || row.Individuals != "" || row.States != ""
	}
	if filled {
		for i, row := range f.Affected {
			a := workspace.Affected{Customer: row.Customer}
			field := fmt.Sprintf("affected[%d]", i)
			if row.Individuals != "" {
				n, err := strconv.Atoi(row.Individuals)
				if err != nil {
					fe.Add(field+".individuals", "%q is not a whole number", row.Individuals)
				}
				a.Individuals = n
			}
			a.States = parseStates(fe, field+".states", row.States)
			if a.Individuals == 0 {
				for _, n := range a.States {
					a.Individuals += n
				}
			}
			inc.Affected = append(inc.Affected, a)
		}
		if f.Individuals == "" {
			inc.Individuals = inc.TotalIndividuals()
		}
		if strings.TrimSpace(f.States) == "" {
			inc.States = inc.TotalStates()
		}
	}
	if inc.Individuals == 0 && len(inc.States) > 0 {
		// Only the per-state counts were given: they are the total.
		for _, n := range inc.States {
			inc.Individuals += n
		}
	}
	inc.KeyCompromised = nil
	switch f.Secured {
	case "secured":
		inc.Encrypted = true
		// HHS guidance: encrypted PHI is secured only if the key was not
		// breached; not known leaves the safe harbor unestablished.
		switch f.KeyCompromised {
		case "no":
			inc.KeyCompromised = ptrBool(false)
		case "yes":
			inc.KeyCompromised = ptrBool(true)
		case "":
		default:
			fe.Add("key_compromised", "%q is not no, yes or not known", f.KeyCompromised)
		}
	case "unsecured":
		inc.Encrypted = false
	default:
		fe.Add("encrypted", "choose whether the PHI was encrypted or destroyed per HHS guidance")
	}
	parseDate := func(field, s string) date.Date {
		if s == "" {
			return date.Date{}
		}
		d, err := date.ParseInput(s)
		if err != nil {
			fe.Add(field, "%v", err)
		}
		return d
	}
	inc.LawEnforcementDelay = nil
	switch f.DelayKind {
	case "":
	case "written", "oral":
		inc.LawEnforcementDelay = &workspace.Delay{Kind: f.DelayKind,
			Requested: parseDate("law_enforcement_delay.requested", f.DelayRequested),
			Until:     parseDate("law_enforcement_delay.until", f.DelayUntil)}
	default:
		fe.Add("law_enforcement_delay.kind", "%q is not none, written or oral", f.DelayKind)
	}
	a := &workspace.Assessment{Exclusion: f.Exclusion, Nature: f.Nature, UnauthorizedPerson: f.Unauthorized, AcquiredOrViewed: f.Acquired, Mitigation: f.Mitigation,
		DecidedBy: f.DecidedBy, DecidedOn: parseDate("assessment.decided_on", f.DecidedOn)}
	switch f.LowProbability {
	case "yes":
		a.LowProbability = true
	case "no":
	default:
		fe.Add("assessment.low_probability", "choose whether the assessment demonstrates a low probability of compromise")
	}
	inc.Assessment = a
	for k, v := range ValidateIncident(ws, inc) {
		if _, ok := fe[k]; !ok {
			fe[k] = v
		}
	}
	if len(fe) == 0 {
		return inc, nil
	}
	return inc, fe
}

// saveAssessmentPage is the wizard's POST: with action=preview it shows
// the determination and deadlines the answers give without saving;
// otherwise it saves them through the store (audited) and shows the
// incident, or, when an answer is wrong, the form again with the errors
// next to the fields and nothing written.
func saveAssessmentPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, stored, asOf, ok := incidentFormPost(s, w, r)
	if !ok {
		return
	}
	id := stored.ID
	form := readAssessmentForm(r)
	inc, fe := form.apply(ws, *stored)
	if fe != nil {
		d := incidentDetailOf(ws, *stored, asOf)
		d.Version = records.FormVersion(r.PostForm)
		form.Errors = fe
		d.Form, d.Entry = form, TimelineForm{Date: s.Today().String()}
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "incident.html", d)
		return
	}
	if r.PostForm.Get("action") == "preview" {
		d := incidentDetailOf(ws, inc, asOf)
		d.Version = records.FormVersion(r.PostForm)
		d.Form, d.Entry, d.Preview = form, TimelineForm{Date: s.Today().String()}, true
		s.Render(w, r, "incident.html", d)
		return
	}
	if !putIncident(s, w, r, ws, *stored, inc, asOf, store.Cond{Update: true, Version: records.FormVersion(r.PostForm)}) {
		return
	}
	s.FormSaved(r)
	http.Redirect(w, r, incidentURL(r, id, "assessment")+"#determination", http.StatusSeeOther)
}

// incidentFormPost is what the incident page's forms start from: the as-of
// date, the workspace, the incident of the path and the parsed form. It
// answers the request itself when any of them is wrong.
func incidentFormPost(s *kit.Server, w http.ResponseWriter, r *http.Request) (*workspace.Workspace, *workspace.Incident, date.Date, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "as_of must be a date written YYYY-MM-DD, e.g. 2026-11-23.")
		return nil, nil, date.Date{}, false
	}
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return nil, nil, date.Date{}, false
	}
	id := r.PathValue("id")
	stored := ws.Incident(id)
	if stored == nil {
		s.Fail(w, r, false, http.StatusNotFound, "No incident "+id+" in this organization.")
		return nil, nil, date.Date{}, false
	}
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read")
		return nil, nil, date.Date{}, false
	}
	return ws, stored, asOf, true
}

// putIncident writes an edit of the incident from one of its page's
// forms if cond holds, checked inside the write's transaction. A refusal
// is answered here (the page again, 409 or 422, with what was typed);
// false then.
func putIncident(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, stored, inc workspace.Incident, asOf date.Date, cond store.Cond) bool {
	cond.Check = incidentCheck(inc)
	_, err := s.Org(r).PutIf(r.Context(), kit.CurrentUser(r).Email, store.KindIncident, inc.ID, inc, cond)
	if err == nil {
		return true
	}
	var refused *records.EditRefused
	var stale *store.StaleError
	msg, status := "", http.StatusConflict
	switch {
	case errors.As(err, &stale):
		msg = "Not saved: " + err.Error() + " The incident below is as it is now; your entries are kept in the form."
	case errors.As(err, &refused):
		msg, status = "Not saved: "+records.FieldErrors(refused.Errs).Summary(), http.StatusUnprocessableEntity
	default:
		records.WriteRefused(s, w, r, false, err)
		return false
	}
	fresh, ferr := s.Org(r).Workspace(r.Context())
	cur := fresh.Incident(inc.ID)
	if ferr != nil || cur == nil {
		records.WriteRefused(s, w, r, false, err)
		return false
	}
	d := incidentDetailOf(fresh, *cur, asOf)
	d.Version, _ = s.Org(r).Version(r.Context(), store.KindIncident, inc.ID)
	d.Form, d.Entry = readAssessmentForm(r), TimelineForm{Date: strings.TrimSpace(r.PostForm.Get("date")), Note: strings.TrimSpace(r.PostForm.Get("note"))}
	if d.Form.Errors == nil {
		d.Form.Errors = records.FieldErrors{}
	}
	d.Form.Errors.Add("", "%s", msg)
	s.RenderStatus(w, r, status, "incident.html", d)
	return false
}

// incidentURL is the incident's page, keeping ?as_of= and saying what was
// saved.
func incidentURL(r *http.Request, id, saved string) string {
	q := url.Values{}
	if v := r.URL.Query().Get("as_of"); v != "" {
		q.Set("as_of", v)
	}
	if saved != "" {
		q.Set("saved", saved)
	}
	u := "/orgs/" + kit.CurrentOrg(r).Slug + "/incidents/" + url.PathEscape(id)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func ptrBool(b bool) *bool { return &b }

// TimelineForm is a timeline entry as typed. Knew marks the day the
// breach was known to a workforce member or agent (164.404(a)(2)).
type TimelineForm struct {
	Date, Note string
	Knew       bool
	Errors     records.FieldErrors
}

// addTimelinePage appends an entry (by the logged-in user) to the
// incident's timeline. "notified:hhs" and the like record a notice as
// given (see package incident).
func addTimelinePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, stored, asOf, ok := incidentFormPost(s, w, r)
	if !ok {
		return
	}
	id := stored.ID
	tf := TimelineForm{Date: strings.TrimSpace(r.PostForm.Get("date")), Note: strings.TrimSpace(r.PostForm.Get("note")), Knew: r.PostForm.Get("knew") != "", Errors: records.FieldErrors{}}
	d, err := date.ParseInput(tf.Date)
	switch {
	case tf.Date == "":
		tf.Errors.Add("date", "is missing: the date of this entry")
	case err != nil:
		tf.Errors.Add("date", "%v", err)
	case !stored.Occurred.IsZero() && d.Before(stored.Occurred):
		tf.Errors.Add("date", "%s is before the incident occurred (%s)", d, stored.Occurred)
	}
	if tf.Note == "" {
		tf.Errors.Add("note", "is missing: what happened (a notice given is recorded with Mark sent, next to its deadline)")
	}
	inc := *stored
	inc.Timeline = append(slices.Clone(stored.Timeline), workspace.TimelineEntry{Date: d, By: kit.CurrentUser(r).Email, Note: tf.Note, Knew: tf.Knew})
	if len(tf.Errors) == 0 {
		if fe := ValidateIncident(ws, inc); fe != nil {
			tf.Errors.Add("note", "%s", fe.Summary())
		}
	}
	if len(tf.Errors) > 0 {
		det := incidentDetailOf(ws, *stored, asOf)
		det.Version = records.FormVersion(r.PostForm)
		det.Form, det.Entry = assessmentFormOf(*stored, s.Today()), tf
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "incident.html", det)
		return
	}
	if !putIncident(s, w, r, ws, *stored, inc, asOf, store.Cond{Update: true, Version: records.FormVersion(r.PostForm)}) {
		return
	}
	http.Redirect(w, r, incidentURL(r, id, "timeline")+"#timeline", http.StatusSeeOther)
}

// NewIncidentForm is the "new incident" form on the incident log.
type NewIncidentForm struct {
	ID, Discovered, Occurred, Summary, Status string
	PHIInvolved                               bool
	Systems, Vendors, Customers               []string
	Errors                                    records.FieldErrors
	Open                                      bool
}

// Statuses are the incident statuses the form offers.
func (NewIncidentForm) Statuses() []string { return workspace.IncidentStatuses }

// newIncidentPage records a new incident (then the wizard on its page
// assesses it), or shows the log again with the form's errors and nothing
// written.
func newIncidentPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	o := s.Org(r)
	ws, err := o.Workspace(ctx)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read")
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	if v("id") == "" {
		// Left to ward: the next free number of the year it was
		// discovered.
		retired, err := records.RetiredKeys(ctx, o, store.KindIncident)
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		year := s.Today().Year()
		if d, err := date.ParseInput(v("discovered")); err == nil {
			year = d.Year()
		}
		r.PostForm.Set("id", records.NextIncidentID(ws, retired, year))
	}
	f := NewIncidentForm{ID: v("id"), Discovered: v("discovered"), Occurred: v("occurred"), Summary: v("summary"), Status: v("status"),
		PHIInvolved: v("phi_involved") == "yes", Systems: r.PostForm["systems"], Vendors: r.PostForm["vendors"], Customers: r.PostForm["customers"], Errors: records.FieldErrors{}, Open: true}
	inc := workspace.Incident{ID: f.ID, Summary: f.Summary, Status: f.Status, PHIInvolved: f.PHIInvolved, Systems: f.Systems, Vendors: f.Vendors, Customers: f.Customers}
	for _, p := range []struct {
		field, text string
		dst         *date.Date
	}{{"discovered", f.Discovered, &inc.Discovered}, {"occurred", f.Occurred, &inc.Occurred}} {
		if p.text == "" {
			continue
		}
		d, err := date.ParseInput(p.text)
		if err != nil {
			f.Errors.Add(p.field, "%v", err)
		}
		*p.dst = d
	}
	if inc.ID != "" && ws.Incident(inc.ID) != nil {
		f.Errors.Add("id", "%q is already an incident of this organization", inc.ID)
	}
	for k, msg := range ValidateIncident(ws, inc) {
		f.Errors.Add(k, "%s", msg)
	}
	if len(f.Errors) > 0 {
		l, status, msg, err := incidentLog(s, r)
		switch {
		case err != nil:
			s.ServerError(w, r, false, err)
		case status != 0:
			s.Fail(w, r, false, status, msg)
		default:
			l.New = &f
			l.fillChoices(ws)
			s.RenderStatus(w, r, http.StatusUnprocessableEntity, "incidents.html", l)
		}
		return
	}
	_, err = o.PutIf(ctx, kit.CurrentUser(r).Email, store.KindIncident, inc.ID, inc, store.Cond{Create: true, Check: incidentCheck(inc)})
	var refused *records.EditRefused
	switch {
	case errors.As(err, &refused):
		f.Errors = refused.Errs
	case errors.Is(err, store.ErrConflict):
		f.Errors.Add("id", "%q was created by someone else meanwhile", inc.ID)
	case err != nil:
		records.WriteRefused(s, w, r, false, err)
		return
	}
	if len(f.Errors) > 0 {
		l, status, msg, err := incidentLog(s, r)
		switch {
		case err != nil:
			s.ServerError(w, r, false, err)
		case status != 0:
			s.Fail(w, r, false, status, msg)
		default:
			l.New = &f
			l.fillChoices(ws)
			s.RenderStatus(w, r, http.StatusConflict, "incidents.html", l)
		}
		return
	}
	http.Redirect(w, r, incidentURL(r, inc.ID, "created")+"#assessment", http.StatusSeeOther)
}

// incidentBody reads an incident sent as JSON (the workspace's shape,
// as GET /api/v1/orgs/{org}/incidents/{id} shows it under "incident").
func incidentBody(r *http.Request) (workspace.Incident, error) {
	var inc workspace.Incident
	if err := strictjson.Decode(r.Body, 1<<20, &inc); err != nil {
		return inc, fmt.Errorf("the body is not an incident as JSON: %v", err)
	}
	return inc, nil
}

// createIncidentAPI is POST /api/v1/orgs/{org}/incidents: a new incident,
// answered with its detail (201) or the errors by field (422).
func createIncidentAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	writeIncidentAPI(s, w, r, true)
}

// putIncidentAPI is PUT /api/v1/orgs/{org}/incidents/{id}: replace the
// incident (assessment included) with the body.
func putIncidentAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	writeIncidentAPI(s, w, r, false)
}

func writeIncidentAPI(s *kit.Server, w http.ResponseWriter, r *http.Request, create bool) {
	ctx := r.Context()
	version, ok := records.IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the incident (a quoted version such as "3"), or *`)
		return
	}
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, "as_of must be a date written YYYY-MM-DD, e.g. 2026-11-23.")
		return
	}
	inc, err := incidentBody(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	o := s.Org(r)
	ws, err := o.Workspace(ctx)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	fe := ValidateIncident(ws, inc)
	if fe == nil {
		fe = records.FieldErrors{}
	}
	if create {
		if inc.ID != "" && ws.Incident(inc.ID) != nil {
			fe.Add("id", "%q is already an incident of this organization: PUT /api/v1/orgs/%s/incidents/%s changes it", inc.ID, kit.CurrentOrg(r).Slug, inc.ID)
		}
	} else {
		id := r.PathValue("id")
		if ws.Incident(id) == nil {
			kit.APIError(w, http.StatusNotFound, "No incident "+id+" in this organization.")
			return
		}
		if inc.ID != id {
			fe.Add("id", "%q differs from the address's %q: an incident's id cannot be changed", inc.ID, id)
		}
	}
	if len(fe) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.APIFieldErrors{Error: fe.Summary(), Fields: fe})
		return
	}
	cond := store.Cond{Update: true, Version: version, Check: incidentCheck(inc)}
	if create {
		cond = store.Cond{Create: true, Check: incidentCheck(inc)}
	}
	ch, err := o.PutIf(ctx, kit.CurrentUser(r).Email, store.KindIncident, inc.ID, inc, cond)
	var refused *records.EditRefused
	if errors.As(err, &refused) {
		fe := records.FieldErrors(refused.Errs)
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.APIFieldErrors{Error: fe.Summary(), Fields: fe})
		return
	}
	if err != nil {
		records.WriteRefused(s, w, r, true, err)
		return
	}
	records.SetETag(w, ch.Version)
	ws, err = o.Workspace(ctx)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	d := incidentDetailOf(ws, *ws.Incident(inc.ID), asOf)
	d.Version = ch.Version
	kit.WriteJSON(w, status, d)
}
