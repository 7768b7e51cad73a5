package webtest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"ward/internal/auth"
	"ward/internal/benchgen"
	"ward/internal/date"
	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/workspace"
)

// SeedDemo applies examples/acme-health to alpha (a business associate
// built with a gap for every rule) and returns the workspace as stored,
// for computing what a page must show.
func (e *TestEnv) SeedDemo() *workspace.Workspace {
	e.T.Helper()
	l, err := workspace.Load(RepoRoot+"/examples/acme-health", workspace.Options{})
	if err != nil {
		e.T.Fatal(err)
	}
	o := e.Store.Org(e.OrgA)
	// The demo's files take over the seeded records they name (the
	// seed's are replaced); the seed's others stay, the web's.
	if _, err := o.Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the demo: %v", err)
	}
	ws, err := o.Workspace(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return ws
}

// SeedLarge applies issue 21's generated organization (benchgen.Large:
// 2,000 systems, 10,000 flows, 300 vendors, 200 risks, 24 months of
// evidence) to alpha and returns the workspace as stored.
func (e *TestEnv) SeedLarge() *workspace.Workspace {
	e.T.Helper()
	o := e.Store.Org(e.OrgA)
	if _, err := o.Apply(context.Background(), "test", benchgen.Org(1, SlugA, "Alpha Health", benchgen.Large), store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the large organization: %v", err)
	}
	ws, err := o.Workspace(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return ws
}

// DemoNow is the day the demo's deliberate gaps are dated for: its
// breach notice to Lakeside Cardiology is 14 days overdue.
func DemoNow() time.Time { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }

// DemoAsOf is the day the page tests read the demo at (?as_of=), in
// 2026-Q4, the same day for the controls', risks' and overview's tests.
const DemoAsOf = "2026-11-23"

// SeedDemoWithTexts applies the demo with its policies' texts in the
// blob store (as `ward apply` keeps them), plus a policy whose text
// carries raw HTML.
func (e *TestEnv) SeedDemoWithTexts() {
	e.T.Helper()
	dir := RepoRoot + "/examples/acme-health"
	l, err := workspace.Load(dir, workspace.Options{})
	if err != nil {
		e.T.Fatal(err)
	}
	ws := l.Workspace
	put := func(text []byte) string {
		sha, _, err := e.Store.Blobs().Put(bytes.NewReader(text))
		if err != nil {
			e.T.Fatal(err)
		}
		return sha
	}
	for i := range ws.Policies {
		for j := range ws.Policies[i].Versions {
			v := &ws.Policies[i].Versions[j]
			raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v.File)))
			if err != nil {
				e.T.Fatal(err)
			}
			v.SHA256 = put(raw)
		}
	}
	ws.Policies = append(ws.Policies, workspace.Policy{ID: "hostile", Title: "Hostile policy", Versions: []workspace.PolicyVersion{{
		Version: 1, File: "policies/hostile-v1.md", SHA256: put([]byte("# Hostile policy\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\nPlain text stays.\n")),
		ApprovedBy: "dana@acme-health.example", ApprovedOn: date.MustParse("2026-09-01")}}})
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", ws, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the demo: %v", err)
	}
}

// SeedDemoWithFiles is SeedDemo with the files the demo's records name
// (policy texts, evidence, signed agreements) in the blob store, as ward
// apply keeps them.
func (e *TestEnv) SeedDemoWithFiles() {
	e.T.Helper()
	l, err := workspace.Load(RepoRoot+"/examples/acme-health", workspace.Options{})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, f := range l.Workspace.Files() {
		fh, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			e.T.Fatal(err)
		}
		sha, _, err := e.Store.Blobs().Put(fh)
		fh.Close()
		if err != nil {
			e.T.Fatal(err)
		}
		*f.SHA256 = sha
	}
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the demo: %v", err)
	}
}

// ImportSample stores the Prowler sample scan in org alpha the way `ward
// import prowler` does (blob, findings, evidence) and returns the
// evidence id.
func (e *TestEnv) ImportSample() string {
	e.T.Helper()
	raw, err := os.ReadFile(RepoRoot + "/internal/importer/prowler/testdata/sample.ocsf.json")
	if err != nil {
		e.T.Fatal(err)
	}
	sha, size, err := e.Store.Blobs().Put(bytes.NewReader(raw))
	if err != nil {
		e.T.Fatal(err)
	}
	tally := prowler.NewTally(prowler.MustMapper())
	res, err := e.Store.Org(e.OrgA).ImportScan(context.Background(), "test", func(sw *store.ScanWriter) (store.ScanInput, error) {
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
		e.T.Fatal(err)
	}
	return res.Scan.EvidenceID
}

// CoveredEntity makes alpha a covered entity, so that its incidents owe
// notice to individuals, the media and HHS (164.404-164.408).
func (e *TestEnv) CoveredEntity() {
	e.T.Helper()
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "test", store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity}}); err != nil {
		e.T.Fatal(err)
	}
}

// DualRole makes alpha a covered entity that is also Northside
// Pediatrics' business associate, under a BAA that delegates Northside's
// notices to it.
func (e *TestEnv) DualRole() {
	e.T.Helper()
	ctx := context.Background()
	a := e.Store.Org(e.OrgA)
	for _, rec := range []struct {
		kind, key string
		v         any
	}{
		{store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}}},
		{store.KindCustomer, "northside", workspace.Customer{ID: "northside", Name: "Northside Pediatrics", CoveredEntity: true, LivePHI: true}},
		{store.KindAgreement, "baa-northside", workspace.Agreement{ID: "baa-northside", Kind: "baa", Counterparty: "northside", Direction: "upstream", Status: "executed",
			Effective: date.MustParse("2026-01-01"), BreachNoticeDays: 15, NotifiesOnBehalf: true}},
	} {
		if _, err := a.Put(ctx, "test", rec.kind, rec.key, rec.v); err != nil {
			e.T.Fatal(err)
		}
	}
}

// ClinicWorkspace is a covered entity with one request of each state on
// 2027-03-20: par-1 overdue (received 2027-01-31, due 2027-03-02), par-2
// open and extended, acc-1 an open accounting, par-3 acted on late.
func ClinicWorkspace() *workspace.Workspace {
	d := date.MustParse
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity}},
		People:       []workspace.Person{{Email: "dana@alpha.example", Name: "Dana Kim"}},
		PrivacyRequests: []workspace.PrivacyRequest{
			{ID: "par-1", Kind: workspace.RequestAccess, Received: d("2027-01-31"), Reference: "log 7"},
			{ID: "par-2", Kind: workspace.RequestAccess, Received: d("2027-02-20"),
				Extension: &workspace.Extension{Notified: d("2027-03-18"), Reason: "archived off site", Until: d("2027-04-21")}},
			{ID: "acc-1", Kind: workspace.RequestAccounting, Received: d("2027-03-15")},
			{ID: "par-3", Kind: workspace.RequestAccess, Received: d("2027-01-02"), Completed: d("2027-02-05"), Outcome: workspace.OutcomeGranted},
		},
		Complaints:     []workspace.Complaint{{ID: "cmp-1", Received: d("2027-03-01"), Summary: "front desk talk"}},
		PrivacyNotices: []workspace.PrivacyNotice{{Version: "2026-1", Effective: d("2026-03-01"), Posted: []string{"waiting room"}}},
	}
}

func (e *TestEnv) SeedClinic(org store.Org) {
	e.T.Helper()
	// The clinic's files take over alpha (the seed's web records stay).
	if _, err := e.Store.Org(org).Apply(context.Background(), "test", ClinicWorkspace(), store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatal(err)
	}
}

// InvitePath makes an invitation into org and returns its link's path.
func (e *TestEnv) InvitePath(org store.Org, email, role string) string {
	e.T.Helper()
	tok, err := auth.NewToken()
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.Store.Org(org).CreateInvitation(context.Background(), e.Users[store.RoleAdmin].Email, email, role, auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		e.T.Fatal(err)
	}
	return "/invite/" + tok
}
