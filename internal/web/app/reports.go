package app

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/phimap"
	"ward/internal/plan"
	"ward/internal/report/oscal"
	"ward/internal/report/policyset"
	"ward/internal/report/readiness"
	"ward/internal/report/riskreport"
	"ward/internal/report/workforce"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The Reports page (issue 19 item 13): every document the command line
// makes, downloaded from the web app. Each is an audited download
// (downloads.go): a POST, auditor and above (the role that may export),
// recorded on the audit trail as `ward report` and `ward export` record
// theirs, with the file's hash.
func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/reports", Role: store.RoleViewer, Handler: reportsPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/reports", Role: store.RoleViewer, Handler: reportsAPI},
	)
	kit.RegisterDownloads(kit.Download{Page: "/orgs/{org}/reports/{doc}/{format}", API: "/api/v1/orgs/{org}/reports/{doc}/{format}",
		Role: store.RoleAuditor, What: "the document", Handler: reportDownload})
}

// A reportDoc is one document of the page.
type reportDoc struct {
	ID, Title, About, CLI string
	Formats               []string
	// Path overrides /reports/{ID}/{format}: the request list, the
	// evidence bundle and the single OSCAL documents have their own
	// addresses (auditpack.go, oscal.go).
	Path func(format string) string
}

// ReportDocs are the documents, in the order a program needs them.
var ReportDocs = []reportDoc{
	{ID: "risk-analysis", Title: "Risk analysis", Formats: []string{"pdf", "html", "md", "xlsx"}, CLI: "ward report risk-analysis -o FILE",
		About: "The documented Security Rule risk analysis (164.308(a)(1)(ii)(A)): scope, method, every risk with its likelihood, impact and treatment, approval."},
	{ID: "readiness", Title: "Readiness report", Formats: []string{"pdf", "html", "md", "xlsx"}, CLI: "ward report readiness -o FILE",
		About: "Where each framework stands: scores, sections, the gaps and what each is missing, SOC 2 Type II exceptions."},
	{ID: "roadmap", Title: "Roadmap", Formats: []string{"html", "md"}, CLI: "ward report roadmap -o FILE",
		About: "The plan in order: milestones, what each needs, what is done and what is late."},
	{ID: "dataflow", Title: "Data-flow diagram", Formats: []string{"svg"}, CLI: "ward report dataflow -o FILE.svg",
		About: "Every system and the flows between them, PHI paths marked, as a picture for an auditor or a customer's questionnaire."},
	{ID: "request-list", Title: "Auditor's request list", Formats: []string{"xlsx", "csv", "json"}, CLI: "ward report request-list -o FILE",
		About: "What an auditor asks for, control by control, with the evidence on file and what is missing (SOC 2).",
		Path:  func(f string) string { return "/request-list/" + f }},
	{ID: "evidence-bundle", Title: "Evidence bundle", Formats: []string{"zip"}, CLI: "ward export evidence -o FILE.zip",
		About: "Every evidence file with its index and hashes, for handing to an auditor (SOC 2).",
		Path:  func(string) string { return "/evidence-bundle" }},
	{ID: "oscal", Title: "OSCAL set", Formats: []string{"zip"}, CLI: "ward export oscal all -o DIR",
		About: "The machine-readable set (OSCAL " + oscal.Version + "): catalog, profiles, system security plan, assessment plan and results, plan of action, with the evidence the results link to."},
	{ID: "policies", Title: "Policy set", Formats: []string{"pdf"}, CLI: "ward report policies -o FILE.pdf",
		About: "The approved policies in force as one PDF, with versions, approvals and review dates."},
	{ID: "workforce", Title: "Workforce report", Formats: []string{"xlsx"}, CLI: "ward report workforce -o FILE.xlsx",
		About: "Policy acknowledgements and training completions per person, joiners and leavers."},
}

// ReportsPage is the Reports page and its JSON twin.
type ReportsPage struct {
	AsOf      date.Date    `json:"as_of"`
	Documents []ReportView `json:"documents"`
	// CanDownload: the caller's role may export (auditor and above).
	CanDownload bool `json:"can_download"`
}

// ReportView is one document as the page shows it.
type ReportView struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	About   string         `json:"about"`
	CLI     string         `json:"cli"`
	Formats []ReportFormat `json:"formats"`
}

// ReportFormat is one download: the page's POST address and the API's.
type ReportFormat struct {
	Format string `json:"format"`
	Action string `json:"-"`
	API    string `json:"api"`
}

func reports(s *kit.Server, r *http.Request) (ReportsPage, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return ReportsPage{}, err
	}
	slug := kit.CurrentOrg(r).Slug
	p := ReportsPage{AsOf: asOf, CanDownload: kit.AtLeast(kit.Role(r), store.RoleAuditor)}
	q := "?as_of=" + asOf.String()
	for _, d := range ReportDocs {
		v := ReportView{ID: d.ID, Title: d.Title, About: d.About, CLI: d.CLI}
		for _, f := range d.Formats {
			path := "/reports/" + d.ID + "/" + f
			if d.Path != nil {
				path = d.Path(f)
			}
			v.Formats = append(v.Formats, ReportFormat{Format: f, Action: "/orgs/" + slug + path + q, API: "/api/v1/orgs/" + slug + path + q})
		}
		p.Documents = append(p.Documents, v)
	}
	return p, nil
}

func reportsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, err := reports(s, r)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	s.Render(w, r, "reports.html", p)
}

func reportsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, err := reports(s, r)
	if err != nil {
		s.Fail(w, r, true, http.StatusBadRequest, err.Error())
		return
	}
	kit.WriteJSON(w, http.StatusOK, p)
}

// ReportTypes are the media types of the formats.
var ReportTypes = map[string]string{
	"pdf":  "application/pdf",
	"html": "text/html; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"svg":  "image/svg+xml",
	"zip":  "application/zip",
}

// reportDownload answers POST /orgs/{org}/reports/{doc}/{format}: the
// document as the command line writes it, recorded on the audit trail.
func reportDownload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	doc, format := r.PathValue("doc"), r.PathValue("format")
	i := slices.IndexFunc(ReportDocs, func(d reportDoc) bool { return d.ID == doc && d.Path == nil })
	if i < 0 {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no document %q here (see the Reports page)", doc))
		return
	}
	if !slices.Contains(ReportDocs[i].Formats, format) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("the %s comes as %s, not %q", strings.ToLower(ReportDocs[i].Title), strings.Join(ReportDocs[i].Formats, ", "), format))
		return
	}
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return
	}
	q := r.URL.Query()
	meta := map[string]any{"as_of": asOf.String(), "format": format}
	var buf bytes.Buffer
	var bad error // the organization cannot make this document (no analysis yet)
	switch doc {
	case "risk-analysis":
		g := phimap.Build(ws)
		rep, err := riskreport.BuildReport(ws, q.Get("analysis"), g.PHISystems(), controlTitle, asOf)
		if err != nil {
			bad = err
			break
		}
		meta["analysis"] = rep.Analysis.ID
		err = riskreport.WriteReport(&buf, format, rep)
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	case "readiness":
		fws := q["framework"]
		for _, fw := range fws {
			if !slices.Contains([]string{"hipaa", "soc2", "csf"}, fw) {
				s.Fail(w, r, api, http.StatusBadRequest, fmt.Sprintf("framework: %q is not one of hipaa, soc2, csf", fw))
				return
			}
		}
		rep, err := readiness.Build(ws, catalog.Default(), fws, asOf)
		if err != nil {
			bad = err
			break
		}
		if err := readiness.Write(&buf, format, rep); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	case "roadmap":
		p := plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Checked(check.Run(ws, asOf)))
		var err error
		if format == "md" {
			err = plan.WriteMarkdown(&buf, ws, p)
		} else {
			err = plan.WriteHTML(&buf, ws, p)
		}
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	case "dataflow":
		vendor := q.Get("vendor")
		if vendor != "" && vendor != phimap.InHouse && ws.Vendor(vendor) == nil {
			s.Fail(w, r, api, http.StatusBadRequest, fmt.Sprintf("vendor: %q is not a vendor id in this organization (nor %s)", vendor, phimap.InHouse))
			return
		}
		opt := phimap.SVGOptions{PHIOnly: q.Get("phi_only") != "", Collapse: q.Get("collapse") != "", Vendor: vendor}
		buf.Write(phimap.DataflowSVG(ws, nil, check.Run(ws, asOf), opt))
	case "oscal":
		files, err := oscalZip(s, &buf, ws, asOf)
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		meta["oscal_version"], meta["files"] = oscal.Version, files
	case "policies":
		blobs := s.Store.Blobs()
		rep, err := policyset.Build(ws, asOf, func(_ *workspace.Policy, v workspace.PolicyVersion) (string, error) {
			if v.SHA256 == "" {
				return "", fmt.Errorf("version %d has no stored text", v.Version)
			}
			rc, err := blobs.Open(v.SHA256)
			if err != nil {
				return "", fmt.Errorf("the text of version %d: %w", v.Version, err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			return string(b), err
		})
		if err != nil {
			bad = err
			break
		}
		if err := policyset.WritePDF(&buf, rep); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	case "workforce":
		if err := workforce.WriteXLSX(&buf, workforce.Build(ws, asOf)); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	}
	if bad != nil {
		s.Fail(w, r, api, http.StatusUnprocessableEntity, "This document cannot be made yet: "+bad.Error())
		return
	}
	data := buf.Bytes()
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	meta["sha256"], meta["bytes"] = sha, len(data)
	if err := s.Org(r).Record(r.Context(), kit.CurrentUser(r).Email, "export", "report", doc, meta); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	name := fmt.Sprintf("%s-%s-%s.%s", kit.CurrentOrg(r).Slug, doc, asOf, format)
	h := w.Header()
	h.Set("Content-Type", ReportTypes[format])
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	// An HTML report or an SVG opened from the downloads runs nothing.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Report-SHA256", sha)
	w.Write(data)
}

// oscalZip writes the OSCAL set as `ward export oscal all` writes its
// folder, as one zip: the documents and the evidence files the
// assessment results link to. It returns the files, for the audit entry.
func oscalZip(s *kit.Server, w io.Writer, ws *workspace.Workspace, asOf date.Date) ([]map[string]any, error) {
	docs, err := oscal.Set(ws, catalog.Default(), asOf)
	if err != nil {
		return nil, err
	}
	z := zip.NewWriter(w)
	var files []map[string]any
	for _, f := range docs {
		data, err := oscal.Marshal(f.Doc)
		if err != nil {
			return nil, err
		}
		fw, err := z.Create(f.Name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(data); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		files = append(files, map[string]any{"file": f.Name, "kind": f.Kind, "sha256": hex.EncodeToString(sum[:])})
	}
	blobs := s.Store.Blobs()
	evidence := oscal.EvidenceFiles(ws, asOf)
	paths := make([]string, 0, len(evidence))
	for p := range evidence {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		sha := evidence[p]
		if !blobs.Has(sha) {
			continue // not in this database's evidence store: its link does not resolve
		}
		rc, err := blobs.Open(sha)
		if err != nil {
			return nil, err
		}
		fw, err := z.Create(p)
		if err == nil {
			_, err = io.Copy(fw, rc)
		}
		rc.Close()
		if err != nil {
			return nil, err
		}
		files = append(files, map[string]any{"file": p, "kind": "evidence", "sha256": sha})
	}
	return files, z.Close()
}

// controlTitle is a control's title in the catalog, for the risk report.
func controlTitle(id string) string {
	if c := catalog.Default().Control(id); c != nil {
		return c.Title
	}
	return id
}
