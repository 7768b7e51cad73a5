// Package auditpack is what an auditor is handed: the request list (the
// "provided by client" list, `ward report request-list`) and the evidence
// bundle (`ward export evidence`), a zip of every evidence file with a
// manifest and a SHA256SUMS file the auditor checks with `sha256sum -c`.
//
// It depends on the workspace model, the catalog (requirement ids and the
// evidence each control expects) and the evidence schedules; the blob
// store reaches it only as a function that opens a file by its hash, so it
// knows nothing of storage.
package auditpack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ward/internal/bounds"
	"ward/internal/catalog"
	"ward/internal/csvsafe"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// Frameworks whose requirement ids the manifest lists, in this order.
var Frameworks = []string{"hipaa", "soc2", "csf"}

// Opener opens a stored evidence file by its SHA-256.
type Opener func(sha string) (io.ReadCloser, error)

// Filter chooses the evidence of a bundle. Zero values choose everything.
type Filter struct {
	Framework   string    // only evidence for controls that map to this framework's requirements
	PeriodStart date.Date // only evidence that speaks for [PeriodStart, PeriodEnd]
	PeriodEnd   date.Date
}

// ManifestEntry is one evidence item in the bundle.
type ManifestEntry struct {
	ID           string              `json:"id"`
	Controls     []string            `json:"controls"`
	Requirements map[string][]string `json:"requirements"` // framework → requirement ids
	Collected    date.Date           `json:"collected"`
	PeriodStart  date.Date           `json:"period_start"`
	PeriodEnd    date.Date           `json:"period_end"`
	File         string              `json:"file"` // path inside the zip, "" for a link or note
	Name         string              `json:"name"` // the file's name in the workspace or upload
	SHA256       string              `json:"sha256"`
	Size         int64               `json:"size"`
	Type         string              `json:"type"`
	Link         string              `json:"link"`
	Note         string              `json:"note"`
	AddedBy      string              `json:"added_by"`
	Source       string              `json:"source"`
	Supersedes   string              `json:"supersedes"`
	SupersededBy string              `json:"superseded_by"`
}

// Manifest describes a bundle.
type Manifest struct {
	Organization string          `json:"organization"`
	Generated    date.Date       `json:"generated"`
	Framework    string          `json:"framework,omitempty"`
	PeriodStart  date.Date       `json:"period_start"`
	PeriodEnd    date.Date       `json:"period_end"`
	Evidence     []ManifestEntry `json:"evidence"`
}

// Requirements maps each control to the requirement ids it addresses per
// framework: the catalog's mappings plus the organization's own, SOC 2
// limited to the categories in scope.
func Requirements(ws *workspace.Workspace, cat *catalog.Catalog) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	add := func(control, fw, req string) {
		m := out[control]
		if m == nil {
			m = map[string][]string{}
			out[control] = m
		}
		if !slices.Contains(m[fw], req) {
			m[fw] = append(m[fw], req)
		}
	}
	scope := map[string]bool{"security": true}
	for _, c := range ws.Organization.SOC2.Categories {
		scope[c] = true
	}
	for _, fwID := range Frameworks {
		fw := cat.Framework(fwID)
		if fw == nil {
			continue
		}
		for _, r := range fw.Assessable() {
			if fwID == "soc2" && !scope[r.Category] {
				continue
			}
			for _, c := range r.Controls {
				add(c, fwID, r.ID)
			}
			for _, c := range ws.Controls {
				if slices.Contains(c.Mappings[fwID], r.ID) {
					add(c.ID, fwID, r.ID)
				}
			}
		}
	}
	return out
}

// BuildManifest lists the evidence the filter chooses, oldest first,
// superseded items included and marked (both stay on record). It also
// lists the evidence the workforce records derive (policy.Derived:
// approvals and reviews, acknowledgements and training by month,
// reminders, clearances) dated on or before generated, as the request
// list and readiness count it: source "derived", an id starting
// "derived:", no file, and a note naming the records it comes from.
func BuildManifest(ws *workspace.Workspace, cat *catalog.Catalog, f Filter, generated date.Date) Manifest {
	m := Manifest{Organization: ws.Organization.Slug, Generated: generated, Framework: f.Framework,
		PeriodStart: f.PeriodStart, PeriodEnd: f.PeriodEnd, Evidence: []ManifestEntry{}}
	reqs := Requirements(ws, cat)
	by := evidence.SupersededBy(ws.Evidence)
	for _, e := range policy.WithDerived(ws).Evidence {
		if !f.PeriodStart.IsZero() && !e.Covers(f.PeriodStart, f.PeriodEnd) {
			continue
		}
		derived := policy.IsDerived(e)
		if derived && e.Collected.After(generated) {
			continue
		}
		entry := ManifestEntry{ID: e.ID, Controls: e.ControlIDs(), Requirements: map[string][]string{},
			Collected: e.Collected, PeriodStart: e.PeriodStart, PeriodEnd: e.PeriodEnd,
			SHA256: e.SHA256, Size: e.Size, Type: e.Type, Link: e.Link, Note: e.Note,
			AddedBy: e.AddedBy, Source: e.Source, Supersedes: e.Supersedes, SupersededBy: by[e.ID]}
		for _, c := range entry.Controls {
			for fw, ids := range reqs[c] {
				if f.Framework != "" && fw != f.Framework {
					continue
				}
				for _, id := range ids {
					if !slices.Contains(entry.Requirements[fw], id) {
						entry.Requirements[fw] = append(entry.Requirements[fw], id)
					}
				}
			}
		}
		if f.Framework != "" && len(entry.Requirements[f.Framework]) == 0 {
			continue
		}
		if e.File != "" && e.SHA256 != "" && !derived {
			// Entry names are built from sanitised parts: an id or a file
			// name from an older database cannot make files/../../x.
			entry.Name = bounds.Segment(path.Base(e.File))
			entry.File = "files/" + bounds.Segment(e.ID) + "/" + entry.Name
		}
		m.Evidence = append(m.Evidence, entry)
	}
	for i := range m.Evidence {
		for fw := range m.Evidence[i].Requirements {
			sortRequirementIDs(m.Evidence[i].Requirements[fw], cat.Framework(fw))
		}
	}
	sort.SliceStable(m.Evidence, func(i, j int) bool {
		if c := m.Evidence[i].Collected.Compare(m.Evidence[j].Collected); c != 0 {
			return c < 0
		}
		return m.Evidence[i].ID < m.Evidence[j].ID
	})
	return m
}

// sortRequirementIDs puts ids in the framework's own (regulation) order.
func sortRequirementIDs(ids []string, fw *catalog.Framework) {
	if fw == nil {
		sort.Strings(ids)
		return
	}
	pos := map[string]int{}
	for i, r := range fw.Requirements {
		pos[r.ID] = i
	}
	sort.SliceStable(ids, func(i, j int) bool { return pos[ids[i]] < pos[ids[j]] })
}

// ManifestColumns are the columns of manifest.csv.
var ManifestColumns = []string{"id", "controls", "requirements", "collected", "period_start", "period_end",
	"file", "sha256", "size", "type", "link", "note", "added_by", "source", "supersedes", "superseded_by"}

// RequirementList flattens per-framework ids as "hipaa:164.312(b); soc2:CC7.2".
func RequirementList(reqs map[string][]string) string {
	var parts []string
	for _, fw := range Frameworks {
		for _, id := range reqs[fw] {
			parts = append(parts, fw+":"+id)
		}
	}
	return strings.Join(parts, "; ")
}

func dateCell(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// WriteManifestCSV writes the manifest as CSV, one row per item.
// Cells a spreadsheet would read as a formula are neutralised (csvsafe).
func WriteManifestCSV(w io.Writer, m Manifest) error {
	cw := csvsafe.NewWriter(w)
	cw.Write(ManifestColumns)
	for _, e := range m.Evidence {
		size := ""
		if e.SHA256 != "" {
			size = strconv.FormatInt(e.Size, 10)
		}
		cw.Write([]string{e.ID, strings.Join(e.Controls, " "), RequirementList(e.Requirements), dateCell(e.Collected),
			dateCell(e.PeriodStart), dateCell(e.PeriodEnd), e.File, e.SHA256, size, e.Type, e.Link, e.Note,
			e.AddedBy, e.Source, e.Supersedes, e.SupersededBy})
	}
	cw.Flush()
	return cw.Error()
}

const readme = `Evidence bundle for %s, generated %s by ward.

manifest.json and manifest.csv list every evidence item: its id, the
controls it is attached to, the HIPAA, SOC 2 and NIST CSF requirement ids
those controls address, when it was collected, the period it covers, who
added it and from where, and for files their SHA-256 and size. Items that a
later correction supersedes are included and marked superseded_by; links
and notes have no file.

Items with source "derived" (ids starting "derived:") have no file either:
ward derives them from the workforce records (policy approvals and
reviews, acknowledgements and training completions by month, security
reminders, workforce clearances), and their note names those records. The
request list and the readiness report count them as evidence too, so the
same ids appear there.

To check that every file is the one ward recorded, in this folder run:

    sha256sum -c SHA256SUMS

(on macOS: shasum -a 256 -c SHA256SUMS). Every line must say OK.
`

// WriteBundle writes the zip: README.txt, manifest.json, manifest.csv,
// every evidence file under files/ID/NAME, and SHA256SUMS over all of
// them. Each file is checked against its recorded hash as it is copied;
// a mismatch is an error, never a bundle that would not verify. Entries
// carry fixed dates, so the same evidence gives the same bytes.
func WriteBundle(w io.Writer, m Manifest, open Opener) error {
	zw := zip.NewWriter(w)
	stamp := m.Generated.Time()
	if stamp.IsZero() {
		stamp = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var sums bytes.Buffer
	put := func(name string, modified time.Time, r io.Reader) (string, error) {
		if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, `\`) {
			return "", fmt.Errorf("zip entry %q is not a plain relative path; refusing to write it", name)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return "", err
		}
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(fw, h), r); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		fmt.Fprintf(&sums, "%s  %s\n", sum, name)
		return sum, nil
	}
	if _, err := put("README.txt", stamp, strings.NewReader(fmt.Sprintf(readme, m.Organization, m.Generated))); err != nil {
		return err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if _, err := put("manifest.json", stamp, bytes.NewReader(append(js, '\n'))); err != nil {
		return err
	}
	var mc bytes.Buffer
	if err := WriteManifestCSV(&mc, m); err != nil {
		return err
	}
	if _, err := put("manifest.csv", stamp, &mc); err != nil {
		return err
	}
	for _, e := range m.Evidence {
		if e.File == "" {
			continue
		}
		r, err := open(e.SHA256)
		if err != nil {
			return fmt.Errorf("evidence %s (%s): %w", e.ID, e.Name, err)
		}
		modified := e.Collected.Time()
		if modified.Before(stamp.AddDate(-100, 0, 0)) || modified.IsZero() {
			modified = stamp
		}
		sum, err := put(e.File, modified, r)
		r.Close()
		if err != nil {
			return err
		}
		if sum != e.SHA256 {
			return fmt.Errorf("evidence %s (%s): the stored file has SHA-256 %s, not the recorded %s; refusing to bundle it", e.ID, e.Name, sum, e.SHA256)
		}
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "SHA256SUMS", Method: zip.Deflate, Modified: stamp})
	if err != nil {
		return err
	}
	if _, err := fw.Write(sums.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}
