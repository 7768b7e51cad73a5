package workspace

import (
	"strings"
	"testing"
)

// TestTrustErrors: organization.trust is checked like every section, each
// error naming file, line and field.
func TestTrustErrors(t *testing.T) {
	files := map[string]string{"ws.yaml": `organization:
  name: Acme
  trust:
    enabled: true
    public: [frameworks, pricing, frameworks]
    contact: not-an-address
    subprocessor_notice_days: 400
    link_hours: 1000
    documents:
      - id: Pen Test
        kind: report
        title: Pen test
        file: ../outside.pdf
      - id: soc2
        kind: soc2-report
        title: SOC 2
        evidence: ev-nope
      - id: soc2
        kind: baa-template
        title: BAA
evidence:
  - id: ev-real
    control: access-review
    collected: 2026-01-01
    note: no file
`}
	_, err := loadIn(t, files, "ws.yaml", Options{})
	got := strings.Join(errorLines(t, err), "\n")
	for _, want := range []string{
		`ws.yaml:5: organization.trust.public[1]: "pricing" is not one of frameworks, subprocessors, policies, documents`,
		`ws.yaml:5: organization.trust.public[2]: "frameworks" is listed twice`,
		`ws.yaml:6: organization.trust.contact: "not-an-address" is not an e-mail address`,
		`ws.yaml:7: organization.trust.subprocessor_notice_days: 400 is outside 0..365`,
		`ws.yaml:8: organization.trust.link_hours: 1000 is outside 0..720`,
		`ws.yaml:10: organization.trust.documents[0].id: "Pen Test" is not an id`,
		`ws.yaml:11: organization.trust.documents[0].kind: "report" is not one of soc2-report, pen-test-summary, baa-template, other`,
		`ws.yaml:13: organization.trust.documents[0].file: "../outside.pdf" is outside the workspace folder`,
		`ws.yaml:17: organization.trust.documents[1].evidence: "ev-nope" is not an evidence id in this workspace`,
		`ws.yaml:18: organization.trust.documents[2].id: "soc2" is already the id of organization.trust.documents[1]`,
		`ws.yaml:18: organization.trust.documents[2].file: a document needs a file`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing error %q in:\n%s", want, got)
		}
	}
}
