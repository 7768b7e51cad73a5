package workforce

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// A workforce member's own tasks (issue 18): the policies it must
// acknowledge, rendered to read, and the trainings it must complete. The
// routes declare the member role, so every account of the organization
// may open them; each acts for the person under people whose e-mail is
// the caller's account, and never for anyone else (Route.Self). A member
// opens nothing else: every other route of the organization needs viewer
// or more.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/my", Role: store.RoleMember, Handler: myTasksPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/my", Role: store.RoleMember, Handler: myTasksAPI},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/my/policies/{id}", Role: store.RoleMember, Handler: myPolicyPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/my/policies/{id}", Role: store.RoleMember, Handler: myPolicyAPI},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/my/policies/{id}/acknowledge", Role: store.RoleMember, Handler: myAckPage, Self: true},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/my/acknowledgements", Role: store.RoleMember, Handler: myAckAPI, Self: true},
	)
}

// accountPerson is the person under people whose e-mail is the caller's
// account (compared without regard to case), or nil.
func accountPerson(ws *workspace.Workspace, r *http.Request) *workspace.Person {
	email := kit.CurrentUser(r).Email
	for i := range ws.People {
		if strings.EqualFold(ws.People[i].Email, email) {
			return &ws.People[i]
		}
	}
	return nil
}

// MyTasks is /orgs/{org}/my and GET /api/v1/orgs/{org}/my: what the
// caller owes as a workforce member on AsOf.
type MyTasks struct {
	AsOf  date.Date `json:"as_of"`
	Email string    `json:"email"`
	// Person is the caller's record under people; null when the account
	// is no one there (it then owes nothing ward knows of).
	Person *workspace.Person `json:"person"`
	// Employed: on AsOf the person has started and not left.
	Employed  bool          `json:"employed"`
	Policies  []policy.Task `json:"policies"`
	Trainings []policy.Task `json:"trainings"`
	// Open and Overdue count the tasks not done.
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
	// Notice is shown once after an acknowledgement (page only).
	Notice string `json:"-"`
}

func myTasks(ws *workspace.Workspace, r *http.Request, asOf date.Date) MyTasks {
	m := MyTasks{AsOf: asOf, Email: kit.CurrentUser(r).Email, Policies: []policy.Task{}, Trainings: []policy.Task{}}
	p := accountPerson(ws, r)
	if p == nil {
		return m
	}
	m.Person, m.Email, m.Employed = p, p.Email, p.Employed(asOf)
	for _, t := range policy.Tasks(ws, *p, asOf) {
		if t.Kind == policy.KindPolicy {
			m.Policies = append(m.Policies, t)
		} else {
			m.Trainings = append(m.Trainings, t)
		}
		switch t.Status {
		case policy.Open:
			m.Open++
		case policy.Overdue:
			m.Overdue++
		}
	}
	return m
}

func myTasksPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, false)
	if !ok {
		return
	}
	m := myTasks(ws, r, asOf)
	if id := r.URL.Query().Get("acknowledged"); id != "" {
		if p := ws.Policy(id); p != nil {
			m.Notice = fmt.Sprintf("Recorded: you acknowledged %s, version %s, on %s. It is on the organization's audit trail.", p.Title, r.URL.Query().Get("version"), s.Today())
		}
	}
	s.Render(w, r, "my_tasks.html", m)
}

func myTasksAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, true)
	if !ok {
		return
	}
	kit.WriteJSON(w, http.StatusOK, myTasks(ws, r, asOf))
}

// MyPolicy is one policy a member must acknowledge, to read: the version
// in force and its text.
type MyPolicy struct {
	AsOf     date.Date               `json:"as_of"`
	ID       string                  `json:"id"`
	Title    string                  `json:"title"`
	Version  workspace.PolicyVersion `json:"version"`
	Task     policy.Task             `json:"task"`
	Markdown string                  `json:"markdown"`
	// HTML is the Markdown rendered with raw HTML left out and unsafe
	// links removed (policy.HTMLFragment).
	HTML template.HTML `json:"html"`
	// Error says why the text cannot be shown (then it cannot be
	// acknowledged here either).
	Error string `json:"error,omitempty"`
	// CanAck: the caller owes this version and may acknowledge it now.
	CanAck bool `json:"can_acknowledge"`
}

// memberPolicy finds the policy a member asks for among its own tasks: a
// policy not addressed to the caller is not found, whatever exists.
func memberPolicy(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, MyPolicy, bool) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return nil, MyPolicy{}, false
	}
	id := r.PathValue("id")
	m := myTasks(ws, r, asOf)
	for _, t := range m.Policies {
		if t.ID != id {
			continue
		}
		p := ws.Policy(id)
		v := p.Version(t.Version)
		mp := MyPolicy{AsOf: asOf, ID: id, Title: p.Title, Version: *v, Task: t}
		text, err := policyText(s, *v)
		if err != nil {
			// Nothing to read, nothing to acknowledge: say so rather than
			// fail the whole list.
			s.Log.ErrorContext(r.Context(), "policy text missing", "org", kit.CurrentOrg(r).Slug, "policy", id, "version", v.Version, "err", err)
			mp.Error = fmt.Sprintf("The text of version %d is not in ward's store, so it cannot be shown or acknowledged here: tell the compliance lead (ward apply of the workspace folder stores it).", v.Version)
			return ws, mp, true
		}
		mp.Markdown = text
		if mp.HTML, err = renderPolicy(text); err != nil {
			s.ServerError(w, r, api, err)
			return nil, MyPolicy{}, false
		}
		mp.CanAck = t.Status != policy.Done && !asOf.Before(v.ApprovedOn)
		return ws, mp, true
	}
	s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("you have no policy %q to acknowledge in %s", id, kit.CurrentOrg(r).Name))
	return nil, MyPolicy{}, false
}

// policyText is a stored version's Markdown, from the blob store.
func policyText(s *kit.Server, v workspace.PolicyVersion) (string, error) {
	if v.SHA256 == "" {
		return "", fmt.Errorf("version %d has no stored text", v.Version)
	}
	f, err := s.Store.Blobs().Open(v.SHA256)
	if err != nil {
		return "", fmt.Errorf("the text of version %d (sha256 %s): %w", v.Version, v.SHA256, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 8<<20))
	return string(b), err
}

// renderPolicy is a policy's Markdown as HTML safe to put in a page:
// goldmark without its unsafe option drops raw HTML and javascript:
// links, so nothing of the text runs or styles the page.
func renderPolicy(text string) (template.HTML, error) {
	h, err := policy.HTMLFragment(text)
	return template.HTML(h), err //nolint:gosec // raw HTML omitted by the renderer
}

func myPolicyPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if _, mp, ok := memberPolicy(s, w, r, false); ok {
		s.Render(w, r, "my_policy.html", mp)
	}
}

func myPolicyAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if _, mp, ok := memberPolicy(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, mp)
	}
}

// ackRefused is an acknowledgement the rules refuse, by field.
type ackRefused struct {
	status int
	msg    string
	fields map[string]string
}

func (e *ackRefused) Error() string { return e.msg }

// notRecorded is the refusal's message when the fields say it all.
const notRecorded = "not recorded; nothing was written"

// text is the refusal for a person: a message of its own, or one naming
// the fields at fault as the other forms' errors do ("Not recorded:
// version: is missing: ...; nothing was written").
func (e *ackRefused) text() string {
	if e.msg != notRecorded || len(e.fields) == 0 {
		return e.msg
	}
	return "Not recorded: " + (&records.EditRefused{Errs: e.fields}).Error() + "; nothing was written"
}

// acknowledge records that the caller's person acknowledged version of
// policy id today (source web), checked with apply's rules on the
// organization as it is inside the write's transaction. An
// acknowledgement recorded already is returned with done true.
func acknowledge(s *kit.Server, r *http.Request, id string, version int) (a workspace.Acknowledgement, done bool, err error) {
	o := s.Org(r)
	ws, err := o.Workspace(r.Context())
	if err != nil {
		return a, false, err
	}
	p := accountPerson(ws, r)
	if p == nil {
		return a, false, &ackRefused{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("your account %s is no one under people in %s: only a workforce member acknowledges a policy; nothing was written", kit.CurrentUser(r).Email, kit.CurrentOrg(r).Name),
			fields: map[string]string{"person": fmt.Sprintf("%s is not a person of the workspace", kit.CurrentUser(r).Email)}}
	}
	today := s.Today()
	pol := ws.Policy(id)
	if pol == nil {
		return a, false, &ackRefused{status: http.StatusUnprocessableEntity, msg: notRecorded,
			fields: map[string]string{"policy": fmt.Sprintf("%q is not a policy of %s", id, kit.CurrentOrg(r).Name)}}
	}
	if version <= 0 {
		return a, false, &ackRefused{status: http.StatusUnprocessableEntity, msg: notRecorded,
			fields: map[string]string{"version": "is missing: the version you read and acknowledge (a whole number from 1)"}}
	}
	if v := pol.InForce(today); v != nil && v.Version != version && pol.Version(version) != nil && pol.Version(version).Approved() {
		return a, false, &ackRefused{status: http.StatusConflict, msg: fmt.Sprintf("version %d of %s is in force now, not version %d: read it and acknowledge it; nothing was written", v.Version, pol.Title, version),
			fields: map[string]string{"version": fmt.Sprintf("version %d is in force now", v.Version)}}
	}
	a, done, err = policy.Acknowledge(ws, p.Email, id, version, today, workspace.RecordWeb)
	if err != nil {
		return a, false, &ackRefused{status: http.StatusUnprocessableEntity, msg: notRecorded, fields: map[string]string{"policy": err.Error()}}
	}
	if done {
		return a, true, nil
	}
	check := func(cur *workspace.Workspace) error {
		next := *cur
		next.Acknowledgements = append(append([]workspace.Acknowledgement(nil), cur.Acknowledgements...), a)
		if errs := editErrors(&next, "acknowledgements", len(next.Acknowledgements)-1, today); len(errs) > 0 {
			return &records.EditRefused{Errs: errs}
		}
		return nil
	}
	if err := check(ws); err != nil {
		return a, false, err
	}
	_, err = o.SaveIf(r.Context(), kit.CurrentUser(r).Email, check, store.Edit{Kind: store.KindAcknowledgement, Value: a})
	if errors.Is(err, store.ErrConflict) {
		return a, true, nil // recorded meanwhile, by another tab
	}
	return a, false, err
}

// editErrors validates the workspace after an edit with apply's rules
// (dates checked against today) and returns the errors about record index
// of section, by field ("" for the record as a whole).
func editErrors(next *workspace.Workspace, section string, index int, today date.Date) map[string]string {
	opt := records.ValidationOptions()
	opt.Today = today
	errs := workspace.Validate(next, opt)
	if len(errs) == 0 {
		return nil
	}
	return errs.FieldErrors(section, index)
}

// answerAck maps acknowledge's refusals to a status and a body.
func answerAck(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, err error) {
	var ar *ackRefused
	var er *records.EditRefused
	switch {
	case errors.As(err, &ar):
		if api {
			kit.WriteJSON(w, ar.status, records.RecordError{Error: ar.text(), Fields: ar.fields})
			return
		}
		s.Fail(w, r, false, ar.status, ar.text())
	case errors.As(err, &er):
		if api {
			kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: "the acknowledgement is not valid; nothing was written", Fields: er.Errs})
			return
		}
		s.Fail(w, r, false, http.StatusUnprocessableEntity, "Not recorded: "+er.Error())
	default:
		records.WriteRefused(s, w, r, api, err)
	}
}

func myAckPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read: "+err.Error())
		return
	}
	id := r.PathValue("id")
	version, _ := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("version")))
	// What the member was shown: only a text it could read is
	// acknowledged here.
	_, mp, ok := memberPolicy(s, w, r, false)
	if !ok {
		return
	}
	switch {
	case mp.Task.Status == policy.Done && mp.Version.Version == version:
		http.Redirect(w, r, fmt.Sprintf("/orgs/%s/my?acknowledged=%s&version=%d", kit.CurrentOrg(r).Slug, id, version), http.StatusSeeOther)
		return
	case !mp.CanAck && mp.Error != "":
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "my_policy.html", mp)
		return
	case r.PostForm.Get("read") == "":
		mp.Error = "Tick the box to say you have read the policy, then acknowledge it."
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "my_policy.html", mp)
		return
	}
	a, _, err := acknowledge(s, r, id, version)
	if err != nil {
		answerAck(s, w, r, false, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/my?acknowledged=%s&version=%d", kit.CurrentOrg(r).Slug, a.Policy, a.Version), http.StatusSeeOther)
}

// myAckAPI is POST /api/v1/orgs/{org}/my/acknowledgements with
// {"policy": ID, "version": N}: the caller acknowledges today; 201, or
// 200 when recorded already; 422 naming the fields that are wrong.
func myAckAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var body struct {
		Policy  string `json:"policy"`
		Version int    `json:"version"`
	}
	if !records.ReadJSONBody(w, r, &body, "an acknowledgement") {
		return
	}
	a, done, err := acknowledge(s, r, body.Policy, body.Version)
	if err != nil {
		answerAck(s, w, r, true, err)
		return
	}
	status := http.StatusCreated
	if done {
		status = http.StatusOK
	}
	kit.WriteJSON(w, status, map[string]any{"acknowledgement": a, "already_recorded": done})
}
