package web

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
	"ward/internal/report/workforce"
	"ward/internal/store"
	"ward/internal/workspace"
)

// The documents of the policies and the workforce, as `ward report
// policies`, `ward policy show --text -o` and `ward report workforce`
// write them: audited downloads (Route.Export), auditor and above,
// read-only, each on the audit trail with the file's SHA-256.
func init() {
	registerDownloads(
		download{page: "/orgs/{org}/policies/export.pdf", api: "/api/v1/orgs/{org}/policies/export.pdf",
			role: store.RoleAuditor, what: "the policy set (PDF)", handler: (*Server).policySetPDF},
		download{page: "/orgs/{org}/policies/{id}/text/{format}", api: "/api/v1/orgs/{org}/policies/{id}/text/{format}",
			role: store.RoleAuditor, what: "the policy's text", handler: (*Server).policyTextDownload},
		download{page: "/orgs/{org}/workforce-report/{format}", api: "/api/v1/orgs/{org}/workforce-report/{format}",
			role: store.RoleAuditor, what: "the acknowledgement and training report", handler: (*Server).workforceReport},
	)
}

// policyTextFormats and workforceFormats are the {format}s served.
var (
	policyTextFormats = []string{"md", "html"}
	workforceFormats  = []string{"xlsx", "json"}
)

// readPolicyText reads a stored version's Markdown.
func (s *Server) readPolicyText(v workspace.PolicyVersion) (string, error) {
	if v.SHA256 == "" {
		return "", fmt.Errorf("version %d has no stored text", v.Version)
	}
	rc, err := s.st.Blobs().Open(v.SHA256)
	if err != nil {
		return "", fmt.Errorf("the text of version %d: %w", v.Version, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	return string(raw), err
}

// sendDocument records a download and answers it as an attachment.
func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, api bool, kind, key, typ, name string, body []byte, details map[string]any) {
	sum := sha256.Sum256(body)
	details["sha256"] = hex.EncodeToString(sum[:])
	details["bytes"] = len(body)
	if err := s.org(r).Record(r.Context(), currentUser(r).Email, "export", kind, key, details); err != nil {
		s.serverError(w, r, api, err)
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
func (s *Server) policySetPDF(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	ws, asOf, ok := s.asOfWorkspace(w, r, api)
	if !ok {
		return
	}
	rep, err := policyset.Build(ws, asOf, func(_ *workspace.Policy, v workspace.PolicyVersion) (string, error) { return s.readPolicyText(v) })
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	var buf bytes.Buffer
	if err := policyset.WritePDF(&buf, rep); err != nil {
		s.serverError(w, r, api, err)
		return
	}
	org := currentOrg(r)
	s.sendDocument(w, r, api, "policy-set", "pdf", "application/pdf", fmt.Sprintf("%s-policies-%s.pdf", org.Slug, asOf), buf.Bytes(),
		map[string]any{"as_of": asOf.String(), "policies": len(rep.InForce)})
}

// policyTextDownload answers one version of a policy (?version=N, default
// the one in force on ?as_of=, else the newest) as Markdown or as an HTML
// page with raw HTML left out.
func (s *Server) policyTextDownload(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	format := r.PathValue("format")
	if !slices.Contains(policyTextFormats, format) {
		s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no policy text as %q (%s)", format, strings.Join(policyTextFormats, ", ")))
		return
	}
	ws, asOf, ok := s.asOfWorkspace(w, r, api)
	if !ok {
		return
	}
	id := r.PathValue("id")
	p := ws.Policy(id)
	if p == nil {
		s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("%q is not a policy of this organization", id))
		return
	}
	v := p.InForce(asOf)
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(q, "v"))
		if err != nil || p.Version(n) == nil {
			s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("version: policy %s has no version %q", id, q))
			return
		}
		v = p.Version(n)
	} else if v == nil && len(p.Versions) > 0 {
		v = &p.Versions[len(p.Versions)-1]
	}
	if v == nil {
		s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("policy %s has no version", id))
		return
	}
	text, err := s.readPolicyText(*v)
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	org := currentOrg(r)
	name := fmt.Sprintf("%s-%s-v%d.%s", org.Slug, p.ID, v.Version, format)
	body, typ := []byte(text), "text/markdown; charset=utf-8"
	if format == "html" {
		if body, err = policy.HTMLDocument(fmt.Sprintf("%s v%d", p.Title, v.Version), policy.VersionLine(org.Name, p, *v), text); err != nil {
			s.serverError(w, r, api, err)
			return
		}
		typ = "text/html; charset=utf-8"
		// The page is self-contained: no script runs in it, whatever
		// it is opened with.
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	}
	s.sendDocument(w, r, api, "policy-text", p.ID, typ, name, body, map[string]any{"version": v.Version, "format": format})
}

// workforceReport answers the acknowledgement and training report as of
// ?as_of= as an .xlsx attachment, or as JSON.
func (s *Server) workforceReport(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	format := r.PathValue("format")
	if !slices.Contains(workforceFormats, format) {
		s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no workforce report as %q (%s)", format, strings.Join(workforceFormats, ", ")))
		return
	}
	ws, asOf, ok := s.asOfWorkspace(w, r, api)
	if !ok {
		return
	}
	rep := workforce.Build(ws, asOf)
	var buf bytes.Buffer
	var err error
	typ, name := "application/json", ""
	if format == "xlsx" {
		typ = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		name = fmt.Sprintf("%s-workforce-%s.xlsx", currentOrg(r).Slug, asOf)
		err = workforce.WriteXLSX(&buf, rep)
	} else {
		err = json.NewEncoder(&buf).Encode(rep)
	}
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	s.sendDocument(w, r, api, "workforce-report", format, typ, name, buf.Bytes(), map[string]any{"as_of": asOf.String(), "people": len(rep.People)})
}
