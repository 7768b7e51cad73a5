package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"ward/internal/date"
)

// Options tune validation.
type Options struct {
	// KnownControl reports whether a control id is in the unified catalog;
	// the caller passes the catalog's lookup, so that this package does
	// not depend on it. Nil accepts every id.
	KnownControl func(id string) bool
	// KnownClause reports whether an id is a clause of the catalog's BAA
	// checklist, for agreements' clauses and clause_review; nil accepts
	// every id.
	KnownClause func(id string) bool
	// Addressable lists the HIPAA addressable specifications a control
	// answers (its own mappings, else the catalog's): a control that
	// answers any and is not applicable needs an equivalent_measure,
	// 45 CFR 164.306(d)(3). Nil skips the rule.
	Addressable func(c Control) []string
	// LibraryThreat and LibraryVulnerability report whether an id is in
	// the embedded risk libraries: an organization's own entry may not
	// reuse one, and its threats may list library vulnerabilities. Nil
	// knows none.
	LibraryThreat        func(id string) bool
	LibraryVulnerability func(id string) bool
	// KnownTemplate reports whether an id is a built-in policy template
	// (ward policy templates); nil accepts every id.
	KnownTemplate func(id string) bool
	// Today is the date records are checked against: an acknowledgement,
	// a training completion or a reminder cannot be dated after it. The
	// zero date skips those checks.
	Today date.Date
}

// Loaded is a validated workspace and where each of its values came from.
type Loaded struct {
	Workspace *Workspace
	// Dir is the workspace folder: the folder given, or the folder of the
	// single file given. Evidence and agreement files are relative to it.
	Dir string
	// Files are the YAML files read, in the order they were merged, as
	// the user spelled them (relative stays relative).
	Files []string

	lines map[posKey]int
	bad   map[posKey]bool
	recs  map[string][]record

	// chunk: list items per parse of a large file (chunk.go), 0 to parse
	// every file whole; unchunk: a run did not parse, so Load starts
	// again parsing whole.
	chunk   int
	unchunk bool
}

// record is where one record of a section came from.
type record struct {
	file  string
	local int // the index in its own file's list, which is what a user counts
	line  int
}

// Pos is the file and line of a record's field: section is a top-level
// name ("organization", "systems", "evidence"), index the record's
// position in the merged list (ignored for organization), field a path
// inside it ("kind", "law_enforcement_delay.until", "controls[1]"; ""
// for the record itself). A field that was not written gives the line of
// its nearest written parent, so a rule can always point somewhere; an
// unknown record gives ("", 0).
func (l *Loaded) Pos(section string, index int, field string) (file string, line int) {
	rec, ok := l.record(section, index)
	if !ok {
		return "", 0
	}
	if section == "organization" {
		index = 0
	}
	for f := field; ; f = parentField(f) {
		if ln, ok := l.lines[posKey{section, index, f}]; ok {
			return rec.file, ln
		}
		if f == "" {
			return rec.file, rec.line
		}
	}
}

// Field is the user-facing path of a record's field, counting the record
// within its own file as the user sees it: systems[3].kind.
func (l *Loaded) Field(section string, index int, field string) string {
	p := section
	if section != "organization" {
		rec, _ := l.record(section, index)
		p = fmt.Sprintf("%s[%d]", section, rec.local)
	}
	switch {
	case field == "":
		return p
	case strings.HasPrefix(field, "["):
		return p + field
	}
	return p + "." + field
}

// Errorf makes an Error about a record's field, for rules that validate a
// loaded workspace further.
func (l *Loaded) Errorf(section string, index int, field, format string, args ...any) Error {
	file, line := l.Pos(section, index, field)
	return Error{File: file, Line: max(line, 1), Field: l.Field(section, index, field), Msg: fmt.Sprintf(format, args...)}
}

func (l *Loaded) record(section string, index int) (record, bool) {
	if section == "organization" {
		index = 0
	}
	rs := l.recs[section]
	if index < 0 || index >= len(rs) {
		return record{}, false
	}
	return rs[index], true
}

// parentField drops the last step of a field path: "a.b[2]" → "a.b" →
// "a" → "".
func parentField(f string) string {
	i := strings.LastIndexAny(f, ".[")
	if i < 0 {
		return ""
	}
	return f[:i]
}

// Load reads a workspace: one YAML file, or every *.yaml and *.yml file
// under a folder (recursively, sorted by path; folders whose name starts
// with a dot, such as .git and .github, are skipped). Each file may hold
// any of the top-level sections; lists from several files are
// concatenated; organization must be given exactly once.
//
// Every problem found is returned at once as Errors; any other error
// (the path cannot be read) is returned as it is.
func Load(path string, opt Options) (*Loaded, error) {
	l, err := load(path, opt, chunkItems)
	if l != nil && l.unchunk {
		return load(path, opt, 0)
	}
	return l, err
}

func load(path string, opt Options, chunk int) (*Loaded, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	l := &Loaded{
		Workspace: &Workspace{},
		lines:     map[posKey]int{},
		bad:       map[posKey]bool{},
		recs:      map[string][]record{},
		chunk:     chunk,
	}
	if info.IsDir() {
		l.Dir = path
		l.Files, err = yamlFiles(path)
		if err != nil {
			return nil, err
		}
		if len(l.Files) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml or *.yml files in this folder", path)
		}
	} else {
		l.Dir = filepath.Dir(path)
		l.Files = []string{path}
	}
	var errs Errors
	budget := valueBudget
	parsed := true
	for _, f := range l.Files {
		data, err := readLimited(f)
		if err != nil {
			return nil, err
		}
		if e := checkShape(f, data); e != nil {
			errs = append(errs, *e)
			parsed = false
			continue
		}
		if !l.decodeFile(f, data, &errs, &budget) {
			parsed = false
		}
		if l.unchunk {
			return l, nil
		}
	}
	switch _, ok := l.recs["organization"]; {
	case !parsed:
		// Records in the file that did not parse are unknown: checking
		// references, or that organization is given, would report
		// problems that are not there.
	case !ok:
		errs = append(errs, Error{File: l.Files[0], Line: 1, Field: "organization",
			Msg: "is missing: one file must have an organization: section with at least the name"})
	default:
		errs = append(errs, l.validate(opt)...)
	}
	if len(errs) > 0 {
		sortErrors(errs, l.Files)
		return nil, errs
	}
	return l, nil
}

// readLimited reads a file, but no more than one byte past MaxFileBytes
// (checkShape then refuses it), whatever its size.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
}

func yamlFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p != dir && strings.HasPrefix(e.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); (ext == ".yaml" || ext == ".yml") && e.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	slices.SortFunc(files, func(a, b string) int { return strings.Compare(filepath.ToSlash(a), filepath.ToSlash(b)) })
	return files, err
}

// sections maps each top-level name to its field of Workspace.
var sections = func() map[string]int {
	m := map[string]int{}
	for i, name := range infoOf(reflect.TypeFor[Workspace]()).names {
		m[name] = i
	}
	return m
}()

// parse runs the YAML parser, turning a panic on hostile input into a
// syntax error rather than a crash.
func parse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed on this file (%v)", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// decodeFile decodes one file's sections into the workspace; it reports
// false when the file is not YAML at all.
func (l *Loaded) decodeFile(file string, data []byte, errs *Errors, budget *int) bool {
	d := &decoder{file: file, errs: errs, lines: l.lines, bad: l.bad, anchors: map[string]ast.Node{}, budget: budget, aliasBudget: aliasBudget}
	if l.chunk > 0 && len(data) > chunkBytes {
		if cs := splitChunks(data, l.chunk); cs != nil {
			for _, c := range cs {
				f, err := parseAt(c.text, c.shift)
				if err != nil || (c.items > 0 && runItems(f) != c.items) {
					l.unchunk = true
					return false
				}
				chunkedRuns++
				l.decodeDocs(d, f, c.first)
			}
			return true
		}
	}
	f, err := parse(data)
	if err != nil {
		*errs = append(*errs, syntaxError(file, err))
		return false
	}
	l.decodeDocs(d, f, 0)
	return true
}

// decodeDocs decodes a parsed file, or a run of one (first: the file's
// list index of the run's first item).
func (l *Loaded) decodeDocs(d *decoder, f *ast.File, first int) {
	file, errs := d.file, d.errs
	ws := reflect.ValueOf(l.Workspace).Elem()
	names := infoOf(ws.Type()).names
	for _, doc := range f.Docs {
		if doc == nil {
			continue
		}
		d.section, d.index, d.prefix = "", 0, ""
		body, ok := d.resolve(doc.Body, 1, "")
		if !ok || isNull(body) {
			continue
		}
		ps, ok := pairs(body)
		if !ok {
			*errs = append(*errs, Error{File: file, Line: lineOf(body, 1),
				Msg: fmt.Sprintf("a workspace file is a mapping of sections (%s), not %s", strings.Join(names, ", "), kindName(body))})
			continue
		}
		for _, p := range ps {
			d.section, d.index, d.prefix = "", 0, ""
			line := lineOf(p, 1)
			name, ok := d.keyText(p, line, "")
			if !ok {
				continue
			}
			fi, known := sections[name]
			if !known {
				msg := fmt.Sprintf("unknown section %q", name)
				if s := suggest(name, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				} else {
					msg += "; sections are " + strings.Join(names, ", ")
				}
				*errs = append(*errs, Error{File: file, Line: line, Field: name, Msg: msg})
				continue
			}
			if name == "organization" {
				l.decodeOrganization(d, p, line)
				continue
			}
			l.decodeList(d, name, ws.Field(fi), p, line, first)
		}
	}
}

func (l *Loaded) decodeOrganization(d *decoder, p *ast.MappingValueNode, line int) {
	if prev, ok := l.recs["organization"]; ok {
		msg := fmt.Sprintf("given twice: here and at %s:%d; give it once", prev[0].file, prev[0].line)
		if a, b := filepath.Dir(prev[0].file), filepath.Dir(d.file); a != b {
			// A folder of client folders (an MSP's): each is a workspace.
			msg += fmt.Sprintf(" (a workspace is one organization's: apply %s and %s one at a time)", a, b)
		}
		*d.errs = append(*d.errs, Error{File: d.file, Line: line, Field: "organization", Msg: msg})
		return
	}
	l.recs["organization"] = []record{{file: d.file, line: line}}
	d.section, d.index, d.prefix = "organization", 0, "organization"
	l.lines[posKey{"organization", 0, ""}] = line
	d.value(p.Value, reflect.ValueOf(&l.Workspace.Organization).Elem(), line, "")
}

func (l *Loaded) decodeList(d *decoder, name string, list reflect.Value, p *ast.MappingValueNode, line, first int) {
	d.section, d.index, d.prefix = name, -1, name
	n, ok := d.resolve(p.Value, line, "")
	if !ok || isNull(n) {
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(lineOf(n, line), "", "must be a list (lines starting with \"- \"), not %s", kindName(n))
		return
	}
	for j, item := range seq.Values {
		j += first
		il := lineOf(item, line)
		d.section, d.index, d.prefix = name, list.Len(), fmt.Sprintf("%s[%d]", name, j)
		if isNull(item) {
			d.fail(il, "", "empty list item")
			continue
		}
		r, ok := d.resolve(item, il, "")
		if !ok {
			continue
		}
		if _, isMap := pairs(r); !isMap {
			// A scalar or list where a record belongs: say so once rather
			// than validate an empty record.
			d.fail(lineOf(r, il), "", "must be a mapping of fields (key: value lines), not %s", kindName(r))
			continue
		}
		if d.aliased {
			r = item // decode through the alias, so that it is counted
		}
		e := reflect.New(list.Type().Elem()).Elem()
		d.value(r, e, il, "")
		l.lines[posKey{name, list.Len(), ""}] = il
		l.recs[name] = append(l.recs[name], record{file: d.file, local: j, line: il})
		list.Set(reflect.Append(list, e))
	}
}

var bracketPos = regexp.MustCompile(`^\[(\d+):(\d+)\]`)

// syntaxError turns the parser's error into our format, at the line of the
// token it stopped on.
func syntaxError(file string, err error) Error {
	var se *yaml.SyntaxError
	if errors.As(err, &se) {
		line := 1
		if se.Token != nil && se.Token.Position != nil && se.Token.Position.Line > 0 {
			line = se.Token.Position.Line
		}
		return Error{File: file, Line: line, Msg: "YAML syntax: " + se.Message}
	}
	// Other parser errors carry their position only in the text:
	// "[3:5] message".
	msg := err.Error()
	line := 1
	if m := bracketPos.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = strings.TrimSpace(msg[len(m[0]):])
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return Error{File: file, Line: max(line, 1), Msg: "YAML syntax: " + msg}
}
