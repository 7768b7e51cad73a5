package incidents

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/letter"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/incidents/{id}/draft", Role: store.RoleViewer, Handler: draftDownload},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/incidents/{id}/draft", Role: store.RoleViewer, Handler: draftDownload},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/incidents/{id}/notices", Role: store.RoleEditor, Handler: noticeSentPage},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/incidents/{id}/notices", Role: store.RoleEditor, Handler: noticeSentAPI},
	)
}

// noticeDraft is a draft as the page and the API show it.
func noticeDraft(title string, dr incident.Draft) NoticeDraft {
	l := letter.Parse(dr.Letter)
	anchor := "draft-" + dr.Kind
	if dr.Customer != "" {
		anchor += "-" + dr.Customer
	}
	return NoticeDraft{Title: title, Kind: dr.Kind, Customer: dr.Customer, Text: dr.Markdown(), Notes: dr.AllNotes(),
		Letter: l.Text(), Placeholders: l.Placeholders(), HTML: l.HTML(), Anchor: anchor}
}

// customerLabel is "Lakeside Cardiology (lakeside-cardiology)", or the id.
func customerLabel(ws *workspace.Workspace, id string) string {
	if c := ws.Customer(id); c != nil && c.Name != "" && c.Name != id {
		return c.Name
	}
	return id
}

// draftFormats are the files a draft downloads as.
var draftFormats = map[string]string{
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"pdf":  "application/pdf",
	"txt":  "text/plain; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
}

// draftDownload is GET .../incidents/{id}/draft?kind=K[&customer=C]&format=F:
// a notice draft's letter as a file (docx, pdf, txt; md keeps the
// drafting notes). It shows what the incident page shows, so every role
// that sees the page may take it; each download is on the audit trail.
func draftDownload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	id := r.PathValue("id")
	inc := ws.Incident(id)
	if inc == nil {
		s.Fail(w, r, api, http.StatusNotFound, "No incident "+id+" in this organization.")
		return
	}
	q := r.URL.Query()
	kind, customer, format := q.Get("kind"), q.Get("customer"), q.Get("format")
	if format == "" {
		format = "docx"
	}
	ctype, ok := draftFormats[format]
	if !ok {
		s.Fail(w, r, api, http.StatusBadRequest, "format must be docx, pdf, txt or md")
		return
	}
	if customer != "" && !slices.Contains(inc.Customers, customer) {
		s.Fail(w, r, api, http.StatusBadRequest, fmt.Sprintf("customer %q is not one of the incident's customers", customer))
		return
	}
	det := incident.Determine(ws, *inc)
	var dr incident.Draft
	switch kind {
	case incident.ToIndividuals:
		dr = incident.IndividualLetter(ws, *inc, det)
	case incident.ToHHS:
		dr = incident.HHSSummary(ws, *inc, det, customer)
	case incident.ToCoveredEntity, incident.ToBusinessAssociate:
		if customer == "" {
			s.Fail(w, r, api, http.StatusBadRequest, "a notice to a customer needs customer=ID")
			return
		}
		dr = incident.CustomerNotice(ws, *inc, det, customer)
	default:
		s.Fail(w, r, api, http.StatusBadRequest, "kind must be individuals, hhs, covered-entity or business-associate")
		return
	}
	l := letter.Parse(dr.Letter)
	var b bytes.Buffer
	switch format {
	case "docx":
		err = l.DOCX(&b)
	case "pdf":
		err = l.PDF(&b, inc.ID+": "+dr.Title)
	case "txt":
		b.WriteString(l.Text())
	case "md":
		b.WriteString(dr.Markdown())
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	name := inc.ID + "-" + dr.Kind
	if dr.Customer != "" {
		name += "-" + dr.Customer
	}
	// A draft carries the incident's facts (what happened, to how many
	// people, whose records): who took a copy is part of the record, as
	// for a signed BAA.
	data := map[string]string{"draft": dr.Kind, "format": format}
	if dr.Customer != "" {
		data["customer"] = dr.Customer
	}
	if err := s.Org(r).Record(r.Context(), kit.CurrentUser(r).Email, "download", store.KindIncident, inc.ID, data); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + format}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// NoticeSentForm is the "mark sent" form of one notice, as typed.
type NoticeSentForm struct {
	To, State, Customer, Sent, Method, Recipient string
}

// readNoticeSent reads and checks a notice recorded as sent against the
// incident's notices: it must be one ward lists (ours, or a covered
// entity's resulting notice), and not recorded already.
func readNoticeSent(ws *workspace.Workspace, inc workspace.Incident, f NoticeSentForm, by string, asOf, today date.Date) (workspace.Incident, records.FieldErrors) {
	fe := records.FieldErrors{}
	ns := workspace.NoticeSent{To: f.To, State: strings.ToUpper(f.State), Customer: f.Customer, Method: f.Method, Recipient: strings.TrimSpace(f.Recipient), By: by}
	switch d, err := date.ParseInput(f.Sent); {
	case f.Sent == "":
		fe.Add("sent", "is missing: the date the notice was given")
	case err != nil:
		fe.Add("sent", "%v", err)
	case d.After(today):
		fe.Add("sent", "%s is in the future (today is %s): record the notice once it has been given", d, today)
	default:
		ns.Sent = d
	}
	match := incident.Deadlines(ws, inc, asOf).Find(ns.To, ns.State, ns.Customer)
	switch {
	case match == nil:
		fe.Add("to", "%s is not a notice this incident calls for", strings.TrimSpace(ns.To+" "+ns.State+" "+ns.Customer))
	case !match.Sent.IsZero():
		fe.Add("to", "this notice is already recorded as sent on %s", match.Sent)
	}
	out := inc
	out.NoticesSent = append(slices.Clone(inc.NoticesSent), ns)
	if len(fe) == 0 {
		for k, v := range ValidateIncident(ws, out) {
			if strings.HasPrefix(k, "notices_sent[") {
				k = k[strings.Index(k, "].")+2:]
			}
			fe.Add(k, "%s", v)
		}
	}
	if len(fe) > 0 {
		return inc, fe
	}
	return out, nil
}

// noticeSentPage records one notice as given (the "Mark sent" form next
// to each deadline): a change of the incident on the audit trail, by the
// user, after which the deadline no longer counts.
func noticeSentPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, stored, asOf, ok := incidentFormPost(s, w, r)
	if !ok {
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	f := NoticeSentForm{To: v("to"), State: v("state"), Customer: v("customer"), Sent: v("sent"), Method: v("method"), Recipient: v("recipient")}
	inc, fe := readNoticeSent(ws, *stored, f, kit.CurrentUser(r).Email, asOf, s.Today())
	if fe != nil {
		d := incidentDetailOf(ws, *stored, asOf)
		d.Version = records.FormVersion(r.PostForm)
		d.Form, d.Entry = assessmentFormOf(*stored, s.Today()), TimelineForm{Date: s.Today().String()}
		d.Form.Errors = records.FieldErrors{"": "Not recorded: " + fe.Summary()}
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "incident.html", d)
		return
	}
	if !putIncident(s, w, r, ws, *stored, inc, asOf, store.Cond{Update: true, Version: records.FormVersion(r.PostForm)}) {
		return
	}
	http.Redirect(w, r, incidentURL(r, stored.ID, "notice")+"#deadlines", http.StatusSeeOther)
}

// noticeSentAPI is POST /api/v1/orgs/{org}/incidents/{id}/notices with
// {"to", "state", "customer", "sent", "method", "recipient"}: the
// notice recorded as sent (201, the incident's detail), or 422 by field.
// If-Match, when given, must be the incident's ETag.
func noticeSentAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
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
	var body struct {
		To        string `json:"to"`
		State     string `json:"state"`
		Customer  string `json:"customer"`
		Sent      string `json:"sent"`
		Method    string `json:"method"`
		Recipient string `json:"recipient"`
	}
	if err := strictjson.Decode(r.Body, 1<<16, &body); err != nil {
		kit.APIError(w, http.StatusBadRequest, fmt.Sprintf("the body is not a notice as JSON: %v", err))
		return
	}
	o := s.Org(r)
	ws, err := o.Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	id := r.PathValue("id")
	stored := ws.Incident(id)
	if stored == nil {
		kit.APIError(w, http.StatusNotFound, "No incident "+id+" in this organization.")
		return
	}
	inc, fe := readNoticeSent(ws, *stored, NoticeSentForm(body), kit.CurrentUser(r).Email, asOf, s.Today())
	if fe != nil {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.APIFieldErrors{Error: fe.Summary(), Fields: fe})
		return
	}
	ch, err := o.PutIf(r.Context(), kit.CurrentUser(r).Email, store.KindIncident, id, inc, store.Cond{Update: true, Version: version, Check: incidentCheck(inc)})
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
	if ws, err = o.Workspace(r.Context()); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	d := incidentDetailOf(ws, *ws.Incident(id), asOf)
	d.Version = ch.Version
	kit.WriteJSON(w, http.StatusCreated, d)
}
