package workspace

import (
	"reflect"
	"strconv"
	"strings"
)

// Validate checks an in-memory workspace — one being edited in the web app
// or through the API — with exactly the rules Load applies to files, so
// that an edit cannot store what `ward apply` would reject. Errors name
// the field as Load does (systems[3].kind); there is no file, and Line is
// 1. Files that records name (agreement and evidence files) are not
// looked for: in the store they live in the blob store, by hash.
func Validate(ws *Workspace, opt Options) Errors {
	l := &Loaded{
		Workspace: ws,
		lines:     map[posKey]int{},
		bad:       map[posKey]bool{},
		recs:      map[string][]record{"organization": {{}}},
	}
	v := reflect.ValueOf(ws).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Slice {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		n := v.Field(i).Len()
		recs := make([]record, n)
		for j := range recs {
			recs[j].local = j
		}
		l.recs[name] = recs
	}
	errs := l.validate(opt)
	for i := range errs {
		errs[i].File = ""
	}
	return errs
}

// FieldErrors are the errors about one record, by the field's path inside
// it ("kind", "clause_review[2].status"; "" for the record as a whole),
// for showing each next to its form field. section and index name the
// record as Validate's errors do (systems, 3).
func (es Errors) FieldErrors(section string, index int) map[string]string {
	prefix := section + "[" + strconv.Itoa(index) + "]"
	out := map[string]string{}
	for _, e := range es {
		rest, ok := strings.CutPrefix(e.Field, prefix)
		if !ok {
			continue
		}
		var field string
		switch {
		case rest == "":
		case strings.HasPrefix(rest, "."):
			field = rest[1:]
		case strings.HasPrefix(rest, "["):
			field = rest
		default:
			continue // systems[31] is not systems[3]
		}
		if _, dup := out[field]; !dup {
			out[field] = e.Msg
		}
	}
	return out
}
