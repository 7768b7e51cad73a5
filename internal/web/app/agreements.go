package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"ward/internal/catalog"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The BAA register's own routes, beside the generic record pages
// (records/record_pages.go): the clause-by-clause review of a BAA against the
// catalog's checklist, and the signed copy, kept content-addressed in the
// store's blob store and exported with the workspace files.
func init() {
	kit.Register(
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/agreements/{id}/clauses", Role: store.RoleEditor, Handler: agreementClauses},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/agreements/{id}/file", Role: store.RoleEditor, Handler: agreementUpload, Upload: true},

		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/agreements/{id}/file", Role: store.RoleEditor, Handler: agreementUploadAPI, Upload: true},
	)
	// The signed copy downloads by POST .../file/download: POST .../file
	// is its upload.
	kit.RegisterDownloads(kit.Download{Page: "/orgs/{org}/agreements/{id}/file", API: "/api/v1/orgs/{org}/agreements/{id}/file", Post: "/download",
		Role: store.RoleAuditor, What: "the signed agreement", Handler: agreementFile})
}

// agreementClauses records the review: for every checklist clause a
// status (status.ID: present, missing, n/a, or empty for not reviewed)
// and a note (note.ID). The review replaces the agreement's earlier one;
// the short clauses list is folded into it.
func agreementClauses(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	k := records.AgreementKind
	loaded, _ := s.Org(r).Version(r.Context(), k.Meta().Kind, r.PathValue("id")) // before the record: see recordWithVersion
	ws, asOf, by, i, ok := records.RecordAt(s, k, w, r, false)
	if !ok {
		return
	}
	r.ParseForm()
	c := store.Cond{Update: true, Version: records.FormVersion(r.PostForm)}
	if c.Version == 0 {
		c.Version = loaded
	}
	a := ws.Agreements[i]
	a.Clauses = nil
	a.ClauseReview = nil
	for _, c := range catalog.Default().BAA.Clauses {
		status := strings.TrimSpace(r.PostForm.Get("status." + c.ID))
		note := strings.TrimSpace(r.PostForm.Get("note." + c.ID))
		if status == "" && note == "" {
			continue
		}
		a.ClauseReview = append(a.ClauseReview, workspace.ClauseMark{Clause: c.ID, Status: status, Note: note})
	}
	_, errs, err := records.Save(s, r, k, ws, a, c)
	if err != nil {
		records.WriteRefused(s, w, r, false, err)
		return
	}
	slug := kit.CurrentOrg(r).Slug
	if len(errs) > 0 {
		fresh, err := s.Org(r).Workspace(r.Context())
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		j := records.Find(k, fresh, a.ID)
		if j < 0 {
			s.Fail(w, r, false, http.StatusNotFound, "No agreement "+a.ID+" in this organization.")
			return
		}
		d := records.Detail(k, fresh, j, slug, asOf, by)
		d.Clauses = records.ClauseRows(a) // what was submitted, with its errors
		var msgs []string
		for f, m := range errs {
			msgs = append(msgs, strings.TrimPrefix(f+": "+m, ": "))
		}
		d.Error = "The review was not saved: " + strings.Join(msgs, "; ")
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "record.html", d)
		return
	}
	kit.SetFlash(w, "Clause review of "+a.ID+" saved.")
	http.Redirect(w, r, records.Href(slug, k.Meta(), a.ID)+"#clauses", http.StatusSeeOther)
}

// maxAgreementFile bounds an upload; a signed BAA is a few hundred KiB.
const maxAgreementFile = 20 << 20

type notPDF struct{ name string }

func (e notPDF) Error() string { return e.name + " is not a PDF" }

// attach stores an uploaded signed copy and points the agreement at it.
// Only PDF is accepted: the signed copy is what an auditor opens.
func attach(s *kit.Server, r *http.Request) (workspace.Agreement, int, string, error) {
	loaded, _ := s.Org(r).Version(r.Context(), store.KindAgreement, r.PathValue("id")) // before the record: see recordWithVersion
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		return workspace.Agreement{}, 0, "", err
	}
	i := records.Find(records.AgreementKind, ws, r.PathValue("id"))
	if i < 0 {
		return workspace.Agreement{}, http.StatusNotFound, "No agreement " + r.PathValue("id") + " in this organization.", nil
	}
	form, err := s.ReadUpload(r, pdfOnly)
	var np notPDF
	var big *kit.TooBig
	switch {
	case errors.As(err, &np):
		return workspace.Agreement{}, http.StatusUnprocessableEntity, np.name + " is not a PDF: upload the signed agreement as a PDF", nil
	case errors.As(err, &big):
		return workspace.Agreement{}, http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is over %d MiB", big.Name, maxAgreementFile>>20), nil
	case errors.Is(err, kit.ErrTooLarge):
		return workspace.Agreement{}, http.StatusRequestEntityTooLarge, kit.TooLarge(r.ContentLength, s.MaxUpload()), nil
	case err != nil:
		var in kit.InputError
		if errors.As(err, &in) {
			return workspace.Agreement{}, http.StatusBadRequest, in.Msg, nil
		}
		return workspace.Agreement{}, 0, "", err
	}
	files := form.Files["file"]
	if len(files) != 1 || files[0].Size == 0 {
		return workspace.Agreement{}, http.StatusBadRequest, "choose the signed PDF to upload (one file, field name file)", nil
	}
	sha, size := files[0].SHA256, files[0].Size
	a := ws.Agreements[i]
	// Where export writes it, inside the workspace folder.
	a.File, a.SHA256 = path.Join("agreements", a.ID+".pdf"), sha
	if _, errs, err := records.Save(s, r, records.AgreementKind, ws, a, store.Cond{Update: true, Version: loaded}); errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return workspace.Agreement{}, http.StatusConflict, "the agreement was changed or retired while the file was uploading; nothing was written: " + err.Error(), nil
	} else if err != nil {
		return workspace.Agreement{}, 0, "", err
	} else if len(errs) > 0 {
		return workspace.Agreement{}, http.StatusUnprocessableEntity, fmt.Sprintf("the agreement is not valid as stored: %v", errs), nil
	}
	if err := baaEvidence(s, r, ws, a, sha, size); err != nil {
		return workspace.Agreement{}, 0, "", err
	}
	return a, 0, "", nil
}

// pdfOnly accepts a signed copy: a PDF, up to maxAgreementFile.
var pdfOnly = kit.FileCheck{Max: maxAgreementFile, First: func(name string, head []byte) error {
	if !bytes.HasPrefix(head, []byte("%PDF-")) {
		return notPDF{name}
	}
	return nil
}}

// baaEvidence keeps a BAA's signed copy as evidence for the BAA controls
// the organization has adopted (the register with signed copies is what
// an auditor asks for under baa-management).
func baaEvidence(s *kit.Server, r *http.Request, ws *workspace.Workspace, a workspace.Agreement, sha string, size int64) error {
	var controls []string
	for _, id := range []string{"baa-management", "subcontractor-baa"} {
		if ws.Control(id) != nil && (id != "subcontractor-baa" || a.Direction == "downstream") {
			controls = append(controls, id)
		}
	}
	if a.Kind == "baa" && len(controls) > 0 {
		ev := workspace.Evidence{Controls: controls, Collected: s.Today(), File: a.File, SHA256: sha, Size: size,
			Type: "application/pdf", Note: fmt.Sprintf("Signed %s %s with %s", strings.ToUpper(a.Kind), a.ID, a.Counterparty)}
		if _, err := s.Org(r).AddEvidence(r.Context(), kit.CurrentUser(r).Email, ev); err != nil {
			return err
		}
	}
	return nil
}

func agreementUpload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	a, status, msg, err := attach(s, r)
	switch {
	case err != nil:
		s.ServerError(w, r, false, err)
	case status != 0:
		s.Fail(w, r, false, status, msg)
	default:
		kit.SetFlash(w, "Signed copy of "+a.ID+" uploaded ("+a.File+").")
		http.Redirect(w, r, records.Href(kit.CurrentOrg(r).Slug, records.AgreementKind.Meta(), a.ID), http.StatusSeeOther)
	}
}

func agreementUploadAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	a, status, msg, err := attach(s, r)
	switch {
	case err != nil:
		s.ServerError(w, r, true, err)
	case status != 0:
		kit.APIError(w, status, msg)
	default:
		kit.WriteJSON(w, http.StatusOK, map[string]any{"record": a})
	}
}

// agreementFile sends the signed copy (auditor and up, as evidence).
func agreementFile(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	var a workspace.Agreement
	err := s.Org(r).Get(r.Context(), store.KindAgreement, r.PathValue("id"), &a)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.SHA256 == "") {
		s.Fail(w, r, api, http.StatusNotFound, "No signed copy of agreement "+r.PathValue("id")+" in this organization.")
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	rc, err := s.Store.Blobs().Open(a.SHA256)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	defer rc.Close()
	// Who downloaded a signed BAA is part of the record (issue 20).
	if err := s.Org(r).Record(r.Context(), kit.CurrentUser(r).Email, "download", store.KindAgreement, a.ID, map[string]string{"sha256": a.SHA256}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	name := path.Base(a.File)
	typ := "application/octet-stream"
	if strings.HasSuffix(strings.ToLower(name), ".pdf") {
		typ = "application/pdf"
	}
	kit.ServeAsFile(w.Header(), typ, name)
	w.Header().Set("X-Content-SHA256", a.SHA256)
	io.Copy(w, rc)
}
