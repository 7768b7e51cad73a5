package incidents

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/incidents", Role: store.RoleViewer, Handler: kit.CachedGET(incidentsPage)},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/incidents/{id}", Role: store.RoleViewer, Handler: incidentPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/incidents", Role: store.RoleViewer, Handler: kit.CachedGET(incidentsAPI)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/incidents/{id}", Role: store.RoleViewer, Handler: incidentAPI},
	)
}

// IncidentRow is one incident of the log with its 164.402 determination
// and its notification deadlines as of a date.
type IncidentRow struct {
	ID            string                 `json:"id"`
	Discovered    date.Date              `json:"discovered"`
	Summary       string                 `json:"summary"`
	Status        string                 `json:"status"`
	Determination incident.Determination `json:"determination"`
	Notifications []NoticeDue            `json:"notifications"`
	DeadlineNote  string                 `json:"deadline_note"`
	// HeldAs, ClockStart and Warnings are the deadlines' (issue 14): the
	// capacity the PHI was held in, the discovery date the clocks run
	// from, and what to know about them.
	HeldAs     string    `json:"held_as,omitempty"`
	ClockStart date.Date `json:"clock_start,omitzero"`
	Warnings   []string  `json:"warnings"`
	// Assumptions are the notices' assumptions, each once with the
	// notices it applies to, for the page.
	Assumptions []string `json:"-"`
	// CoveredEntityNotices are, for a business associate, what each
	// covered entity must then do itself, as information (issue 19);
	// StateLaw the standing note on state breach laws.
	CoveredEntityNotices []NoticeDue `json:"covered_entity_notices"`
	StateLaw             string      `json:"state_law_note,omitempty"`
}

// IncidentLog is GET /orgs/{org}/incidents and its JSON twin.
type IncidentLog struct {
	AsOf      date.Date     `json:"as_of"`
	Incidents []IncidentRow `json:"incidents"`

	// New is the "new incident" form for editors, with the choices of
	// systems, vendors and customers it offers.
	New       *NewIncidentForm `json:"-"`
	Systems   []records.Choice `json:"-"`
	Vendors   []records.Choice `json:"-"`
	Customers []records.Choice `json:"-"`
}

// fillChoices lists the systems, vendors and customers the new-incident
// form offers, ticking those it names.
func (l *IncidentLog) fillChoices(ws *workspace.Workspace) {
	l.Systems, l.Vendors, l.Customers = nil, nil, nil
	for _, x := range ws.Systems {
		l.Systems = append(l.Systems, records.Choice{ID: x.ID, Name: x.Name, Checked: slices.Contains(l.New.Systems, x.ID)})
	}
	for _, x := range ws.Vendors {
		l.Vendors = append(l.Vendors, records.Choice{ID: x.ID, Name: x.Name, Checked: slices.Contains(l.New.Vendors, x.ID)})
	}
	for _, x := range ws.Customers {
		l.Customers = append(l.Customers, records.Choice{ID: x.ID, Name: x.Name, Checked: slices.Contains(l.New.Customers, x.ID)})
	}
}

// NoticeDraft is one drafted notice; Customer is set for a covered-entity
// notice (one per customer the incident names), and for an HHS report
// given on one covered entity's behalf. Text is the whole draft as
// Markdown (as `ward breach deadlines --draft` prints it); Notes, Letter
// (the letter as plain text) and Placeholders serve the page, which
// shows the letter rendered with the notes beside it.
type NoticeDraft struct {
	Title        string   `json:"title"`
	Kind         string   `json:"kind"`
	Customer     string   `json:"customer,omitempty"`
	Text         string   `json:"text"`
	Notes        []string `json:"notes"`
	Letter       string   `json:"letter"`
	Placeholders int      `json:"placeholders"`
	// HTML is the letter rendered; Anchor the element id of the draft.
	HTML   template.HTML `json:"-"`
	Anchor string        `json:"-"`
}

// IncidentDetail is GET /orgs/{org}/incidents/{id} and its JSON twin.
type IncidentDetail struct {
	AsOf     date.Date              `json:"as_of"`
	Incident workspace.Incident     `json:"incident"`
	Row      IncidentRow            `json:"summary"`
	Factors  []IncidentFactor       `json:"factors"`
	Drafts   []NoticeDraft          `json:"drafts"`
	Result   incident.Result        `json:"-"`
	Delay    *workspace.Delay       `json:"-"`
	Det      incident.Determination `json:"-"`
	// Version is the incident's version (the API's ETag); the page's
	// forms carry it, and a save over a newer version is refused (409).
	Version int64 `json:"version"`

	// The editors' forms: the breach assessment wizard and a timeline
	// entry, with what was typed and the errors next to each field when
	// a save was refused. Preview is set when the page shows an unsaved
	// assessment's result; Saved names what was just saved.
	Form    AssessmentForm         `json:"-"`
	Entry   TimelineForm           `json:"-"`
	People  []records.PersonOption `json:"-"`
	Preview bool                   `json:"-"`
	Saved   string                 `json:"-"`
}

// IncidentFactor is one field of the four-factor assessment of 164.402(2).
type IncidentFactor struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// NoticeDue is a notification with its countdown in words and the CSS
// class that colours it (overdue in red, due within 10 days in amber).
type NoticeDue struct {
	incident.Notification
	Countdown string `json:"countdown"`
	Class     string `json:"-"`
}

func noticeDue(n incident.Notification) NoticeDue {
	d := NoticeDue{Notification: n}
	switch {
	case !n.Sent.IsZero():
		d.Countdown, d.Class = "sent "+n.Sent.String(), "sent"
		if n.SentMethod != "" {
			d.Countdown += " by " + strings.ReplaceAll(n.SentMethod, "-", " ")
		}
		if n.SentRecipient != "" {
			d.Countdown += " to " + n.SentRecipient
		}
	case n.DaysLeft < 0:
		d.Countdown, d.Class = fmt.Sprintf("overdue by %d days", -n.DaysLeft), "overdue"
	case n.DaysLeft == 0:
		d.Countdown, d.Class = "due today", "soon"
	default:
		d.Countdown = fmt.Sprintf("%d days left", n.DaysLeft)
		if n.DaysLeft <= incident.DeadlineAlertDays {
			d.Class = "soon"
		}
	}
	return d
}

func incidentRow(ws *workspace.Workspace, inc workspace.Incident, asOf date.Date) IncidentRow {
	res := incident.Deadlines(ws, inc, asOf)
	row := IncidentRow{
		ID: inc.ID, Discovered: inc.Discovered, Summary: inc.Summary, Status: inc.Status,
		Determination: res.Determination, Notifications: []NoticeDue{}, DeadlineNote: res.Reason,
		HeldAs: res.HeldAs, ClockStart: res.ClockStart, Warnings: res.Warnings,
	}
	if row.Warnings == nil {
		row.Warnings = []string{}
	}
	row.StateLaw = res.StateLaw
	row.CoveredEntityNotices = []NoticeDue{}
	for _, n := range res.CoveredEntityNotices {
		row.CoveredEntityNotices = append(row.CoveredEntityNotices, noticeDue(n))
	}
	var order []string
	who := map[string][]string{}
	for _, n := range res.Notifications {
		row.Notifications = append(row.Notifications, noticeDue(n))
		if n.Assumption == "" {
			continue
		}
		if _, ok := who[n.Assumption]; !ok {
			order = append(order, n.Assumption)
		}
		who[n.Assumption] = append(who[n.Assumption], incident.Recipient(n))
	}
	for _, a := range order {
		row.Assumptions = append(row.Assumptions, strings.Join(who[a], "; ")+": "+a)
	}
	return row
}

// incidentLog loads the workspace; on a bad request it returns the status
// and the message to show, and on a server failure the error.
func incidentLog(s *kit.Server, r *http.Request) (IncidentLog, int, string, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return IncidentLog{}, http.StatusBadRequest, "as_of must be a date written YYYY-MM-DD, e.g. 2026-11-23.", nil
	}
	ws, err := s.Workspace(r)
	if err != nil {
		return IncidentLog{}, 0, "", err
	}
	l := IncidentLog{AsOf: asOf, Incidents: []IncidentRow{}}
	for _, inc := range ws.Incidents {
		l.Incidents = append(l.Incidents, incidentRow(ws, inc, asOf))
	}
	retired, err := records.RetiredKeys(r.Context(), s.Org(r), store.KindIncident)
	if err != nil {
		return IncidentLog{}, 0, "", err
	}
	today := s.Today()
	l.New = &NewIncidentForm{ID: records.NextIncidentID(ws, retired, today.Year()), Discovered: today.String(), Status: "open", PHIInvolved: true}
	l.fillChoices(ws)
	return l, 0, "", nil
}

func incidentDetail(s *kit.Server, r *http.Request) (IncidentDetail, int, string, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return IncidentDetail{}, http.StatusBadRequest, "as_of must be a date written YYYY-MM-DD, e.g. 2026-11-23.", nil
	}
	id := r.PathValue("id")
	version, _ := s.Org(r).Version(r.Context(), store.KindIncident, id) // before the record: see recordWithVersion
	ws, err := s.Workspace(r)
	if err != nil {
		return IncidentDetail{}, 0, "", err
	}
	inc := ws.Incident(id)
	if inc == nil {
		return IncidentDetail{}, http.StatusNotFound, "No incident " + id + " in this organization.", nil
	}
	d := incidentDetailOf(ws, *inc, asOf)
	d.Version = version
	d.Form = assessmentFormOf(*inc, s.Today())
	d.Entry = TimelineForm{Date: s.Today().String()}
	d.Saved = r.URL.Query().Get("saved")
	return d, 0, "", nil
}

// incidentDetailOf computes the detail page of inc: the determination,
// the deadlines as of asOf, the four factors and the notice drafts.
func incidentDetailOf(ws *workspace.Workspace, inc workspace.Incident, asOf date.Date) IncidentDetail {
	d := IncidentDetail{AsOf: asOf, Incident: inc, Row: incidentRow(ws, inc, asOf), Delay: inc.LawEnforcementDelay}
	d.Result = incident.Deadlines(ws, inc, asOf)
	d.Det = d.Result.Determination
	a := inc.Assessment
	if a == nil {
		a = &workspace.Assessment{}
	}
	d.Factors = []IncidentFactor{
		{"(i) Nature and extent of the PHI", a.Nature},
		{"(ii) Unauthorized person", a.UnauthorizedPerson},
		{"(iii) Acquired or viewed", a.AcquiredOrViewed},
		{"(iv) Mitigation", a.Mitigation},
	}
	d.Drafts = []NoticeDraft{noticeDraft("Letter to individuals (164.404)", incident.IndividualLetter(ws, inc, d.Det))}
	// HHS: one report per covered entity whose BAA delegates it to us
	// when there are several, each with that entity's own figures.
	var forCE []string
	for _, n := range d.Result.Notifications {
		if (n.To == incident.ToHHS || n.To == incident.ToHHSAnnualLog) && n.OnBehalfOf != "" && !slices.Contains(forCE, n.OnBehalfOf) {
			forCE = append(forCE, n.OnBehalfOf)
		}
	}
	if len(forCE) > 1 {
		for _, c := range forCE {
			d.Drafts = append(d.Drafts, noticeDraft("Summary for HHS, for "+customerLabel(ws, c)+" (164.408)", incident.HHSSummary(ws, inc, d.Det, c)))
		}
	} else {
		d.Drafts = append(d.Drafts, noticeDraft("Summary for HHS (164.408)", incident.HHSSummary(ws, inc, d.Det, "")))
	}
	for _, c := range inc.Customers {
		who := "covered entity "
		if incident.CustomerRecipient(ws, c) == incident.ToBusinessAssociate {
			who = "business associate "
		}
		d.Drafts = append(d.Drafts, noticeDraft("Notice to "+who+customerLabel(ws, c)+" (164.410)", incident.CustomerNotice(ws, inc, d.Det, c)))
	}
	// Held as a business associate, with nothing delegated, the notice to
	// each customer is the one to send: it comes first, and the covered
	// entity's own drafts after it, for it to adapt.
	if d.Result.HeldAs == incident.HeldAsBusinessAssociate && len(forCE) == 0 && len(inc.Customers) > 0 {
		n := len(inc.Customers)
		own := slices.Clone(d.Drafts[len(d.Drafts)-n:])
		for i := range d.Drafts[:len(d.Drafts)-n] {
			d.Drafts[i].Title = strings.Replace(d.Drafts[i].Title, " (", ", for the covered entity to adapt (", 1)
		}
		d.Drafts = append(own, d.Drafts[:len(d.Drafts)-n]...)
	}
	for _, p := range ws.People {
		d.People = append(d.People, records.PersonOption{Email: p.Email, Name: p.Name})
	}
	return d
}

func incidentsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, status, msg, err := incidentLog(s, r)
	incidentAnswer(s, w, r, false, "incidents.html", l, status, msg, err)
}

func incidentsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, status, msg, err := incidentLog(s, r)
	incidentAnswer(s, w, r, true, "", l, status, msg, err)
}

func incidentPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	d, status, msg, err := incidentDetail(s, r)
	incidentAnswer(s, w, r, false, "incident.html", d, status, msg, err)
}

func incidentAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	d, status, msg, err := incidentDetail(s, r)
	incidentAnswer(s, w, r, true, "", d, status, msg, err)
}

// answer writes a page or JSON, or the error a computation returned.
func incidentAnswer(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, tmpl string, data any, status int, msg string, err error) {
	switch {
	case err != nil:
		s.ServerError(w, r, api, err)
	case status != 0:
		s.Fail(w, r, api, status, msg)
	case api:
		if d, ok := data.(IncidentDetail); ok {
			records.SetETag(w, d.Version)
		}
		kit.WriteJSON(w, http.StatusOK, data)
	default:
		s.Render(w, r, tmpl, data)
	}
}
