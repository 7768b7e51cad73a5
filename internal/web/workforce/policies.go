package workforce

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The written policies and procedures (45 CFR 164.316(a), issue 18): the
// list with the version in force and each version's retention date, a
// policy's page with its text rendered (raw HTML left out), its versions,
// a diff between two of them, and the approval of a draft and the review
// of the version in force. An approval or review made here is dated today
// and signed by the person under people whose e-mail is the caller's
// account: only a person named in the workspace approves a policy, and
// only an editor or admin may. Both are written through the store like
// every web edit: audited, and managed in the web from then on (a files
// record changed here has drifted; `ward apply` says so).

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/policies", Role: store.RoleViewer, Handler: policiesPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/policies", Role: store.RoleViewer, Handler: policiesAPI},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/policies/{id}", Role: store.RoleViewer, Handler: policyPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/policies/{id}", Role: store.RoleViewer, Handler: policyAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/policies/{id}/diff", Role: store.RoleViewer, Handler: policyDiffAPI},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/policies/{id}/approve", Role: store.RoleEditor, Handler: policyApprovePage},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/policies/{id}/approve", Role: store.RoleEditor, Handler: policyApproveAPI},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/policies/{id}/review", Role: store.RoleEditor, Handler: policyReviewPage},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/policies/{id}/review", Role: store.RoleEditor, Handler: policyReviewAPI},
	)
}

// PolicyRow is one policy of the list: its summary and the retention
// date of each approved version (164.316(b)(2)(i)).
type PolicyRow struct {
	policy.Summary
	Versions []policy.VersionState `json:"versions"`
}

// PolicyList is /orgs/{org}/policies and its JSON.
type PolicyList struct {
	AsOf     date.Date   `json:"as_of"`
	Policies []PolicyRow `json:"policies"`
	// Missing are the templates the organization's frameworks require
	// with no policy in force (policy.missing).
	Missing []MissingPolicy `json:"missing"`
}

// MissingPolicy is one required template without a policy in force.
type MissingPolicy struct {
	Template string `json:"template"`
	Title    string `json:"title"`
	Message  string `json:"message"`
}

func policyList(ws *workspace.Workspace, asOf date.Date) PolicyList {
	l := PolicyList{AsOf: asOf, Policies: []PolicyRow{}, Missing: []MissingPolicy{}}
	for _, sum := range policy.List(ws, asOf) {
		d, _ := policy.Show(ws, sum.ID, asOf)
		l.Policies = append(l.Policies, PolicyRow{Summary: sum, Versions: d.Versions})
	}
	for _, g := range policy.Missing(ws, asOf) {
		l.Missing = append(l.Missing, MissingPolicy{Template: g.Template.ID, Title: g.Template.Title, Message: g.Message()})
	}
	return l
}

func policiesPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := records.AsOfWorkspace(s, w, r, false); ok {
		s.Render(w, r, "policies.html", policyList(ws, asOf))
	}
}

func policiesAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := records.AsOfWorkspace(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, policyList(ws, asOf))
	}
}

// PolicyView is a policy's page: the detail, the text of one version,
// and a diff when asked for.
type PolicyView struct {
	policy.Detail
	AsOf date.Date `json:"as_of"`
	// Shown is the version whose text is on the page (?version=N;
	// default: the one in force, else the newest).
	Shown    int           `json:"shown"`
	Markdown string        `json:"markdown"`
	HTML     template.HTML `json:"-"`
	// Diff between From and To (?from=A&to=B), when asked for.
	From    int               `json:"-"`
	To      int               `json:"-"`
	Diff    []policy.DiffLine `json:"-"`
	Changed bool              `json:"-"`
	// RecordVersion is the stored record's version, sent with the forms
	// (and as the API's ETag).
	RecordVersion int64 `json:"-"`
	// Approver is the caller's person (who an approval or review here is
	// signed by); empty when the account is no one under people.
	Approver string `json:"-"`
	// Notice and Error: after an approval or review, or a refused one.
	Notice string            `json:"-"`
	Error  string            `json:"-"`
	Fields map[string]string `json:"-"`
	// ManagedIn and Drifted: where the record is managed (files, web).
	ManagedIn string `json:"-"`
	Drifted   bool   `json:"-"`
}

// Draft versions of the policy, newest first, for the approve form.
func (v PolicyView) DraftVersions() []int {
	var out []int
	for i := len(v.Versions) - 1; i >= 0; i-- {
		if !v.Versions[i].Approved() {
			out = append(out, v.Versions[i].Version)
		}
	}
	return out
}

// PrevOf is the approved or draft version listed before n, 0 when none.
func (v PolicyView) PrevOf(n int) int {
	prev := 0
	for _, x := range v.Versions {
		if x.Version < n && x.Version > prev {
			prev = x.Version
		}
	}
	return prev
}

func intParam(r *http.Request, name string) (int, error) {
	raw := strings.TrimSpace(r.URL.Query().Get(name))
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s %q is not a version number (a whole number from 1)", name, raw)
	}
	return n, nil
}

// policyView builds a policy's page on asOf; status 0 is success, else
// the status to answer with msg.
func policyView(s *kit.Server, r *http.Request, ws *workspace.Workspace, asOf date.Date, id string) (PolicyView, int, string) {
	d, ok := policy.Show(ws, id, asOf)
	if !ok {
		return PolicyView{}, http.StatusNotFound, fmt.Sprintf("there is no policy %q in %s", id, kit.CurrentOrg(r).Name)
	}
	pv := PolicyView{Detail: d, AsOf: asOf}
	p := ws.Policy(id)
	shown, err := intParam(r, "version")
	if err != nil {
		return pv, http.StatusBadRequest, err.Error()
	}
	var v *workspace.PolicyVersion
	switch {
	case shown != 0:
		if v = p.Version(shown); v == nil {
			return pv, http.StatusNotFound, fmt.Sprintf("policy %s has no version %d (its versions: %s)", id, shown, versionNumbers(p))
		}
	case p.InForce(asOf) != nil:
		v = p.InForce(asOf)
	case len(p.Versions) > 0:
		v = &p.Versions[len(p.Versions)-1]
	}
	if v != nil {
		pv.Shown = v.Version
		text, err := policyText(s, *v)
		if err != nil {
			pv.Error = err.Error()
		} else {
			pv.Markdown = text
			if pv.HTML, err = renderPolicy(text); err != nil {
				pv.Error = err.Error()
			}
		}
	}
	from, err := intParam(r, "from")
	if err != nil {
		return pv, http.StatusBadRequest, err.Error()
	}
	to, err := intParam(r, "to")
	if err != nil {
		return pv, http.StatusBadRequest, err.Error()
	}
	if from != 0 || to != 0 {
		lines, code, msg := diffOf(s, p, from, to)
		if code != 0 {
			return pv, code, msg
		}
		pv.From, pv.To, pv.Diff, pv.Changed = lines.from, lines.to, lines.lines, policy.Changed(lines.lines)
	}
	if me := accountPerson(ws, r); me != nil {
		pv.Approver = me.Email
	}
	return pv, 0, ""
}

func versionNumbers(p *workspace.Policy) string {
	var vs []string
	for _, v := range p.Versions {
		vs = append(vs, strconv.Itoa(v.Version))
	}
	return strings.Join(vs, ", ")
}

type diffResult struct {
	from, to int
	lines    []policy.DiffLine
}

// diffOf compares two versions' texts: to defaults to the newest, from to
// the one before to.
func diffOf(s *kit.Server, p *workspace.Policy, from, to int) (diffResult, int, string) {
	if to == 0 && len(p.Versions) > 0 {
		to = p.Versions[len(p.Versions)-1].Version
	}
	if from == 0 {
		for _, v := range p.Versions {
			if v.Version < to && v.Version > from {
				from = v.Version
			}
		}
	}
	va, vb := p.Version(from), p.Version(to)
	switch {
	case vb == nil:
		return diffResult{}, http.StatusNotFound, fmt.Sprintf("policy %s has no version %d (to); its versions: %s", p.ID, to, versionNumbers(p))
	case va == nil:
		return diffResult{}, http.StatusNotFound, fmt.Sprintf("policy %s has no version %d (from) to compare version %d with; its versions: %s", p.ID, from, to, versionNumbers(p))
	}
	ta, err := policyText(s, *va)
	if err != nil {
		return diffResult{}, http.StatusInternalServerError, err.Error()
	}
	tb, err := policyText(s, *vb)
	if err != nil {
		return diffResult{}, http.StatusInternalServerError, err.Error()
	}
	return diffResult{from: from, to: to, lines: policy.Diff(ta, tb)}, 0, ""
}

// loadPolicyView is the page's data with the record's version and origin.
func loadPolicyView(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, PolicyView, bool) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return nil, PolicyView{}, false
	}
	id := r.PathValue("id")
	pv, code, msg := policyView(s, r, ws, asOf, id)
	if code != 0 {
		if code == http.StatusInternalServerError {
			s.ServerError(w, r, api, errors.New(msg))
		} else {
			s.Fail(w, r, api, code, msg)
		}
		return nil, PolicyView{}, false
	}
	o := s.Org(r)
	var err error
	if pv.RecordVersion, err = o.Version(r.Context(), store.KindPolicy, id); err != nil {
		s.ServerError(w, r, api, err)
		return nil, PolicyView{}, false
	}
	if pv.ManagedIn, pv.Drifted, err = o.Origin(r.Context(), store.KindPolicy, id); err != nil {
		s.ServerError(w, r, api, err)
		return nil, PolicyView{}, false
	}
	return ws, pv, true
}

func policyPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	_, pv, ok := loadPolicyView(s, w, r, false)
	if !ok {
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("approved") != "":
		pv.Notice = fmt.Sprintf("Version %s approved by %s. Everyone it applies to owes an acknowledgement of it; the approval is on the audit trail.", q.Get("approved"), q.Get("by"))
	case q.Get("reviewed") != "":
		pv.Notice = fmt.Sprintf("Review recorded. The next review is due %s.", pv.ReviewDue)
	}
	s.Render(w, r, "policy.html", pv)
}

// policyAPI is GET /api/v1/orgs/{org}/policies/{id}: the detail, with the
// Markdown of ?version=N (default: the one in force, else the newest).
func policyAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if _, pv, ok := loadPolicyView(s, w, r, true); ok {
		records.SetETag(w, pv.RecordVersion)
		kit.WriteJSON(w, http.StatusOK, pv)
	}
}

// policyDiffAPI is GET .../policies/{id}/diff?from=A&to=B.
func policyDiffAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, _, ok := records.AsOfWorkspace(s, w, r, true)
	if !ok {
		return
	}
	id := r.PathValue("id")
	p := ws.Policy(id)
	if p == nil {
		kit.APIError(w, http.StatusNotFound, fmt.Sprintf("there is no policy %q in %s", id, kit.CurrentOrg(r).Name))
		return
	}
	from, err := intParam(r, "from")
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	to, err := intParam(r, "to")
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	d, code, msg := diffOf(s, p, from, to)
	if code == http.StatusInternalServerError {
		s.ServerError(w, r, true, errors.New(msg))
		return
	}
	if code != 0 {
		kit.APIError(w, code, msg)
		return
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"policy": id, "from": d.from, "to": d.to, "changed": policy.Changed(d.lines), "lines": d.lines})
}

// policyEdit is an approval or a review to record.
type policyEdit struct {
	approve   bool
	version   int       // approve: the draft (0: the newest)
	effective date.Date // approve: optional
	note      string    // review
	record    int64     // the record's version the edit is based on (0: as loaded now)
}

// editRefusal is a refused approval or review: the status, a sentence,
// and the fields at fault.
type editRefusal struct {
	status int
	msg    string
	fields map[string]string
}

func (e *editRefusal) Error() string { return e.msg }

// editPolicy records an approval or a review of policy id by the caller's
// person, today, conditional on the record not having changed since it
// was loaded.
func editPolicy(s *kit.Server, r *http.Request, id string, e policyEdit) (workspace.Policy, int, error) {
	o := s.Org(r)
	ws, err := o.Workspace(r.Context())
	if err != nil {
		return workspace.Policy{}, 0, err
	}
	if ws.Policy(id) == nil {
		return workspace.Policy{}, 0, &editRefusal{status: http.StatusNotFound, msg: fmt.Sprintf("there is no policy %q in %s", id, kit.CurrentOrg(r).Name)}
	}
	me := accountPerson(ws, r)
	if me == nil {
		what := "approves a policy"
		if !e.approve {
			what = "records a review"
		}
		return workspace.Policy{}, 0, &editRefusal{status: http.StatusUnprocessableEntity,
			msg:    fmt.Sprintf("your account %s is no one under people in %s: only a person named in the workspace %s; nothing was written", kit.CurrentUser(r).Email, kit.CurrentOrg(r).Name, what),
			fields: map[string]string{"approved_by": fmt.Sprintf("%s is not a person of the workspace", kit.CurrentUser(r).Email)}}
	}
	today := s.Today()
	build := func(cur *workspace.Workspace) (workspace.Policy, int, error) {
		if e.approve {
			if !e.effective.IsZero() && e.effective.Before(today) {
				return workspace.Policy{}, 0, &editRefusal{status: http.StatusUnprocessableEntity, msg: "not approved; nothing was written",
					fields: map[string]string{"effective": fmt.Sprintf("%s is before today (%s): a version takes effect on or after its approval", e.effective, today)}}
			}
			p, n, err := policy.Approve(cur, id, e.version, me.Email, today, e.effective)
			if err != nil {
				field := "version"
				if strings.Contains(err.Error(), "effective") {
					field = "effective"
				}
				return workspace.Policy{}, 0, &editRefusal{status: http.StatusUnprocessableEntity, msg: err.Error() + "; nothing was written", fields: map[string]string{field: err.Error()}}
			}
			return p, n, nil
		}
		if err := bounds.Text(e.note, bounds.MaxText); err != nil {
			return workspace.Policy{}, 0, &editRefusal{status: http.StatusUnprocessableEntity, msg: "not recorded; nothing was written", fields: map[string]string{"note": err.Error()}}
		}
		p, err := policy.Review(cur, id, me.Email, today, e.note)
		if err != nil {
			return workspace.Policy{}, 0, &editRefusal{status: http.StatusUnprocessableEntity, msg: err.Error() + "; nothing was written", fields: map[string]string{"policy": err.Error()}}
		}
		return p, 0, nil
	}
	p, n, err := build(ws)
	if err != nil {
		return p, n, err
	}
	check := func(cur *workspace.Workspace) error {
		np, _, err := build(cur)
		if err != nil {
			return err
		}
		next := *cur
		next.Policies = make([]workspace.Policy, len(cur.Policies))
		copy(next.Policies, cur.Policies)
		idx := -1
		for i := range next.Policies {
			if next.Policies[i].ID == id {
				next.Policies[i], idx = np, i
			}
		}
		if errs := editErrors(&next, "policies", idx, today); len(errs) > 0 {
			return &records.EditRefused{Errs: errs}
		}
		return nil
	}
	if err := check(ws); err != nil {
		return p, n, err
	}
	version := e.record
	if version == 0 {
		// Conditional on what this edit was computed from, so that a
		// change committed meanwhile is not overwritten.
		if version, err = o.Version(r.Context(), store.KindPolicy, id); err != nil {
			return p, n, err
		}
	}
	_, err = o.PutIf(r.Context(), kit.CurrentUser(r).Email, store.KindPolicy, id, p, store.Cond{Update: true, Version: version, Check: check})
	return p, n, err
}

// answerPolicyEditAPI answers editPolicy's refusals as JSON.
func answerPolicyEditAPI(s *kit.Server, w http.ResponseWriter, r *http.Request, err error) {
	var er *editRefusal
	var rf *records.EditRefused
	switch {
	case errors.As(err, &er):
		kit.WriteJSON(w, er.status, records.RecordError{Error: er.msg, Fields: er.fields})
	case errors.As(err, &rf):
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: "the policy would not be valid; nothing was written", Fields: rf.Errs})
	default:
		records.WriteRefused(s, w, r, true, err)
	}
}

// formPolicyEdit reads the approve or review form; fields is non-nil on a
// value that is not even of its type.
func formPolicyEdit(r *http.Request, approve bool) (policyEdit, map[string]string) {
	e := policyEdit{approve: approve, record: records.FormVersion(r.PostForm)}
	fields := map[string]string{}
	if raw := strings.TrimSpace(r.PostForm.Get("draft")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			fields["version"] = fmt.Sprintf("%q is not a version number", raw)
		}
		e.version = n
	}
	if raw := strings.TrimSpace(r.PostForm.Get("effective")); raw != "" {
		d, err := date.ParseInput(raw)
		if err != nil {
			fields["effective"] = fmt.Sprintf("%q is not a date: use 2026-12-01 or 12/01/2026", raw)
		}
		e.effective = d
	}
	e.note = strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("note"), "\r\n", "\n"))
	if len(fields) == 0 {
		return e, nil
	}
	return e, fields
}

func policyEditPage(s *kit.Server, w http.ResponseWriter, r *http.Request, approve bool) {
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read: "+err.Error())
		return
	}
	id := r.PathValue("id")
	e, fields := formPolicyEdit(r, approve)
	var err error
	var n int
	status := http.StatusUnprocessableEntity
	var msg string
	if fields == nil {
		_, n, err = editPolicy(s, r, id, e)
		if err == nil {
			q := "reviewed=1"
			if approve {
				by := ""
				if ws, werr := s.Org(r).Workspace(r.Context()); werr == nil {
					if me := accountPerson(ws, r); me != nil {
						by = me.Email
					}
				}
				q = url.Values{"approved": {strconv.Itoa(n)}, "by": {by}}.Encode()
			}
			http.Redirect(w, r, fmt.Sprintf("/orgs/%s/policies/%s?%s", kit.CurrentOrg(r).Slug, id, q), http.StatusSeeOther)
			return
		}
		var er *editRefusal
		var rf *records.EditRefused
		var stale *store.StaleError
		switch {
		case errors.As(err, &er):
			if er.status == http.StatusNotFound {
				s.Fail(w, r, false, er.status, er.msg)
				return
			}
			status, msg, fields = er.status, er.msg, er.fields
		case errors.As(err, &rf):
			msg, fields = "Not saved: "+rf.Error(), rf.Errs
		case errors.As(err, &stale):
			status, msg = http.StatusConflict, "Not saved: "+err.Error()
		default:
			records.WriteRefused(s, w, r, false, err)
			return
		}
	} else {
		msg = "Not saved: a value is not of its kind."
	}
	_, pv, ok := loadPolicyView(s, w, r, false)
	if !ok {
		return
	}
	pv.Error, pv.Fields = msg, fields
	s.RenderStatus(w, r, status, "policy.html", pv)
}

func policyApprovePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	policyEditPage(s, w, r, true)
}
func policyReviewPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	policyEditPage(s, w, r, false)
}

// policyEditAPI is POST .../approve with {"version": N, "effective":
// "YYYY-MM-DD"} (both optional: the newest draft, effective today) or
// POST .../review with {"note": "..."}; If-Match as for PUT. 200 with
// the policy; 422 naming the fields at fault.
func policyEditAPI(s *kit.Server, w http.ResponseWriter, r *http.Request, approve bool) {
	record, ok := records.IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the policy (a quoted version such as "3"), or *`)
		return
	}
	e := policyEdit{approve: approve, record: record}
	if approve {
		var body struct {
			Version   int    `json:"version"`
			Effective string `json:"effective"`
		}
		if !records.ReadJSONBody(w, r, &body, "an approval ({\"version\": N, \"effective\": \"YYYY-MM-DD\"})") {
			return
		}
		if body.Version < 0 {
			kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: "not approved; nothing was written", Fields: map[string]string{"version": "is not a version number"}})
			return
		}
		e.version = body.Version
		if raw := strings.TrimSpace(body.Effective); raw != "" {
			d, err := date.Parse(raw)
			if err != nil {
				kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: "not approved; nothing was written", Fields: map[string]string{"effective": fmt.Sprintf("%q is not a date: use YYYY-MM-DD", raw)}})
				return
			}
			e.effective = d
		}
	} else {
		var body struct {
			Note string `json:"note"`
		}
		if !records.ReadJSONBody(w, r, &body, "a review ({\"note\": \"...\"})") {
			return
		}
		e.note = body.Note
	}
	id := r.PathValue("id")
	p, n, err := editPolicy(s, r, id, e)
	if err != nil {
		answerPolicyEditAPI(s, w, r, err)
		return
	}
	if v, verr := s.Org(r).Version(r.Context(), store.KindPolicy, id); verr == nil {
		records.SetETag(w, v)
	}
	out := map[string]any{"policy": p}
	if approve {
		out["approved"] = n
	}
	kit.WriteJSON(w, http.StatusOK, out)
}

func policyApproveAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	policyEditAPI(s, w, r, true)
}
func policyReviewAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	policyEditAPI(s, w, r, false)
}
