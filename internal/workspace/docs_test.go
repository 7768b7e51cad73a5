package workspace

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The workspace format's reference, docs/workspace.md, documents every
// field of the model. These tests walk the model's types by their yaml
// tags and fail, saying exactly what to add, when a field has no row in
// the reference, when a row names a field the model no longer has, or
// when a field's allowed values are not all listed in its row.

const referencePath = "../../docs/workspace.md"

// docField is one documented field: a row of a section's table.
type docField struct {
	line int
	row  string // the whole table row
}

// docSections reads docs/workspace.md: per top-level section (a heading
// "## `systems`"), the field paths of its table rows ("kind",
// "law_enforcement_delay.kind", "timeline[].date").
func docSections(t *testing.T) map[string]map[string]docField {
	t.Helper()
	raw, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatalf("the workspace reference is missing: %v", err)
	}
	heading := regexp.MustCompile("^## `([a-z_]+)`\\s*$")
	row := regexp.MustCompile("^\\| `([^`]+)` \\|")
	out := map[string]map[string]docField{}
	section := ""
	for i, line := range strings.Split(string(raw), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			section = m[1]
			out[section] = map[string]docField{}
			continue
		}
		if strings.HasPrefix(line, "## ") {
			section = ""
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil && section != "" {
			out[section][m[1]] = docField{line: i + 1, row: line}
		}
	}
	return out
}

// modelField is one field of the model, by its path inside a record.
type modelField struct {
	path   string
	goName string // workspace.Incident.LawEnforcementDelay
	typ    reflect.Type
}

// modelFields walks a record type's fields by their yaml names: a nested
// mapping gives "parent" and "parent.child", a list of mappings gives
// "parent" and "parent[].child"; lists of values and maps are leaves.
func modelFields(t reflect.Type, prefix string) []modelField {
	var out []modelField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _ := yamlName(f)
		if name == "" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out = append(out, modelField{path: path, goName: t.Name() + "." + f.Name, typ: f.Type})
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct && ft != dateType:
			out = append(out, modelFields(ft, path)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && ft.Elem() != dateType:
			out = append(out, modelFields(ft.Elem(), path+"[]")...)
		}
	}
	return out
}

// sectionsOf lists the workspace's top-level sections with the type of
// one record.
func sectionsOf() []modelField {
	var out []modelField
	t := reflect.TypeFor[Workspace]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _ := yamlName(f)
		if name == "" {
			continue
		}
		rt := f.Type
		if rt.Kind() == reflect.Slice {
			rt = rt.Elem()
		}
		out = append(out, modelField{path: name, goName: "Workspace." + f.Name, typ: rt})
	}
	return out
}

// typeWord is what the reference calls a Go type, for the row to add.
func typeWord(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == dateType:
		return "date"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Bool:
		return "true/false"
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64:
		return "whole number"
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Map:
		return "mapping"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "list of text"
	case t.Kind() == reflect.Slice:
		return "list"
	}
	return t.String()
}

func TestReferenceDocumentsEverySectionAndField(t *testing.T) {
	docs := docSections(t)
	var missing []string
	for _, sec := range sectionsOf() {
		rows, ok := docs[sec.path]
		if !ok {
			var b strings.Builder
			fmt.Fprintf(&b, "the section %s: (%s) has no heading in %s. Add, in the order of the Workspace struct:\n\n## `%s`\n\nWhat the section records, in a sentence or two, and a short YAML example.\n\n| field | type | required | meaning |\n| --- | --- | --- | --- |\n",
				sec.path, sec.goName, "docs/workspace.md", sec.path)
			for _, f := range modelFields(sec.typ, "") {
				fmt.Fprintf(&b, "| `%s` | %s | yes/no | what it means, its allowed values, the citation when the law sets it |\n", f.path, typeWord(f.typ))
			}
			missing = append(missing, b.String())
			continue
		}
		for _, f := range modelFields(sec.typ, "") {
			if _, ok := rows[f.path]; !ok {
				missing = append(missing, fmt.Sprintf("%s.%s (%s, yaml %q) has no row in docs/workspace.md. Add to the table under \"## `%s`\":\n| `%s` | %s | yes/no | what it means, its allowed values, the citation when the law sets it |",
					sec.path, f.path, f.goName, f.path[strings.LastIndexAny(f.path, ".]")+1:], sec.path, f.path, typeWord(f.typ)))
			}
		}
	}
	for _, m := range missing {
		t.Error(m)
	}
}

func TestReferenceDocumentsNoFieldTheModelLacks(t *testing.T) {
	docs := docSections(t)
	known := map[string]map[string]bool{}
	for _, sec := range sectionsOf() {
		known[sec.path] = map[string]bool{}
		for _, f := range modelFields(sec.typ, "") {
			known[sec.path][f.path] = true
		}
	}
	for section, rows := range docs {
		fields, ok := known[section]
		if !ok {
			t.Errorf("docs/workspace.md has a section \"## `%s`\", and the workspace has no such top-level key: remove it or rename it", section)
			continue
		}
		for path, r := range rows {
			if !fields[path] {
				t.Errorf("docs/workspace.md:%d: the row for %s.%s names no field of the model: fix the name or remove the row", r.line, section, path)
			}
		}
	}
}

// allowedValues are the fields whose values the validator limits to a
// list: each allowed value must appear, in backquotes, in the field's row.
var allowedValues = map[string][]string{
	"organization.roles":                   Roles,
	"organization.soc2.type":               SOC2Types,
	"organization.soc2.categories":         SOC2Categories,
	"organization.trust.public":            TrustSections,
	"organization.trust.documents[].kind":  TrustDocumentKinds,
	"systems.kind":                         SystemKinds,
	"agreements.kind":                      AgreementKinds,
	"agreements.direction":                 AgreementDirections,
	"agreements.status":                    AgreementStatuses,
	"agreements.clause_review[].status":    ClauseStatuses,
	"threats.category":                     ThreatCategories,
	"risks.treatment":                      RiskTreatments,
	"controls.status":                      ControlStatuses,
	"controls.frequency":                   Frequencies,
	"evidence.source":                      EvidenceSources,
	"incidents.status":                     IncidentStatuses,
	"incidents.states":                     Jurisdictions,
	"incidents.law_enforcement_delay.kind": DelayKinds,
	"incidents.assessment.exclusion":       BreachExclusions,
	"privacy_requests.kind":                PrivacyRequestKinds,
	"privacy_requests.outcome":             RequestOutcomes,
	"privacy_requests.denial.ground":       groundIDs(),
	"complaints.outcome":                   ComplaintOutcomes,
	"acknowledgements.source":              RecordSources,
	"training_records.source":              RecordSources,
}

func groundIDs() []string {
	var out []string
	for _, g := range DenialGrounds {
		out = append(out, g.ID)
	}
	return out
}

func TestReferenceListsEveryAllowedValue(t *testing.T) {
	docs := docSections(t)
	for field, values := range allowedValues {
		section, path, _ := strings.Cut(field, ".")
		r, ok := docs[section][path]
		if !ok {
			t.Errorf("docs/workspace.md has no row for %s (TestReferenceDocumentsEverySectionAndField says what to add)", field)
			continue
		}
		var absent []string
		for _, v := range values {
			if !strings.Contains(r.row, "`"+v+"`") {
				absent = append(absent, "`"+v+"`")
			}
		}
		if len(absent) > 0 {
			t.Errorf("docs/workspace.md:%d: the row for %s does not list the allowed value(s) %s: add each, in backquotes, with what it means", r.line, field, strings.Join(absent, ", "))
		}
	}
}
