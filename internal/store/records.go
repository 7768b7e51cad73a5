package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ward/internal/bounds"
	"ward/internal/workspace"
)

// OrganizationKey is the key of an organization's one organization record.
const OrganizationKey = "organization"

// RetiredRecord is a record kept after it was retired.
type RetiredRecord struct {
	Key       string          `json:"key"`
	RetiredAt time.Time       `json:"retired_at"`
	Body      json.RawMessage `json:"body"`
}

// EvidenceID is the stable id given to evidence that has none: it is
// derived from what the evidence is (its controls, its date, and its file
// hash, link or note), so applying the same workspace twice names the same
// item, and the id survives an export.
func EvidenceID(e workspace.Evidence) string {
	what := e.SHA256
	if what == "" {
		what = e.Link
	}
	if what == "" {
		what = e.Note
	}
	sum := sha256.Sum256([]byte(strings.Join(e.ControlIDs(), ",") + "|" + e.Collected.String() + "|" + what))
	return "ev-" + hex.EncodeToString(sum[:])[:12]
}

// Bounds the store itself enforces on every record it writes.
const (
	maxKey  = 1024
	maxBody = 4 << 20
)

// kindOf is what the store needs to know about one record kind.
type kindOf struct {
	decode func(raw []byte) (any, error) // strict: unknown fields are errors
	key    func(v any) string
}

func strict[T any](raw []byte) (any, error) {
	var v T
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return &v, nil
}

var kinds = map[string]kindOf{
	KindOrganization: {strict[workspace.Organization], func(any) string { return OrganizationKey }},
	KindPerson:       {strict[workspace.Person], func(v any) string { return v.(*workspace.Person).Email }},
	KindSystem:       {strict[workspace.System], func(v any) string { return v.(*workspace.System).ID }},
	KindFlow:         {strict[workspace.Flow], func(v any) string { return v.(*workspace.Flow).Key() }},
	KindVendor:       {strict[workspace.Vendor], func(v any) string { return v.(*workspace.Vendor).ID }},
	KindAgreement:    {strict[workspace.Agreement], func(v any) string { return v.(*workspace.Agreement).ID }},
	KindCustomer:     {strict[workspace.Customer], func(v any) string { return v.(*workspace.Customer).ID }},
	KindThreat:       {strict[workspace.Threat], func(v any) string { return v.(*workspace.Threat).ID }},
	KindVuln:         {strict[workspace.Vulnerability], func(v any) string { return v.(*workspace.Vulnerability).ID }},
	KindRiskAnalysis: {strict[workspace.RiskAnalysis], func(v any) string { return v.(*workspace.RiskAnalysis).ID }},
	KindRisk:         {strict[workspace.Risk], func(v any) string { return v.(*workspace.Risk).ID }},
	KindControl:      {strict[workspace.Control], func(v any) string { return v.(*workspace.Control).ID }},
	KindEvidence:     {strict[workspace.Evidence], func(v any) string { return v.(*workspace.Evidence).ID }},
	KindIncident:     {strict[workspace.Incident], func(v any) string { return v.(*workspace.Incident).ID }},

	// The Privacy Rule records (a notice is keyed by its version).
	KindPrivacyRequest: {strict[workspace.PrivacyRequest], func(v any) string { return v.(*workspace.PrivacyRequest).ID }},
	KindComplaint:      {strict[workspace.Complaint], func(v any) string { return v.(*workspace.Complaint).ID }},
	KindPrivacyNotice:  {strict[workspace.PrivacyNotice], func(v any) string { return v.(*workspace.PrivacyNotice).Version }},
	KindPolicy:         {strict[workspace.Policy], func(v any) string { return v.(*workspace.Policy).ID }},
	KindTraining:       {strict[workspace.Training], func(v any) string { return v.(*workspace.Training).ID }},
	KindAcknowledgement: {strict[workspace.Acknowledgement], func(v any) string {
		if a := v.(*workspace.Acknowledgement); a.Person != "" && a.Policy != "" {
			return a.Key()
		}
		return ""
	}},
	KindTrainingRecord: {strict[workspace.TrainingRecord], func(v any) string {
		if r := v.(*workspace.TrainingRecord); r.Person != "" && r.Training != "" && !r.Completed.IsZero() {
			return r.Key()
		}
		return ""
	}},
	KindReminder: {strict[workspace.Reminder], func(v any) string {
		if r := v.(*workspace.Reminder); !r.On.IsZero() && r.Title != "" {
			return r.Key()
		}
		return ""
	}},
}

// canonical turns a record (a workspace struct, a map, or JSON) into the
// bytes stored for it and its key. Empty lists and maps become null first,
// so `controls: []`, an omitted list and a round trip through export all
// store the same bytes, and a re-apply reports no change.
func canonical(kind string, rec any) (body []byte, key string, v any, err error) {
	k, ok := kinds[kind]
	if !ok {
		return nil, "", nil, fmt.Errorf("record kind %q is not one of %s", kind, strings.Join(Kinds, ", "))
	}
	var raw []byte
	switch r := rec.(type) {
	case json.RawMessage:
		raw = r
	case []byte:
		raw = r
	default:
		if raw, err = json.Marshal(rec); err != nil {
			return nil, "", nil, fmt.Errorf("%s: %w", kind, err)
		}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", kind, err)
	}
	if raw, err = json.Marshal(prune(tree)); err != nil {
		return nil, "", nil, err
	}
	if v, err = k.decode(raw); err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", kind, err)
	}
	if kind == KindEvidence {
		if e := v.(*workspace.Evidence); e.ID == "" {
			e.ID = EvidenceID(*e)
		}
	}
	if body, err = json.Marshal(v); err != nil {
		return nil, "", nil, err
	}
	key = k.key(v)
	if key == "" {
		return nil, "", nil, fmt.Errorf("%s: the record has no key (id, email, or from/to)", kind)
	}
	// The last line of the bounds the workspace rules check first: no
	// engine is ever asked to store a key it cannot hold (PostgreSQL
	// refuses NUL) or a record of unbounded size.
	if err := bounds.Line(key, maxKey); err != nil {
		return nil, "", nil, fmt.Errorf("%s %q: the key %w: %w", kind, bounds.Clip(key, 60), err, ErrInvalid)
	}
	if len(body) > maxBody {
		return nil, "", nil, fmt.Errorf("%s %q: the record is %d bytes, over the %d a record may hold: %w", kind, key, len(body), maxBody, ErrInvalid)
	}
	return body, key, v, nil
}

func prune(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = prune(x[i])
		}
	case map[string]any:
		for k, e := range x {
			e = prune(e)
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				e = nil
			}
			x[k] = e
		}
	}
	return v
}

// changedFields lists the top-level fields whose values differ, in the
// order the new body gives them.
func changedFields(before, after []byte) []string {
	var b, a map[string]json.RawMessage
	json.Unmarshal(before, &b)
	json.Unmarshal(after, &a)
	var out []string
	for _, k := range fieldOrder(after) {
		if !bytes.Equal(a[k], b[k]) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func fieldOrder(body []byte) []string {
	d := json.NewDecoder(bytes.NewReader(body))
	var keys []string
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// change is the audit data of a record change.
func changeData(before, after []byte) json.RawMessage {
	m := map[string]json.RawMessage{"before": json.RawMessage("null"), "after": json.RawMessage("null")}
	if before != nil {
		m["before"] = before
	}
	if after != nil {
		m["after"] = after
	}
	raw, _ := json.Marshal(m)
	return raw
}

// keptOnApply reports whether a record missing from an applied workspace
// stays live: evidence uploaded (web or `ward evidence add`) or imported,
// and acknowledgements and training completions recorded in the web app,
// with `ward policy ack` or `ward training record`, or imported, never
// came from the files.
func keptOnApply(kind string, body []byte) bool {
	switch kind {
	case KindAcknowledgement, KindTrainingRecord:
		var rec struct {
			Source string `json:"source"`
		}
		if json.Unmarshal(body, &rec) != nil {
			return false
		}
		return slices.Contains(workspace.RecordSources, rec.Source)
	}
	return slices.Contains([]string{workspace.SourceUpload, workspace.SourceImporter, workspace.SourceCLI}, evidenceSource(kind, body))
}

// evidenceSource is an evidence record's source, "" for other kinds.
func evidenceSource(kind string, body []byte) string {
	if kind != KindEvidence {
		return ""
	}
	var e struct {
		Source string `json:"source"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Source
}

// fill appends a stored record to the workspace.
func fill(ws *workspace.Workspace, kind string, v any) {
	switch r := v.(type) {
	case *workspace.Organization:
		ws.Organization = *r
	case *workspace.Person:
		ws.People = append(ws.People, *r)
	case *workspace.System:
		ws.Systems = append(ws.Systems, *r)
	case *workspace.Flow:
		ws.Flows = append(ws.Flows, *r)
	case *workspace.Vendor:
		ws.Vendors = append(ws.Vendors, *r)
	case *workspace.Agreement:
		ws.Agreements = append(ws.Agreements, *r)
	case *workspace.Customer:
		ws.Customers = append(ws.Customers, *r)
	case *workspace.Threat:
		ws.Threats = append(ws.Threats, *r)
	case *workspace.Vulnerability:
		ws.Vulnerabilities = append(ws.Vulnerabilities, *r)
	case *workspace.RiskAnalysis:
		ws.RiskAnalyses = append(ws.RiskAnalyses, *r)
	case *workspace.Risk:
		ws.Risks = append(ws.Risks, *r)
	case *workspace.Control:
		ws.Controls = append(ws.Controls, *r)
	case *workspace.Evidence:
		ws.Evidence = append(ws.Evidence, *r)
	case *workspace.Incident:
		ws.Incidents = append(ws.Incidents, *r)
	case *workspace.PrivacyRequest:
		ws.PrivacyRequests = append(ws.PrivacyRequests, *r)
	case *workspace.Complaint:
		ws.Complaints = append(ws.Complaints, *r)
	case *workspace.PrivacyNotice:
		ws.PrivacyNotices = append(ws.PrivacyNotices, *r)
	case *workspace.Policy:
		ws.Policies = append(ws.Policies, *r)
	case *workspace.Training:
		ws.Trainings = append(ws.Trainings, *r)
	case *workspace.Acknowledgement:
		ws.Acknowledgements = append(ws.Acknowledgements, *r)
	case *workspace.TrainingRecord:
		ws.TrainingRecords = append(ws.TrainingRecords, *r)
	case *workspace.Reminder:
		ws.SecurityReminders = append(ws.SecurityReminders, *r)
	}
}

// desired is one record of a workspace to apply.
type desired struct {
	kind, key string
	body      []byte
	pos       int
	v         any
}

// CreateChanges is what applying ws to a new, empty organization would
// do: create each of its records, in workspace order. `ward apply
// --dry-run` reports it for an organization the database does not hold.
func CreateChanges(ws *workspace.Workspace, slug string) ([]Change, error) {
	ds, err := flatten(ws, slug)
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(ds))
	for _, d := range ds {
		out = append(out, Change{Kind: d.kind, Key: d.key, Action: "create"})
	}
	return out, nil
}

// flatten lists a workspace's records in workspace order, normalized as
// they are stored.
func flatten(ws *workspace.Workspace, slug string) ([]desired, error) {
	var out []desired
	seen := map[string]bool{}
	add := func(kind string, i int, rec any) error {
		body, key, v, err := canonical(kind, rec)
		if err != nil {
			return fmt.Errorf("%s[%d]: %w", kind, i, err)
		}
		if seen[kind+"\x00"+key] {
			return fmt.Errorf("%s %q appears twice in the workspace: keys must be unique", kind, key)
		}
		seen[kind+"\x00"+key] = true
		if kind != KindOrganization {
			v = nil // only the organization's is read (its name); a large workspace need not be held twice
		}
		out = append(out, desired{kind: kind, key: key, body: body, pos: i, v: v})
		return nil
	}
	org := ws.Organization
	org.Slug = slug
	if err := add(KindOrganization, 0, org); err != nil {
		return nil, err
	}
	each := func(kind string, n int, at func(i int) any) error {
		for i := range n {
			if err := add(kind, i, at(i)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, step := range []struct {
		kind string
		n    int
		at   func(i int) any
	}{
		{KindPerson, len(ws.People), func(i int) any { return ws.People[i] }},
		{KindSystem, len(ws.Systems), func(i int) any { return ws.Systems[i] }},
		{KindFlow, len(ws.Flows), func(i int) any { return ws.Flows[i] }},
		{KindVendor, len(ws.Vendors), func(i int) any { return ws.Vendors[i] }},
		{KindAgreement, len(ws.Agreements), func(i int) any { return ws.Agreements[i] }},
		{KindCustomer, len(ws.Customers), func(i int) any { return ws.Customers[i] }},
		{KindThreat, len(ws.Threats), func(i int) any { return ws.Threats[i] }},
		{KindVuln, len(ws.Vulnerabilities), func(i int) any { return ws.Vulnerabilities[i] }},
		{KindRiskAnalysis, len(ws.RiskAnalyses), func(i int) any { return ws.RiskAnalyses[i] }},
		{KindRisk, len(ws.Risks), func(i int) any { return ws.Risks[i] }},
		{KindControl, len(ws.Controls), func(i int) any { return ws.Controls[i] }},
		{KindEvidence, len(ws.Evidence), func(i int) any { return workspaceEvidence(ws.Evidence[i]) }},
		{KindIncident, len(ws.Incidents), func(i int) any { return ws.Incidents[i] }},
		{KindPrivacyRequest, len(ws.PrivacyRequests), func(i int) any { return ws.PrivacyRequests[i] }},
		{KindComplaint, len(ws.Complaints), func(i int) any { return ws.Complaints[i] }},
		{KindPrivacyNotice, len(ws.PrivacyNotices), func(i int) any { return ws.PrivacyNotices[i] }},
		{KindPolicy, len(ws.Policies), func(i int) any { return ws.Policies[i] }},
		{KindTraining, len(ws.Trainings), func(i int) any { return ws.Trainings[i] }},
		{KindAcknowledgement, len(ws.Acknowledgements), func(i int) any { return ws.Acknowledgements[i] }},
		{KindTrainingRecord, len(ws.TrainingRecords), func(i int) any { return ws.TrainingRecords[i] }},
		{KindReminder, len(ws.SecurityReminders), func(i int) any { return ws.SecurityReminders[i] }},
	} {
		if err := each(step.kind, step.n, step.at); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// workspaceEvidence fills the defaults of evidence that comes from the
// workspace files, the same way on every apply.
func workspaceEvidence(e workspace.Evidence) workspace.Evidence {
	if e.Source == "" {
		e.Source = workspace.SourceWorkspace
	}
	if e.AddedBy == "" {
		e.AddedBy = "apply"
	}
	return e
}

// approvedUnchanged refuses a policy change that alters an approved
// version: its text (the file's hash), its approval or its effective
// date, or drops it. What was approved is documentation kept six years
// (164.316(b)(2)(i)); a change is a new version.
func approvedUnchanged(key string, before, after []byte) error {
	var old, cur workspace.Policy
	if json.Unmarshal(before, &old) != nil || json.Unmarshal(after, &cur) != nil {
		return nil
	}
	for _, v := range old.Versions {
		if !v.Approved() {
			continue
		}
		n := cur.Version(v.Version)
		switch {
		case n == nil:
			return fmt.Errorf("policy %q: version %d was approved on %s and cannot be removed: approved versions are kept (45 CFR 164.316(b)(2)(i)); retire the policy or add a new version", key, v.Version, v.ApprovedOn)
		case n.SHA256 != v.SHA256 && n.SHA256 != "" && v.SHA256 != "":
			return fmt.Errorf("policy %q: version %d was approved on %s and its text cannot change (the file's SHA-256 differs): add version %d with the new text", key, v.Version, v.ApprovedOn, maxVersion(cur)+1)
		case !n.ApprovedOn.Equal(v.ApprovedOn) || n.ApprovedBy != v.ApprovedBy || !n.EffectiveOn().Equal(v.EffectiveOn()):
			return fmt.Errorf("policy %q: version %d was approved by %s on %s, effective %s; an approval cannot be changed: add a new version", key, v.Version, v.ApprovedBy, v.ApprovedOn, v.EffectiveOn())
		}
	}
	return nil
}

func maxVersion(p workspace.Policy) int {
	n := 0
	for _, v := range p.Versions {
		n = max(n, v.Version)
	}
	return n
}
