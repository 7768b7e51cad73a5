package records

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/workspace"
)

// The inventory and agreement pages (systems, flows, vendors, customers,
// agreements) are one set of handlers over a description of each kind:
// its fields, how to find a record in the workspace and what its key is.
// A record goes from a form to the workspace through its JSON form (the
// field names are the workspace file's), is validated with the
// workspace's own rules (workspace.Validate, what `ward apply` runs), and
// is written with OrgStore.Put or Retire, which audit every change.

// fieldSpec is one form field, named as in the workspace files.
type fieldSpec struct {
	Name  string // the workspace and JSON name
	Label string
	Type  string // text | textarea | checkbox | select | date | number | list
	Help  string
	// Key fields make up the record's key: set on creation, fixed after
	// (the store refuses to change a key; retire and add instead).
	Key bool
	// Column: shown in the list.
	Column bool
	// Choices for a select; "" first when the field is optional.
	Choices func(ws *workspace.Workspace) []string
}

// kindMeta is what a page says about a kind.
type kindMeta struct {
	Kind     string // store kind
	Section  string // workspace section, for validation errors: systems
	Path     string // URL segment under /orgs/{org}/
	Singular string // system
	Title    string // Systems
	Fields   []fieldSpec
	// NoListPage: the kind's list is part of another page (flows: the
	// data-flow page), so /orgs/{org}/<Path> is not this kind's.
	NoListPage bool
	// InUse names the records that refer to key in ways validation cannot
	// see (a risk's threat is an id or free text): retiring it is refused
	// while any does.
	InUse func(ws *workspace.Workspace, key string) []string
}

// recordKind is one kind's records in a workspace; records[T] implements
// it for each workspace type.
type recordKind interface {
	Meta() *kindMeta
	count(ws *workspace.Workspace) int
	keyAt(ws *workspace.Workspace, i int) string
	titleAt(ws *workspace.Workspace, i int) string
	at(ws *workspace.Workspace, i int) any
	// decode reads a record from its JSON form, refusing unknown fields.
	decode(body []byte) (any, error)
	keyOf(rec any) string
	// set puts rec at i, or appends it when i < 0; remove drops record i.
	set(ws *workspace.Workspace, i int, rec any)
	remove(ws *workspace.Workspace, i int)
}

type records[T any] struct {
	kindMeta
	slice func(ws *workspace.Workspace) *[]T
	key   func(T) string
	title func(T) string
}

func (k *records[T]) Meta() *kindMeta                   { return &k.kindMeta }
func (k *records[T]) count(ws *workspace.Workspace) int { return len(*k.slice(ws)) }
func (k *records[T]) keyAt(ws *workspace.Workspace, i int) string {
	return k.key((*k.slice(ws))[i])
}
func (k *records[T]) titleAt(ws *workspace.Workspace, i int) string {
	return k.title((*k.slice(ws))[i])
}
func (k *records[T]) at(ws *workspace.Workspace, i int) any { return (*k.slice(ws))[i] }
func (k *records[T]) keyOf(rec any) string                  { return k.key(rec.(T)) }

func (k *records[T]) decode(body []byte) (any, error) {
	var v T
	if err := strictjson.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return v, nil
}

func (k *records[T]) set(ws *workspace.Workspace, i int, rec any) {
	s := k.slice(ws)
	if i < 0 {
		*s = append(*s, rec.(T))
		return
	}
	(*s)[i] = rec.(T)
}

func (k *records[T]) remove(ws *workspace.Workspace, i int) {
	s := k.slice(ws)
	*s = slices.Delete(*s, i, i+1)
}

// Find is the index of the record with key, or -1.
func Find(k recordKind, ws *workspace.Workspace, key string) int {
	for i := range k.count(ws) {
		if k.keyAt(ws, i) == key {
			return i
		}
	}
	return -1
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, id(v))
	}
	slices.Sort(out)
	return out
}

func optional(vals []string) []string { return append([]string{""}, vals...) }

func systemIDs(ws *workspace.Workspace) []string {
	return ids(ws.Systems, func(s workspace.System) string { return s.ID })
}

func vendorIDs(ws *workspace.Workspace) []string {
	return ids(ws.Vendors, func(v workspace.Vendor) string { return v.ID })
}

func personEmails(ws *workspace.Workspace) []string {
	return ids(ws.People, func(p workspace.Person) string { return p.Email })
}

// counterparties are every vendor and customer id: the direction decides
// which is right, and validation says so.
func counterparties(ws *workspace.Workspace) []string {
	out := append(vendorIDs(ws), ids(ws.Customers, func(c workspace.Customer) string { return c.ID })...)
	slices.Sort(out)
	return slices.Compact(out)
}

func fixed(vals []string) func(*workspace.Workspace) []string {
	return func(*workspace.Workspace) []string { return vals }
}

func FlowTitle(f workspace.Flow) string {
	t := f.From + " → " + f.To
	if f.Name != "" {
		t += " (" + f.Name + ")"
	}
	return t
}

func NameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

var (
	SystemKind = &records[workspace.System]{
		kindMeta: kindMeta{Kind: store.KindSystem, Section: "systems", Path: "systems", Singular: "system", Title: "Systems", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name such as patient-api"},
			{Name: "name", Label: "Name", Type: "text", Column: true},
			{Name: "kind", Label: "Kind", Type: "select", Column: true, Choices: fixed(workspace.SystemKinds)},
			{Name: "vendor", Label: "Vendor", Type: "select", Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(vendorIDs(ws)) }, Help: "who runs it; empty for in-house"},
			{Name: "phi", Label: "Stores or processes PHI", Type: "checkbox", Column: true},
			{Name: "live_phi", Label: "Real PHI today (not test data)", Type: "checkbox", Column: true},
			{Name: "encrypted_at_rest", Label: "Encrypted at rest", Type: "checkbox"},
			{Name: "owner", Label: "Owner", Type: "select", Choices: func(ws *workspace.Workspace) []string { return optional(personEmails(ws)) }},
			{Name: "description", Label: "Description", Type: "textarea"},
		}},
		slice: func(ws *workspace.Workspace) *[]workspace.System { return &ws.Systems },
		key:   func(s workspace.System) string { return s.ID },
		title: func(s workspace.System) string { return NameOr(s.Name, s.ID) },
	}
	FlowKind = &records[workspace.Flow]{
		kindMeta: kindMeta{Kind: store.KindFlow, Section: "flows", Path: "flows", Singular: "flow", Title: "Flows", NoListPage: true, Fields: []fieldSpec{
			{Name: "from", Label: "From system", Type: "select", Key: true, Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(systemIDs(ws)) }},
			{Name: "to", Label: "To system", Type: "select", Key: true, Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(systemIDs(ws)) }},
			{Name: "name", Label: "Name", Type: "text", Key: true, Column: true, Help: "optional: tells two flows between the same systems apart"},
			{Name: "phi", Label: "Carries PHI", Type: "checkbox", Column: true},
			{Name: "encrypted_in_transit", Label: "Encrypted in transit", Type: "checkbox", Column: true},
			{Name: "description", Label: "Description", Type: "textarea"},
		}},
		slice: func(ws *workspace.Workspace) *[]workspace.Flow { return &ws.Flows },
		key:   workspace.Flow.Key,
		title: FlowTitle,
	}
	VendorKind = &records[workspace.Vendor]{
		kindMeta: kindMeta{Kind: store.KindVendor, Section: "vendors", Path: "vendors", Singular: "vendor", Title: "Vendors", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name such as aws"},
			{Name: "name", Label: "Name", Type: "text", Column: true},
			{Name: "services", Label: "Services", Type: "list", Column: true, Help: "comma-separated, such as hosting, sms"},
			{Name: "contact", Label: "Contact", Type: "text"},
		}},
		slice: func(ws *workspace.Workspace) *[]workspace.Vendor { return &ws.Vendors },
		key:   func(v workspace.Vendor) string { return v.ID },
		title: func(v workspace.Vendor) string { return NameOr(v.Name, v.ID) },
	}
	customerKind = &records[workspace.Customer]{
		kindMeta: kindMeta{Kind: store.KindCustomer, Section: "customers", Path: "customers", Singular: "customer", Title: "Customers", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name such as st-marys"},
			{Name: "name", Label: "Name", Type: "text", Column: true},
			{Name: "covered_entity", Label: "Covered entity", Type: "checkbox", Column: true},
			{Name: "live_phi", Label: "Live PHI on our platform", Type: "checkbox", Column: true},
			{Name: "go_live", Label: "Go-live date", Type: "date", Column: true, Help: "optional: when their real PHI starts flowing; without a BAA in force, ward check fails from 30 days before it"},
			{Name: "contact", Label: "Contact", Type: "text"},
		}},
		slice: func(ws *workspace.Workspace) *[]workspace.Customer { return &ws.Customers },
		key:   func(c workspace.Customer) string { return c.ID },
		title: func(c workspace.Customer) string { return NameOr(c.Name, c.ID) },
	}
	AgreementKind = &records[workspace.Agreement]{
		kindMeta: kindMeta{Kind: store.KindAgreement, Section: "agreements", Path: "agreements", Singular: "agreement", Title: "Agreements", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name such as baa-twilio"},
			{Name: "kind", Label: "Kind", Type: "select", Column: true, Choices: fixed(workspace.AgreementKinds)},
			{Name: "counterparty", Label: "Counterparty", Type: "select", Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(counterparties(ws)) }, Help: "a vendor (downstream) or a customer (upstream)"},
			{Name: "direction", Label: "Direction", Type: "select", Column: true, Choices: fixed(workspace.AgreementDirections), Help: "downstream: our subprocessor; upstream: our customer, a covered entity"},
			{Name: "status", Label: "Status", Type: "select", Column: true, Choices: fixed(workspace.AgreementStatuses)},
			{Name: "effective", Label: "Effective", Type: "date", Column: true},
			{Name: "expires", Label: "Expires", Type: "date", Column: true, Help: "optional"},
			{Name: "breach_notice_days", Label: "Breach notice (days)", Type: "number", Column: true, Help: "optional: how fast the other side must tell us, or we them"},
			{Name: "agent", Label: "Business associate acts as the covered entity's agent", Type: "checkbox", Help: "federal common law of agency: the agent's discovery of a breach is the principal's (164.404(a)(2)); upstream, we are the customer's agent; downstream, the vendor is ours"},
			{Name: "notifies_on_behalf", Label: "We give the covered entity's breach notices", Type: "checkbox", Help: "upstream BAA only: it delegates the notices to individuals, the media and HHS to us (164.404-164.408)"},
			{Name: "notes", Label: "Notes", Type: "textarea"},
		}},
		slice: func(ws *workspace.Workspace) *[]workspace.Agreement { return &ws.Agreements },
		key:   func(a workspace.Agreement) string { return a.ID },
		title: func(a workspace.Agreement) string { return a.ID },
	}
	// The organization's own risk-library entries, beside the embedded
	// ones: a risk names them by id (ward risk threats lists both).
	threatKind = &records[workspace.Threat]{
		kindMeta: kindMeta{Kind: store.KindThreat, Section: "threats", Path: "threats", Singular: "threat", Title: "Own threats", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name, not one of the library's, such as llm-subprocessor-disclosure"},
			{Name: "title", Label: "Title", Type: "text", Column: true},
			{Name: "category", Label: "Category", Type: "select", Column: true, Choices: fixed(workspace.ThreatCategories), Help: "NIST SP 800-30 Rev. 1, Table D-2"},
			{Name: "description", Label: "Description", Type: "textarea"},
			{Name: "vulnerabilities", Label: "Vulnerabilities it exploits", Type: "list", Help: "comma-separated library or own vulnerability ids"},
			{Name: "controls", Label: "Controls that mitigate it", Type: "list", Column: true, Help: "comma-separated control ids, suggested on each risk that names the threat"},
		}, InUse: libraryUsers},
		slice: func(ws *workspace.Workspace) *[]workspace.Threat { return &ws.Threats },
		key:   func(t workspace.Threat) string { return t.ID },
		title: func(t workspace.Threat) string { return NameOr(t.Title, t.ID) },
	}
	vulnerabilityKind = &records[workspace.Vulnerability]{
		kindMeta: kindMeta{Kind: store.KindVuln, Section: "vulnerabilities", Path: "vulnerabilities", Singular: "vulnerability", Title: "Own vulnerabilities", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name, not one of the library's, such as llm-api-without-baa"},
			{Name: "title", Label: "Title", Type: "text", Column: true},
			{Name: "description", Label: "Description", Type: "textarea"},
			{Name: "controls", Label: "Controls that close it", Type: "list", Column: true, Help: "comma-separated control ids"},
		}, InUse: libraryUsers},
		slice: func(ws *workspace.Workspace) *[]workspace.Vulnerability { return &ws.Vulnerabilities },
		key:   func(v workspace.Vulnerability) string { return v.ID },
		title: func(v workspace.Vulnerability) string { return NameOr(v.Title, v.ID) },
	}
	// The documented Security Rule risk analysis (164.308(a)(1)(ii)(A)):
	// a new organization starts its first one here; the yearly review
	// that carries last year's open risks over is `ward risk analysis new`.
	riskAnalysisKind = &records[workspace.RiskAnalysis]{
		kindMeta: kindMeta{Kind: store.KindRiskAnalysis, Section: "risk_analyses", Path: "risk-analyses", Singular: "risk analysis", Title: "Risk analyses", Fields: []fieldSpec{
			{Name: "id", Label: "ID", Type: "text", Key: true, Column: true, Help: "a short unique name such as ra-2026"},
			{Name: "performed", Label: "Performed", Type: "date", Column: true, Help: "the date of the analysis; the latest one on or before a date is the one in force"},
			{Name: "scope", Label: "Scope", Type: "text", Column: true, Help: "such as: every system that holds or carries PHI"},
			{Name: "methodology", Label: "Methodology", Type: "text", Help: "such as NIST SP 800-30 Rev. 1"},
			{Name: "performed_by", Label: "Performed by", Type: "select", Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(personEmails(ws)) }},
			{Name: "approved_by", Label: "Approved by", Type: "select", Column: true, Choices: func(ws *workspace.Workspace) []string { return optional(personEmails(ws)) }, Help: "who approved it after review"},
			{Name: "previous", Label: "Reviews the analysis", Type: "select", Choices: func(ws *workspace.Workspace) []string {
				return optional(ids(ws.RiskAnalyses, func(a workspace.RiskAnalysis) string { return a.ID }))
			}, Help: "optional: last year's, for the year-on-year diff"},
			{Name: "notes", Label: "Notes", Type: "textarea"},
		}, InUse: analysisUsers},
		slice: func(ws *workspace.Workspace) *[]workspace.RiskAnalysis { return &ws.RiskAnalyses },
		key:   func(a workspace.RiskAnalysis) string { return a.ID },
		title: func(a workspace.RiskAnalysis) string { return a.ID },
	}
	recordKinds = []recordKind{SystemKind, FlowKind, VendorKind, customerKind, AgreementKind, threatKind, vulnerabilityKind, riskAnalysisKind}
)

// analysisUsers are the risks of an analysis and the analyses that
// review it: it is kept while they name it.
func analysisUsers(ws *workspace.Workspace, id string) []string {
	var out []string
	for _, r := range ws.Risks {
		if r.Analysis == id {
			out = append(out, "risk "+r.ID)
		}
	}
	for _, a := range ws.RiskAnalyses {
		if a.Previous == id {
			out = append(out, "risk analysis "+a.ID)
		}
	}
	return out
}

// libraryUsers are the risks (and own threats) that name a threat or
// vulnerability id.
func libraryUsers(ws *workspace.Workspace, id string) []string {
	var out []string
	for _, r := range ws.Risks {
		if r.Threat == id || r.Vulnerability == id {
			out = append(out, "risk "+r.ID)
		}
	}
	for _, t := range ws.Threats {
		if slices.Contains(t.Vulnerabilities, id) {
			out = append(out, "threat "+t.ID)
		}
	}
	return out
}

// ValidationOptions are the ones `ward apply` uses (check.WorkspaceOptions).
func ValidationOptions() workspace.Options { return check.WorkspaceOptions() }

// fromForm reads a record's JSON form from a submitted form: base (the
// stored record's, for an edit; empty for a new one) with the form's
// fields over it, so fields the form does not show are kept. Values that
// are not even of the right type are field errors.
func fromForm(m *kindMeta, base map[string]any, form url.Values, editing bool) (map[string]any, map[string]string) {
	rec := map[string]any{}
	for k, v := range base {
		rec[k] = v
	}
	errs := map[string]string{}
	for _, f := range m.Fields {
		if f.Key && editing {
			continue
		}
		raw := strings.TrimSpace(form.Get(f.Name))
		switch f.Type {
		case "checkbox":
			rec[f.Name] = raw != "" && raw != "false"
		case "number":
			if raw == "" {
				delete(rec, f.Name)
				continue
			}
			n, err := strconv.Atoi(raw)
			if err != nil {
				errs[f.Name] = fmt.Sprintf("%q is not a whole number", raw)
				continue
			}
			rec[f.Name] = n
		case "date":
			if raw == "" {
				delete(rec, f.Name)
				continue
			}
			d, err := date.ParseInput(raw)
			if err != nil {
				errs[f.Name] = err.Error()
				continue
			}
			rec[f.Name] = d.String()
		case "list":
			var items []string
			for item := range strings.SplitSeq(raw, ",") {
				if item = strings.TrimSpace(item); item != "" {
					items = append(items, item)
				}
			}
			if items == nil {
				delete(rec, f.Name)
				continue
			}
			rec[f.Name] = items
		default:
			if f.Type == "textarea" {
				raw = strings.ReplaceAll(form.Get(f.Name), "\r\n", "\n")
				raw = strings.TrimRight(raw, " \n")
			}
			if raw == "" {
				delete(rec, f.Name)
				continue
			}
			rec[f.Name] = raw
		}
	}
	return rec, errs
}

// formValues are a record's fields as a form shows them.
func formValues(m *kindMeta, rec any) map[string]string {
	out := map[string]string{}
	b, err := json.Marshal(rec)
	if err != nil {
		return out
	}
	var fields map[string]any
	if json.Unmarshal(b, &fields) != nil {
		return out
	}
	for _, f := range m.Fields {
		out[f.Name] = display(fields[f.Name])
	}
	return out
}

// display is a JSON value as one line of text.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return ""
	case float64:
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, display(x))
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonMap is a record's JSON form as a map.
func jsonMap(rec any) map[string]any {
	out := map[string]any{}
	if rec == nil {
		return out
	}
	b, err := json.Marshal(rec)
	if err == nil {
		json.Unmarshal(b, &out)
	}
	return out
}

// fieldOf is the form field an error's path inside a record belongs to:
// "clause_review[2].status" → "clause_review".
func fieldOf(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// checkEdit validates the workspace as it would be after an edit — rec
// put at index i (appended when i < 0), or, with rec nil, record i
// retired — and returns the errors the edit causes: about the record, by
// form field ("" for the record as a whole), and about other records
// (a retired system that flows still name) under "". Errors the
// workspace had before the edit are not the edit's.
func checkEdit(k recordKind, ws *workspace.Workspace, i int, rec any) map[string]string {
	if m := k.Meta(); rec == nil && m.InUse != nil {
		if users := m.InUse(ws, k.keyAt(ws, i)); len(users) > 0 {
			return map[string]string{"": "named by " + strings.Join(users, ", ")}
		}
	}
	opt := ValidationOptions()
	before := map[string]bool{}
	for _, e := range workspace.Validate(ws, opt) {
		before[e.Field+"\x00"+e.Msg] = true
		before[e.Msg] = true
	}
	m := k.Meta()
	idx := i
	switch {
	case rec == nil:
		k.remove(ws, i)
		idx = -1
	case i < 0:
		idx = k.count(ws)
		k.set(ws, -1, rec)
	default:
		k.set(ws, i, rec)
	}
	errs := map[string]string{}
	var others []string
	for _, e := range workspace.Validate(ws, opt) {
		if idx >= 0 {
			if fe := (workspace.Errors{e}).FieldErrors(m.Section, idx); len(fe) > 0 {
				for path, msg := range fe {
					f := fieldOf(path)
					if _, dup := errs[f]; !dup {
						errs[f] = msg
					}
				}
				continue
			}
		}
		// Retiring shifts later records' indices, so an old error may
		// come back under another index: compare the message alone then.
		if before[e.Field+"\x00"+e.Msg] || (rec == nil && before[e.Msg]) {
			continue
		}
		others = append(others, describeField(ws, e.Field)+": "+e.Msg)
	}
	if len(others) > 0 {
		msg := strings.Join(others, "; ")
		if prev, ok := errs[""]; ok {
			msg = prev + "; " + msg
		}
		errs[""] = msg
	}
	// A field error on a field the form does not show (an API edit) is
	// kept under its own name; the page shows it with the record's.
	return errs
}

// describeField names a field of another record for a person, by the
// record's kind and title rather than its index in the workspace
// (issue 19: "vendors[11]" means nothing on a form): flows[3].to → flow
// patient-api → sms-gateway, to.
func describeField(ws *workspace.Workspace, field string) string {
	section, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field
	}
	num, rest, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil {
		return field
	}
	rest = strings.TrimPrefix(rest, ".")
	for _, k := range recordKinds {
		m := k.Meta()
		if m.Section != section || i < 0 || i >= k.count(ws) {
			continue
		}
		out := m.Singular + " " + k.titleAt(ws, i)
		if rest != "" {
			out += ", " + rest
		}
		return out
	}
	return field
}
