package controls

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/controls/{id}/evidence", Role: store.RoleEditor, Handler: uploadPage, Upload: true},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/controls/{id}/evidence", Role: store.RoleEditor, Handler: uploadAPI, Upload: true},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/controls/{id}", Role: store.RoleEditor, Handler: saveControlPage},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/controls/{id}", Role: store.RoleEditor, Handler: saveControlAPI},
	)
	kit.RegisterDownloads(kit.Download{Page: "/orgs/{org}/evidence/{id}/file", API: "/api/v1/orgs/{org}/evidence/{id}/file",
		Role: store.RoleAuditor, What: "the evidence file", Handler: evidenceFile})
}

// UploadResult is what POST .../controls/{id}/evidence answers (JSON) or
// counts (page).
type UploadResult struct {
	Control string               `json:"control"`
	Added   []workspace.Evidence `json:"added"`
	// Existing are files whose bytes were already evidence of the same
	// controls on the same day (uploaded before, perhaps under another
	// name): nothing new was stored for them.
	Existing []workspace.Evidence `json:"existing,omitempty"`
}

// formDate reads an optional YYYY-MM-DD field.
func formDate(get func(string) string, field string) (date.Date, error) {
	v := get(field)
	if v == "" {
		return date.Date{}, nil
	}
	d, err := date.ParseInput(v)
	if err != nil {
		return date.Date{}, kit.BadInput("%s: %v", field, err)
	}
	return d, nil
}

// uploadName is where an uploaded file goes in an exported workspace:
// under evidence/uploads/, prefixed with its hash so that two files of the
// same name never collide. name is already clean (cleanFileName).
func uploadName(sha, name string) string {
	return "evidence/uploads/" + sha[:12] + "-" + name
}

// addEvidence stores the uploaded files (field "file", several allowed),
// or a note alone, as evidence of control id. Everything is checked before
// anything is stored; each file goes to the content-addressed blob store
// (harmless if the records then fail: blobs are named by their hash) and
// the items through the store in one transaction, each audited.
func addEvidence(s *kit.Server, r *http.Request) (UploadResult, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	o := s.Org(r)
	ws, err := o.Workspace(ctx)
	if err != nil {
		return UploadResult{}, err
	}
	if ws.Control(id) == nil {
		if catalog.Default().Control(id) == nil {
			return UploadResult{}, errNoControl
		}
		return UploadResult{}, kit.BadInput("control %s is not adopted yet: set its status first, then attach evidence", id)
	}
	form := kit.UploadForm{Fields: url.Values{}}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if form, err = s.ReadUpload(r, kit.FileCheck{}); err != nil {
			return UploadResult{}, err
		}
	} else if err := r.ParseForm(); err != nil {
		return UploadResult{}, kit.ReadError(err)
	} else {
		form.Fields = r.PostForm
	}
	field := func(name string) string { return strings.TrimSpace(form.Fields.Get(name)) }
	collected, err := formDate(field, "collected")
	if err != nil {
		return UploadResult{}, err
	}
	if collected.IsZero() {
		collected = date.Of(s.Now().UTC())
	}
	ps, err := formDate(field, "period_start")
	if err != nil {
		return UploadResult{}, err
	}
	pe, err := formDate(field, "period_end")
	if err != nil {
		return UploadResult{}, err
	}
	switch {
	case ps.IsZero() != pe.IsZero():
		return UploadResult{}, kit.BadInput("period_start and period_end: give both dates of the period the evidence covers, or neither")
	case !ps.IsZero() && pe.Before(ps):
		return UploadResult{}, kit.BadInput("period_end %s is before period_start %s", pe, ps)
	}
	note := field("note")
	supersedes := field("supersedes")
	if err := bounds.Text(note, bounds.MaxText); err != nil {
		return UploadResult{}, kit.BadInput("note: %v", err)
	}
	files := form.Files["file"]
	if len(files) == 0 && note == "" {
		return UploadResult{}, kit.BadInput("choose at least one file (or write a note)")
	}
	for _, fh := range files {
		if fh.Size == 0 {
			return UploadResult{}, kit.BadInput("file %s is empty", fh.Name)
		}
	}
	if supersedes != "" {
		if len(files) > 1 {
			return UploadResult{}, kit.BadInput("a correction supersedes one item: upload one file with it, not %d", len(files))
		}
		var old *workspace.Evidence
		for i := range ws.Evidence {
			if ws.Evidence[i].ID == supersedes {
				old = &ws.Evidence[i]
			}
		}
		if old == nil || !slices.Contains(old.ControlIDs(), id) {
			return UploadResult{}, kit.BadInput("supersedes: %q is not evidence of control %s", supersedes, id)
		}
		for _, e := range ws.Evidence {
			if e.Supersedes == supersedes {
				return UploadResult{}, kit.BadInput("supersedes: %s is already superseded by %s; supersede that one instead", supersedes, e.ID)
			}
		}
	}
	actor := kit.CurrentUser(r).Email
	base := workspace.Evidence{Control: id, Collected: collected, PeriodStart: ps, PeriodEnd: pe, Note: note,
		Supersedes: supersedes, Source: workspace.SourceUpload, AddedBy: actor}
	if supersedes != "" {
		// A correction stands for what it corrects: every control the old
		// item was evidence for, not only the page's, or the others would
		// lose their evidence without a word.
		for i := range ws.Evidence {
			if cs := ws.Evidence[i].ControlIDs(); ws.Evidence[i].ID == supersedes && len(cs) > 1 {
				base.Control, base.Controls = "", cs
			}
		}
	}
	var items []workspace.Evidence
	var already []workspace.Evidence
	seen := map[string]bool{}
	for _, fh := range files {
		e := base
		e.File, e.SHA256, e.Size, e.Type = uploadName(fh.SHA256, fh.Name), fh.SHA256, fh.Size, fh.Type
		// The same bytes for the same controls on the same day are the
		// same evidence, whatever the file is called this time: say it is
		// there, rather than refuse (or store it twice).
		evID := store.EvidenceID(e)
		if prev := evidenceByID(ws, evID); prev != nil {
			already = append(already, *prev)
			continue
		}
		if seen[evID] {
			continue // twice in one upload
		}
		seen[evID] = true
		items = append(items, e)
	}
	if len(files) == 0 {
		items = append(items, base)
	}
	if len(items) == 0 {
		return UploadResult{Control: id, Added: []workspace.Evidence{}, Existing: already}, nil
	}
	// One transaction: every file of the upload is recorded, or none.
	added, err := o.AddEvidenceItems(ctx, actor, items)
	if err != nil {
		return UploadResult{}, err
	}
	res := UploadResult{Control: id, Added: added, Existing: already}
	s.Log.InfoContext(r.Context(), "evidence added", "org", kit.CurrentOrg(r).Slug, "control", id, "items", len(res.Added), "user_id", kit.CurrentUser(r).ID)
	return res, nil
}

// evidenceByID is the live evidence item id, or nil.
func evidenceByID(ws *workspace.Workspace, id string) *workspace.Evidence {
	for i := range ws.Evidence {
		if ws.Evidence[i].ID == id {
			return &ws.Evidence[i]
		}
	}
	return nil
}

// answerControlError maps addEvidence's and saveControl's errors to a
// status: a control that does not exist is 404, the rest as any write's.
func answerControlError(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, err error) {
	if errors.Is(err, errNoControl) && !errors.As(err, new(kit.InputError)) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no control %q in the catalog or in %s's workspace", r.PathValue("id"), kit.CurrentOrg(r).Name))
		return
	}
	records.AnswerError(s, w, r, api, err)
}

func uploadPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	res, err := addEvidence(s, r)
	if err != nil {
		answerControlError(s, w, r, false, err)
		return
	}
	q := keepAsOf(r, "added", strconv.Itoa(len(res.Added)))
	if len(res.Existing) > 0 {
		q += "&existing=" + strconv.Itoa(len(res.Existing))
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/controls/%s?%s#evidence", kit.CurrentOrg(r).Slug, res.Control, q), http.StatusSeeOther)
}

func uploadAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	res, err := addEvidence(s, r)
	if err != nil {
		answerControlError(s, w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusCreated, res)
}

// evidenceFile sends an evidence file as an attachment, with its recorded
// type, and records the download in the audit trail: who saw which
// evidence is part of the record an auditor checks.
func evidenceFile(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	id := r.PathValue("id")
	o := s.Org(r)
	var e workspace.Evidence
	err := o.Get(r.Context(), store.KindEvidence, id, &e)
	if errors.Is(err, store.ErrNotFound) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no evidence %q in %s", id, kit.CurrentOrg(r).Name))
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if e.File == "" || e.SHA256 == "" {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("evidence %s is a link or a note, not a file", id))
		return
	}
	f, err := s.Store.Blobs().Open(e.SHA256)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "evidence blob missing", "org", kit.CurrentOrg(r).Slug, "evidence", id, "sha256", e.SHA256, "err", err)
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("the file of evidence %s (sha256 %s) is not in the blob store", id, e.SHA256))
		return
	}
	defer f.Close()
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "download", store.KindEvidence, id, map[string]string{"sha256": e.SHA256}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	h := w.Header()
	kit.ServeAsFile(h, e.Type, path.Base(e.File))
	if e.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	}
	h.Set("X-Evidence-SHA256", e.SHA256) // as recorded and listed, for checking the copy
	io.Copy(w, f)
}
