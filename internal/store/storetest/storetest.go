// Package storetest is the store's contract suite: what the CLI, the web
// app and an auditor rely on, run unchanged against every engine.
//
// It uses Store.RawExec only to tamper with the audit trail on purpose.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/audit"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Run runs the contract suite; open must return a fresh, empty store
// each time it is called (and close it at the end of the test).
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s *store.Store)
	}{
		{"Orgs", testOrgs},
		{"ApplyLifecycle", testApplyLifecycle},
		{"ApplyKeepsOrder", testApplyKeepsOrder},
		{"ApplyRoundTripIsFixedPoint", testApplyRoundTrip},
		{"ApplyDryRunWritesNothing", testApplyDryRun},
		{"ApplyFailingMidwayWritesNothing", testApplyAtomic},
		{"ApplyRejectsDuplicateKeys", testApplyDuplicates},
		{"ApplyKeepsWebRecords", testApplyKeepsWebRecords},
		{"ApplyDrift", testApplyDrift},
		{"ApplyKeepsOpenAndChecks", testApplyKeepsOpenAndChecks},
		{"Evidence", testEvidence},
		{"EvidenceItemsAllOrNothing", testEvidenceItems},
		{"PutGetRetire", testPutGetRetire},
		{"Save", testSave},
		{"Isolation", testIsolation},
		{"Accounts", testAccounts},
		{"Roles", testRoles},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"Caller", testCaller},
		{"LoginFailures", testLoginFailures},
		{"AuditLogAndRecord", testAuditLog},
		{"AuditTampering", testTampering},
		{"NotifySettingsAudited", testNotifySettingsAudited},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Versions", testVersions},
		{"ConcurrentCreates", testConcurrentCreates},
		{"StaleWrites", testStaleWrites},
		{"RetireVersusReference", testRetireVersusReference},
		{"Blobs", testBlobs},
		{"ScanImport", testScanImport},
		{"ScanImportAtomicAndIdempotent", testScanImportAtomic},
		{"ScanSupersession", testScanSupersession},
		{"ScanImportLetsWritersIn", testScanImportLetsWritersIn},
		{"ScanImportStagingRollsBack", testScanImportStagingRollsBack},
		{"PrivacyRecords", testPrivacyRecords},
		{"Answers", testAnswers},
		{"ScanPlacementByFramework", testScanPlacementByFramework},
		{"ScanFindingKey", testScanFindingKey},
		{"WorkforceRecords", testWorkforceRecords},
		{"Drafts", testDrafts},
		{"TrustCenter", testTrustCenter},
		{"OrgSummaries", testOrgSummaries},
		{"OrgRows", testOrgRows},
	}
	// The security contract (accounts.go, security.go) keeps its own list.
	for _, st := range securityTests {
		tests = append(tests, struct {
			name string
			f    func(t *testing.T, s *store.Store)
		}{st.name, st.f})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, open(t)) })
	}
}

var ctx = context.Background()

func d(s string) date.Date { return date.MustParse(s) }

// Acme is a small but complete workspace, one or more of every kind.
func Acme() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{
			Name: "Acme Health", Roles: []string{workspace.RoleBusinessAssociate}, ProgramStart: d("2026-12-01"),
			Answers:  workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
			Officers: workspace.Officers{Privacy: "dana@acme.example", Security: "raj@acme.example"},
			SOC2:     workspace.SOC2{Type: "type2", ObservationStart: d("2027-04-01"), ObservationMonths: 6},
		},
		People: []workspace.Person{
			{Email: "dana@acme.example", Name: "Dana Kim", Role: "coo"},
			{Email: "raj@acme.example", Name: "Raj Patel", Role: "engineer"},
		},
		Systems: []workspace.System{
			{ID: "patient-api", Name: "Patient API", Kind: "service", Vendor: "aws", PHI: true, LivePHI: true, EncryptedAtRest: true, Owner: "raj@acme.example"},
			{ID: "sms-gateway", Name: "Appointment reminders", Kind: "saas", Vendor: "twilio", PHI: true, LivePHI: true, EncryptedAtRest: true},
		},
		Flows:   []workspace.Flow{{From: "patient-api", To: "sms-gateway", PHI: true, EncryptedInTransit: true}},
		Vendors: []workspace.Vendor{{ID: "aws", Name: "Amazon Web Services", Services: []string{"hosting"}}, {ID: "twilio", Name: "Twilio"}},
		Agreements: []workspace.Agreement{{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed",
			Effective: d("2026-01-15"), Expires: d("2027-01-15"), BreachNoticeDays: 10}},
		Customers:    []workspace.Customer{{ID: "st-marys", Name: "St. Mary's Clinic", CoveredEntity: true, LivePHI: true}},
		RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra-2026", Performed: d("2026-11-20"), Methodology: "NIST SP 800-30 Rev. 1"}},
		Risks: []workspace.Risk{{ID: "r-ransomware", Analysis: "ra-2026", Asset: "patient-api", Threat: "ransomware",
			Vulnerability: "backups reachable from production credentials", Likelihood: 4, Impact: 5, Treatment: "mitigate", Due: d("2027-01-31")}},
		Controls: []workspace.Control{{ID: "access-review", Status: "implemented", Owner: "raj@acme.example", Frequency: "quarterly"}},
		Evidence: []workspace.Evidence{{Control: "access-review", Collected: d("2027-04-03"), Note: "Q2 user access review <signed> & filed"}},
		Incidents: []workspace.Incident{{ID: "inc-2027-001", Discovered: d("2027-05-02"), Summary: "laptop stolen from car",
			Systems: []string{"patient-api"}, PHIInvolved: true, Individuals: 812, States: map[string]int{"CA": 640, "NV": 172}}},
		Policies: []workspace.Policy{{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Owner: "dana@acme.example",
			Controls: []string{"sanctions-policy"}, Versions: []workspace.PolicyVersion{
				{Version: 1, File: "policies/sanctions-v1.md", SHA256: strings.Repeat("a", 64), ApprovedBy: "dana@acme.example", ApprovedOn: d("2026-05-01")},
				{Version: 2, File: "policies/sanctions-v2.md", SHA256: strings.Repeat("b", 64)},
			}}},
		Trainings:         []workspace.Training{{ID: "hipaa-awareness", Title: "HIPAA awareness", Audience: workspace.Audience{"all"}, Controls: []string{"security-training"}}},
		Acknowledgements:  []workspace.Acknowledgement{{Person: "raj@acme.example", Policy: "sanctions", Version: 1, On: d("2026-05-20")}},
		TrainingRecords:   []workspace.TrainingRecord{{Person: "raj@acme.example", Training: "hipaa-awareness", Completed: d("2026-01-10")}},
		SecurityReminders: []workspace.Reminder{{On: d("2026-10-05"), Title: "Phishing season"}},
	}
}

// recordCount is how many records Acme holds, the organization included.
const recordCount = 20

func mustOrg(t *testing.T, s *store.Store, slug string) *store.OrgStore {
	t.Helper()
	org, err := s.CreateOrg(ctx, "test", slug, strings.ToUpper(slug[:1])+slug[1:]+" Health")
	if err != nil {
		t.Fatalf("CreateOrg(%s): %v", slug, err)
	}
	return s.Org(org)
}

func mustApply(t *testing.T, o *store.OrgStore, ws *workspace.Workspace) []store.Change {
	t.Helper()
	cs, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return cs
}

func mustVerify(t *testing.T, o *store.OrgStore) {
	t.Helper()
	if err := o.VerifyAudit(ctx); err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
}

func head(t *testing.T, o *store.OrgStore) audit.Head {
	t.Helper()
	h, err := o.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func summary(cs []store.Change) []string {
	var out []string
	for _, c := range cs {
		s := c.Action + " " + c.Kind + " " + c.Key
		if len(c.Fields) > 0 {
			s += " (" + strings.Join(c.Fields, ",") + ")"
		}
		out = append(out, s)
	}
	return out
}

func testOrgs(t *testing.T, s *store.Store) {
	a := mustOrg(t, s, "alpha")
	mustOrg(t, s, "bravo")
	if _, err := s.CreateOrg(ctx, "test", "alpha", "Another"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate slug: %v, want ErrConflict", err)
	}
	if _, err := s.CreateOrg(ctx, "test", "Bad Slug", "x"); err == nil {
		t.Error("a slug with spaces and capitals was accepted")
	}
	if _, err := s.OrgBySlug(ctx, "charlie"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OrgBySlug(unknown) = %v, want ErrNotFound", err)
	}
	got, err := s.OrgBySlug(ctx, "alpha")
	if err != nil || got.ID != a.Info().ID || got.Name != "Alpha Health" || got.Created.IsZero() {
		t.Errorf("OrgBySlug = %+v, %v", got, err)
	}
	if byID, err := s.OrgByID(ctx, got.ID); err != nil || byID != got {
		t.Errorf("OrgByID = %+v, %v; want %+v", byID, err, got)
	}
	orgs, err := s.Orgs(ctx)
	if err != nil || len(orgs) != 2 || orgs[0].Slug != "alpha" || orgs[1].Slug != "bravo" {
		t.Errorf("Orgs = %+v, %v", orgs, err)
	}
	// The creation is the first entry of the new organization's chain.
	log, err := a.AuditAll(ctx)
	if err != nil || len(log) != 1 || log[0].Seq != 1 || log[0].Action != "org.create" || log[0].Actor != "test" || log[0].Prev != "" {
		t.Fatalf("audit after CreateOrg = %+v, %v", log, err)
	}
	if h := head(t, a); h.Seq != 1 || h.Hash != log[0].Hash {
		t.Errorf("head = %+v, want seq 1 and the entry's hash", h)
	}
	mustVerify(t, a)
	if n := s.EngineName(); n != "sqlite" && n != "postgres" {
		t.Errorf("EngineName = %q", n)
	}
}

func testApplyLifecycle(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	h0 := head(t, o)
	ws := Acme()
	cs := mustApply(t, o, ws)
	if len(cs) != recordCount {
		t.Fatalf("first apply: %d changes, want %d:\n%s", len(cs), recordCount, strings.Join(summary(cs), "\n"))
	}
	for _, c := range cs {
		if c.Action != "create" {
			t.Errorf("first apply: %+v, want only creates", c)
		}
	}
	counts, _ := o.Counts(ctx)
	want := map[string]int{"organization": 1, "person": 2, "system": 2, "flow": 1, "vendor": 2, "agreement": 1, "customer": 1,
		"risk_analysis": 1, "risk": 1, "control": 1, "evidence": 1, "incident": 1,
		"policy": 1, "training": 1, "acknowledgement": 1, "training_record": 1, "security_reminder": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("Counts[%s] = %d, want %d", k, counts[k], n)
		}
	}
	// Every change is one audit entry, in order, naming the record.
	checkAudited(t, o, h0, cs)

	// Re-applying the same workspace changes nothing and appends nothing.
	h1 := head(t, o)
	if cs := mustApply(t, o, Acme()); len(cs) != 0 {
		t.Fatalf("re-apply: %v, want no changes", summary(cs))
	}
	if h := head(t, o); h != h1 {
		t.Errorf("re-apply moved the audit head from %+v to %+v", h1, h)
	}

	// Change one system, drop a vendor, add a customer.
	ws = Acme()
	ws.Systems[1].EncryptedAtRest = false
	ws.Systems[1].Owner = "dana@acme.example"
	ws.Vendors = ws.Vendors[:1]
	ws.Customers = append(ws.Customers, workspace.Customer{ID: "lakeside", Name: "Lakeside Pediatrics", CoveredEntity: true})
	cs = mustApply(t, o, ws)
	got := summary(cs)
	wantCs := []string{
		"update system sms-gateway (encrypted_at_rest,owner)",
		"create customer lakeside",
		"retire vendor twilio",
	}
	if !slices.Equal(got, wantCs) {
		t.Errorf("second apply:\n got %q\nwant %q", got, wantCs)
	}
	checkAudited(t, o, h1, cs)
	var sys workspace.System
	if err := o.Get(ctx, store.KindSystem, "sms-gateway", &sys); err != nil || sys.EncryptedAtRest || sys.Owner != "dana@acme.example" {
		t.Errorf("Get after update = %+v, %v", sys, err)
	}

	// The retired vendor is kept, with its body, and is gone from Get.
	var v workspace.Vendor
	if err := o.Get(ctx, store.KindVendor, "twilio", &v); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(retired) = %v, want ErrNotFound", err)
	}
	ret, err := o.Retired(ctx, store.KindVendor)
	if err != nil || len(ret) != 1 || ret[0].Key != "twilio" || ret[0].RetiredAt.IsZero() || !strings.Contains(string(ret[0].Body), `"Twilio"`) {
		t.Fatalf("Retired(vendor) = %+v, %v", ret, err)
	}
	// Re-adding un-retires it.
	cs = mustApply(t, o, Acme())
	got = summary(cs)
	wantCs = []string{
		"update system sms-gateway (encrypted_at_rest,owner)",
		"create vendor twilio",
		"retire customer lakeside",
	}
	if !slices.Equal(got, wantCs) {
		t.Errorf("third apply:\n got %q\nwant %q", got, wantCs)
	}
	if ret, _ := o.Retired(ctx, store.KindVendor); len(ret) != 0 {
		t.Errorf("Retired(vendor) after re-adding = %+v", ret)
	}
	if err := o.Get(ctx, store.KindVendor, "twilio", &v); err != nil || v.Name != "Twilio" {
		t.Errorf("Get(re-added) = %+v, %v", v, err)
	}
	mustVerify(t, o)
}

// checkAudited asserts that the entries after h are exactly one per change.
func checkAudited(t *testing.T, o *store.OrgStore, h audit.Head, cs []store.Change) {
	t.Helper()
	all, err := o.AuditAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := all[h.Seq:]
	if len(after) != len(cs) {
		t.Fatalf("%d audit entries for %d changes", len(after), len(cs))
	}
	for i, c := range cs {
		e := after[i]
		if e.Action != c.Action || e.Kind != c.Kind || e.Key != c.Key || e.Actor != "raj@acme.example" {
			t.Errorf("entry %d = %s %s %s by %s; change %+v", e.Seq, e.Action, e.Kind, e.Key, e.Actor, c)
		}
		var data struct{ Before, After json.RawMessage }
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Errorf("entry %d data %s: %v", e.Seq, e.Data, err)
		}
		if (c.Action == "retire") != (string(data.After) == "null") {
			t.Errorf("entry %d (%s): after = %s", e.Seq, c.Action, data.After)
		}
	}
}

func testApplyKeepsOrder(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	ws := Acme()
	ws.Systems = []workspace.System{{ID: "zeta", Kind: "other"}, {ID: "alpha", Kind: "other"}, {ID: "mu", Kind: "other"}}
	ws.Risks[0].Asset = "zeta"
	mustApply(t, o, ws)
	back, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range back.Systems {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"zeta", "alpha", "mu"}) {
		t.Errorf("systems came back as %v, want the applied order zeta, alpha, mu", ids)
	}
	// A record added later goes last.
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "beta", workspace.System{ID: "beta", Kind: "other"}); err != nil {
		t.Fatal(err)
	}
	back, _ = o.Workspace(ctx)
	if n := len(back.Systems); n != 4 || back.Systems[3].ID != "beta" {
		t.Errorf("after Put, systems = %+v", back.Systems)
	}
}

func testApplyRoundTrip(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	back, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if back.Organization.Slug != "acme" || back.Organization.Name != "Acme Health" {
		t.Errorf("organization = %+v", back.Organization)
	}
	if len(back.Evidence) != 1 || back.Evidence[0].ID == "" || back.Evidence[0].Source != workspace.SourceWorkspace {
		t.Errorf("evidence = %+v, want an assigned id and source workspace", back.Evidence)
	}
	if inc := back.Incident("inc-2027-001"); inc == nil || inc.States["NV"] != 172 {
		t.Errorf("incident = %+v", inc)
	}
	// What the store gives back, applied again, is no change: the export
	// and re-apply cycle is a fixed point.
	if cs := mustApply(t, o, back); len(cs) != 0 {
		t.Errorf("applying the loaded workspace: %v, want no changes", summary(cs))
	}
	// Empty lists and omitted lists are the same record.
	ws := Acme()
	ws.Vendors[1].Services = []string{}
	ws.Incidents[0].Customers = []string{}
	if cs := mustApply(t, o, ws); len(cs) != 0 {
		t.Errorf("empty vs omitted lists: %v, want no changes", summary(cs))
	}
}

func testApplyDryRun(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	h := head(t, o)
	cs, err := o.Apply(ctx, "raj@acme.example", Acme(), store.ApplyOptions{DryRun: true})
	if err != nil || len(cs) != recordCount {
		t.Fatalf("dry run = %d changes, %v; want %d", len(cs), err, recordCount)
	}
	if got := head(t, o); got != h {
		t.Errorf("dry run moved the head: %+v -> %+v", h, got)
	}
	counts, _ := o.Counts(ctx)
	for k, n := range counts {
		if n != 0 {
			t.Errorf("dry run stored %d %s", n, k)
		}
	}
	if cs := mustApply(t, o, Acme()); len(cs) != recordCount {
		t.Errorf("apply after dry run: %d changes", len(cs))
	}
}

func testApplyAtomic(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	before, _ := o.Workspace(ctx)
	h := head(t, o)

	// Many changes, then one that must fail (evidence is immutable: same
	// id, other content). The failing record comes after the others in
	// apply order, so the creates and updates before it were written in
	// the transaction and must all be rolled back. 600 creates are more
	// than one batch of INSERTs: some were sent before the failure.
	ws := Acme()
	for i := range 600 {
		ws.Systems = append(ws.Systems, workspace.System{ID: fmt.Sprintf("new-%03d", i), Kind: "other"})
	}
	ws.Systems[0].Name = "Renamed"
	ws.Vendors = ws.Vendors[:1]
	ws.Evidence[0].ID = before.Evidence[0].ID
	ws.Evidence[0].Note = "rewritten after the fact"
	_, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{})
	if err == nil {
		t.Fatal("apply rewriting evidence succeeded")
	}
	if !strings.Contains(err.Error(), before.Evidence[0].ID) || !strings.Contains(err.Error(), "note") {
		t.Errorf("error %q does not name the evidence and the field", err)
	}
	after, _ := o.Workspace(ctx)
	if a, b := mustJSON(after), mustJSON(before); a != b {
		t.Errorf("a failed apply changed the records:\nbefore %s\nafter  %s", b, a)
	}
	if got := head(t, o); got != h {
		t.Errorf("a failed apply moved the head: %+v -> %+v", h, got)
	}
	mustVerify(t, o)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func testApplyDuplicates(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	ws := Acme()
	ws.Systems = append(ws.Systems, workspace.System{ID: "patient-api", Kind: "other"})
	if _, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{}); err == nil || !strings.Contains(err.Error(), `"patient-api"`) {
		t.Errorf("duplicate system id: %v, want an error naming it", err)
	}
	if c, _ := o.Counts(ctx); c[store.KindSystem] != 0 {
		t.Errorf("a rejected apply stored %d systems", c[store.KindSystem])
	}
}

func testEvidence(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	up, err := o.AddEvidence(ctx, "dana@acme.example", workspace.Evidence{
		Controls: []string{"access-review"}, Collected: d("2027-05-01"), File: "review.pdf",
		SHA256: strings.Repeat("ab", 32), Size: 1234, Type: "application/pdf",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(up.ID, "ev-") || len(up.ID) != 15 || up.Source != workspace.SourceUpload || up.AddedBy != "dana@acme.example" {
		t.Errorf("AddEvidence = %+v, want an ev- id, source upload, added_by the actor", up)
	}
	if up.ID != store.EvidenceID(up) {
		t.Errorf("id %s is not EvidenceID %s", up.ID, store.EvidenceID(up))
	}
	// Adding the same item again is no change.
	h := head(t, o)
	if again, err := o.AddEvidence(ctx, "dana@acme.example", up); err != nil || again.ID != up.ID || head(t, o) != h {
		t.Errorf("re-adding identical evidence: %+v, %v", again, err)
	}
	// Evidence is immutable: the same id with other content is refused.
	changed := up
	changed.Size = 99
	if _, err := o.AddEvidence(ctx, "dana@acme.example", changed); err == nil || !strings.Contains(err.Error(), up.ID) {
		t.Errorf("changing stored evidence: %v, want an error naming %s", err, up.ID)
	}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindEvidence, up.ID, changed); err == nil {
		t.Error("Put changed stored evidence")
	}
	// An apply without the upload keeps it; workspace evidence that is
	// dropped from the files is retired.
	ws := Acme()
	ws.Evidence = nil
	cs := mustApply(t, o, ws)
	if len(cs) != 1 || cs[0].Action != "retire" || cs[0].Kind != store.KindEvidence || cs[0].Key == up.ID {
		t.Errorf("apply without evidence: %v, want only the workspace item retired", summary(cs))
	}
	var kept workspace.Evidence
	if err := o.Get(ctx, store.KindEvidence, up.ID, &kept); err != nil || kept.SHA256 != up.SHA256 {
		t.Errorf("uploaded evidence after apply: %+v, %v", kept, err)
	}
	// Imported evidence is kept the same way.
	imp, err := o.AddEvidence(ctx, "importer", workspace.Evidence{Control: "vulnerability-scanning", Collected: d("2027-05-02"), Source: workspace.SourceImporter, Note: "prowler run"})
	if err != nil {
		t.Fatal(err)
	}
	if cs := mustApply(t, o, ws); len(cs) != 0 {
		t.Errorf("re-apply: %v", summary(cs))
	}
	back, _ := o.Workspace(ctx)
	var ids []string
	for _, e := range back.Evidence {
		ids = append(ids, e.ID)
	}
	if !slices.Contains(ids, up.ID) || !slices.Contains(ids, imp.ID) || len(ids) != 2 {
		t.Errorf("evidence after applies = %v, want the upload and the import", ids)
	}
	if _, err := o.AddEvidence(ctx, "x", workspace.Evidence{Collected: d("2027-05-02")}); err == nil {
		t.Error("evidence without a control was accepted")
	}
	mustVerify(t, o)
}

func testEvidenceItems(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	first, err := o.AddEvidenceItems(ctx, "dana@acme.example", []workspace.Evidence{
		{Control: "access-review", Collected: d("2027-05-01"), File: "a.pdf", SHA256: strings.Repeat("aa", 32), Size: 1, Source: workspace.SourceCLI},
		{Control: "access-review", Collected: d("2027-05-01"), File: "b.pdf", SHA256: strings.Repeat("bb", 32), Size: 2},
	})
	if err != nil || len(first) != 2 || first[0].ID == first[1].ID || first[0].Source != workspace.SourceCLI || first[1].Source != workspace.SourceUpload || first[1].AddedBy != "dana@acme.example" {
		t.Fatalf("AddEvidenceItems = %+v, %v", first, err)
	}
	// A batch whose second item would change stored evidence writes
	// nothing, not even its first item.
	h := head(t, o)
	changed := first[0]
	changed.Size = 99
	_, err = o.AddEvidenceItems(ctx, "dana@acme.example", []workspace.Evidence{
		{Control: "access-review", Collected: d("2027-05-02"), File: "c.pdf", SHA256: strings.Repeat("cc", 32), Size: 3}, changed,
	})
	if err == nil || !strings.Contains(err.Error(), first[0].ID) {
		t.Fatalf("batch changing stored evidence: %v, want an error naming %s", err, first[0].ID)
	}
	back, _ := o.Workspace(ctx)
	if n := len(back.Evidence); n != len(Acme().Evidence)+2 || head(t, o) != h {
		t.Fatalf("a failed batch wrote something: %d items", n)
	}
	// CLI evidence survives an apply of files that do not list it.
	if cs := mustApply(t, o, Acme()); len(cs) != 0 {
		t.Errorf("re-apply: %v", summary(cs))
	}
	mustVerify(t, o)
}

func testPutGetRetire(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	sys := workspace.System{ID: "ehr", Name: "EHR", Kind: "saas", PHI: true}
	c, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", sys)
	if err != nil || c.Action != "create" {
		t.Fatalf("Put new = %+v, %v", c, err)
	}
	if c, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", sys); err != nil || c.Action != "" {
		t.Errorf("Put unchanged = %+v, %v; want no change", c, err)
	}
	sys.LivePHI = true
	if c, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", sys); err != nil || c.Action != "update" || !slices.Equal(c.Fields, []string{"live_phi"}) {
		t.Errorf("Put changed = %+v, %v", c, err)
	}
	// A map (an API body) is the same record as the struct.
	if c, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", map[string]any{"id": "ehr", "name": "EHR", "kind": "saas", "phi": true, "live_phi": true}); err != nil || c.Action != "" {
		t.Errorf("Put as map = %+v, %v; want no change", c, err)
	}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", map[string]any{"id": "ehr", "kind": "saas", "colour": "red"}); err == nil {
		t.Error("Put with an unknown field was accepted")
	}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "other", sys); err == nil {
		t.Error("Put under a key that is not the record's id was accepted")
	}
	if _, err := o.Put(ctx, "dana@acme.example", "widget", "x", sys); err == nil {
		t.Error("Put of an unknown kind was accepted")
	}
	if _, err := o.Put(ctx, "", store.KindSystem, "ehr", sys); err == nil {
		t.Error("Put without an actor was accepted")
	}
	flow := workspace.Flow{From: "ehr", To: "billing", Name: "claims", PHI: true}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindFlow, "ehr->billing#claims", flow); err != nil {
		t.Errorf("Put flow by Flow.Key: %v", err)
	}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindPerson, "lee@acme.example", workspace.Person{Email: "lee@acme.example"}); err != nil {
		t.Errorf("Put person by email: %v", err)
	}
	var got workspace.System
	if err := o.Get(ctx, store.KindSystem, "ehr", &got); err != nil || got != sys {
		t.Errorf("Get = %+v, %v; want %+v", got, err, sys)
	}
	if err := o.Retire(ctx, "dana@acme.example", store.KindSystem, "ehr"); err != nil {
		t.Fatal(err)
	}
	if err := o.Get(ctx, store.KindSystem, "ehr", &got); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Retire = %v, want ErrNotFound", err)
	}
	if err := o.Retire(ctx, "dana@acme.example", store.KindSystem, "ehr"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Retire twice = %v, want ErrNotFound", err)
	}
	if err := o.Retire(ctx, "dana@acme.example", store.KindSystem, "never"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Retire unknown = %v, want ErrNotFound", err)
	}
	// Put again un-retires.
	if c, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "ehr", sys); err != nil || c.Action != "create" {
		t.Errorf("Put after Retire = %+v, %v; want create", c, err)
	}
	all, _ := o.AuditAll(ctx)
	var acts []string
	for _, e := range all[1:] {
		acts = append(acts, e.Action+" "+e.Kind)
	}
	want := []string{"create system", "update system", "create flow", "create person", "retire system", "create system"}
	if !slices.Equal(acts, want) {
		t.Errorf("audit = %q, want %q", acts, want)
	}
	mustVerify(t, o)
}

func testIsolation(t *testing.T, s *store.Store) {
	a := mustOrg(t, s, "alpha")
	b := mustOrg(t, s, "bravo")
	mustApply(t, a, Acme())
	ev, err := a.AddEvidence(ctx, "dana@acme.example", workspace.Evidence{Control: "mfa", Collected: d("2027-05-01"), Note: "alpha only"})
	if err != nil {
		t.Fatal(err)
	}
	aWS, _ := a.Workspace(ctx)
	aHead := head(t, a)

	// Nothing of alpha is visible through bravo.
	bWS, err := b.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bWS.Systems)+len(bWS.People)+len(bWS.Evidence)+len(bWS.Vendors)+len(bWS.Incidents) != 0 || bWS.Organization.Name == "Acme Health" {
		t.Errorf("bravo's workspace shows alpha's records: %s", mustJSON(bWS))
	}
	var sys workspace.System
	if err := b.Get(ctx, store.KindSystem, "patient-api", &sys); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bravo Get(alpha's system) = %v, want ErrNotFound", err)
	}
	var e workspace.Evidence
	if err := b.Get(ctx, store.KindEvidence, ev.ID, &e); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bravo Get(alpha's evidence) = %v, want ErrNotFound", err)
	}
	counts, _ := b.Counts(ctx)
	for k, n := range counts {
		if n != 0 {
			t.Errorf("bravo Counts[%s] = %d", k, n)
		}
	}
	bLog, _ := b.AuditAll(ctx)
	if len(bLog) != 1 || bLog[0].Key != "bravo" {
		t.Errorf("bravo's audit shows %d entries: %+v", len(bLog), bLog)
	}
	if bl, _ := b.AuditLog(ctx, 100, 0); len(bl) != 1 {
		t.Errorf("bravo AuditLog = %d entries", len(bl))
	}

	// Writes through bravo with alpha's keys touch only bravo.
	if err := b.Retire(ctx, "mallory", store.KindSystem, "patient-api"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bravo Retire(alpha's system) = %v, want ErrNotFound", err)
	}
	if _, err := b.Put(ctx, "mallory", store.KindSystem, "patient-api", workspace.System{ID: "patient-api", Name: "Bravo's own", Kind: "other"}); err != nil {
		t.Fatal(err)
	}
	// Bravo's files take the system over, then leave it out: retired.
	bravoFiles := &workspace.Workspace{Organization: workspace.Organization{Name: "Bravo"}, Systems: []workspace.System{{ID: "patient-api", Name: "Bravo's own", Kind: "other"}}}
	if _, err := b.Apply(ctx, "mallory", bravoFiles, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, "mallory", &workspace.Workspace{Organization: workspace.Organization{Name: "Bravo"}}, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if r, _ := b.Retired(ctx, store.KindSystem); len(r) != 1 || r[0].Key != "patient-api" {
		t.Errorf("bravo Retired = %+v", r)
	}
	if r, _ := a.Retired(ctx, store.KindSystem); len(r) != 0 {
		t.Errorf("alpha Retired after bravo's apply = %+v", r)
	}
	after, _ := a.Workspace(ctx)
	if mustJSON(after) != mustJSON(aWS) {
		t.Errorf("bravo's writes changed alpha:\nbefore %s\nafter  %s", mustJSON(aWS), mustJSON(after))
	}
	if h := head(t, a); h != aHead {
		t.Errorf("bravo's writes moved alpha's audit head: %+v -> %+v", aHead, h)
	}
	// Applying names the organization; each keeps its own name.
	if o, _ := s.OrgBySlug(ctx, "alpha"); o.Name != "Acme Health" {
		t.Errorf("alpha's name = %q, want the applied Acme Health", o.Name)
	}
	if o, _ := s.OrgBySlug(ctx, "bravo"); o.Name != "Bravo" {
		t.Errorf("bravo's name = %q, want the applied Bravo", o.Name)
	}
	mustVerify(t, a)
	mustVerify(t, b)
}

func testAccounts(t *testing.T, s *store.Store) {
	u, err := s.CreateUser(ctx, "test", "Dana@Acme.example", "Dana Kim", "$argon2id$x")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "dana@acme.example" || u.Created.IsZero() {
		t.Errorf("CreateUser = %+v", u)
	}
	if _, err := s.CreateUser(ctx, "test", "dana@acme.EXAMPLE", "Dana again", "h"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate e-mail (other case) = %v, want ErrConflict", err)
	}
	got, err := s.UserByEmail(ctx, "DANA@acme.example")
	if err != nil || got.ID != u.ID || got.PasswordHash != "$argon2id$x" {
		t.Errorf("UserByEmail = %+v, %v", got, err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@acme.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByEmail(unknown) = %v", err)
	}
	if _, err := s.UserByID(ctx, u.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByID(unknown) = %v", err)
	}
	if err := s.SetPassword(ctx, u.ID, "$argon2id$y"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, u.ID); got.PasswordHash != "$argon2id$y" {
		t.Errorf("after SetPassword: %q", got.PasswordHash)
	}
	if err := s.SetPassword(ctx, u.ID+1000, "h"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPassword(unknown) = %v", err)
	}
	s.CreateUser(ctx, "test", "alex@acme.example", "Alex", "h")
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[0].Email != "alex@acme.example" {
		t.Errorf("Users = %+v, %v", users, err)
	}
	// The password hash never goes out as JSON.
	if raw, _ := json.Marshal(got); bytes.Contains(raw, []byte("argon2id")) {
		t.Errorf("User JSON carries the password hash: %s", raw)
	}
}

func testRoles(t *testing.T, s *store.Store) {
	a := mustOrg(t, s, "alpha")
	b := mustOrg(t, s, "bravo")
	u, _ := s.CreateUser(ctx, "test", "lee@msp.example", "Lee", "h")
	if role, err := s.RoleIn(ctx, u.ID, a.Info().ID); err != nil || role != "" {
		t.Errorf("RoleIn before any = %q, %v", role, err)
	}
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, b.Info(), store.RoleAuditor); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), "owner"); err == nil {
		t.Error("an unknown role was accepted")
	}
	if role, _ := s.RoleIn(ctx, u.ID, a.Info().ID); role != store.RoleEditor {
		t.Errorf("RoleIn(alpha) = %q", role)
	}
	ms, err := s.Memberships(ctx, u.ID)
	if err != nil || len(ms) != 2 || ms[0].Org.Slug != "alpha" || ms[0].Role != store.RoleEditor || ms[1].Role != store.RoleAuditor {
		t.Errorf("Memberships = %+v, %v", ms, err)
	}
	// A change of role is audited in that organization's chain only.
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	last, _ := a.AuditLog(ctx, 1, 0)
	if len(last) != 1 || last[0].Action != "role.set" || last[0].Key != "lee@msp.example" || !strings.Contains(string(last[0].Data), `"admin"`) || last[0].Actor != "admin@msp.example" {
		t.Errorf("alpha's last entry = %+v", last)
	}
	if bl, _ := b.AuditAll(ctx); len(bl) != 2 {
		t.Errorf("bravo has %d entries, want org.create and one role.set", len(bl))
	}
	// Setting the same role again is no change.
	h := head(t, a)
	s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), store.RoleAdmin)
	if head(t, a) != h {
		t.Error("setting an unchanged role appended to the trail")
	}
	// Revoking keeps the row but removes access.
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, b.Info(), ""); err != nil {
		t.Fatal(err)
	}
	if role, _ := s.RoleIn(ctx, u.ID, b.Info().ID); role != "" {
		t.Errorf("RoleIn after revoke = %q", role)
	}
	if ms, _ := s.Memberships(ctx, u.ID); len(ms) != 1 {
		t.Errorf("Memberships after revoke = %+v", ms)
	}
	if err := s.SetRole(ctx, "x", u.ID+1000, a.Info(), store.RoleViewer); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetRole(unknown user) = %v", err)
	}
	mustVerify(t, a)
	mustVerify(t, b)
}

func testSessions(t *testing.T, s *store.Store) {
	u, _ := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "h")
	t0 := time.Date(2027, 5, 1, 9, 0, 0, 0, time.UTC)
	sess := store.Session{TokenHash: strings.Repeat("a", 64), UserID: u.ID, CSRF: "csrf-1", Created: t0, LastSeen: t0}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByHash(ctx, sess.TokenHash)
	if err != nil || got.UserID != u.ID || got.CSRF != "csrf-1" || !got.Created.Equal(t0) || !got.LastSeen.Equal(t0) {
		t.Errorf("SessionByHash = %+v, %v", got, err)
	}
	if _, err := s.SessionByHash(ctx, strings.Repeat("b", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown session = %v", err)
	}
	t1 := t0.Add(10 * time.Minute)
	if err := s.TouchSession(ctx, sess.TokenHash, t1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SessionByHash(ctx, sess.TokenHash); !got.LastSeen.Equal(t1) {
		t.Errorf("LastSeen after touch = %v, want %v", got.LastSeen, t1)
	}
	if err := s.EndSession(ctx, sess.TokenHash, t1, store.EndLogout); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, sess.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ended session = %v, want ErrNotFound", err)
	}
	if err := s.TouchSession(ctx, sess.TokenHash, t1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("touching an ended session = %v, want ErrNotFound", err)
	}
	// The hash cannot be reused for a new session: the old row is kept.
	if err := s.CreateSession(ctx, sess); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reusing an ended session's hash = %v, want ErrConflict", err)
	}
}

func testTokens(t *testing.T, s *store.Store) {
	u, _ := s.CreateUser(ctx, "test", "ci@acme.example", "CI", "h")
	hash := strings.Repeat("c", 64)
	later := time.Now().Add(24 * time.Hour)
	tok, err := s.CreateToken(ctx, "test", u.ID, "ci", hash, later)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByToken(ctx, hash); err != nil || got.ID != u.ID {
		t.Errorf("UserByToken = %+v, %v", got, err)
	}
	if _, err := s.UserByToken(ctx, strings.Repeat("d", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token = %v", err)
	}
	if _, err := s.CreateToken(ctx, "test", u.ID, "again", hash, later); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate token hash = %v, want ErrConflict", err)
	}
	if err := s.RevokeToken(ctx, "test", u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token = %v, want ErrNotFound", err)
	}
	// A disabled account's tokens stop working.
	hash2 := strings.Repeat("e", 64)
	s.CreateToken(ctx, "test", u.ID, "ci-2", hash2, later)
	if err := s.DisableUser(ctx, "test", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, hash2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token of a disabled account = %v, want ErrNotFound", err)
	}
	if got, _ := s.UserByID(ctx, u.ID); !got.Disabled {
		t.Error("UserByID does not report the account disabled")
	}
}

func testAuditLog(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	for i := range 5 {
		if err := o.Record(ctx, "dana@acme.example", "export", "workspace", fmt.Sprintf("out-%d", i), map[string]int{"records": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Record(ctx, "", "export", "workspace", "x", nil); err == nil {
		t.Error("Record without an actor was accepted")
	}
	page, err := o.AuditLog(ctx, 2, 1)
	if err != nil || len(page) != 2 || page[0].Seq != 5 || page[1].Seq != 4 {
		t.Fatalf("AuditLog(2, 1) = %+v, %v; want seq 5, 4", page, err)
	}
	if page[0].Key != "out-3" || string(page[0].Data) != `{"records":3}` || page[0].At.IsZero() {
		t.Errorf("entry = %+v", page[0])
	}
	all, _ := o.AuditLog(ctx, 0, 0)
	if len(all) != 6 || all[0].Seq != 6 || all[5].Seq != 1 {
		t.Errorf("AuditLog(all) = %d entries", len(all))
	}
	asc, _ := o.AuditAll(ctx)
	for i, e := range asc {
		if e.Seq != int64(i+1) {
			t.Fatalf("AuditAll[%d].Seq = %d", i, e.Seq)
		}
		if i > 0 && e.At.Before(asc[i-1].At) {
			t.Errorf("entry %d is earlier than entry %d", e.Seq, asc[i-1].Seq)
		}
	}
	// The exported entries verify on their own, as an auditor would check
	// them: JSON out, JSON in, audit.Verify against the head.
	raw, _ := json.MarshalIndent(asc, "", "  ")
	var back []audit.Entry
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if err := audit.Verify(back, head(t, o)); err != nil {
		t.Errorf("exported trail does not verify: %v", err)
	}
}

// testTampering edits the trail behind the store's back, one way per
// organization, and expects VerifyAudit (which reads the trail row by
// row) to name the first bad entry; 0 when the edit changes nothing the
// hash covers and the trail still verifies.
func testTampering(t *testing.T, s *store.Store) {
	tampers := []struct {
		name    string
		sql     []string
		wantSeq int64
		entries int // default 6
	}{
		{"one byte changed mid long trail", []string{`UPDATE audit SET data = replace(data, 'sys-', 'sys_') WHERE org_id = ? AND seq = 100`}, 100, 200},
		{"entry rewritten mid long trail", []string{`UPDATE audit SET key = 'sys-x', data = '{"before":null,"after":{"id":"sys-x","kind":"other"}}' WHERE org_id = ? AND seq = 120`}, 120, 200},
		{"data re-indented (still verifies)", []string{`UPDATE audit SET data = replace(data, ',"', ', "') WHERE org_id = ? AND seq = 4`}, 0, 0},
		{"time in another layout (still verifies)", []string{`UPDATE audit SET at = replace(at, 'Z', '+00:00') WHERE org_id = ? AND seq = 2`}, 0, 0},
		{"data changed", []string{`UPDATE audit SET data = '{"before":null,"after":{"id":"forged"}}' WHERE org_id = ? AND seq = 3`}, 3, 0},
		{"middle entry deleted", []string{`DELETE FROM audit WHERE org_id = ? AND seq = 3`}, 3, 0},
		{"two entries swap seq (reordered)", []string{
			`UPDATE audit SET seq = -3 WHERE org_id = ? AND seq = 3`,
			`UPDATE audit SET seq = 3 WHERE org_id = ? AND seq = 5`,
			`UPDATE audit SET seq = 5 WHERE org_id = ? AND seq = -3`,
		}, 3, 0},
		{"tail deleted (caught by the head)", []string{`DELETE FROM audit WHERE org_id = ? AND seq > 4`}, 5, 0},
		{"actor rewritten and hash recomputed elsewhere", []string{`UPDATE audit SET actor = 'nobody', hash = 'f00d' WHERE org_id = ? AND seq = 2`}, 2, 0},
		// Each field the hash covers, changed alone; and bytes moved from
		// one field to the next, which only the length prefixes tell apart.
		{"time changed", []string{`UPDATE audit SET at = replace(at, '.', '1.') WHERE org_id = ? AND seq = 4`}, 4, 0},
		{"action changed", []string{`UPDATE audit SET action = 'delete' WHERE org_id = ? AND seq = 4`}, 4, 0},
		{"kind changed", []string{`UPDATE audit SET kind = 'vendor' WHERE org_id = ? AND seq = 4`}, 4, 0},
		{"key changed", []string{`UPDATE audit SET key = 'sys-9' WHERE org_id = ? AND seq = 4`}, 4, 0},
		{"prev changed", []string{`UPDATE audit SET prev = hash WHERE org_id = ? AND seq = 4`}, 4, 0},
		{"hash changed", []string{`UPDATE audit SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE org_id = ? AND seq = 6`}, 6, 0},
		{"a byte moved from kind to key", []string{`UPDATE audit SET key = substr(kind, length(kind)) || key, kind = substr(kind, 1, length(kind) - 1) WHERE org_id = ? AND seq = 4`}, 4, 0},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			slug := strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(tt.name)
			o := mustOrg(t, s, slug)
			other := mustOrg(t, s, slug+"-bystander")
			n := tt.entries
			if n == 0 {
				n = 6
			}
			for i := range n {
				sys := workspace.System{ID: fmt.Sprintf("sys-%d", i), Kind: "other"}
				if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, sys.ID, sys); err != nil {
					t.Fatal(err)
				}
				if _, err := other.Put(ctx, "dana@acme.example", store.KindSystem, sys.ID, sys); err != nil {
					t.Fatal(err)
				}
			}
			mustVerify(t, o)
			for _, q := range tt.sql {
				n, err := s.RawExec(ctx, q, o.Info().ID)
				if err != nil || n == 0 {
					t.Fatalf("%s: %d rows, %v", q, n, err)
				}
			}
			err := o.VerifyAudit(ctx)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyAudit = %v, want nil: the hash covers the canonical form", err)
				}
				return
			}
			var bad *audit.BadEntry
			if !errors.As(err, &bad) {
				t.Fatalf("VerifyAudit after tampering = %v, want *audit.BadEntry", err)
			}
			if bad.Seq != tt.wantSeq {
				t.Errorf("VerifyAudit = %v, want the first bad entry to be %d", bad, tt.wantSeq)
			}
			// The other organization's chain is untouched and still verifies.
			mustVerify(t, other)
		})
	}
}

func testConcurrentPuts(t *testing.T, s *store.Store) {
	a := mustOrg(t, s, "alpha")
	b := mustOrg(t, s, "bravo")
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*each)
	for w := range workers {
		for _, o := range []*store.OrgStore{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					id := fmt.Sprintf("w%d-%d", w, i)
					if _, err := o.Put(ctx, "worker", store.KindSystem, id, workspace.System{ID: id, Kind: "other"}); err != nil {
						errs <- fmt.Errorf("%s %s: %w", o.Info().Slug, id, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, o := range []*store.OrgStore{a, b} {
		mustVerify(t, o)
		if h := head(t, o); h.Seq != 1+workers*each {
			t.Errorf("%s head at %d, want %d", o.Info().Slug, h.Seq, 1+workers*each)
		}
		if c, _ := o.Counts(ctx); c[store.KindSystem] != workers*each {
			t.Errorf("%s holds %d systems", o.Info().Slug, c[store.KindSystem])
		}
	}
}

func testBlobs(t *testing.T, s *store.Store) {
	sha, n, err := s.Blobs().Put(strings.NewReader("evidence bytes"))
	if err != nil || n != 14 || !s.Blobs().Has(sha) {
		t.Fatalf("Blobs().Put = %s, %d, %v", sha, n, err)
	}
	rc, err := s.Blobs().Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "evidence bytes" {
		t.Errorf("read back %q", b)
	}
}

// testWorkforceRecords: policies keep what was approved (164.316(b)(2)(i)),
// and acknowledgements and completions recorded outside the files (the
// web app, the CLI, an import) survive an apply of files that lack them.
func testWorkforceRecords(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())

	// The keys name person, policy and version; person, training and date.
	var a workspace.Acknowledgement
	if err := o.Get(ctx, store.KindAcknowledgement, "raj@acme.example|sanctions|1", &a); err != nil || a.On != d("2026-05-20") {
		t.Errorf("Get(acknowledgement) = %+v, %v", a, err)
	}
	var r workspace.TrainingRecord
	if err := o.Get(ctx, store.KindTrainingRecord, "raj@acme.example|hipaa-awareness|2026-01-10", &r); err != nil {
		t.Errorf("Get(training_record) = %+v, %v", r, err)
	}

	// A draft may change; an approved version may not, nor be dropped.
	ws := Acme()
	ws.Policies[0].Versions[1].SHA256 = strings.Repeat("c", 64)
	if cs := mustApply(t, o, ws); !slices.Equal(summary(cs), []string{"update policy sanctions (versions)"}) {
		t.Errorf("changing the draft: %v", summary(cs))
	}
	h := head(t, o)
	for name, change := range map[string]func(p *workspace.Policy){
		"text":     func(p *workspace.Policy) { p.Versions[0].SHA256 = strings.Repeat("d", 64) },
		"approval": func(p *workspace.Policy) { p.Versions[0].ApprovedOn = d("2026-05-02") },
		"dropped":  func(p *workspace.Policy) { p.Versions = p.Versions[1:] },
	} {
		ws := Acme()
		ws.Policies[0].Versions[1].SHA256 = strings.Repeat("c", 64)
		change(&ws.Policies[0])
		if _, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "version 1 was approved") {
			t.Errorf("changing the approved version's %s: %v, want refused", name, err)
		}
	}
	if got := head(t, o); got != h {
		t.Errorf("a refused change moved the audit head")
	}
	// Approving the draft is an update of the policy, on the trail.
	ws = Acme()
	ws.Policies[0].Versions[1].SHA256 = strings.Repeat("c", 64)
	ws.Policies[0].Versions[1].ApprovedBy, ws.Policies[0].Versions[1].ApprovedOn = "raj@acme.example", d("2026-11-01")
	if cs := mustApply(t, o, ws); !slices.Equal(summary(cs), []string{"update policy sanctions (versions)"}) {
		t.Errorf("approving version 2: %v", summary(cs))
	}

	// A web acknowledgement and an imported completion are kept when the
	// files (without them) are applied again; one from the files is not.
	web := workspace.Acknowledgement{Person: "dana@acme.example", Policy: "sanctions", Version: 2, On: d("2026-11-02"), Source: workspace.RecordWeb}
	if _, err := o.Save(ctx, "dana@acme.example", store.Edit{Kind: store.KindAcknowledgement, Value: web}); err != nil {
		t.Fatal(err)
	}
	imp := workspace.TrainingRecord{Person: "dana@acme.example", Training: "hipaa-awareness", Completed: d("2026-02-01"), Source: workspace.RecordImport}
	if _, err := o.Save(ctx, "dana@acme.example", store.Edit{Kind: store.KindTrainingRecord, Value: imp}); err != nil {
		t.Fatal(err)
	}
	ws.Acknowledgements = nil
	ws.TrainingRecords = nil
	got := summary(mustApply(t, o, ws))
	want := []string{"retire acknowledgement raj@acme.example|sanctions|1", "retire training_record raj@acme.example|hipaa-awareness|2026-01-10"}
	if !slices.Equal(got, want) {
		t.Errorf("apply without the records:\n got %q\nwant %q", got, want)
	}
	back, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Acknowledgements) != 1 || back.Acknowledgements[0] != web || len(back.TrainingRecords) != 1 || back.TrainingRecords[0] != imp {
		t.Errorf("after apply: acknowledgements %+v, training records %+v; want the web and imported ones kept", back.Acknowledgements, back.TrainingRecords)
	}
	// What the store holds applies back unchanged.
	if cs := mustApply(t, o, back); len(cs) != 0 {
		t.Errorf("re-applying the stored workspace: %v", summary(cs))
	}
	mustVerify(t, o)
}
