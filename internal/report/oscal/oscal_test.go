package oscal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/report/oscal/oscaltest"
	"ward/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// demoDir is the live demo: every document generated from it must
// validate. fixtureDir is a copy of the demo frozen for the golden files,
// so that an edit to the demo does not change them.
const (
	demoDir    = "../../../examples/acme-health"
	fixtureDir = "testdata/acme-health"
)

// The demo is written to be viewed in late November 2026.
var demoAsOf = date.MustParse("2026-11-25")

func validate(t *testing.T, kind string, data []byte) error {
	t.Helper()
	return oscaltest.Validate(kind, data)
}

// loadDemo loads the demo workspace as `ward apply` does, hashing each
// evidence file (apply records the hash on the record).
func loadDemo(t *testing.T) *workspace.Workspace { return loadWorkspace(t, fixtureDir) }

func loadWorkspace(t *testing.T, dir string) *workspace.Workspace {
	t.Helper()
	cat := catalog.Default()
	l, err := workspace.Load(dir, workspace.Options{KnownControl: func(id string) bool { return cat.Control(id) != nil }})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	ws := l.Workspace
	for i := range ws.Evidence {
		e := &ws.Evidence[i]
		if e.File == "" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(l.Dir, filepath.FromSlash(e.File)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		e.SHA256, e.Size = hex.EncodeToString(sum[:]), int64(len(raw))
	}
	return ws
}

func build(t *testing.T, kind string, ws *workspace.Workspace) []byte {
	t.Helper()
	doc, err := Build(kind, ws, catalog.Default(), demoAsOf)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	out, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every document generated from the live demo is valid against NIST's
// schema and is the same bytes when generated again.
func TestLiveDemoDocumentsValidate(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			out := build(t, kind, loadWorkspace(t, demoDir))
			if err := validate(t, kind, out); err != nil {
				t.Fatalf("%s does not validate against %s:\n%v", kind, oscaltest.SchemaFile, err)
			}
			if again := build(t, kind, loadWorkspace(t, demoDir)); !bytes.Equal(out, again) {
				t.Fatalf("%s: two exports of the same data differ", kind)
			}
		})
	}
}

// The documents of the frozen demo copy are valid, deterministic and the
// golden files. They still depend on the catalog and the gate rules: when
// one of those changes on purpose, run go test ./internal/report/oscal
// -update and read the diff.
func TestDemoDocumentsValidateAndMatchGolden(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			out := build(t, kind, loadDemo(t))
			if err := validate(t, kind, out); err != nil {
				t.Fatalf("%s does not validate against %s:\n%v", kind, oscaltest.SchemaFile, err)
			}
			if again := build(t, kind, loadDemo(t)); !bytes.Equal(out, again) {
				t.Fatalf("%s: two exports of the same data differ", kind)
			}
			golden := filepath.Join("testdata", kind+".golden.json")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Fatalf("%s differs from %s: if the catalog or a gate rule changed on purpose, run go test ./internal/report/oscal -update and check the diff", kind, golden)
			}
		})
	}
}

// The validator really runs: removing a required field or breaking a
// UUID, a token or a timestamp makes the document invalid.
func TestBrokenDocumentsFailValidation(t *testing.T) {
	ws := loadDemo(t)
	cases := []struct {
		name, kind string
		edit       func(m map[string]any)
	}{
		{"ssp without metadata title", KindSSP, func(m map[string]any) {
			delete(root(m, "system-security-plan")["metadata"].(map[string]any), "title")
		}},
		{"ssp without import-profile", KindSSP, func(m map[string]any) { delete(root(m, "system-security-plan"), "import-profile") }},
		{"ssp with a version-1 UUID", KindSSP, func(m map[string]any) {
			root(m, "system-security-plan")["uuid"] = "c232470c-9f8e-11ee-8c90-0242ac120002"
		}},
		{"ssp control-id that is no token", KindSSP, func(m map[string]any) {
			ci := root(m, "system-security-plan")["control-implementation"].(map[string]any)
			ci["implemented-requirements"].([]any)[0].(map[string]any)["control-id"] = "164.308(a)(1)"
		}},
		{"ar without results", KindAssessmentResults, func(m map[string]any) { delete(root(m, "assessment-results"), "results") }},
		{"ar with a date for a timestamp", KindAssessmentResults, func(m map[string]any) {
			root(m, "assessment-results")["metadata"].(map[string]any)["last-modified"] = "2026-11-25"
		}},
		{"poam with no items", KindPOAM, func(m map[string]any) { root(m, "plan-of-action-and-milestones")["poam-items"] = []any{} }},
		{"poam risk without status", KindPOAM, func(m map[string]any) {
			delete(root(m, "plan-of-action-and-milestones")["risks"].([]any)[0].(map[string]any), "status")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(build(t, c.kind, ws), &m); err != nil {
				t.Fatal(err)
			}
			c.edit(m)
			raw, _ := json.Marshal(m)
			if err := validate(t, c.kind, raw); err == nil {
				t.Fatalf("the broken %s validates; the validator is not checking", c.kind)
			}
		})
	}
}

func root(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// What an auditor reads from the documents: the facts the demo records.
func TestDemoDocumentsSay(t *testing.T) {
	ws := loadDemo(t)
	cat := catalog.Default()
	ssp, err := SSP(ws, cat, demoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	s := ssp.SSP
	if s.Metadata.OSCALVersion != Version || s.Metadata.LastModified != "2026-11-25T00:00:00Z" {
		t.Fatalf("metadata: %+v", s.Metadata)
	}
	if s.SystemCharacteristics.SystemIDs[0].ID != "acme-health" || s.SystemCharacteristics.SystemName != "Acme Health" {
		t.Fatalf("system: %+v %q", s.SystemCharacteristics.SystemIDs, s.SystemCharacteristics.SystemName)
	}
	it := s.SystemCharacteristics.SystemInformation.InformationTypes[0]
	if !strings.Contains(it.Title, "PHI") || it.ConfidentialityImpact.Base != fipsModerate {
		t.Fatalf("information type: %+v", it)
	}
	// One implemented requirement per control in scope, each a token, with
	// the catalog's HIPAA mappings as props.
	seen := map[string]bool{}
	tok := regexp.MustCompile(`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)
	for _, ir := range s.ControlImplementation.ImplementedRequirements {
		if seen[ir.ControlID] || !tok.MatchString(ir.ControlID) || ir.ControlID != strings.ToLower(ir.ControlID) {
			t.Fatalf("control-id %q repeated or not a lower-case token", ir.ControlID)
		}
		seen[ir.ControlID] = true
	}
	for _, c := range ws.Controls {
		if !seen[token(c.ID)] {
			t.Errorf("adopted control %s has no implemented requirement", c.ID)
		}
	}
	ar := findIR(s.ControlImplementation.ImplementedRequirements, "access-review")
	want := cat.Control("access-review").Mappings[catalog.HIPAA]
	var got []string
	for _, p := range ar.Props {
		if p.Name == catalog.HIPAA {
			got = append(got, p.Value)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || len(want) == 0 {
		t.Fatalf("access-review HIPAA props %v, catalog %v", got, want)
	}

	// Assessment results: evidence with its hash; the Q4 access review the
	// demo lacks is a Type II exception.
	a, err := AssessmentResults(ws, cat, demoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	res := a.AR.Results[0]
	var hashed bool
	for _, r := range a.AR.BackMatter.Resources {
		for _, l := range r.RLinks {
			if strings.HasPrefix(l.Href, "evidence/") && strings.HasSuffix(l.Href, "-baa-twilio-signed.txt") && len(l.Hashes) == 1 && len(l.Hashes[0].Value) == 64 && l.Href[9:21] == l.Hashes[0].Value[:12] {
				hashed = true
			}
		}
	}
	if !hashed {
		t.Errorf("the Twilio BAA evidence file is not in back-matter with its SHA-256")
	}
	if len(res.Observations) == 0 || len(res.Findings) == 0 {
		t.Fatalf("result has %d observations, %d findings", len(res.Observations), len(res.Findings))
	}
	// Every Type II exception posture reports is a finding (the demo has
	// at least one: vulnerability scanning for October 2026).
	soc2, err := posture.Evaluate(ws, cat, catalog.SOC2, demoAsOf)
	if err != nil || len(soc2.Exceptions) == 0 {
		t.Fatalf("the demo should have a Type II exception: %v", err)
	}
	for _, x := range soc2.Exceptions {
		want := "SOC 2 Type II exception: " + x.Control + ", " + x.Period
		if !slices.ContainsFunc(res.Findings, func(f Finding) bool { return f.Title == want }) {
			t.Errorf("no finding %q", want)
		}
	}

	// POA&M: the overdue laptop risk with its owner and due date.
	p, err := POAM(ws, cat, demoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	var laptop *Risk
	for i := range p.POAM.Risks {
		if hasPropValue(p.POAM.Risks[i].Props, "risk-id", "r-laptop-loss") {
			laptop = &p.POAM.Risks[i]
		}
	}
	if laptop == nil || laptop.Deadline != "2026-10-31T00:00:00Z" || !hasPropValue(laptop.Props, "owner", "raj@acme-health.example") {
		t.Fatalf("laptop risk: %+v", laptop)
	}
	for _, r := range p.POAM.Risks {
		if hasPropValue(r.Props, "risk-id", "r-2025-shared-admin") {
			t.Errorf("a completed mitigation is on the POA&M")
		}
	}
}

func findIR(irs []ImplementedRequirement, id string) ImplementedRequirement {
	for _, ir := range irs {
		if ir.ControlID == id {
			return ir
		}
	}
	return ImplementedRequirement{}
}

func hasPropValue(ps []Property, name, value string) bool {
	for _, p := range ps {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}

func TestUUID5(t *testing.T) {
	cases := []struct{ ns, name, want string }{
		// Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
		{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"},
		// ward's UUID namespace: uuid5(NAMESPACE_URL, "urn:ward:oscal"),
		// kept when the property namespace became https, so UUIDs are
		// what earlier exports said.
		{"6ba7b811-9dad-11d1-80b4-00c04fd430c8", "urn:ward:oscal", "16ce16b7-69cc-5dd2-b64e-97ea4e9e84e6"},
	}
	for _, c := range cases {
		if got := uuid5(c.ns, c.name); got != c.want {
			t.Errorf("uuid5(%s, %q) = %s, want %s", c.ns, c.name, got, c.want)
		}
	}
	if wardNamespace != cases[1].want {
		t.Errorf("wardNamespace = %s", wardNamespace)
	}
}

func TestTokens(t *testing.T) {
	cases := []struct{ in, want string }{
		{"access-review", "access-review"},
		{"MFA", "mfa"},
		{"2fa", "_2fa"},
		{"my control", "my-control"},
		{"", "_"},
	}
	for _, c := range cases {
		if got := token(c.in); got != c.want {
			t.Errorf("token(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	reqs := []struct{ fw, id, want string }{
		{"hipaa", "164.308(a)(1)(ii)(A)", "hipaa-164.308.a.1.ii.a"},
		{"soc2", "CC6.1", "soc2-cc6.1"},
		{"csf", "PR.AA-01", "csf-pr.aa-01"},
	}
	for _, c := range reqs {
		if got := requirementToken(c.fw, c.id); got != c.want {
			t.Errorf("requirementToken(%s, %s) = %q, want %q", c.fw, c.id, got, c.want)
		}
	}
}

// What the JSON schemas cannot say and NIST's own constraints do: every
// UUID in a document is unique, every reference (party, component,
// observation, risk, "#uuid" link, role) points at something the document
// defines, and the assessment results review the controls and statements
// the SSP implements.
func TestDemoDocumentsAreSelfConsistent(t *testing.T) {
	ws := loadWorkspace(t, demoDir)

	ssp, _ := SSP(ws, catalog.Default(), demoAsOf)
	controls, statements := map[string]bool{}, map[string]bool{}
	for _, ir := range ssp.SSP.ControlImplementation.ImplementedRequirements {
		controls[ir.ControlID] = true
		for _, s := range ir.Statements {
			statements[s.StatementID] = true
		}
	}
	ar, _ := AssessmentResults(ws, catalog.Default(), demoAsOf)
	for _, r := range ar.AR.Results {
		for _, sel := range r.ReviewedControls.ControlSelections {
			for _, c := range sel.IncludeControls {
				if !controls[c.ControlID] {
					t.Errorf("assessment results review %s, which the SSP does not implement", c.ControlID)
				}
			}
		}
		for _, f := range r.Findings {
			if f.Target.Type == "statement-id" && !statements[f.Target.TargetID] {
				t.Errorf("finding %q targets statement %s, which the SSP does not have", f.Title, f.Target.TargetID)
			}
		}
	}
}

// Workspaces at the edges still give valid documents: an organization
// with nothing but a name, and one whose values are awkward for OSCAL's
// types (an own control id with capitals and a space, a file path with
// spaces, an owner that is not an e-mail, text with line breaks, evidence
// without id recorded twice).
func TestEdgeWorkspacesValidate(t *testing.T) {
	d := date.MustParse
	cases := []struct {
		name string
		ws   *workspace.Workspace
	}{
		{"name only", &workspace.Workspace{Organization: workspace.Organization{Name: "Solo Clinic"}}},
		{"awkward values", &workspace.Workspace{
			Organization: workspace.Organization{Name: "  Odd\nCo  ", Slug: "odd-co", Roles: []string{"covered-entity"},
				Officers: workspace.Officers{Security: "the CEO"}, SOC2: workspace.SOC2{Type: "type2", ObservationStart: d("2026-01-01"), ObservationMonths: 6}},
			People:  []workspace.Person{{Email: "a@odd.example", Name: "A\tPerson", Role: " CTO "}},
			Systems: []workspace.System{{ID: "db 1", Name: "DB", Kind: "datastore", PHI: true, LivePHI: true, Owner: "the CEO"}},
			Controls: []workspace.Control{
				{ID: "Own Control", Status: "in-progress", Owner: "a@odd.example", Frequency: "monthly", Title: "Our own",
					Mappings: map[string][]string{"hipaa": {"164.308(a)(1)(ii)(A)"}}},
				{ID: "backup", Status: "implemented", Frequency: "quarterly"},
			},
			Evidence: []workspace.Evidence{
				{Control: "backup", Collected: d("2026-02-01"), File: "evidence/q1 backup test.pdf", SHA256: strings.Repeat("ab", 32)},
				{Control: "backup", Collected: d("2026-02-01"), Note: "same"},
				{Control: "backup", Collected: d("2026-02-01"), Note: "same"},
				{Control: "Own Control", Collected: d("2026-03-01"), Link: "https://example.org/a b"},
			},
			Risks: []workspace.Risk{{ID: "r1", Asset: "db 1", Threat: "t", Vulnerability: "v", Likelihood: 3, Impact: 3, Treatment: "mitigate"}},
		}},
	}
	for _, c := range cases {
		for _, kind := range Kinds {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				doc, err := Build(kind, c.ws, catalog.Default(), d("2026-06-30"))
				if err != nil {
					t.Fatal(err)
				}
				out, err := Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				if err := validate(t, kind, out); err != nil {
					t.Fatalf("%s:\n%v", kind, err)
				}
			})
		}
	}
}
