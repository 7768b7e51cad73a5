package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/workspace"
)

// importSample stores the Prowler sample scan in org alpha the way `ward
// import prowler` does (blob, findings, evidence) and returns the
// evidence id.
func (e *testEnv) importSample() string {
	e.t.Helper()
	raw, err := os.ReadFile("../importer/prowler/testdata/sample.ocsf.json")
	if err != nil {
		e.t.Fatal(err)
	}
	sha, size, err := e.st.Blobs().Put(bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	tally := prowler.NewTally(prowler.MustMapper())
	res, err := e.st.Org(e.orgA).ImportScan(context.Background(), "test", func(sw *store.ScanWriter) (store.ScanInput, error) {
		rd, err := prowler.NewReader(bytes.NewReader(raw))
		if err != nil {
			return store.ScanInput{}, err
		}
		for {
			f, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return store.ScanInput{}, err
			}
			tally.Add(f)
			if err := sw.Add(store.ScanFinding{UID: f.UID, Check: f.Check, Status: f.Status, Severity: f.Severity, ResourceUID: f.ResourceUID,
				ResourceType: f.ResourceType, Region: f.Region, Account: f.Account, Time: f.Time}); err != nil {
				return store.ScanInput{}, err
			}
		}
		return store.ScanInput{Source: "prowler", Format: rd.Format(), FileName: "prowler-output.ocsf.json", SHA256: sha, Size: size,
			ScannedAt: tally.Newest, Placements: tally.Placements(),
			Evidence: workspace.Evidence{Controls: tally.AllControls(), Collected: date.Of(tally.Newest), File: "prowler-output.ocsf.json", Type: "application/json", Note: "Prowler scan"}}, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Scan.EvidenceID
}

// The control page lists the failing resources of imported scans, with a
// link to the scan file for those who may download evidence.
func TestControlPageOpenFindings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	e.seedDemo()
	ev := e.importSample()

	c, _ := e.login(e.users[store.RoleViewer])
	r := e.get(c, "/api/v1/orgs/alpha/controls/mfa")
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	var p ControlPage
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.OpenTotal != 1 || len(p.OpenFindings) != 1 {
		t.Fatalf("open findings on mfa: %d %+v", p.OpenTotal, p.OpenFindings)
	}
	f := p.OpenFindings[0]
	if f.ResourceUID != "arn:aws:iam::123456789012:root" || f.Check != "iam_root_mfa_enabled" || f.Severity != "critical" || f.EvidenceID != ev {
		t.Errorf("open finding: %+v", f)
	}
	// A failing check means the control does not operate: partly met on
	// the control page, and in the readiness every page and report shares.
	if p.Standing.State != "partial" || p.Standing.Failing != 1 || !strings.Contains(p.Standing.Reason, "failing finding") {
		t.Errorf("standing of mfa with a failing scan: %+v", p.Standing)
	}
	for _, fw := range []string{"soc2", "hipaa"} {
		var pos struct {
			Controls []struct{ ID, State string }
		}
		if err := json.Unmarshal([]byte(e.get(c, "/api/v1/orgs/alpha/posture?framework="+fw).Body), &pos); err != nil {
			t.Fatal(err)
		}
		for _, s := range pos.Controls {
			if s.ID == "mfa" && s.State != "partial" {
				t.Errorf("%s posture: mfa %s with a failing scan", fw, s.State)
			}
		}
	}
	// The scan file is evidence on the control too.
	found := false
	for _, row := range p.Evidence {
		found = found || row.ID == ev && row.Source == workspace.SourceImporter
	}
	if !found {
		t.Errorf("the scan file %s is not listed as evidence on mfa", ev)
	}
	// A control with no failing finding has an empty list, not null.
	if r := e.get(c, "/api/v1/orgs/alpha/controls/security-officer"); !strings.Contains(r.Body, `"open_findings": []`) && !strings.Contains(r.Body, `"open_findings":[]`) {
		t.Errorf("no open findings: %s", r.Body)
	}

	// The page: the resource, and for an auditor a link to the file.
	page := e.get(c, "/orgs/alpha/controls/mfa")
	if !strings.Contains(page.Body, "Open findings from scans") || !strings.Contains(page.Body, "arn:aws:iam::123456789012:root") || !strings.Contains(page.Body, `class="standing standing-partial"`) {
		t.Fatalf("page lacks the open finding:\n%s", page.Body)
	}
	link := `action="/orgs/alpha/evidence/` + ev + `/file"`
	if strings.Contains(page.Body[strings.Index(page.Body, "open-findings"):strings.Index(page.Body, `id="evidence"`)], link) {
		t.Error("a viewer gets a download link in the open findings")
	}
	ca, catok := e.login(e.users[store.RoleAuditor])
	page = e.get(ca, "/orgs/alpha/controls/mfa")
	if !strings.Contains(page.Body, link) {
		t.Errorf("an auditor has no link to the scan file")
	}
	if dl := e.fetch(ca, catok, "/orgs/alpha/evidence/"+ev+"/file"); dl.StatusCode != 200 || !strings.Contains(dl.Body, "iam_root_mfa_enabled") {
		t.Errorf("download of the scan file: %d", dl.StatusCode)
	}
	// Another organization sees none of it.
	cb, _ := e.login(e.bravo)
	if r := e.get(cb, "/api/v1/orgs/bravo/controls/mfa"); strings.Contains(r.Body, "123456789012") {
		t.Error("bravo sees alpha's findings")
	}
}
