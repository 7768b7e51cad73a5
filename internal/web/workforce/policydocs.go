package workforce

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ward/internal/policy"
	"ward/internal/report/policyset"
	workforcereport "ward/internal/report/workforce"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The documents of the policies and the workforce, as `ward report
// policies`, `ward policy show --text -o` and `ward report workforce`
// write them: audited downloads (Route.Export), auditor and above,
// read-only, each on the audit trail with the file's SHA-256.
func init() {
	kit.RegisterDownloads(
		kit.Download{Page: "/orgs/{org}/policies/export.pdf", API: "/api/v1/orgs/{org}/policies/export.pdf",
			Role: store.RoleAuditor, What: "the policy set (PDF)", Handler: policySetPDF},
		kit.Download{Page: "/orgs/{org}/policies/{id}/text/{format}", API: "/api/v1/orgs/{org}/policies/{id}/text/{format}",
			Role: store.RoleAuditor, What: "the policy's text", Handler: policyTextDownload},
		kit.Download{Page: "/orgs/{org}/workforce-report/{format}", API: "/api/v1/orgs/{org}/workforce-report/{format}",
			Role: store.RoleAuditor, What: "the acknowledgement and training report", Handler: workforceReport},
	)
}

// policyTextFormats and workforceFormats are the {format}s served.
var (
	policyTextFormats = []string{"md", "html"}
	workforceFormats  = []string{"xlsx", "json"}
)

// readPolicyText reads a stored version's Markdown.
func readPolicyText(s *kit.Server, v workspace.PolicyVersion) (string, error) {
	if v.SHA256 == "" {
		return "", fmt.Errorf("version %d has no stored text", v.Version)
	}
	rc, err := s.Store.Blobs().Open(v.SHA256)
	if err != nil {
		return "", fmt.Errorf("the text of version %d: %w", v.Version, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	return string(raw), err
}

// sendDocument records a download and answers it as an attachment.
func sendDocument(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, kind, key, typ, name string, body []byte, details map[string]any) {
	sum := sha256.Sum256(body)
	details["sha256"] = hex.EncodeToString(sum[:])
	details["bytes"] = len(body)
	if err := s.Org(r).Record(r.Context(), kit.CurrentUser(r).Email, "export", kind, key, details); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	if name != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// policySetPDF answers the approved policy set as of ?as_of= (default
// today) as a PDF attachment.
func policySetPDF(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return
	}
	rep, err := policyset.Build(ws, asOf, func(_ *workspace.Policy, v workspace.PolicyVersion) (string, error) { return readPolicyText(s, v) })
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	var buf bytes.Buffer
	if err := policyset.WritePDF(&buf, rep); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	org := kit.CurrentOrg(r)
	sendDocument(s, w, r, api, "policy-set", "pdf", "application/pdf", fmt.Sprintf("%s-policies-%s.pdf", org.Slug, asOf), buf.Bytes(),
		map[string]any{"as_of": asOf.String(), "policies": len(rep.InForce)})
}

// policyTextDownload answers one version of a policy (?version=N, default
// the one in force on ?as_of=, else the newest) as Markdown or as an HTML
// page with raw HTML left out.
func policyTextDownload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	format := r.PathValue("format")
	if !slices.Contains(policyTextFormats, format) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no policy text as %q (%s)", format, strings.Join(policyTextFormats, ", ")))
		return
	}
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return
	}
	id := r.PathValue("id")
	p := ws.Policy(id)
	if p == nil {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("%q is not a policy of this organization", id))
		return
	}
	v := p.InForce(asOf)
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(q, "v"))
		if err != nil || p.Version(n) == nil {
			s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("version: policy %s has no version %q", id, q))
			return
		}
		v = p.Version(n)
	} else if v == nil && len(p.Versions) > 0 {
		v = &p.Versions[len(p.Versions)-1]
	}
	if v == nil {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("policy %s has no version", id))
		return
	}
	text, err := readPolicyText(s, *v)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	org := kit.CurrentOrg(r)
	name := fmt.Sprintf("%s-%s-v%d.%s", org.Slug, p.ID, v.Version, format)
	body, typ := []byte(text), "text/markdown; charset=utf-8"
	if format == "html" {
		if body, err = policy.HTMLDocument(fmt.Sprintf("%s v%d", p.Title, v.Version), policy.VersionLine(org.Name, p, *v), text); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		typ = "text/html; charset=utf-8"
		// The page is self-contained: no script runs in it, whatever
		// it is opened with.
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	}
	sendDocument(s, w, r, api, "policy-text", p.ID, typ, name, body, map[string]any{"version": v.Version, "format": format})
}

// workforceReport answers the acknowledgement and training report as of
// ?as_of= as an .xlsx attachment, or as JSON.
func workforceReport(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	format := r.PathValue("format")
	if !slices.Contains(workforceFormats, format) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no workforce report as %q (%s)", format, strings.Join(workforceFormats, ", ")))
		return
	}
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return
	}
	rep := workforcereport.Build(ws, asOf)
	var buf bytes.Buffer
	var err error
	typ, name := "application/json", ""
	if format == "xlsx" {
		typ = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		name = fmt.Sprintf("%s-workforce-%s.xlsx", kit.CurrentOrg(r).Slug, asOf)
		err = workforcereport.WriteXLSX(&buf, rep)
	} else {
		err = json.NewEncoder(&buf).Encode(rep)
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	sendDocument(s, w, r, api, "workforce-report", format, typ, name, buf.Bytes(), map[string]any{"as_of": asOf.String(), "people": len(rep.People)})
}
