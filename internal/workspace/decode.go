package workspace

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"

	"ward/internal/date"
)

// The decoder walks goccy/go-yaml's syntax tree itself instead of using
// the library's Unmarshal, for two reasons: the library stops at the first
// problem, and we want every problem with its line; and we want the line
// of every field kept, so that rules run later (ward check, apply) can
// point at the line of the value they complain about.

// posKey names one value: a record of a section (index is the record's
// position in the merged list; 0 for organization) and a field path inside
// the record ("" for the record itself, "kind", "states.CA",
// "timeline[1].date").
type posKey struct {
	section string
	index   int
	field   string
}

// decoder decodes one file's records into the merged workspace.
type decoder struct {
	file    string
	errs    *Errors
	lines   map[posKey]int
	bad     map[posKey]bool
	anchors map[string]ast.Node
	budget  *int

	// Values decoded through an alias are counted apart: a few aliases
	// can name a large value many times over, and a workspace has no
	// honest need for more than aliasBudget of them.
	aliased     bool // set by resolve: it followed an alias
	inAlias     int  // depth of aliases being decoded
	aliasBudget int

	// The record being decoded.
	section string
	index   int
	prefix  string // the user-facing path of the record: systems[3]
}

// budget bounds the values one Load decodes, so that aliases that expand
// exponentially ("billion laughs") cannot exhaust memory.
const valueBudget = 1_000_000

const aliasBudget = 10_000

var (
	dateType     = reflect.TypeFor[date.Date]()
	audienceType = reflect.TypeFor[Audience]()
)

// display is the user-facing path of a field of the current record.
func (d *decoder) display(rel string) string {
	switch {
	case rel == "":
		return d.prefix
	case d.prefix == "":
		return rel
	case strings.HasPrefix(rel, "["):
		return d.prefix + rel
	}
	return d.prefix + "." + rel
}

func (d *decoder) fail(line int, rel, format string, args ...any) {
	d.bad[posKey{d.section, d.index, rel}] = true
	*d.errs = append(*d.errs, Error{File: d.file, Line: max(line, 1), Field: d.display(rel), Msg: fmt.Sprintf(format, args...)})
}

// lineOf is the 1-based line of n, or fallback when the node carries none
// (implicit nulls).
func lineOf(n ast.Node, fallback int) int {
	if isNil(n) {
		return max(fallback, 1)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return max(fallback, 1)
	}
	return tk.Position.Line
}

// isNil catches typed nil pointers inside the ast.Node interface, which
// the parser leaves for absent values.
func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// resolve strips tags and anchors and follows aliases to the value they
// name. ok is false when an alias names no anchor (already reported).
func (d *decoder) resolve(n ast.Node, line int, rel string) (ast.Node, bool) {
	d.aliased = false
	for i := 0; i < 100 && !isNil(n); i++ {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			if !isNil(t.Name) && t.Name.GetToken() != nil {
				d.anchors[t.Name.GetToken().Value] = t.Value
			}
			n = t.Value
		case *ast.AliasNode:
			name := ""
			if !isNil(t.Value) && t.Value.GetToken() != nil {
				name = t.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.fail(lineOf(t, line), rel, "alias *%s names no anchor (&%s) earlier in this file", name, name)
				return nil, false
			}
			n = target
			d.aliased = true
		default:
			return n, true
		}
	}
	return n, true
}

func isNull(n ast.Node) bool {
	if isNil(n) {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// kindName says what a node is, in a user's words, for type errors.
func kindName(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping (key: value lines)"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return "true/false"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.NullNode:
		return "empty"
	}
	return "a single value"
}

// scalarText is the text of a scalar as written: a string's value, or a
// number's or boolean's own spelling, so `name: 2026` is the name "2026"
// and `version: 1.10` keeps its zero.
func scalarText(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		if t.Value == nil {
			return "", true
		}
		return t.Value.Value, true
	case *ast.NullNode:
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// pairs lists a mapping's key/value pairs; a single pair may come as a
// bare MappingValueNode.
func pairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch t := n.(type) {
	case *ast.MappingNode:
		return t.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}, true
	}
	return nil, false
}

// keyText is a mapping key's name; ok is false (and reported) for keys
// that are not plain names.
func (d *decoder) keyText(p *ast.MappingValueNode, line int, rel string) (string, bool) {
	k := ast.Node(p.Key)
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	if isNil(k) {
		d.fail(line, rel, "a key is missing before the colon")
		return "", false
	}
	if _, ok := k.(*ast.MergeKeyNode); ok {
		d.fail(lineOf(k, line), rel, "merge keys (<<) are not supported: write the fields out")
		return "", false
	}
	k, ok := d.resolve(k, line, rel)
	if !ok {
		return "", false
	}
	s, ok := scalarText(k)
	if !ok || s == "" {
		d.fail(lineOf(k, line), rel, "keys must be plain names, not %s", kindName(k))
		return "", false
	}
	return s, true
}

// structInfo is a struct type's fields by YAML name, in declaration order.
type structInfo struct {
	names []string
	index map[string]int
}

var structInfos sync.Map // reflect.Type -> *structInfo

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{index: map[string]int{}}
	for i := range t.NumField() {
		name, _ := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		si.names = append(si.names, name)
		si.index[name] = i
	}
	structInfos.Store(t, si)
	return si
}

// yamlName reads a field's yaml tag: its name and whether it is omitempty.
func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("yaml")
	if tag == "-" {
		return "", false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, strings.Contains(opts, "omitempty")
}

func join(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "." + name
}

// value decodes n into v. line is the line to blame when n has none; rel
// is the field path inside the current record. It reports false when n
// could not be decoded (the error is already recorded).
func (d *decoder) value(n ast.Node, v reflect.Value, line int, rel string) bool {
	*d.budget--
	if *d.budget == 0 {
		d.fail(line, rel, "the file expands to more than %d values (aliases?); split it or write it out", valueBudget)
	}
	if *d.budget <= 0 {
		return false
	}
	if d.inAlias > 0 {
		d.aliasBudget--
		if d.aliasBudget == 0 {
			d.fail(line, rel, "aliases here expand to more than %d values; write the values out", aliasBudget)
		}
		if d.aliasBudget <= 0 {
			return false
		}
	}
	n, ok := d.resolve(n, line, rel)
	if !ok {
		return false
	}
	if d.aliased {
		d.inAlias++
		defer func() { d.inAlias-- }()
	}
	line = lineOf(n, line)
	if isNull(n) {
		v.SetZero()
		return true
	}
	if v.Type() == dateType {
		s, ok := scalarText(n)
		if !ok {
			d.fail(line, rel, "must be a date (YYYY-MM-DD), not %s", kindName(n))
			return false
		}
		dt, err := parseDate(s)
		if err != nil {
			d.fail(line, rel, "%v", err)
			return false
		}
		v.Set(reflect.ValueOf(dt))
		return true
	}
	if v.Type() == audienceType {
		// audience: all — a single word stands for a list of one.
		if s, ok := scalarText(n); ok {
			v.Set(reflect.ValueOf(Audience{s}))
			return true
		}
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := scalarText(n)
		if !ok {
			d.fail(line, rel, "must be a single value, not %s", kindName(n))
			return false
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			s, _ := scalarText(n)
			if s == "" {
				s = kindName(n)
			}
			d.fail(line, rel, "%q is not true or false", s)
			return false
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64:
		x, ok := intValue(n)
		if !ok {
			s, _ := scalarText(n)
			if s == "" {
				s = kindName(n)
			}
			d.fail(line, rel, "%q is not a whole number", s)
			return false
		}
		v.SetInt(x)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !d.value(n, p.Elem(), line, rel) {
			return false
		}
		v.Set(p)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.fail(line, rel, "must be a list, not %s", kindName(n))
			return false
		}
		s := reflect.MakeSlice(v.Type(), 0, len(seq.Values))
		all := true
		for i, item := range seq.Values {
			r := fmt.Sprintf("%s[%d]", rel, i)
			il := lineOf(item, line)
			d.lines[posKey{d.section, d.index, r}] = il
			if isNull(item) {
				d.fail(il, r, "empty list item")
				all = false
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if d.value(item, e, il, r) {
				s = reflect.Append(s, e)
			} else {
				all = false
			}
		}
		if s.Len() > 0 {
			v.Set(s)
		}
		return all
	case reflect.Map:
		ps, ok := pairs(n)
		if !ok {
			d.fail(line, rel, "must be a mapping (key: value lines), not %s", kindName(n))
			return false
		}
		m := reflect.MakeMapWithSize(v.Type(), len(ps))
		all := true
		for _, p := range ps {
			pl := lineOf(p, line)
			k, ok := d.keyText(p, pl, rel)
			if !ok {
				all = false
				continue
			}
			r := join(rel, k)
			if _, dup := d.lines[posKey{d.section, d.index, r}]; dup {
				d.fail(pl, r, "given twice in this mapping")
				all = false
				continue
			}
			d.lines[posKey{d.section, d.index, r}] = pl
			e := reflect.New(v.Type().Elem()).Elem()
			if d.value(p.Value, e, pl, r) {
				m.SetMapIndex(reflect.ValueOf(k), e)
			} else {
				all = false
			}
		}
		if m.Len() > 0 {
			v.Set(m)
		}
		return all
	case reflect.Struct:
		ps, ok := pairs(n)
		if !ok {
			d.fail(line, rel, "must be a mapping (key: value lines), not %s", kindName(n))
			return false
		}
		si := infoOf(v.Type())
		seen := map[string]int{}
		all := true
		for _, p := range ps {
			pl := lineOf(p, line)
			k, ok := d.keyText(p, pl, rel)
			if !ok {
				all = false
				continue
			}
			r := join(rel, k)
			fi, known := si.index[k]
			if !known {
				msg := fmt.Sprintf("unknown field %q", k)
				if s := suggest(k, si.names); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				} else {
					msg += "; known fields: " + strings.Join(si.names, ", ")
				}
				d.fail(pl, r, "%s", msg)
				all = false
				continue
			}
			if first, dup := seen[k]; dup {
				d.fail(pl, r, "given twice (first on line %d)", first)
				all = false
				continue
			}
			seen[k] = pl
			d.lines[posKey{d.section, d.index, r}] = pl
			if !d.value(p.Value, v.Field(fi), pl, r) {
				all = false
			}
		}
		return all
	default:
		panic("workspace: no decoder for " + v.Type().String())
	}
	return true
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// parseDate reads YYYY-MM-DD, telling a mistyped date (2027-02-30) from
// something that is not a date at all (tomorrow).
func parseDate(s string) (date.Date, error) {
	if s == "" {
		return date.Date{}, nil
	}
	d, err := date.Parse(s)
	if err == nil {
		return d, nil
	}
	if datePattern.MatchString(s) {
		return date.Date{}, fmt.Errorf("%q is not a calendar date (no such day)", s)
	}
	return date.Date{}, fmt.Errorf("%q is not a date: write YYYY-MM-DD", s)
}

// intValue reads an integer node that fits in an int64.
func intValue(n ast.Node) (int64, bool) {
	i, ok := n.(*ast.IntegerNode)
	if !ok {
		return 0, false
	}
	switch t := i.Value.(type) {
	case int64:
		return t, true
	case int:
		return int64(t), true
	case uint64:
		return int64(t), t <= math.MaxInt64
	}
	return 0, false
}
