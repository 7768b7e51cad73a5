package workforce

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The security awareness and training program (45 CFR 164.308(a)(5)):
// each training with where every person stands, the completions recorded
// here (with a certificate kept as evidence), and the security reminders
// sent to the workforce (164.308(a)(5)(ii)(A)). The acknowledgements'
// JSON lives here too: GET and POST /api/v1/orgs/{org}/acknowledgements.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/trainings", Role: store.RoleViewer, Handler: trainingsPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/trainings", Role: store.RoleViewer, Handler: trainingsAPI},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/trainings/{id}/records", Role: store.RoleEditor, Handler: trainingRecordPage, Upload: true},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/trainings/{id}/records", Role: store.RoleEditor, Handler: trainingRecordAPI, Upload: true},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/acknowledgements", Role: store.RoleViewer, Handler: acknowledgementsAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/acknowledgements", Role: store.RoleEditor, Handler: recordAckAPI},
	)
	// A completion's certificate is evidence: downloaded by auditors and
	// up, each download on the audit trail (downloads.go).
	kit.RegisterDownloads(kit.Download{Page: "/orgs/{org}/trainings/{id}/certificates/{person}/{on}", API: "/api/v1/orgs/{org}/trainings/{id}/certificates/{person}/{on}",
		Role: store.RoleAuditor, What: "the training certificate", Handler: certificateFile})
}

// certificateFile sends a completion's certificate as an attachment and
// records the download on the audit trail.
func certificateFile(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	on, err := date.Parse(r.PathValue("on"))
	if err != nil {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("%q is not a date: a certificate is named by the completion's date, YYYY-MM-DD", r.PathValue("on")))
		return
	}
	key := workspace.TrainingRecord{Person: r.PathValue("person"), Training: r.PathValue("id"), Completed: on}.Key()
	o := s.Org(r)
	var rec workspace.TrainingRecord
	err = o.Get(r.Context(), store.KindTrainingRecord, key, &rec)
	if errors.Is(err, store.ErrNotFound) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("%s has no completion of %s on %s in %s", r.PathValue("person"), r.PathValue("id"), on, kit.CurrentOrg(r).Name))
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if rec.SHA256 == "" {
		s.Fail(w, r, api, http.StatusNotFound, "that completion was recorded without a certificate")
		return
	}
	f, err := s.Store.Blobs().Open(rec.SHA256)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "certificate blob missing", "org", kit.CurrentOrg(r).Slug, "record", key, "sha256", rec.SHA256, "err", err)
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("the certificate (sha256 %s) is not in the blob store", rec.SHA256))
		return
	}
	defer f.Close()
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "download", store.KindTrainingRecord, key, map[string]string{"sha256": rec.SHA256}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	name := path.Base(rec.File)
	if rec.File == "" {
		name = "certificate"
	}
	kit.ServeAsFile(w.Header(), mime.TypeByExtension(strings.ToLower(path.Ext(name))), name)
	w.Header().Set("X-Evidence-SHA256", rec.SHA256)
	io.Copy(w, f)
}

// TrainingRow is one training with where each person stands.
type TrainingRow struct {
	workspace.Training
	HireDays    int           `json:"hire_days"`
	EveryMonths int           `json:"every_months_effective"`
	Done        int           `json:"done"`
	Open        int           `json:"open"`
	Overdue     int           `json:"overdue"`
	People      []policy.Task `json:"people"`
	// Records are the completions recorded, newest first.
	Records []workspace.TrainingRecord `json:"records"`
}

// TrainingList is /orgs/{org}/trainings and its JSON.
type TrainingList struct {
	AsOf      date.Date            `json:"as_of"`
	Trainings []TrainingRow        `json:"trainings"`
	Reminders []workspace.Reminder `json:"security_reminders"`
	// Page only: the people to choose from, today, the form's state.
	People []workspace.Person `json:"-"`
	Today  date.Date          `json:"-"`
	Notice string             `json:"-"`
	Error  string             `json:"-"`
	// ErrorFor is the training the refused form was for.
	ErrorFor string            `json:"-"`
	Fields   map[string]string `json:"-"`
}

func trainingList(ws *workspace.Workspace, asOf date.Date) TrainingList {
	l := TrainingList{AsOf: asOf, Trainings: []TrainingRow{}, Reminders: []workspace.Reminder{}}
	tasks := policy.AllTasks(ws, asOf)
	for _, t := range ws.Trainings {
		row := TrainingRow{Training: t, HireDays: t.HireDays(), EveryMonths: t.Recurrence(), People: []policy.Task{}, Records: []workspace.TrainingRecord{}}
		if row.Controls == nil {
			row.Controls = []string{}
		}
		for _, k := range tasks {
			if k.Kind != policy.KindTraining || k.ID != t.ID {
				continue
			}
			row.People = append(row.People, k)
			switch k.Status {
			case policy.Done:
				row.Done++
			case policy.Open:
				row.Open++
			case policy.Overdue:
				row.Overdue++
			}
		}
		for _, r := range ws.TrainingRecords {
			if r.Training == t.ID {
				row.Records = append(row.Records, r)
			}
		}
		slices.SortStableFunc(row.Records, func(a, b workspace.TrainingRecord) int { return b.Completed.Compare(a.Completed) })
		l.Trainings = append(l.Trainings, row)
	}
	l.Reminders = append(l.Reminders, ws.SecurityReminders...)
	slices.SortStableFunc(l.Reminders, func(a, b workspace.Reminder) int { return b.On.Compare(a.On) })
	return l
}

func trainingsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, false)
	if !ok {
		return
	}
	l := trainingList(ws, asOf)
	l.People, l.Today = ws.People, s.Today()
	if q := r.URL.Query(); q.Get("recorded") != "" {
		l.Notice = fmt.Sprintf("Recorded: %s completed %s on %s. It is on the audit trail.", q.Get("person"), q.Get("recorded"), q.Get("on"))
	}
	s.Render(w, r, "trainings.html", l)
}

func trainingsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if ws, asOf, ok := records.AsOfWorkspace(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, trainingList(ws, asOf))
	}
}

// fieldsRefused is an edit refused field by field (422 unless status is
// set).
type fieldsRefused struct {
	status int
	msg    string
	fields map[string]string
}

func (e *fieldsRefused) Error() string {
	var parts []string
	for k, v := range e.fields {
		parts = append(parts, strings.TrimPrefix(k+": "+v, ": "))
	}
	slices.Sort(parts)
	return e.msg + ": " + strings.Join(parts, "; ")
}

// completion is a training completion to record.
type completion struct {
	person    string
	completed string // YYYY-MM-DD; "" is today
	file      *kit.Uploaded
}

// recordCompletion records a person's completion of training id (source
// web), with the certificate already in the blob store, checked with
// apply's rules inside the write's transaction.
func recordCompletion(s *kit.Server, r *http.Request, id string, c completion) (workspace.TrainingRecord, bool, error) {
	o := s.Org(r)
	ws, err := o.Workspace(r.Context())
	if err != nil {
		return workspace.TrainingRecord{}, false, err
	}
	if ws.Training(id) == nil {
		return workspace.TrainingRecord{}, false, &fieldsRefused{status: http.StatusNotFound, msg: fmt.Sprintf("there is no training %q in %s", id, kit.CurrentOrg(r).Name)}
	}
	today := s.Today()
	fields := map[string]string{}
	rec := workspace.TrainingRecord{Person: strings.TrimSpace(c.person), Training: id, Completed: today, Source: workspace.RecordWeb}
	if raw := strings.TrimSpace(c.completed); raw != "" {
		d, err := date.Parse(raw)
		if err != nil {
			fields["completed"] = fmt.Sprintf("%q is not a date: use YYYY-MM-DD", raw)
		}
		rec.Completed = d
	}
	if rec.Person == "" {
		fields["person"] = "is missing: the e-mail of the person who completed the training"
	}
	if len(fields) > 0 {
		return rec, false, &fieldsRefused{msg: "the completion is not valid; nothing was written", fields: fields}
	}
	for _, x := range ws.TrainingRecords {
		if x.Key() == rec.Key() {
			return x, true, nil
		}
	}
	if c.file != nil {
		ext := strings.ToLower(path.Ext(c.file.Name))
		rec.File = fmt.Sprintf("training/%s-%s-%s%s", strings.ReplaceAll(rec.Person, "@", "-at-"), id, rec.Completed, ext)
		rec.SHA256 = c.file.SHA256
	}
	check := func(cur *workspace.Workspace) error {
		next := *cur
		next.TrainingRecords = append(append([]workspace.TrainingRecord(nil), cur.TrainingRecords...), rec)
		if errs := editErrors(&next, "training_records", len(next.TrainingRecords)-1, today); len(errs) > 0 {
			return &fieldsRefused{msg: "the completion is not valid; nothing was written", fields: errs}
		}
		return nil
	}
	if err := check(ws); err != nil {
		return rec, false, err
	}
	_, err = o.SaveIf(r.Context(), kit.CurrentUser(r).Email, check, store.Edit{Kind: store.KindTrainingRecord, Value: rec})
	if errors.Is(err, store.ErrConflict) {
		return rec, true, nil
	}
	return rec, false, err
}

// readCompletion reads the record form or body: multipart (with the
// certificate as field "file"), a form, or for the API JSON.
func readCompletion(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (completion, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data":
		form, err := s.ReadUpload(r, kit.FileCheck{})
		if err != nil {
			records.AnswerError(s, w, r, api, err)
			return completion{}, false
		}
		c := completion{person: form.Fields.Get("person"), completed: formDateISO(form.Fields.Get("completed"))}
		switch files := form.Files["file"]; {
		case len(files) > 1:
			s.Fail(w, r, api, http.StatusUnprocessableEntity, "file: one certificate per completion, not "+fmt.Sprint(len(files)))
			return completion{}, false
		case len(files) == 1:
			if files[0].Size == 0 {
				s.Fail(w, r, api, http.StatusUnprocessableEntity, "file: "+files[0].Name+" is empty")
				return completion{}, false
			}
			c.file = &files[0]
		}
		return c, true
	case api && mt == "application/json":
		var body struct {
			Person    string `json:"person"`
			Completed string `json:"completed"`
		}
		if !records.ReadJSONBody(w, r, &body, `a completion ({"person": EMAIL, "completed": "YYYY-MM-DD"})`) {
			return completion{}, false
		}
		return completion{person: body.Person, completed: body.Completed}, true
	default:
		if err := r.ParseForm(); err != nil {
			s.Fail(w, r, api, http.StatusBadRequest, "the form could not be read: "+err.Error())
			return completion{}, false
		}
		return completion{person: r.PostForm.Get("person"), completed: formDateISO(r.PostForm.Get("completed"))}, true
	}
}

func trainingRecordPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	c, ok := readCompletion(s, w, r, false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	rec, _, err := recordCompletion(s, r, id, c)
	if err == nil {
		q := url.Values{"recorded": {id}, "person": {rec.Person}, "on": {rec.Completed.String()}}
		http.Redirect(w, r, fmt.Sprintf("/orgs/%s/trainings?%s#training-%s", kit.CurrentOrg(r).Slug, q.Encode(), id), http.StatusSeeOther)
		return
	}
	var fr *fieldsRefused
	if !errors.As(err, &fr) {
		records.WriteRefused(s, w, r, false, err)
		return
	}
	if fr.status == http.StatusNotFound {
		s.Fail(w, r, false, fr.status, fr.msg)
		return
	}
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, false)
	if !ok {
		return
	}
	l := trainingList(ws, asOf)
	l.People, l.Today = ws.People, s.Today()
	l.Error, l.ErrorFor, l.Fields = "Not recorded: "+fr.Error(), id, fr.fields
	s.RenderStatus(w, r, http.StatusUnprocessableEntity, "trainings.html", l)
}

// trainingRecordAPI is POST .../trainings/{id}/records: JSON
// {"person": EMAIL, "completed": "YYYY-MM-DD"}, or multipart with the
// certificate as "file". 201, 200 when recorded already, 422 naming the
// fields at fault.
func trainingRecordAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	c, ok := readCompletion(s, w, r, true)
	if !ok {
		return
	}
	rec, done, err := recordCompletion(s, r, r.PathValue("id"), c)
	var fr *fieldsRefused
	switch {
	case errors.As(err, &fr):
		status := fr.status
		if status == 0 {
			status = http.StatusUnprocessableEntity
		}
		kit.WriteJSON(w, status, records.RecordError{Error: fr.msg, Fields: fr.fields})
	case err != nil:
		records.WriteRefused(s, w, r, true, err)
	case done:
		kit.WriteJSON(w, http.StatusOK, map[string]any{"training_record": rec, "already_recorded": true})
	default:
		kit.WriteJSON(w, http.StatusCreated, map[string]any{"training_record": rec, "already_recorded": false})
	}
}

// acknowledgementsAPI is GET /api/v1/orgs/{org}/acknowledgements
// [?person=EMAIL][&policy=ID]: every acknowledgement recorded.
func acknowledgementsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, true)
	if !ok {
		return
	}
	person, pol := r.URL.Query().Get("person"), r.URL.Query().Get("policy")
	out := []workspace.Acknowledgement{}
	for _, a := range ws.Acknowledgements {
		if (person == "" || strings.EqualFold(a.Person, person)) && (pol == "" || a.Policy == pol) {
			out = append(out, a)
		}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"as_of": asOf, "acknowledgements": out})
}

// recordAckAPI is POST /api/v1/orgs/{org}/acknowledgements: an editor
// records a person's acknowledgement, {"person", "policy", "version",
// "on"} (version default: the one in force on the date; on default:
// today). 201, 200 when recorded already, 422 naming the fields.
func recordAckAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var body struct {
		Person  string `json:"person"`
		Policy  string `json:"policy"`
		Version int    `json:"version"`
		On      string `json:"on"`
	}
	if !records.ReadJSONBody(w, r, &body, `an acknowledgement ({"person": EMAIL, "policy": ID, "version": N, "on": "YYYY-MM-DD"})`) {
		return
	}
	o := s.Org(r)
	ws, err := o.Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	today := s.Today()
	on := today
	fields := map[string]string{}
	if raw := strings.TrimSpace(body.On); raw != "" {
		d, err := date.Parse(raw)
		if err != nil {
			fields["on"] = fmt.Sprintf("%q is not a date: use YYYY-MM-DD", raw)
		}
		on = d
	}
	if strings.TrimSpace(body.Person) == "" {
		fields["person"] = "is missing: the e-mail of the person who acknowledged"
	}
	if strings.TrimSpace(body.Policy) == "" {
		fields["policy"] = "is missing: the id of the policy acknowledged"
	} else if p := ws.Policy(body.Policy); p == nil {
		fields["policy"] = fmt.Sprintf("%q is not a policy of %s", body.Policy, kit.CurrentOrg(r).Name)
	} else if body.Version == 0 && !on.IsZero() && p.InForce(on) == nil {
		fields["version"] = fmt.Sprintf("policy %s has no version in force on %s: name the version", body.Policy, on)
	}
	if body.Version < 0 {
		fields["version"] = "is not a version number (a whole number from 1)"
	}
	if len(fields) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: "the acknowledgement is not valid; nothing was written", Fields: fields})
		return
	}
	a, done, err := policy.Acknowledge(ws, strings.TrimSpace(body.Person), body.Policy, body.Version, on, workspace.RecordWeb)
	if err != nil {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, records.RecordError{Error: err.Error() + "; nothing was written", Fields: map[string]string{"policy": err.Error()}})
		return
	}
	if done {
		kit.WriteJSON(w, http.StatusOK, map[string]any{"acknowledgement": a, "already_recorded": true})
		return
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
		answerAck(s, w, r, true, err)
		return
	}
	_, err = o.SaveIf(r.Context(), kit.CurrentUser(r).Email, check, store.Edit{Kind: store.KindAcknowledgement, Value: a})
	switch {
	case errors.Is(err, store.ErrConflict):
		kit.WriteJSON(w, http.StatusOK, map[string]any{"acknowledgement": a, "already_recorded": true})
	case err != nil:
		answerAck(s, w, r, true, err)
	default:
		kit.WriteJSON(w, http.StatusCreated, map[string]any{"acknowledgement": a, "already_recorded": false})
	}
}

// formDateISO is a date typed into a form (2026-12-01 or 12/01/2026,
// date.ParseInput) in ISO form; what is no date is returned as typed, for
// the rules to name.
func formDateISO(v string) string {
	if d, err := date.ParseInput(v); err == nil && strings.TrimSpace(v) != "" {
		return d.String()
	}
	return v
}
