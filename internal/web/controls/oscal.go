package controls

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/report/oscal"
	"ward/internal/store"
	"ward/internal/web/kit"
)

// OSCAL documents download as files, like `ward export oscal`: an export,
// so auditor and above, and on the audit trail.
func init() {
	kit.RegisterDownloads(kit.Download{Page: "/orgs/{org}/oscal/{kind}", API: "/api/v1/orgs/{org}/oscal/{kind}",
		Role: store.RoleAuditor, What: "the OSCAL document", Handler: oscalDocument})
}

// oscalDocument answers the OSCAL JSON document {kind} (ssp,
// assessment-results, poam) as of ?as_of= (default today) as an
// attachment.
func oscalDocument(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	kind := r.PathValue("kind")
	if !slices.Contains(oscal.Kinds, kind) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no OSCAL document %q (%s)", kind, strings.Join(oscal.Kinds, ", ")))
		return
	}
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return
	}
	o := s.Org(r)
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	org := kit.CurrentOrg(r)
	doc, err := oscal.Build(kind, ws, catalog.Default(), asOf)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	data, err := oscal.Marshal(doc)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "export", "oscal", kind, map[string]any{
		"as_of": asOf.String(), "oscal_version": oscal.Version, "sha256": sha, "bytes": len(data),
	}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("%s-oscal-%s-%s.json", org.Slug, kind, asOf)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-OSCAL-SHA256", sha)
	w.Write(data)
}
