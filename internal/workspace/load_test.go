package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// putFiles creates files (slash paths → contents) under dir.
func putFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadIn writes files into a fresh folder, changes into it (so that error
// paths are relative, as a user types them) and loads path.
func loadIn(t *testing.T, files map[string]string, path string, opt Options) (*Loaded, error) {
	t.Helper()
	dir := t.TempDir()
	putFiles(t, dir, files)
	t.Chdir(dir)
	return Load(path, opt)
}

// errorLines returns the error's lines, failing the test when it is not
// an Errors.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, not Errors: %v", err, err)
	}
	var lines []string
	for _, e := range es {
		lines = append(lines, e.Error())
	}
	return lines
}

// head is the start of every single-file case: lines 1-4, so that each
// case's own lines start at 5.
const head = `organization:
  name: Acme
people:
  - email: dana@acme.example
`

func catalogOf(ids ...string) func(string) bool {
	return func(id string) bool { return slices.Contains(ids, id) }
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string // appended to head; its first line is line 5
		known []string
		files map[string]string // extra files in the workspace folder
		want  []string
	}{
		// The three inputs the issue says must be shown, each exactly one
		// error naming file, line and field.
		{name: "typo in a key", yaml: `systems:
  - id: api
    kind: service
    encrypted_at_rst: true
`, want: []string{`ws.yaml:8: systems[0].encrypted_at_rst: unknown field "encrypted_at_rst" (did you mean encrypted_at_rest?)`}},
		{name: "flow to an unknown system", yaml: `systems:
  - id: api
    kind: service
flows:
  - from: api
    to: billing
`, want: []string{`ws.yaml:10: flows[0].to: "billing" is not a system id in this workspace`}},
		{name: "likelihood 9", yaml: `systems:
  - id: api
    kind: service
risks:
  - id: r1
    asset: api
    threat: ransomware
    vulnerability: flat network
    likelihood: 9
    impact: 3
    treatment: mitigate
`, want: []string{`ws.yaml:13: risks[0].likelihood: 9 is outside the scale 1..5`}},

		{name: "enum value", yaml: `systems:
  - id: api
    kind: datastor
`, want: []string{`ws.yaml:7: systems[0].kind: "datastor" is not one of service, datastore, saas, endpoint, network, other`}},
		{name: "missing system id and kind", yaml: `systems:
  - name: API
`, want: []string{
			`ws.yaml:6: systems[0].id: is missing: a short unique name such as patient-api`,
			`ws.yaml:6: systems[0].kind: is missing: one of service, datastore, saas, endpoint, network, other`,
		}},
		{name: "impossible date", yaml: `risk_analyses:
  - id: ra-2026
    performed: 2027-02-30
`, want: []string{`ws.yaml:7: risk_analyses[0].performed: "2027-02-30" is not a calendar date (no such day)`}},
		{name: "not a date", yaml: `incidents:
  - id: inc-1
    discovered: tomorrow
    summary: lost laptop
`, want: []string{`ws.yaml:7: incidents[0].discovered: "tomorrow" is not a date: write YYYY-MM-DD`}},
		{name: "not a boolean", yaml: `customers:
  - id: clinic
    live_phi: maybe
`, want: []string{`ws.yaml:7: customers[0].live_phi: "maybe" is not true or false`}},
		{name: "not a whole number", yaml: `incidents:
  - id: inc-1
    discovered: 2026-11-10
    summary: lost laptop
    individuals: many
`, want: []string{`ws.yaml:9: incidents[0].individuals: "many" is not a whole number`}},
		{name: "section is not a list", yaml: `vendors: aws
`, want: []string{`ws.yaml:5: vendors: must be a list (lines starting with "- "), not a single value`}},
		{name: "list item is not a record", yaml: `vendors:
  - aws
`, want: []string{`ws.yaml:6: vendors[0]: must be a mapping of fields (key: value lines), not a single value`}},
		{name: "list where a value belongs", yaml: `vendors:
  - id: [aws, amazon]
`, want: []string{`ws.yaml:6: vendors[0].id: must be a single value, not a list`}},
		{name: "negative counts", yaml: `incidents:
  - id: inc-1
    discovered: 2026-11-10
    summary: lost laptop
    individuals: -3
    states: {CA: -1, NV: 2}
`, want: []string{
			`ws.yaml:9: incidents[0].individuals: -3 is negative`,
			`ws.yaml:10: incidents[0].states.CA: -1 is negative`,
		}},
		{name: "duplicate ids", yaml: `vendors:
  - id: aws
  - id: twilio
  - id: aws
`, want: []string{`ws.yaml:8: vendors[2].id: "aws" is already the id of vendors[0] (ws.yaml:6); ids must be unique`}},
		{name: "duplicate flows", yaml: `systems: [{id: a, kind: service}, {id: b, kind: service}]
flows:
  - {from: a, to: b}
  - {from: a, to: b}
  - {name: second, from: a, to: b}
`, want: []string{`ws.yaml:8: flows[1]: the same flow as flows[0] (ws.yaml:7); give one of them a name to tell them apart`}},
		{name: "unknown key deep inside", yaml: `incidents:
  - id: inc-1
    discovered: 2026-11-10
    summary: lost laptop
    assessment:
      low_probablity: true
`, want: []string{`ws.yaml:10: incidents[0].assessment.low_probablity: unknown field "low_probablity" (did you mean low_probability?)`}},
		{name: "unknown key with no near match lists the known ones", yaml: `vendors:
  - id: aws
    website: aws.amazon.com
`, want: []string{`ws.yaml:7: vendors[0].website: unknown field "website"; known fields: id, name, services, contact, location, subprocessor`}},
		{name: "unknown section", yaml: `vendor:
  - id: aws
`, want: []string{`ws.yaml:5: vendor: unknown section "vendor" (did you mean vendors?)`}},
		{name: "person references", yaml: `systems:
  - id: api
    kind: service
    owner: raj@acme.example
`, want: []string{`ws.yaml:8: systems[0].owner: "raj@acme.example" is not the email of anyone listed under people`}},
		{name: "reference with a near match", yaml: `systems:
  - {id: patient-api, kind: service, vendor: aws}
vendors:
  - id: aws
flows:
  - {from: patient-apy, to: patient-api}
`, want: []string{`ws.yaml:10: flows[0].from: "patient-apy" is not a system id in this workspace (did you mean patient-api?)`}},
		{name: "system vendor", yaml: `systems:
  - {id: api, kind: service, vendor: amazon}
`, want: []string{`ws.yaml:6: systems[0].vendor: "amazon" is not a vendor id in this workspace`}},
		{name: "upstream agreement with a vendor", yaml: `vendors:
  - id: twilio
agreements:
  - id: baa-twilio
    kind: baa
    counterparty: twilio
    direction: upstream
    status: executed
`, want: []string{`ws.yaml:10: agreements[0].counterparty: "twilio" is a vendor, and an upstream agreement is with a customer (a covered entity): use direction: downstream, or name a customer`}},
		{name: "downstream agreement with a customer", yaml: `customers:
  - id: clinic
agreements:
  - {id: baa-clinic, kind: baa, counterparty: clinic, direction: downstream, status: executed}
`, want: []string{`ws.yaml:8: agreements[0].counterparty: "clinic" is a customer, and a downstream agreement is with a vendor (our subprocessor): use direction: upstream, or name a vendor`}},
		{name: "agreement required fields and enums", yaml: `agreements:
  - id: baa-x
  - id: baa-y
    kind: nda
    counterparty: nobody
    direction: sideways
    status: signed
    breach_notice_days: -1
    effective: 2026-06-01
    expires: 2026-05-01
`, want: []string{
			`ws.yaml:6: agreements[0].kind: is missing: one of baa, dpa, msa`,
			`ws.yaml:6: agreements[0].direction: is missing: one of downstream, upstream`,
			`ws.yaml:6: agreements[0].status: is missing: one of draft, sent, executed, expired, terminated`,
			`ws.yaml:6: agreements[0].counterparty: is missing: the vendor id (downstream) or customer id (upstream) that signed`,
			`ws.yaml:8: agreements[1].kind: "nda" is not one of baa, dpa, msa`,
			`ws.yaml:9: agreements[1].counterparty: "nobody" is neither a vendor id nor a customer id in this workspace`,
			`ws.yaml:10: agreements[1].direction: "sideways" is not one of downstream, upstream`,
			`ws.yaml:11: agreements[1].status: "signed" is not one of draft, sent, executed, expired, terminated`,
			`ws.yaml:12: agreements[1].breach_notice_days: -1 is negative`,
			`ws.yaml:14: agreements[1].expires: 2026-05-01 is before effective 2026-06-01`,
		}},
		{name: "risk required fields", yaml: `risks:
  - id: r1
`, want: []string{
			`ws.yaml:6: risks[0].asset: is missing: the id of the system at risk`,
			`ws.yaml:6: risks[0].threat: is missing: what could happen, such as ransomware`,
			`ws.yaml:6: risks[0].vulnerability: is missing: the weakness the threat would exploit`,
			`ws.yaml:6: risks[0].likelihood: is missing: rate 1 (lowest) to 5 (highest)`,
			`ws.yaml:6: risks[0].impact: is missing: rate 1 (lowest) to 5 (highest)`,
			`ws.yaml:6: risks[0].treatment: is missing: one of mitigate, accept, transfer, avoid`,
		}},
		{name: "risk scores, residuals and treatment", yaml: `systems: [{id: api, kind: service}]
risks:
  - id: r1
    asset: api
    threat: ransomware
    vulnerability: flat network
    likelihood: 0
    impact: 6
    residual_likelihood: 7
    treatment: ignore
`, want: []string{
			`ws.yaml:11: risks[0].likelihood: 0 is outside the scale 1..5`,
			`ws.yaml:12: risks[0].impact: 6 is outside the scale 1..5`,
			`ws.yaml:13: risks[0].residual_likelihood: 7 is outside the scale 1..5`,
			`ws.yaml:14: risks[0].treatment: "ignore" is not one of mitigate, accept, transfer, avoid`,
		}},
		{name: "accepted risk needs accepted_by", yaml: `systems: [{id: api, kind: service}]
risks:
  - id: r1
    asset: api
    threat: ransomware
    vulnerability: flat network
    likelihood: 2
    impact: 3
    treatment: accept
`, want: []string{`ws.yaml:7: risks[0].accepted_by: is missing: an accepted risk needs the e-mail of the person who accepted it`}},
		{name: "risk references", known: []string{"mfa"}, yaml: `systems: [{id: api, kind: service}]
controls: [{id: own-control, title: Our own, status: planned}]
risk_analyses:
  - id: ra-2026
    performed: 2026-07-15
    previous: ra-2025
    approved_by: raj@acme.example
risks:
  - id: r1
    analysis: ra-2027
    asset: api
    threat: t
    vulnerability: v
    likelihood: 2
    impact: 2
    treatment: mitigate
    controls: [mfa, own-control, not-a-control]
`, want: []string{
			`ws.yaml:10: risk_analyses[0].previous: "ra-2025" is not a risk analysis id in this workspace (did you mean ra-2026?)`,
			`ws.yaml:11: risk_analyses[0].approved_by: "raj@acme.example" is not the email of anyone listed under people`,
			`ws.yaml:14: risks[0].analysis: "ra-2027" is not a risk analysis id in this workspace (did you mean ra-2026?)`,
			`ws.yaml:21: risks[0].controls[2]: "not-a-control" is neither a control in this workspace nor in the catalog`,
		}},
		{name: "controls", known: []string{"mfa", "facility-access"}, yaml: `controls:
  - id: mfa
    status: implemented
    frequency: sometimes
  - id: our-own
    status: implemented
  - id: facility-access
    status: not-applicable
  - id: ours-titled
    title: Our own control
    status: done
  - id: mfa2
`, want: []string{
			`ws.yaml:8: controls[0].frequency: "sometimes" is not one of continuous, daily, weekly, monthly, quarterly, semi-annual, annual, on-event`,
			`ws.yaml:9: controls[1].id: "our-own" is not a catalog control; an organization's own control needs a title`,
			`ws.yaml:11: controls[2].justification: is missing: say why the control does not apply (an auditor will ask)`,
			`ws.yaml:15: controls[3].status: "done" is not one of planned, in-progress, implemented, not-applicable`,
			`ws.yaml:16: controls[4].id: "mfa2" is not a catalog control; an organization's own control needs a title`,
			`ws.yaml:16: controls[4].status: is missing: one of planned, in-progress, implemented, not-applicable`,
		}},
		{name: "evidence", yaml: `controls: [{id: mfa, status: implemented}]
evidence:
  - collected: 2026-10-01
    note: no control
  - control: mfa
    collected: 2026-10-01
  - id: e3
    control: mfa
    note: undated
    supersedes: e9
  - control: sso
    controls: [mfa, sso2]
    collected: 2026-10-01
    link: https://x.example
    period_start: 2026-10-01
  - id: e5
    control: mfa
    collected: 2026-10-01
    note: backwards period
    period_start: 2026-10-31
    period_end: 2026-10-01
    supersedes: e5
    source: email
`, want: []string{
			`ws.yaml:7: evidence[0].control: is missing: name the control this evidence is for (control: ID, or controls: [ID, ...])`,
			`ws.yaml:9: evidence[1].file: is missing: evidence needs a file, a link or a note`,
			`ws.yaml:11: evidence[2].collected: is missing: the date the evidence was collected (YYYY-MM-DD)`,
			`ws.yaml:14: evidence[2].supersedes: "e9" is not an evidence id in this workspace (did you mean e3?)`,
			`ws.yaml:15: evidence[3].control: "sso" is not a control listed under controls`,
			`ws.yaml:15: evidence[3].period_end: period_start and period_end go together: give both or neither`,
			`ws.yaml:16: evidence[3].controls[1]: "sso2" is not a control listed under controls`,
			`ws.yaml:25: evidence[4].period_end: 2026-10-01 is before period_start 2026-10-31`,
			`ws.yaml:26: evidence[4].supersedes: an item cannot supersede itself`,
			`ws.yaml:27: evidence[4].source: "email" is not one of workspace, upload, importer, cli`,
		}},
		{name: "evidence and agreement files", files: map[string]string{"evidence/scan.txt": "scan", "baa/aws.txt": "signed"}, yaml: `controls: [{id: mfa, status: implemented}]
vendors: [{id: aws}]
agreements:
  - {id: baa-aws, kind: baa, counterparty: aws, direction: downstream, status: executed, file: baa/aws.txt}
  - {id: baa-aws-2, kind: baa, counterparty: aws, direction: downstream, status: draft, file: baa/aws-v2.txt}
evidence:
  - {control: mfa, collected: 2026-10-01, file: evidence/scan.txt}
  - {control: mfa, collected: 2026-10-01, file: ../secrets.txt}
  - {control: mfa, collected: 2026-10-01, file: /etc/passwd}
  - {control: mfa, collected: 2026-10-01, file: evidence/missing.pdf}
  - {control: mfa, collected: 2026-10-01, file: evidence}
`, want: []string{
			`ws.yaml:9: agreements[1].file: "baa/aws-v2.txt" does not exist in the workspace folder (.)`,
			`ws.yaml:12: evidence[1].file: "../secrets.txt" is outside the workspace folder: give a path inside it, relative to it`,
			`ws.yaml:13: evidence[2].file: "/etc/passwd" is outside the workspace folder: give a path inside it, relative to it`,
			`ws.yaml:14: evidence[3].file: "evidence/missing.pdf" does not exist in the workspace folder (.)`,
			`ws.yaml:15: evidence[4].file: "evidence" is a folder, not a file`,
		}},
		// 164.412(a): a written statement delays notification for the
		// time it specifies; 164.412(b): an oral one for at most 30 days.
		{name: "law-enforcement delay 164.412", yaml: `incidents:
  - id: inc-1
    discovered: 2026-11-10
    summary: written request without an end
    law_enforcement_delay: {kind: written, requested: 2026-11-11}
  - id: inc-2
    discovered: 2026-11-10
    summary: oral request for 31 days
    law_enforcement_delay: {kind: oral, requested: 2026-11-11, until: 2026-12-12}
  - id: inc-3
    discovered: 2026-11-10
    summary: oral request for exactly 30 days is allowed
    law_enforcement_delay: {kind: oral, requested: 2026-11-11, until: 2026-12-11}
  - id: inc-4
    discovered: 2026-11-10
    summary: oral request with no end
    law_enforcement_delay:
      kind: oral
      requested: 2026-11-11
  - id: inc-5
    discovered: 2026-11-10
    summary: no kind, no request date
    law_enforcement_delay: {until: 2026-11-01}
`, want: []string{
			`ws.yaml:9: incidents[0].law_enforcement_delay.until: is missing: a written request delays notification for the time it specifies (164.412(a))`,
			`ws.yaml:13: incidents[1].law_enforcement_delay.until: 2026-12-12 is 31 days after the oral request of 2026-11-11; an oral request delays notification at most 30 days (164.412(b)): record the written statement as kind: written`,
			`ws.yaml:21: incidents[3].law_enforcement_delay.until: is missing: an oral request delays notification at most 30 days (164.412(b))`,
			`ws.yaml:27: incidents[4].law_enforcement_delay.kind: is missing: one of written, oral`,
			`ws.yaml:27: incidents[4].law_enforcement_delay.requested: is missing: the date law enforcement asked for the delay`,
		}},
		{name: "incident fields and references", yaml: `incidents:
  - id: inc-1
    discovered: 2026-11-10
    occurred: 2026-11-12
    summary: s
    status: ongoing
    systems: [api]
    vendors: [aws]
    customers: [clinic]
    assessment:
      exclusion: other
      decided_by: raj@acme.example
    timeline:
      - by: dana@acme.example
  - status: open
`, want: []string{
			`ws.yaml:8: incidents[0].occurred: 2026-11-12 is after discovered 2026-11-10`,
			`ws.yaml:10: incidents[0].status: "ongoing" is not one of open, contained, closed`,
			`ws.yaml:11: incidents[0].systems[0]: "api" is not a system id in this workspace`,
			`ws.yaml:12: incidents[0].vendors[0]: "aws" is not a vendor id in this workspace`,
			`ws.yaml:13: incidents[0].customers[0]: "clinic" is not a customer id in this workspace`,
			`ws.yaml:15: incidents[0].assessment.exclusion: "other" is not one of workforce-good-faith, inadvertent-authorized, unable-to-retain`,
			`ws.yaml:16: incidents[0].assessment.decided_by: "raj@acme.example" is not the email of anyone listed under people`,
			`ws.yaml:18: incidents[0].timeline[0].date: is missing: the date of this entry (YYYY-MM-DD)`,
			`ws.yaml:18: incidents[0].timeline[0].note: is missing: what happened on that date`,
			`ws.yaml:19: incidents[1].id: is missing: a short unique name such as inc-2026-001`,
			`ws.yaml:19: incidents[1].discovered: is missing: the date the incident was discovered (YYYY-MM-DD)`,
			`ws.yaml:19: incidents[1].summary: is missing: one line on what happened`,
		}},
		{name: "empty list item", yaml: `vendors:
  - id: aws
  -
  - id: twilio
`, want: []string{`ws.yaml:7: vendors[1]: empty list item`}},
		{name: "merge keys are refused", yaml: `vendors:
  - &aws {id: aws}
  - <<: *aws
    name: AWS again
`, want: []string{`ws.yaml:7: vendors[1]: merge keys (<<) are not supported: write the fields out`}},
		{name: "anchors and aliases resolve", yaml: `vendors:
  - id: aws
    services: &hosting [hosting, storage]
  - id: gcp
    services: *hosting
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"ws.yaml": head + tc.yaml}
			for k, v := range tc.files {
				files[k] = v
			}
			var opt Options
			if tc.known != nil {
				opt.KnownControl = catalogOf(tc.known...)
			}
			_, err := loadIn(t, files, "ws.yaml", opt)
			got := errorLines(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestLoadFolderMerge(t *testing.T) {
	files := map[string]string{
		"ws/organization.yaml": "organization:\n  name: Acme Health\npeople:\n  - email: raj@acme.example\n",
		// Lists concatenate in path order: a/ sorts before systems.yaml.
		"ws/a/more-systems.yml": "systems:\n  - id: db\n    kind: datastore\n",
		"ws/systems.yaml":       "# two systems\nsystems:\n  - id: api\n    kind: service\n    owner: raj@acme.example\n  - id: web\n    kind: service\nflows:\n  - {from: web, to: db}\n",
		"ws/notes.txt":          "not YAML, ignored",
		"ws/.github/ci.yml":     "jobs: {}\n", // dot-folders are not workspace files
	}
	l, err := loadIn(t, files, "ws", Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{filepath.Join("ws", "a", "more-systems.yml"), filepath.Join("ws", "organization.yaml"), filepath.Join("ws", "systems.yaml")}
	if !slices.Equal(l.Files, wantFiles) {
		t.Errorf("Files = %q, want %q", l.Files, wantFiles)
	}
	if l.Dir != "ws" {
		t.Errorf("Dir = %q, want ws", l.Dir)
	}
	var ids []string
	for _, s := range l.Workspace.Systems {
		ids = append(ids, s.ID)
	}
	if want := []string{"db", "api", "web"}; !slices.Equal(ids, want) {
		t.Errorf("systems = %q, want %q", ids, want)
	}
	if l.Workspace.Organization.Name != "Acme Health" || len(l.Workspace.Flows) != 1 {
		t.Errorf("workspace = %+v", l.Workspace)
	}
	// Positions follow each record to its own file and line; the field
	// path counts records within their file, as the user sees them.
	pos := []struct {
		section   string
		index     int
		field     string
		file      string
		line      int
		fieldPath string
	}{
		{"systems", 0, "kind", filepath.Join("ws", "a", "more-systems.yml"), 3, "systems[0].kind"},
		{"systems", 1, "owner", filepath.Join("ws", "systems.yaml"), 5, "systems[0].owner"},
		{"systems", 2, "", filepath.Join("ws", "systems.yaml"), 6, "systems[1]"},
		{"systems", 2, "description", filepath.Join("ws", "systems.yaml"), 6, "systems[1].description"}, // not written: the record's line
		{"flows", 0, "to", filepath.Join("ws", "systems.yaml"), 9, "flows[0].to"},
		{"organization", 0, "name", filepath.Join("ws", "organization.yaml"), 2, "organization.name"},
		{"people", 0, "email", filepath.Join("ws", "organization.yaml"), 4, "people[0].email"},
		{"systems", 3, "id", "", 0, "systems[0].id"},
	}
	for _, p := range pos {
		file, line := l.Pos(p.section, p.index, p.field)
		if file != p.file || line != p.line {
			t.Errorf("Pos(%s, %d, %q) = %s:%d, want %s:%d", p.section, p.index, p.field, file, line, p.file, p.line)
		}
		if p.file == "" {
			continue
		}
		if got := l.Field(p.section, p.index, p.field); got != p.fieldPath {
			t.Errorf("Field(%s, %d, %q) = %q, want %q", p.section, p.index, p.field, got, p.fieldPath)
		}
	}
	e := l.Errorf("systems", 1, "owner", "%s is on leave", "raj")
	if got, want := e.Error(), filepath.Join("ws", "systems.yaml")+":5: systems[0].owner: raj is on leave"; got != want {
		t.Errorf("Errorf = %q, want %q", got, want)
	}
}

func TestLoadFolderErrorsNameTheirFile(t *testing.T) {
	files := map[string]string{
		"ws/organization.yaml": "organization:\n  name: Acme\n",
		"ws/systems.yaml":      "systems:\n  - id: api\n    kind: servce\n",
		"ws/flows.yaml":        "flows:\n  - from: api\n    to: db\n",
	}
	_, err := loadIn(t, files, "ws", Options{})
	want := []string{
		filepath.Join("ws", "flows.yaml") + `:3: flows[0].to: "db" is not a system id in this workspace`,
		filepath.Join("ws", "systems.yaml") + `:3: systems[0].kind: "servce" is not one of service, datastore, saas, endpoint, network, other`,
	}
	if got := errorLines(t, err); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadOrganization(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		path  string
		want  []string
	}{
		{"given twice names both places", map[string]string{
			"ws/a.yaml": "organization:\n  name: Acme\n",
			"ws/b.yaml": "vendors: []\norganization:\n  name: Acme Health\n",
		}, "ws", []string{filepath.Join("ws", "b.yaml") + ":2: organization: given twice: here and at " + filepath.Join("ws", "a.yaml") + ":1; give it once"}},
		{"given twice in two folders: two organizations' workspaces", map[string]string{
			"clients/p1/org.yaml": "organization:\n  name: Practice One\n",
			"clients/p2/org.yaml": "organization:\n  name: Practice Two\n",
		}, "clients", []string{filepath.Join("clients", "p2", "org.yaml") + ":1: organization: given twice: here and at " + filepath.Join("clients", "p1", "org.yaml") + ":1; give it once (a workspace is one organization's: apply " + filepath.Join("clients", "p1") + " and " + filepath.Join("clients", "p2") + " one at a time)"}},
		{"given twice in two documents of one file", map[string]string{
			"ws.yaml": "organization: {name: Acme}\n---\norganization: {name: Other}\n",
		}, "ws.yaml", []string{"ws.yaml:3: organization: given twice: here and at ws.yaml:1; give it once"}},
		{"missing", map[string]string{
			"ws/systems.yaml": "systems: []\n",
		}, "ws", []string{filepath.Join("ws", "systems.yaml") + ":1: organization: is missing: one file must have an organization: section with at least the name"}},
		{"not a mapping", map[string]string{
			"ws.yaml": "organization: Acme\n",
		}, "ws.yaml", []string{"ws.yaml:1: organization: must be a mapping (key: value lines), not a single value"}},
		{"name missing", map[string]string{
			"ws.yaml": "organization:\n  roles: [covered-entity]\n",
		}, "ws.yaml", []string{"ws.yaml:1: organization.name: is missing: the organization's name"}},
		{"checks", map[string]string{"ws.yaml": `organization:
  name: Acme
  slug: Acme Health
  roles: [clinic]
  officers:
    security: raj@acme.example
  soc2:
    type: type3
    categories: [security]
    observation_months: -6
  risk_matrix: [[low]]
people:
  - email: dana
`}, "ws.yaml", []string{
			`ws.yaml:3: organization.slug: "Acme Health" is not a slug: use lower-case letters, digits and single hyphens, such as "acme-health"`,
			`ws.yaml:4: organization.roles[0]: "clinic" is not one of covered-entity, business-associate, subcontractor`,
			`ws.yaml:6: organization.officers.security: "raj@acme.example" is not the email of anyone listed under people`,
			`ws.yaml:8: organization.soc2.type: "type3" is not one of none, type1, type2`,
			`ws.yaml:9: organization.soc2.categories[0]: "security" is not one of availability, confidentiality, processing-integrity, privacy`,
			`ws.yaml:10: organization.soc2.observation_months: -6 is outside 1..24: a SOC 2 Type II observation period runs from 1 month to 2 years (3 to 6 months is usual for a first one)`,
			`ws.yaml:11: organization.risk_matrix: must be 5 rows (likelihood 1..5) of 5 levels each (impact 1..5)`,
			`ws.yaml:13: people[0].email: "dana" is not an e-mail address`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadIn(t, tc.files, tc.path, Options{})
			if got := errorLines(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// YAML the parser rejects is reported in the same FILE:LINE form, and
// nothing else is checked: records in a file that did not parse are
// unknown, so references to them would be false alarms.
func TestLoadSyntaxErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		line       int
		msg        string // a part of the message
	}{
		{"unclosed flow list", "organization:\n  name: Acme\nsystems:\n  - id: [unclosed\n    kind: service\n", 5, "']'"},
		{"unclosed quote", "organization:\n  name: \"Acme\n", 2, "double-quoted"},
		{"tab indentation", "organization:\n\tname: Acme\n", 2, "cannot start any token"},
		{"duplicate key", "organization:\n  name: Acme\n  name: Other\n", 3, `"name" already defined`},
		{"bad indentation", "organization:\n  name: Acme\nvendors:\n  - id: a\n   name: b\n", 5, "not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"ws/org.yaml": tc.yaml, "ws/flows.yaml": "flows: [{from: api, to: db}]\n"}
			_, err := loadIn(t, files, "ws", Options{})
			var es Errors
			if !errors.As(err, &es) || len(es) != 1 {
				t.Fatalf("want exactly one error, got %v", err)
			}
			e := es[0]
			if e.File != filepath.Join("ws", "org.yaml") || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) || !strings.HasPrefix(e.Msg, "YAML syntax: ") {
				t.Errorf("error = %q, want ws/org.yaml:%d with %q", e.Error(), tc.line, tc.msg)
			}
		})
	}
}

func TestErrorsCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("organization: {name: Acme}\nvendors:\n")
	for range 60 {
		b.WriteString("  - name: unnamed\n")
	}
	_, err := loadIn(t, map[string]string{"ws.yaml": b.String()}, "ws.yaml", Options{})
	var es Errors
	if !errors.As(err, &es) || len(es) != 60 {
		t.Fatalf("want 60 errors, got %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxShown+1 || lines[maxShown] != "and 10 more" {
		t.Errorf("text has %d lines ending %q; want %d ending \"and 10 more\"", len(lines), lines[len(lines)-1], maxShown+1)
	}
	if lines[0] != "ws.yaml:3: vendors[0].id: is missing: a short unique name such as aws" {
		t.Errorf("first line = %q", lines[0])
	}
}

// A file: path that leads out of the workspace folder through a symbolic
// link is refused like ../ is: evidence is hashed from inside the folder
// only.
func TestLoadFileSymlinkEscape(t *testing.T) {
	dir := t.TempDir()
	putFiles(t, dir, map[string]string{
		"secret.txt": "outside",
		"ws/ws.yaml": "organization: {name: Acme}\ncontrols: [{id: mfa, status: implemented}]\nevidence:\n  - {control: mfa, collected: 2026-10-01, file: evidence/link.txt}\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "ws", "evidence"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(dir, "ws", "evidence", "link.txt")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	t.Chdir(dir)
	_, err := Load(filepath.Join("ws", "ws.yaml"), Options{})
	got := errorLines(t, err)
	if len(got) != 1 || !strings.HasPrefix(got[0], filepath.Join("ws", "ws.yaml")+`:4: evidence[0].file: "evidence/link.txt" cannot be used: `) {
		t.Errorf("errors = %q, want one refusing evidence/link.txt", got)
	}
}

func TestLoadPathProblemsAreNotErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := Load("nowhere", Options{})
	var es Errors
	if err == nil || errors.As(err, &es) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(nowhere) = %v, want a not-exist error that is not Errors", err)
	}
	if err := os.Mkdir("empty", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("empty", Options{}); err == nil || errors.As(err, &es) || !strings.Contains(err.Error(), "no *.yaml") {
		t.Errorf("Load(empty) = %v, want a plain error saying the folder has no YAML", err)
	}
}

func TestLoadEmptyAndCommentOnlyFilesAreFine(t *testing.T) {
	files := map[string]string{
		"ws/organization.yaml": "organization:\n  name: Acme\n",
		"ws/empty.yaml":        "",
		"ws/comments.yaml":     "# nothing here yet\n",
		"ws/nulls.yaml":        "people:\nsystems: ~\n",
	}
	if _, err := loadIn(t, files, "ws", Options{}); err != nil {
		t.Fatal(err)
	}
}

// An organization's own threats and vulnerabilities extend the embedded
// libraries: they need a title (and a threat a NIST SP 800-30 category),
// may not take a library id, and what they name must exist.
func TestLoadOwnRiskLibrary(t *testing.T) {
	opt := Options{
		KnownControl:         catalogOf("mfa", "vendor-review"),
		LibraryThreat:        catalogOf("ransomware"),
		LibraryVulnerability: catalogOf("no-mfa-remote"),
	}
	yaml := head + `threats:
  - id: llm-leak
    title: LLM provider keeps prompts
    category: accidental
    vulnerabilities: [no-mfa-remote, llm-no-baa]
    controls: [vendor-review]
  - id: ransomware
    title: Our ransomware
    category: adversarial
  - id: untitled
    category: weather
    vulnerabilities: [nowhere]
    controls: [not-a-control]
  - id: llm-leak
    title: twice
    category: accidental
vulnerabilities:
  - id: llm-no-baa
    title: Transcripts to an LLM without a BAA
    controls: [mfa]
  - id: no-mfa-remote
    title: ours
  - id: Bad ID
    title: spaces in the id
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", opt)
	want := []string{
		`ws.yaml:11: threats[1].id: "ransomware" is already a threat of the embedded library (ward risk threats): risks can name it as it is; give your own threat another id`,
		`ws.yaml:14: threats[2].title: is missing: a short name for the threat`,
		`ws.yaml:15: threats[2].category: "weather" is not one of adversarial, accidental, structural, environmental`,
		`ws.yaml:16: threats[2].vulnerabilities[0]: "nowhere" is neither a vulnerability of the library (ward risk vulnerabilities) nor one listed under vulnerabilities`,
		`ws.yaml:17: threats[2].controls[0]: "not-a-control" is neither a control in this workspace nor in the catalog`,
		`ws.yaml:18: threats[3].id: "llm-leak" is already the id of threats[0] (ws.yaml:6); ids must be unique`,
		`ws.yaml:25: vulnerabilities[1].id: "no-mfa-remote" is already a vulnerability of the embedded library (ward risk vulnerabilities): give your own another id`,
		`ws.yaml:27: vulnerabilities[2].id: "Bad ID" is not an id: lower-case letters, digits and - . _ only, such as shared-front-desk-login (risks name it)`,
	}
	if got := errorLines(t, err); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// An incident counts residents per US state or jurisdiction, the unit of
// media notice (45 CFR 164.406): a code that is none is an error naming
// the field.
func TestLoadIncidentStateCodes(t *testing.T) {
	yaml := head + `incidents:
  - id: inc-1
    summary: laptop stolen
    discovered: 2026-11-01
    phi_involved: true
    states: {CA: 600, PR: 10, ZZ: 3}
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := errorLines(t, err)
	if len(got) != 1 || !strings.Contains(got[0], `incidents[0].states.ZZ: "ZZ" is not a US state or jurisdiction code`) {
		t.Errorf("errors: %v", got)
	}
}

// Residents per state cannot add up to more than the individuals
// affected: the per-state counts decide media notice (45 CFR 164.406,
// more than 500 residents of a state), the total the HHS report (164.408).
func TestLoadIncidentStatesWithinTotal(t *testing.T) {
	yaml := head + `incidents:
  - id: inc-1
    summary: laptop stolen
    discovered: 2026-11-01
    phi_involved: true
    individuals: 812
    states: {CA: 900}
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := errorLines(t, err)
	if len(got) != 1 || !strings.Contains(got[0], "incidents[0].states: the residents per state add up to 900, more than the 812 individuals affected") {
		t.Errorf("errors: %v", got)
	}
}
