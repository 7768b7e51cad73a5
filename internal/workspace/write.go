package workspace

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"

	"ward/internal/bounds"
	"ward/internal/date"
)

// WriteOptions tune Write.
type WriteOptions struct {
	// Blob opens the stored content of an evidence or agreement file by its
	// SHA-256, so that Write copies the file back out at its recorded path
	// and the exported folder applies again. Nil writes the YAML only.
	Blob func(sha string) (io.ReadCloser, error)
	// Header opens every written file, a YAML comment; empty: the export's.
	Header string
}

// header opens every written file.
const header = "# Written by `ward export`. Edit, then `ward apply -f` this folder.\n"

// SectionFile is the file Write puts a top-level section in.
func SectionFile(section string) string { return section + ".yaml" }

// Write exports ws in the workspace format, one file per section
// (organization.yaml, people.yaml, ... incidents.yaml), fields in the
// model's order, lists in the workspace's order, empty optional fields
// left out and dates as YYYY-MM-DD, so that loading the folder gives ws
// back and writing that again gives the same bytes. Every section file is
// written, an empty section as an empty list, so that exporting over an
// earlier export leaves nothing stale.
//
// Write refuses a folder that holds other *.yaml files: Load would merge
// them with the export.
func Write(dir string, ws *Workspace, opt WriteOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	v := reflect.ValueOf(ws).Elem()
	names := infoOf(v.Type()).names
	ours := map[string]bool{}
	for _, name := range names {
		ours[filepath.Join(dir, SectionFile(name))] = true
	}
	existing, err := yamlFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range existing {
		if !ours[f] {
			return fmt.Errorf("%s is not a file ward export writes, and loading %s would merge it with the export: export to an empty folder, or remove it", f, dir)
		}
	}
	if opt.Blob != nil {
		// Every file is checked before anything is written, so a record
		// that cannot be exported leaves no half-written folder.
		if err := checkFiles(ws); err != nil {
			return err
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	head := header
	if opt.Header != "" {
		head = opt.Header
	}
	for _, name := range names {
		if err := writeSection(root, name, v.Field(sections[name]), head); err != nil {
			return err
		}
	}
	if opt.Blob == nil {
		return nil
	}
	return writeFiles(root, ws, opt.Blob)
}

// writeRun is how many records of a list are encoded at a time: the
// encoder builds a tree of what it is given, some 50 times the size of
// the text, so a section of 40,000 flows is written a run at a time.
// Each record's text does not depend on its neighbours, so the runs
// joined are the bytes of the whole list encoded at once.
var writeRun = 400

// writeSection writes one section's file.
func writeSection(root *os.Root, name string, fv reflect.Value, head string) (err error) {
	marshal := func(body any) ([]byte, error) {
		out, err := yaml.MarshalWithOptions(yaml.MapSlice{{Key: name, Value: body}},
			yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		return out, nil
	}
	f, err := root.OpenFile(SectionFile(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 64<<10)
	w.WriteString(head)
	if fv.Kind() != reflect.Slice || fv.Len() == 0 {
		body := any(toYAML(fv))
		if fv.Kind() == reflect.Slice {
			body = []any{}
		}
		out, err := marshal(body)
		if err != nil {
			return err
		}
		w.Write(out)
		return w.Flush()
	}
	for from := 0; from < fv.Len(); from += writeRun {
		items := make([]any, 0, min(writeRun, fv.Len()-from))
		for i := from; i < min(from+writeRun, fv.Len()); i++ {
			items = append(items, toYAML(fv.Index(i)))
		}
		out, err := marshal(items)
		if err != nil {
			return err
		}
		if from > 0 {
			// The section's key opens every run; the file has it once.
			_, out, _ = bytes.Cut(out, []byte("\n"))
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return w.Flush()
}

// checkFiles finds a file writeFiles would fail on: outside the folder,
// without a hash, or a name no file system holds.
func checkFiles(ws *Workspace) error {
	for _, f := range ws.Files() {
		switch {
		case !filepath.IsLocal(filepath.FromSlash(f.Path)):
			return fmt.Errorf("%s: file %q is not inside the workspace folder; refusing to write it", f.Who(), f.Path)
		case *f.SHA256 == "":
			return fmt.Errorf("%s: file %q has no recorded SHA-256, so its content cannot be exported", f.Who(), f.Path)
		}
		if err := filePath(f.Path); err != nil {
			return fmt.Errorf("%s: file %q %v: nothing was written", f.Who(), bounds.Clip(f.Path, 80), err)
		}
	}
	return nil
}

// FileRef is one file a record names, relative to the workspace folder,
// with the place its SHA-256 is recorded.
type FileRef struct {
	Section string // evidence, agreements, policies, training_records
	Index   int
	Field   string // file, versions[2].file
	Path    string
	SHA256  *string
	// Fixed: once recorded, the content may not change (evidence, a
	// certificate, an approved policy version's text).
	Fixed bool
}

// Who names the record for messages: evidence[3], or the field when a
// record names several files: policies[3].versions[1].file.
func (f FileRef) Who() string {
	if f.Section == "organization" {
		return "organization." + f.Field
	}
	if f.Field == "file" {
		return fmt.Sprintf("%s[%d]", f.Section, f.Index)
	}
	return fmt.Sprintf("%s[%d].%s", f.Section, f.Index, f.Field)
}

// Files lists every file the workspace's records name, in workspace
// order: evidence, signed agreements, policy texts and training
// certificates. Apply hashes them into the blob store; export writes
// them back.
func (ws *Workspace) Files() []FileRef {
	var out []FileRef
	for i := range ws.Evidence {
		if e := &ws.Evidence[i]; e.File != "" {
			out = append(out, FileRef{"evidence", i, "file", e.File, &e.SHA256, true})
		}
	}
	for i := range ws.Agreements {
		if a := &ws.Agreements[i]; a.File != "" {
			out = append(out, FileRef{"agreements", i, "file", a.File, &a.SHA256, false})
		}
	}
	for i := range ws.Policies {
		for j := range ws.Policies[i].Versions {
			if v := &ws.Policies[i].Versions[j]; v.File != "" {
				out = append(out, FileRef{"policies", i, fmt.Sprintf("versions[%d].file", j), v.File, &v.SHA256, v.Approved()})
			}
		}
	}
	for i := range ws.TrainingRecords {
		if r := &ws.TrainingRecords[i]; r.File != "" {
			out = append(out, FileRef{"training_records", i, "file", r.File, &r.SHA256, true})
		}
	}
	if t := ws.Organization.Trust; t != nil {
		for i := range t.Documents {
			if d := &t.Documents[i]; d.File != "" {
				out = append(out, FileRef{"organization", 0, fmt.Sprintf("trust.documents[%d].file", i), d.File, &d.SHA256, false})
			}
		}
	}
	return out
}

// writeFiles copies the files records name out of the blob store,
// checking each against its recorded hash.
func writeFiles(root *os.Root, ws *Workspace, blob func(string) (io.ReadCloser, error)) error {
	written := map[string]FileRef{}
	for _, f := range ws.Files() {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("%s: file %q is not inside the workspace folder; refusing to write it", f.Who(), f.Path)
		}
		if *f.SHA256 == "" {
			return fmt.Errorf("%s: file %q has no recorded SHA-256, so its content cannot be exported", f.Who(), f.Path)
		}
		if prev, ok := written[f.Path]; ok {
			if *prev.SHA256 != *f.SHA256 {
				return fmt.Errorf("%s and %s both name file %q with different contents (%s, %s)", prev.Who(), f.Who(), f.Path, *prev.SHA256, *f.SHA256)
			}
			continue
		}
		written[f.Path] = f
		if err := copyBlob(root, filepath.FromSlash(f.Path), *f.SHA256, blob); err != nil {
			return fmt.Errorf("%s: %w", f.Who(), err)
		}
	}
	return nil
}

func copyBlob(root *os.Root, path, sha string, blob func(string) (io.ReadCloser, error)) error {
	r, err := blob(sha)
	if err != nil {
		return err
	}
	defer r.Close()
	if d := filepath.Dir(path); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	w, err := root.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(w, h), r)
	err = errors.Join(err, w.Close())
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return fmt.Errorf("the stored content of %s has SHA-256 %s, not the recorded %s", path, got, sha)
	}
	return nil
}

// rawDate writes a date unquoted (program_start: 2026-06-01); the YAML
// library would quote a plain string that looks like a timestamp.
type rawDate string

func (d rawDate) MarshalYAML() ([]byte, error) { return []byte(d), nil }

// toYAML converts a model value into ordered YAML values: structs become
// MapSlices in field order, maps MapSlices in key order.
func toYAML(v reflect.Value) any {
	if v.Type() == dateType {
		return rawDate(v.Interface().(date.Date).String())
	}
	if a, ok := v.Interface().(Audience); ok && len(a) == 1 && a[0] == AudienceAll {
		return AudienceAll // audience: all, as people write it
	}
	switch v.Kind() {
	case reflect.Pointer:
		return toYAML(v.Elem())
	case reflect.Struct:
		var m yaml.MapSlice
		t := v.Type()
		for i := range t.NumField() {
			name, omitempty := yamlName(t.Field(i))
			if name == "" {
				continue
			}
			f := v.Field(i)
			// An unset date is never written: it would read back as a
			// string, and the zero date means "not set".
			if empty(f) && (omitempty || f.Type() == dateType || f.Kind() == reflect.Pointer) {
				continue
			}
			m = append(m, yaml.MapItem{Key: name, Value: toYAML(f)})
		}
		return m
	case reflect.Slice:
		out := make([]any, 0, v.Len())
		for i := range v.Len() {
			out = append(out, toYAML(v.Index(i)))
		}
		return out
	case reflect.Map:
		var m yaml.MapSlice
		ks := v.MapKeys()
		slices.SortFunc(ks, func(a, b reflect.Value) int {
			switch {
			case a.String() < b.String():
				return -1
			case a.String() > b.String():
				return 1
			}
			return 0
		})
		for _, k := range ks {
			m = append(m, yaml.MapItem{Key: k.String(), Value: toYAML(v.MapIndex(k))})
		}
		return m
	}
	if v.Kind() == reflect.String && needsQuotes(v.String()) {
		return quoted(v.String())
	}
	return v.Interface()
}

// quoted writes a string in double quotes with escapes. The YAML library
// writes tabs, carriage returns and indented or space-trailed lines of a
// multi-line string in forms that do not read back the same, so such
// strings are quoted; everything else keeps the library's plainer style.
type quoted string

func (q quoted) MarshalYAML() ([]byte, error) { return []byte(strconv.Quote(string(q))), nil }

func needsQuotes(s string) bool {
	for _, r := range s {
		if r != '\n' && (r < 0x20 || !unicode.IsPrint(r) && r != ' ') {
			return true
		}
	}
	if !strings.Contains(s, "\n") {
		return false
	}
	if strings.HasPrefix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		return true
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if line != strings.TrimSpace(line) {
			return true
		}
	}
	return false
}

// empty is omitempty's notion of empty: a zero value, or a list or map
// with nothing in it.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}
