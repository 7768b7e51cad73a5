package privacyrule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"ward/internal/date"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The Privacy Rule pages: the request log with its clocks, a request's
// page with its timeline and the forms to extend and close it, the
// complaint log and the notice of privacy practices. Each has its JSON
// twin under /api/v1/orgs/{org}/privacy; every edit is checked with the
// rules `ward apply` uses (privacy.CheckRequest and its kin) and stored
// through the audited store. Viewers read, editors change.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/privacy", Role: store.RoleViewer, Handler: privacyPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/privacy/requests/{id}", Role: store.RoleViewer, Handler: privacyRequestPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/privacy/complaints", Role: store.RoleViewer, Handler: complaintsPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/privacy/notice", Role: store.RoleViewer, Handler: noticePage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/requests", Role: store.RoleEditor, Handler: newRequestPost},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/requests/{id}/extend", Role: store.RoleEditor, Handler: extendRequestPost},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/requests/{id}/close", Role: store.RoleEditor, Handler: closeRequestPost},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/complaints", Role: store.RoleEditor, Handler: newComplaintPost},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/complaints/{id}/close", Role: store.RoleEditor, Handler: closeComplaintPost},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/privacy/notice", Role: store.RoleEditor, Handler: newNoticePost},

		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/privacy", Role: store.RoleViewer, Handler: privacyAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/privacy/requests/{id}", Role: store.RoleViewer, Handler: privacyRequestAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/privacy/complaints", Role: store.RoleViewer, Handler: complaintsAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/privacy/notice", Role: store.RoleViewer, Handler: noticeAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/requests", Role: store.RoleEditor, Handler: newRequestAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/requests/{id}/extend", Role: store.RoleEditor, Handler: extendRequestAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/requests/{id}/close", Role: store.RoleEditor, Handler: closeRequestAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/complaints", Role: store.RoleEditor, Handler: newComplaintAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/complaints/{id}/close", Role: store.RoleEditor, Handler: closeComplaintAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/privacy/notice", Role: store.RoleEditor, Handler: newNoticeAPI},
	)
}

func init() {
	kit.Funcs["privacyNav"] = func(slug string, asOf date.Date, current string) privacySubnav {
		return privacySubnav{Slug: slug, AsOf: asOf, Current: current}
	}
	kit.Funcs["requestTitle"] = func(kind string) string { return workspace.RequestRules[kind].Title }
	kit.Funcs["clockText"] = clockText
}

// privacySubnav is the data of the "privacy_nav" partial.
type privacySubnav struct {
	Slug    string
	AsOf    date.Date
	Current string
}

// clockText says where a request's clock stands, in words.
func clockText(c privacy.Clock) string {
	days := func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	switch c.Status {
	case privacy.StatusOverdue:
		return fmt.Sprintf("overdue by %s (due %s)", days(-c.DaysLeft), c.Deadline)
	case privacy.StatusDueSoon, privacy.StatusOpen:
		if c.DaysLeft == 0 {
			return fmt.Sprintf("day %d: due today", c.Day)
		}
		return fmt.Sprintf("day %d: %s left", c.Day, days(c.DaysLeft))
	case privacy.StatusDone:
		return fmt.Sprintf("acted on, day %d (on time)", c.Day)
	case privacy.StatusLate:
		return fmt.Sprintf("acted on %s late", days(c.DaysLate))
	case privacy.StatusWithdrawn:
		return "withdrawn"
	}
	return c.Status
}

// PrivacyLog is GET /orgs/{org}/privacy: the request log; its JSON twin
// is privacy.Log.
type PrivacyLog struct {
	privacy.Log
	Whose map[string]string `json:"-"` // customer id → name, for on_behalf_of
	New   *RequestForm      `json:"-"`
	Saved string            `json:"-"`
	Form  privacyFormData   `json:"-"`
}

// privacyFormData is what the forms offer to choose from.
type privacyFormData struct {
	Kinds      []string
	Customers  []records.Choice // covered-entity customers, for on_behalf_of
	People     []records.PersonOption
	NeedsWhose bool // the organization is not a covered entity
}

func formData(ws *workspace.Workspace) privacyFormData {
	f := privacyFormData{Kinds: workspace.PrivacyRequestKinds, NeedsWhose: !ws.Organization.HasRole(workspace.RoleCoveredEntity)}
	for _, c := range ws.Customers {
		if c.CoveredEntity {
			f.Customers = append(f.Customers, records.Choice{ID: c.ID, Name: c.Name})
		}
	}
	for _, p := range ws.People {
		f.People = append(f.People, records.PersonOption{Email: p.Email, Name: p.Name})
	}
	return f
}

func whoseNames(ws *workspace.Workspace) map[string]string {
	m := map[string]string{}
	for _, c := range ws.Customers {
		m[c.ID] = c.Name
		if c.Name == "" {
			m[c.ID] = c.ID
		}
	}
	return m
}

// RequestForm is the "log a request" form as typed.
type RequestForm struct {
	ID, Kind, Received, OnBehalfOf, Reference, Summary, HandledBy, FormatRequested, Since string
	Errors                                                                                records.FieldErrors
	Open                                                                                  bool
}

// privacyLoad reads the as-of date and the workspace of a privacy page;
// it answers the request itself when either fails.
func privacyLoad(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, "as_of must be a date written YYYY-MM-DD, e.g. 2026-11-23.")
		return nil, date.Date{}, false
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return nil, date.Date{}, false
	}
	return ws, asOf, true
}

func privacyLogOf(s *kit.Server, r *http.Request, ws *workspace.Workspace, asOf date.Date) PrivacyLog {
	l := PrivacyLog{Log: privacy.Evaluate(ws, asOf), Whose: whoseNames(ws), Saved: r.URL.Query().Get("saved"), Form: formData(ws)}
	if kit.AtLeast(kit.Role(r), store.RoleEditor) {
		l.New = &RequestForm{Kind: workspace.RequestAccess, Received: asOf.String()}
	}
	return l
}

func privacyPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, false); ok {
		s.Render(w, r, "privacy.html", privacyLogOf(s, r, ws, asOf))
	}
}

func privacyAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, privacy.Evaluate(ws, asOf))
	}
}

// RequestPage is GET /orgs/{org}/privacy/requests/{id} and its JSON twin.
type RequestPage struct {
	AsOf    date.Date            `json:"as_of"`
	Request privacy.Clock        `json:"request"`
	History []store.HistoryEntry `json:"history"`
	Whose   string               `json:"-"`
	Saved   string               `json:"-"`
	// The editors' forms, shown while the request is open: the one
	// extension (until it is given, and while the time limit runs) and
	// closing it.
	Extend  *ExtendForm              `json:"-"`
	Close   *CloseForm               `json:"-"`
	Grounds []workspace.DenialGround `json:"-"`
}

// ExtendForm is the extension as typed.
type ExtendForm struct {
	Notified, Reason, Until string
	Errors                  records.FieldErrors
}

// CloseForm is "acted on" as typed.
type CloseForm struct {
	Completed, Outcome, Ground, Explanation, FormatProvided, Fee, FeeBasis string
	RightsStated                                                           bool
	Errors                                                                 records.FieldErrors
}

// Outcomes are the outcomes the form offers for the request's kind.
func (p RequestPage) Outcomes() []string {
	if p.Request.Kind == workspace.RequestAccounting {
		return []string{workspace.OutcomeGranted, workspace.OutcomeWithdrawn}
	}
	return workspace.RequestOutcomes
}

func requestPageOf(s *kit.Server, r *http.Request, ws *workspace.Workspace, req workspace.PrivacyRequest, asOf date.Date) (RequestPage, error) {
	hist, err := s.Org(r).History(r.Context(), store.KindPrivacyRequest, req.ID)
	if err != nil {
		return RequestPage{}, err
	}
	p := RequestPage{AsOf: asOf, Request: privacy.RequestClock(req, asOf), History: hist, Saved: r.URL.Query().Get("saved")}
	if req.OnBehalfOf != "" {
		p.Whose = whoseNames(ws)[req.OnBehalfOf]
	}
	for _, g := range workspace.DenialGrounds {
		if g.Kind == req.Kind {
			p.Grounds = append(p.Grounds, g)
		}
	}
	if kit.AtLeast(kit.Role(r), store.RoleEditor) && !req.Closed() {
		if req.Extension == nil {
			p.Extend = &ExtendForm{Notified: asOf.String()}
			if due := req.Due(); !due.IsZero() {
				p.Extend.Until = due.AddDays(workspace.ExtensionDays).String()
			}
		}
		p.Close = &CloseForm{Completed: asOf.String(), Outcome: workspace.OutcomeGranted, FormatProvided: req.FormatRequested}
	}
	return p, nil
}

// privacyRequestOf finds the request of the path; it answers 404 itself.
func privacyRequestOf(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, api bool) *workspace.PrivacyRequest {
	id := r.PathValue("id")
	req := ws.PrivacyRequest(id)
	if req == nil {
		s.Fail(w, r, api, http.StatusNotFound, "No privacy request "+id+" in this organization.")
	}
	return req
}

func privacyRequestPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := privacyLoad(s, w, r, false)
	if !ok {
		return
	}
	req := privacyRequestOf(s, w, r, ws, false)
	if req == nil {
		return
	}
	p, err := requestPageOf(s, r, ws, *req, asOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.Render(w, r, "privacy_request.html", p)
}

func privacyRequestAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := privacyLoad(s, w, r, true)
	if !ok {
		return
	}
	req := privacyRequestOf(s, w, r, ws, true)
	if req == nil {
		return
	}
	p, err := requestPageOf(s, r, ws, *req, asOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, p)
}

// ComplaintsPage is GET /orgs/{org}/privacy/complaints; the JSON twin is
// the list of complaints.
type ComplaintsPage struct {
	AsOf       date.Date
	Complaints []privacy.ComplaintRow
	Whose      map[string]string
	New        *ComplaintForm
	// CloseErrors are the errors of a refused "resolve" form, by
	// complaint id.
	CloseID   string
	CloseForm ComplaintCloseForm
	Outcomes  []string
	Form      privacyFormData
	Saved     string
}

// ComplaintForm is the "log a complaint" form as typed.
type ComplaintForm struct {
	ID, Received, Summary, OnBehalfOf, Reference, HandledBy string
	Errors                                                  records.FieldErrors
	Open                                                    bool
}

// ComplaintCloseForm is "resolve" as typed.
type ComplaintCloseForm struct {
	Resolved, Outcome, Disposition string
	Errors                         records.FieldErrors
}

func complaintsPageOf(s *kit.Server, r *http.Request, ws *workspace.Workspace, asOf date.Date) ComplaintsPage {
	p := ComplaintsPage{AsOf: asOf, Complaints: privacy.Evaluate(ws, asOf).Complaints, Whose: whoseNames(ws), Outcomes: workspace.ComplaintOutcomes,
		Form: formData(ws), Saved: r.URL.Query().Get("saved"), CloseForm: ComplaintCloseForm{Resolved: asOf.String()}}
	if kit.AtLeast(kit.Role(r), store.RoleEditor) {
		p.New = &ComplaintForm{Received: asOf.String()}
	}
	return p
}

func complaintsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, false); ok {
		s.Render(w, r, "privacy_complaints.html", complaintsPageOf(s, r, ws, asOf))
	}
}

func complaintsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, map[string]any{"as_of": asOf, "complaints": privacy.Evaluate(ws, asOf).Complaints})
	}
}

// NoticePage is GET /orgs/{org}/privacy/notice; the JSON twin is
// privacy.Notice with the date and its findings.
type NoticePage struct {
	AsOf          date.Date          `json:"as_of"`
	Notice        privacy.Notice     `json:"notice"`
	CoveredEntity bool               `json:"covered_entity"`
	Findings      []NoticeFindingRow `json:"findings"`
	New           *NoticeForm        `json:"-"`
	Saved         string             `json:"-"`
}

// NoticeFindingRow is a privacy.notice-missing finding.
type NoticeFindingRow struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// NoticeForm is a new notice version as typed.
type NoticeForm struct {
	Version, Effective, Posted, URL string
	Errors                          records.FieldErrors
	Open                            bool
}

func noticePageOf(s *kit.Server, r *http.Request, ws *workspace.Workspace, asOf date.Date) NoticePage {
	l := privacy.Evaluate(ws, asOf)
	p := NoticePage{AsOf: asOf, Notice: l.Notice, CoveredEntity: l.CoveredEntity, Findings: []NoticeFindingRow{}, Saved: r.URL.Query().Get("saved")}
	for _, f := range l.Findings {
		if f.Rule == privacy.RuleNoticeMissing {
			p.Findings = append(p.Findings, NoticeFindingRow{f.Rule, f.Severity, f.Message})
		}
	}
	if kit.AtLeast(kit.Role(r), store.RoleEditor) && l.CoveredEntity {
		p.New = &NoticeForm{Effective: asOf.String()}
	}
	return p
}

func noticePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, false); ok {
		s.Render(w, r, "privacy_notice.html", noticePageOf(s, r, ws, asOf))
	}
}

func noticeAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := privacyLoad(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, noticePageOf(s, r, ws, asOf))
	}
}

// ---- edits, shared by the forms and the API ----

// problemErrors turns the record's problems into field errors.
func problemErrors(fe records.FieldErrors, ps privacy.Problems) {
	for _, p := range ps {
		f := p.Field
		if f == "" {
			f = "record"
		}
		fe.Add(f, "%s", p.Message)
	}
}

// privacyDate parses a typed date into fe's field.
func privacyDate(fe records.FieldErrors, field, text string) date.Date {
	text = strings.TrimSpace(text)
	if text == "" {
		return date.Date{}
	}
	d, err := date.ParseInput(text)
	if err != nil {
		fe.Add(field, "%v", err)
	}
	return d
}

// addRequest stores a new request; the id is proposed when empty.
func addRequest(s *kit.Server, r *http.Request, ws *workspace.Workspace, req *workspace.PrivacyRequest, fe records.FieldErrors) error {
	o := s.Org(r)
	if req.ID == "" && !req.Received.IsZero() {
		retired, err := o.Retired(r.Context(), store.KindPrivacyRequest)
		if err != nil {
			return err
		}
		var keys []string
		for _, x := range retired {
			keys = append(keys, x.Key)
		}
		req.ID = privacy.NewRequestID(ws, req.Kind, req.Received, keys)
	}
	problemErrors(fe, privacy.CheckRequest(ws, *req))
	if len(fe) > 0 {
		return nil
	}
	_, err := o.Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindPrivacyRequest, Value: *req})
	if errors.Is(err, store.ErrConflict) {
		fe.Add("id", "%q is already used by a request of this organization (ids are never reused, even after a request is retired)", req.ID)
		return nil
	}
	return err
}

// extendRequest gives the request its one extension.
func extendRequest(s *kit.Server, r *http.Request, ws *workspace.Workspace, req workspace.PrivacyRequest, notified date.Date, reason string, until date.Date, fe records.FieldErrors) error {
	next, err := privacy.Extend(req, notified, reason, until)
	if err != nil {
		fe.Add("extension", "%s", err.Error())
		return nil
	}
	problemErrors(fe, privacy.CheckRequest(ws, next))
	if len(fe) > 0 {
		return nil
	}
	_, err = s.Org(r).Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindPrivacyRequest, Value: next, Update: true})
	return err
}

// closeRequest records that the request was acted on.
func closeRequest(s *kit.Server, r *http.Request, ws *workspace.Workspace, req workspace.PrivacyRequest, c CloseForm, fe records.FieldErrors) error {
	completed := privacyDate(fe, "completed", c.Completed)
	if c.Completed == "" {
		fe.Add("completed", "is missing: the date the request was acted on")
	}
	if c.Outcome == "" {
		fe.Add("outcome", "is missing: one of %s", strings.Join(workspace.RequestOutcomes, ", "))
	}
	var denial *workspace.Denial
	if c.Outcome == workspace.OutcomeDenied || c.Outcome == workspace.OutcomePartlyGranted {
		denial = &workspace.Denial{Ground: c.Ground, Explanation: strings.TrimSpace(c.Explanation), RightsStated: c.RightsStated}
	}
	next, err := privacy.Close(req, completed, c.Outcome, denial)
	if err != nil {
		fe.Add("completed", "%s", err.Error())
		return nil
	}
	if v := strings.TrimSpace(c.FormatProvided); v != "" {
		next.FormatProvided = v
	}
	if v := strings.TrimSpace(c.Fee); v != "" {
		next.Fee = v
	}
	if v := strings.TrimSpace(c.FeeBasis); v != "" {
		next.FeeBasis = v
	}
	if len(fe) > 0 {
		return nil
	}
	problemErrors(fe, privacy.CheckRequest(ws, next))
	if len(fe) > 0 {
		return nil
	}
	_, err = s.Org(r).Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindPrivacyRequest, Value: next, Update: true})
	return err
}

func addComplaint(s *kit.Server, r *http.Request, ws *workspace.Workspace, c *workspace.Complaint, fe records.FieldErrors) error {
	o := s.Org(r)
	if c.ID == "" && !c.Received.IsZero() {
		retired, err := o.Retired(r.Context(), store.KindComplaint)
		if err != nil {
			return err
		}
		var keys []string
		for _, x := range retired {
			keys = append(keys, x.Key)
		}
		c.ID = privacy.NewComplaintID(ws, c.Received, keys)
	}
	problemErrors(fe, privacy.CheckComplaint(ws, *c))
	if len(fe) > 0 {
		return nil
	}
	_, err := o.Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindComplaint, Value: *c})
	if errors.Is(err, store.ErrConflict) {
		fe.Add("id", "%q is already used by a complaint of this organization", c.ID)
		return nil
	}
	return err
}

func closeComplaint(s *kit.Server, r *http.Request, ws *workspace.Workspace, c workspace.Complaint, f ComplaintCloseForm, fe records.FieldErrors) error {
	if !c.Resolved.IsZero() {
		fe.Add("resolved", "%s was already resolved on %s (%s)", c.ID, c.Resolved, c.Outcome)
		return nil
	}
	c.Resolved = privacyDate(fe, "resolved", f.Resolved)
	if f.Resolved == "" {
		fe.Add("resolved", "is missing: the date the complaint was resolved")
	}
	if f.Outcome == "" {
		fe.Add("outcome", "is missing: one of %s", strings.Join(workspace.ComplaintOutcomes, ", "))
	}
	c.Outcome, c.Disposition = f.Outcome, strings.TrimSpace(f.Disposition)
	if len(fe) > 0 {
		return nil
	}
	problemErrors(fe, privacy.CheckComplaint(ws, c))
	if len(fe) > 0 {
		return nil
	}
	_, err := s.Org(r).Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindComplaint, Value: c, Update: true})
	return err
}

func addNotice(s *kit.Server, r *http.Request, ws *workspace.Workspace, n workspace.PrivacyNotice, fe records.FieldErrors) error {
	if strings.TrimSpace(n.Version) == "" {
		fe.Add("version", "is missing: the notice's version, such as 2027-1")
		return nil
	}
	problemErrors(fe, privacy.CheckNotice(ws, n))
	if len(fe) > 0 {
		return nil
	}
	_, err := s.Org(r).Save(r.Context(), kit.CurrentUser(r).Email, store.Edit{Kind: store.KindPrivacyNotice, Value: n})
	if errors.Is(err, store.ErrConflict) {
		fe.Add("version", "%q is already a version of the notice (versions are never reused)", n.Version)
		return nil
	}
	return err
}

// ---- the forms ----

// privacyURL is a privacy page's address, keeping ?as_of= and saying what
// was saved.
func privacyURL(r *http.Request, suffix, saved, anchor string) string {
	q := url.Values{}
	if v := r.URL.Query().Get("as_of"); v != "" {
		q.Set("as_of", v)
	}
	if saved != "" {
		q.Set("saved", saved)
	}
	u := "/orgs/" + kit.CurrentOrg(r).Slug + "/privacy" + suffix
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u + anchor
}

// formPost loads what a form's POST starts from and parses the form.
func formPost(s *kit.Server, w http.ResponseWriter, r *http.Request) (*workspace.Workspace, date.Date, bool) {
	ws, asOf, ok := privacyLoad(s, w, r, false)
	if !ok {
		return nil, date.Date{}, false
	}
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read")
		return nil, date.Date{}, false
	}
	return ws, asOf, true
}

func postValue(r *http.Request, k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }

func newRequestPost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := formPost(s, w, r)
	if !ok {
		return
	}
	v := func(k string) string { return postValue(r, k) }
	f := RequestForm{ID: v("id"), Kind: v("kind"), Received: v("received"), OnBehalfOf: v("on_behalf_of"), Reference: v("reference"),
		Summary: v("summary"), HandledBy: v("handled_by"), FormatRequested: v("format_requested"), Since: v("since"), Errors: records.FieldErrors{}, Open: true}
	req := workspace.PrivacyRequest{ID: f.ID, Kind: f.Kind, OnBehalfOf: f.OnBehalfOf, Reference: f.Reference, Summary: f.Summary,
		HandledBy: f.HandledBy, FormatRequested: f.FormatRequested}
	req.Received = privacyDate(f.Errors, "received", f.Received)
	req.Since = privacyDate(f.Errors, "since", f.Since)
	if len(f.Errors) == 0 {
		if err := addRequest(s, r, ws, &req, f.Errors); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	if len(f.Errors) > 0 {
		l := privacyLogOf(s, r, ws, asOf)
		l.New = &f
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "privacy.html", l)
		return
	}
	http.Redirect(w, r, privacyURL(r, "/requests/"+url.PathEscape(req.ID), "created", ""), http.StatusSeeOther)
}

// requestFormPost is what a request page's forms start from.
func requestFormPost(s *kit.Server, w http.ResponseWriter, r *http.Request) (*workspace.Workspace, *workspace.PrivacyRequest, date.Date, bool) {
	ws, asOf, ok := formPost(s, w, r)
	if !ok {
		return nil, nil, date.Date{}, false
	}
	req := privacyRequestOf(s, w, r, ws, false)
	return ws, req, asOf, req != nil
}

// refusedRequest shows the request's page again, with the refused form's
// errors and what was typed.
func refusedRequest(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, req workspace.PrivacyRequest, asOf date.Date, set func(*RequestPage)) {
	p, err := requestPageOf(s, r, ws, req, asOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	set(&p)
	s.RenderStatus(w, r, http.StatusUnprocessableEntity, "privacy_request.html", p)
}

func extendRequestPost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, req, asOf, ok := requestFormPost(s, w, r)
	if !ok {
		return
	}
	f := ExtendForm{Notified: postValue(r, "notified"), Reason: postValue(r, "reason"), Until: postValue(r, "until"), Errors: records.FieldErrors{}}
	notified := privacyDate(f.Errors, "extension.notified", f.Notified)
	until := privacyDate(f.Errors, "extension.until", f.Until)
	if f.Notified == "" {
		f.Errors.Add("extension.notified", "is missing: the date the written statement was given")
	}
	if len(f.Errors) == 0 {
		if err := extendRequest(s, r, ws, *req, notified, f.Reason, until, f.Errors); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	if len(f.Errors) > 0 {
		refusedRequest(s, w, r, ws, *req, asOf, func(p *RequestPage) { p.Extend = &f })
		return
	}
	http.Redirect(w, r, privacyURL(r, "/requests/"+url.PathEscape(req.ID), "extended", "#clock"), http.StatusSeeOther)
}

func readCloseForm(r *http.Request) CloseForm {
	v := func(k string) string { return postValue(r, k) }
	return CloseForm{Completed: v("completed"), Outcome: v("outcome"), Ground: v("denial.ground"), Explanation: v("denial.explanation"),
		RightsStated: v("denial.rights_stated") == "yes", FormatProvided: v("format_provided"), Fee: v("fee"), FeeBasis: v("fee_basis"), Errors: records.FieldErrors{}}
}

func closeRequestPost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, req, asOf, ok := requestFormPost(s, w, r)
	if !ok {
		return
	}
	f := readCloseForm(r)
	if err := closeRequest(s, r, ws, *req, f, f.Errors); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if len(f.Errors) > 0 {
		refusedRequest(s, w, r, ws, *req, asOf, func(p *RequestPage) { p.Close = &f })
		return
	}
	http.Redirect(w, r, privacyURL(r, "/requests/"+url.PathEscape(req.ID), "closed", "#clock"), http.StatusSeeOther)
}

func newComplaintPost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := formPost(s, w, r)
	if !ok {
		return
	}
	v := func(k string) string { return postValue(r, k) }
	f := ComplaintForm{ID: v("id"), Received: v("received"), Summary: v("summary"), OnBehalfOf: v("on_behalf_of"), Reference: v("reference"),
		HandledBy: v("handled_by"), Errors: records.FieldErrors{}, Open: true}
	c := workspace.Complaint{ID: f.ID, Summary: f.Summary, OnBehalfOf: f.OnBehalfOf, Reference: f.Reference, HandledBy: f.HandledBy}
	c.Received = privacyDate(f.Errors, "received", f.Received)
	if len(f.Errors) == 0 {
		if err := addComplaint(s, r, ws, &c, f.Errors); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	if len(f.Errors) > 0 {
		p := complaintsPageOf(s, r, ws, asOf)
		p.New = &f
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "privacy_complaints.html", p)
		return
	}
	http.Redirect(w, r, privacyURL(r, "/complaints", "created", "#"+c.ID), http.StatusSeeOther)
}

func closeComplaintPost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := formPost(s, w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	c := ws.Complaint(id)
	if c == nil {
		s.Fail(w, r, false, http.StatusNotFound, "No complaint "+id+" in this organization.")
		return
	}
	f := ComplaintCloseForm{Resolved: postValue(r, "resolved"), Outcome: postValue(r, "outcome"), Disposition: postValue(r, "disposition"), Errors: records.FieldErrors{}}
	if err := closeComplaint(s, r, ws, *c, f, f.Errors); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if len(f.Errors) > 0 {
		p := complaintsPageOf(s, r, ws, asOf)
		p.CloseID, p.CloseForm = id, f
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "privacy_complaints.html", p)
		return
	}
	http.Redirect(w, r, privacyURL(r, "/complaints", "resolved", "#"+id), http.StatusSeeOther)
}

func newNoticePost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := formPost(s, w, r)
	if !ok {
		return
	}
	v := func(k string) string { return postValue(r, k) }
	f := NoticeForm{Version: v("version"), Effective: v("effective"), Posted: v("posted"), URL: v("url"), Errors: records.FieldErrors{}, Open: true}
	n := workspace.PrivacyNotice{Version: f.Version, URL: f.URL}
	for _, line := range strings.Split(strings.ReplaceAll(f.Posted, "\r", ""), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			n.Posted = append(n.Posted, line)
		}
	}
	n.Effective = privacyDate(f.Errors, "effective", f.Effective)
	if len(f.Errors) == 0 {
		if err := addNotice(s, r, ws, n, f.Errors); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	if len(f.Errors) > 0 {
		p := noticePageOf(s, r, ws, asOf)
		p.New = &f
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "privacy_notice.html", p)
		return
	}
	http.Redirect(w, r, privacyURL(r, "/notice", "created", ""), http.StatusSeeOther)
}

// ---- the API ----

// decodeStrict reads a JSON body into v, refusing unknown fields.
func decodeStrict(r *http.Request, v any, what string) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the body is not %s as JSON: %v", what, err)
	}
	return nil
}

// apiEdit runs one edit for the API: decode the body, load the
// workspace, apply, and answer 422 with the errors by field, or call ok.
func apiEdit(s *kit.Server, w http.ResponseWriter, r *http.Request, body any, what string, edit func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error, ok func(ws *workspace.Workspace, asOf date.Date)) {
	ws, asOf, loaded := privacyLoad(s, w, r, true)
	if !loaded {
		return
	}
	if err := decodeStrict(r, body, what); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	fe := records.FieldErrors{}
	if err := edit(ws, asOf, fe); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	if len(fe) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.APIFieldErrors{Error: fe.Summary(), Fields: fe})
		return
	}
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	ok(ws, asOf)
}

// answerRequest writes the request's page as JSON after an edit.
func answerRequest(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, id string, asOf date.Date, status int) {
	req := ws.PrivacyRequest(id)
	if req == nil {
		kit.APIError(w, http.StatusNotFound, "No privacy request "+id+" in this organization.")
		return
	}
	p, err := requestPageOf(s, r, ws, *req, asOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, status, p)
}

// newRequestAPI is POST /api/v1/orgs/{org}/privacy/requests: a request
// in the workspace's shape (id optional), answered 201 with its page.
func newRequestAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var req workspace.PrivacyRequest
	apiEdit(s, w, r, &req, "a privacy request", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		if req.Received.IsZero() {
			fe.Add("received", "is missing: the date the request was received (YYYY-MM-DD)")
			return nil
		}
		return addRequest(s, r, ws, &req, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		answerRequest(s, w, r, ws, req.ID, asOf, http.StatusCreated)
	})
}

// ExtendBody is POST .../privacy/requests/{id}/extend.
type ExtendBody struct {
	Notified date.Date `json:"notified"`
	Reason   string    `json:"reason"`
	Until    date.Date `json:"until"` // optional: 30 days past the original deadline
}

func extendRequestAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var b ExtendBody
	id := r.PathValue("id")
	apiEdit(s, w, r, &b, "an extension ({notified, reason, until})", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		req := ws.PrivacyRequest(id)
		if req == nil {
			fe.Add("id", "no privacy request %q in this organization", id)
			return nil
		}
		if b.Notified.IsZero() {
			b.Notified = asOf
		}
		return extendRequest(s, r, ws, *req, b.Notified, b.Reason, b.Until, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		answerRequest(s, w, r, ws, id, asOf, http.StatusOK)
	})
}

// CloseBody is POST .../privacy/requests/{id}/close.
type CloseBody struct {
	Completed      date.Date         `json:"completed"`
	Outcome        string            `json:"outcome"`
	Denial         *workspace.Denial `json:"denial"`
	FormatProvided string            `json:"format_provided"`
	Fee            string            `json:"fee"`
	FeeBasis       string            `json:"fee_basis"`
}

func closeRequestAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var b CloseBody
	id := r.PathValue("id")
	apiEdit(s, w, r, &b, "a closing ({completed, outcome, denial, ...})", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		req := ws.PrivacyRequest(id)
		if req == nil {
			fe.Add("id", "no privacy request %q in this organization", id)
			return nil
		}
		if b.Completed.IsZero() {
			b.Completed = asOf
		}
		f := CloseForm{Completed: b.Completed.String(), Outcome: b.Outcome, FormatProvided: b.FormatProvided, Fee: b.Fee, FeeBasis: b.FeeBasis}
		if d := b.Denial; d != nil {
			f.Ground, f.Explanation, f.RightsStated = d.Ground, d.Explanation, d.RightsStated
		}
		return closeRequest(s, r, ws, *req, f, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		answerRequest(s, w, r, ws, id, asOf, http.StatusOK)
	})
}

func newComplaintAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var c workspace.Complaint
	apiEdit(s, w, r, &c, "a complaint", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		if c.Received.IsZero() {
			c.Received = asOf
		}
		return addComplaint(s, r, ws, &c, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		kit.WriteJSON(w, http.StatusCreated, ws.Complaint(c.ID))
	})
}

// ComplaintCloseBody is POST .../privacy/complaints/{id}/close.
type ComplaintCloseBody struct {
	Resolved    date.Date `json:"resolved"`
	Outcome     string    `json:"outcome"`
	Disposition string    `json:"disposition"`
}

func closeComplaintAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var b ComplaintCloseBody
	id := r.PathValue("id")
	apiEdit(s, w, r, &b, "a resolution ({resolved, outcome, disposition})", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		c := ws.Complaint(id)
		if c == nil {
			fe.Add("id", "no complaint %q in this organization", id)
			return nil
		}
		if b.Resolved.IsZero() {
			b.Resolved = asOf
		}
		return closeComplaint(s, r, ws, *c, ComplaintCloseForm{Resolved: b.Resolved.String(), Outcome: b.Outcome, Disposition: b.Disposition}, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		kit.WriteJSON(w, http.StatusOK, ws.Complaint(id))
	})
}

func newNoticeAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var n workspace.PrivacyNotice
	apiEdit(s, w, r, &n, "a notice version", func(ws *workspace.Workspace, asOf date.Date, fe records.FieldErrors) error {
		return addNotice(s, r, ws, n, fe)
	}, func(ws *workspace.Workspace, asOf date.Date) {
		kit.WriteJSON(w, http.StatusCreated, noticePageOf(s, r, ws, asOf))
	})
}
