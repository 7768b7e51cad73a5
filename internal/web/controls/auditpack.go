package controls

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/report/auditpack"
	"ward/internal/store"
	"ward/internal/web/kit"
)

// The auditor's request list and evidence bundle, as `ward report
// request-list` and `ward export evidence` write them: exports, so auditor
// and above, read-only, and each download on the audit trail.
func init() {
	kit.RegisterDownloads(
		kit.Download{Page: "/orgs/{org}/request-list/{format}", API: "/api/v1/orgs/{org}/request-list/{format}",
			Role: store.RoleAuditor, What: "the request list", Handler: requestList},
		kit.Download{Page: "/orgs/{org}/evidence-bundle", API: "/api/v1/orgs/{org}/evidence-bundle",
			Role: store.RoleAuditor, What: "the evidence bundle", Handler: evidenceBundle},
	)
}

// requestListFormats are the {format}s of a request-list download.
var requestListFormats = []string{"xlsx", "csv", "json"}

// requestList answers the request list of ?framework= (default soc2) as of
// ?as_of= (default today) as an .xlsx or .csv attachment, or as JSON.
func requestList(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	format := r.PathValue("format")
	if !slices.Contains(requestListFormats, format) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no request list as %q (%s)", format, strings.Join(requestListFormats, ", ")))
		return
	}
	framework := r.URL.Query().Get("framework")
	if framework == "" {
		framework = "soc2"
	}
	if !slices.Contains(auditpack.Frameworks, framework) {
		s.Fail(w, r, api, http.StatusBadRequest, fmt.Sprintf("framework: %q is not one of %s", framework, strings.Join(auditpack.Frameworks, ", ")))
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
	rl, err := auditpack.BuildRequestList(ws, catalog.Default(), framework, asOf)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	var buf bytes.Buffer
	typ := "application/json"
	switch format {
	case "xlsx":
		typ = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = auditpack.WriteRequestXLSX(&buf, rl)
	case "csv":
		typ = "text/csv; charset=utf-8"
		err = auditpack.WriteRequestCSV(&buf, rl)
	default:
		err = json.NewEncoder(&buf).Encode(rl)
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "export", "request-list", framework, map[string]any{
		"as_of": asOf.String(), "format": format, "rows": len(rl.Rows), "sha256": hex.EncodeToString(sum[:]),
	}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	if format != "json" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("%s-request-list-%s-%s.%s", org.Slug, framework, asOf, format)}))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// evidenceBundle answers the evidence bundle (every file, manifest.json,
// manifest.csv and SHA256SUMS) as a zip attachment; ?framework= keeps the
// evidence of one framework's controls. The zip is written to a temporary
// file first, so a file that does not match its recorded hash is an error
// page, never half a bundle.
func evidenceBundle(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	framework := r.URL.Query().Get("framework")
	if framework != "" && !slices.Contains(auditpack.Frameworks, framework) {
		s.Fail(w, r, api, http.StatusBadRequest, fmt.Sprintf("framework: %q is not one of %s", framework, strings.Join(auditpack.Frameworks, ", ")))
		return
	}
	o := s.Org(r)
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	org := kit.CurrentOrg(r)
	today := date.Of(s.Now().UTC())
	m := auditpack.BuildManifest(ws, catalog.Default(), auditpack.Filter{Framework: framework}, today)
	tmp, err := os.CreateTemp("", "ward-bundle-*.zip")
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h256 := sha256.New()
	if err := auditpack.WriteBundle(io.MultiWriter(tmp, h256), m, s.Store.Blobs().Open); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	sha := hex.EncodeToString(h256.Sum(nil))
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "export", "evidence-bundle", framework, map[string]any{
		"framework": framework, "bytes": size, "sha256": sha,
	}); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	name := fmt.Sprintf("%s-evidence-%s.zip", org.Slug, today)
	if framework != "" {
		name = fmt.Sprintf("%s-evidence-%s-%s.zip", org.Slug, framework, today)
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("X-Bundle-SHA256", sha)
	io.Copy(w, tmp)
}
