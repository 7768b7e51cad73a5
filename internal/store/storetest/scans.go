package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ward/internal/store"
	"ward/internal/workspace"
)

// scanFile is a synthetic scanner file for the contract: findings and the
// controls of each check.
type scanFile struct {
	sha        string
	at         time.Time
	findings   []store.ScanFinding
	controls   map[string][]string
	placements map[string]map[string][]string
	failAt     int // feed fails after this many findings (0: never)
}

func finding(uid, account, check, status string, at time.Time) store.ScanFinding {
	return store.ScanFinding{UID: uid, Check: check, Status: status, Severity: "high", ResourceUID: "arn:aws:s3:::" + uid,
		ResourceType: "AwsS3Bucket", Region: "us-east-1", Account: account, Time: at}
}

func (f scanFile) feed(sw *store.ScanWriter) (store.ScanInput, error) {
	for i, fd := range f.findings {
		if f.failAt > 0 && i == f.failAt {
			return store.ScanInput{}, errors.New("byte 1234: truncated")
		}
		if err := sw.Add(fd); err != nil {
			return store.ScanInput{}, err
		}
	}
	return store.ScanInput{
		Source: "prowler", Format: "ocsf", FileName: "scan-" + f.sha[:6] + ".json", SHA256: f.sha, Size: 4096,
		ScannedAt: f.at, Controls: f.controls, Placements: f.placements, Summary: map[string]int{"findings": len(f.findings)},
		Evidence: workspace.Evidence{Collected: d(f.at.Format("2006-01-02")), File: "scan-" + f.sha[:6] + ".json", Type: "application/json", Note: "Prowler scan"},
	}, nil
}

func sha(n int) string { return fmt.Sprintf("%064x", n) }

func mustImport(t *testing.T, o *store.OrgStore, f scanFile) store.ScanResult {
	t.Helper()
	r, err := o.ImportScan(ctx, "raj@acme.example", f.feed)
	if err != nil {
		t.Fatalf("ImportScan: %v", err)
	}
	return r
}

func testScanImport(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	other := mustOrg(t, s, "beta")
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	f := scanFile{sha: sha(1), at: at, controls: map[string][]string{
		"s3_encryption": {"encryption-at-rest", "access-review"},
		"iam_root_mfa":  {"mfa"},
	}}
	// Enough findings for full and partial batches, and one uid twice.
	for i := range 250 {
		status := store.FindingPass
		if i%5 == 0 {
			status = store.FindingFail
		}
		f.findings = append(f.findings, finding(fmt.Sprintf("s3-%03d", i), "111", "s3_encryption", status, at))
	}
	f.findings = append(f.findings, finding("root", "111", "iam_root_mfa", store.FindingFail, at), finding("s3-000", "111", "s3_encryption", store.FindingFail, at))
	r := mustImport(t, o, f)
	if r.Already || r.New != 251 || r.Duplicates != 1 || r.Scan.Findings != 251 || r.Scan.SHA256 != f.sha || r.Scan.Source != "prowler" {
		t.Fatalf("import: %+v", r)
	}
	// The file is evidence for the touched controls the organization
	// adopted (the fixture lists access-review, not encryption-at-rest or
	// mfa); the open findings below stay on all three.
	if r.Evidence == nil || !slices.Equal(r.Evidence.Controls, []string{"access-review"}) ||
		r.Evidence.SHA256 != f.sha || r.Evidence.Source != workspace.SourceImporter || r.Scan.EvidenceID != r.Evidence.ID {
		t.Fatalf("evidence: %+v (scan evidence %q)", r.Evidence, r.Scan.EvidenceID)
	}
	var ev workspace.Evidence
	if err := o.Get(ctx, store.KindEvidence, r.Evidence.ID, &ev); err != nil || ev.Size != 4096 {
		t.Errorf("evidence record: %+v %v", ev, err)
	}
	counts, err := o.OpenFindingCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"encryption-at-rest": 50, "access-review": 50, "mfa": 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("open counts %v, want %v", counts, want)
	}
	open, err := o.OpenFindings(ctx, "mfa", 0)
	if err != nil || len(open) != 1 || open[0].UID != "root" || open[0].EvidenceID != r.Evidence.ID || open[0].ScanID != r.Scan.ID || !open[0].Time.Equal(at) {
		t.Errorf("open on mfa: %+v %v", open, err)
	}
	if open, _ := o.OpenFindings(ctx, "access-review", 10); len(open) != 10 {
		t.Errorf("limit 10: %d", len(open))
	}
	scans, err := o.Scans(ctx)
	if err != nil || len(scans) != 1 || scans[0].ID != r.Scan.ID {
		t.Errorf("scans: %+v %v", scans, err)
	}
	if fs, err := o.ScanFindings(ctx, r.Scan.ID, 0); err != nil || len(fs) != 251 {
		t.Errorf("scan findings: %d %v", len(fs), err)
	}
	// The import is one audit entry plus the evidence record's.
	log, _ := o.AuditLog(ctx, 2, 0)
	if len(log) != 2 || log[0].Action != "import" || log[0].Kind != "scan" || log[1].Kind != store.KindEvidence {
		t.Errorf("audit: %+v", log)
	}
	mustVerify(t, o)
	// Another organization sees none of it, and can import the same file.
	if c, _ := other.OpenFindingCounts(ctx); len(c) != 0 {
		t.Errorf("other org sees %v", c)
	}
	if ss, _ := other.Scans(ctx); len(ss) != 0 {
		t.Errorf("other org sees scans %v", ss)
	}
	if _, err := other.Scan(ctx, r.Scan.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other org reads the scan: %v", err)
	}
	if r2 := mustImport(t, other, f); r2.Already || r2.New != 251 {
		t.Errorf("same file into another org: %+v", r2)
	}
}

func testScanImportAtomic(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	f := scanFile{sha: sha(7), at: at, controls: map[string][]string{"c": {"mfa"}}}
	for i := range 300 {
		f.findings = append(f.findings, finding(fmt.Sprint(i), "111", "c", store.FindingFail, at))
	}
	h := head(t, o)
	bad := f
	bad.failAt = 250
	if _, err := o.ImportScan(ctx, "raj", bad.feed); err == nil {
		t.Fatal("a failing feed imported")
	}
	if ss, _ := o.Scans(ctx); len(ss) != 0 || head(t, o) != h {
		t.Fatalf("a failed import wrote: %v", ss)
	}
	if c, _ := o.OpenFindingCounts(ctx); len(c) != 0 {
		t.Fatalf("a failed import left findings: %v", c)
	}
	bad.failAt = 0
	bad.findings = append(slices.Clone(f.findings), store.ScanFinding{UID: "x", Check: "c", Status: "BROKEN"})
	if _, err := o.ImportScan(ctx, "raj", bad.feed); err == nil {
		t.Fatal("a bad status imported")
	}
	r := mustImport(t, o, f)
	h = head(t, o)
	again := mustImport(t, o, f)
	if !again.Already || again.Scan.ID != r.Scan.ID || again.New != 0 || head(t, o) != h {
		t.Fatalf("re-import: %+v (head moved: %v)", again, head(t, o) != h)
	}
	if ss, _ := o.Scans(ctx); len(ss) != 1 {
		t.Errorf("%d scans after a re-import", len(ss))
	}
	if c, _ := o.OpenFindingCounts(ctx); c["mfa"] != 300 {
		t.Errorf("open after re-import: %v", c)
	}
	mustVerify(t, o)
}

func testScanSupersession(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	t1 := time.Date(2027, 5, 1, 12, 0, 0, 0, time.UTC)
	t2 := t1.AddDate(0, 0, 7)
	t0 := t1.AddDate(0, 0, -7)
	ctl := map[string][]string{"s3": {"encryption-at-rest"}, "mfa": {"mfa"}}
	first := scanFile{sha: sha(1), at: t1, controls: ctl, findings: []store.ScanFinding{
		finding("a", "111", "s3", store.FindingFail, t1),
		finding("b", "111", "s3", store.FindingFail, t1),
		finding("c", "222", "s3", store.FindingFail, t1), // another account
		finding("d", "111", "mfa", store.FindingFail, t1),
	}}
	r1 := mustImport(t, o, first)
	// A week later account 111's s3 check is fixed; mfa was not scanned.
	second := scanFile{sha: sha(2), at: t2, controls: ctl, findings: []store.ScanFinding{
		finding("a", "111", "s3", store.FindingPass, t2),
		finding("b", "111", "s3", store.FindingPass, t2),
	}}
	r2 := mustImport(t, o, second)
	if r2.Superseded != 1 || r2.Outdated != 0 {
		t.Errorf("second scan superseded %d, outdated %d; want 1 pair (111/s3), 0", r2.Superseded, r2.Outdated)
	}
	counts, _ := o.OpenFindingCounts(ctx)
	if want := map[string]int{"encryption-at-rest": 1, "mfa": 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("open after the fix: %v, want %v (222's s3 and 111's mfa stay open)", counts, want)
	}
	// History is kept: the first scan still has its four findings.
	if fs, _ := o.ScanFindings(ctx, r1.Scan.ID, 0); len(fs) != 4 || fs[0].Status != store.FindingFail {
		t.Errorf("history of the first scan: %+v", fs)
	}
	// An older file imported late changes nothing that is current.
	late := scanFile{sha: sha(3), at: t0, controls: ctl, findings: []store.ScanFinding{
		finding("a", "111", "s3", store.FindingFail, t0),
		finding("d", "111", "mfa", store.FindingFail, t0),
	}}
	r3 := mustImport(t, o, late)
	if r3.Superseded != 0 || r3.Outdated != 2 {
		t.Errorf("late scan: superseded %d, outdated %d; want 0 and 2", r3.Superseded, r3.Outdated)
	}
	if c, _ := o.OpenFindingCounts(ctx); fmt.Sprint(c) != fmt.Sprint(counts) {
		t.Errorf("open after a late old scan: %v, want %v", c, counts)
	}
	mustVerify(t, o)
}

// A check lands on controls per framework (a Prowler finding's HIPAA ids
// place it for HIPAA, its SOC 2 ids for SOC 2): the counts per framework
// keep them apart, the counts per control and the open items of a control
// count each finding once, and the open checks name every control.
func testScanPlacementByFramework(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	f := scanFile{sha: sha(40), at: at, placements: map[string]map[string][]string{
		"hipaa": {"s3_public": {"network-segmentation", "role-based-access"}, "kms_rotation": {"key-management"}},
		"soc2":  {"s3_public": {"network-segmentation"}, "vpc_flow_logs": {"audit-logging"}},
	}}
	for i := range 3 {
		f.findings = append(f.findings, finding(fmt.Sprintf("pub-%d", i), "111", "s3_public", store.FindingFail, at))
	}
	f.findings = append(f.findings, finding("kms", "111", "kms_rotation", store.FindingFail, at),
		finding("flow", "111", "vpc_flow_logs", store.FindingFail, at), finding("flow-ok", "111", "vpc_flow_logs", store.FindingPass, at),
		finding("nowhere", "111", "account_contact", store.FindingFail, at))
	mustImport(t, o, f)
	by, err := o.OpenFindingCountsBy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		"hipaa": {"network-segmentation": 3, "role-based-access": 3, "key-management": 1},
		"soc2":  {"network-segmentation": 3, "audit-logging": 1},
	}
	if fmt.Sprint(by) != fmt.Sprint(want) {
		t.Errorf("counts by framework %v, want %v", by, want)
	}
	counts, _ := o.OpenFindingCounts(ctx)
	if counts["network-segmentation"] != 3 {
		t.Errorf("network-segmentation counted %d times for 3 findings (once per framework?)", counts["network-segmentation"])
	}
	if open, _ := o.OpenFindings(ctx, "network-segmentation", 0); len(open) != 3 {
		t.Errorf("open items on network-segmentation: %d, want 3", len(open))
	}
	checks, err := o.OpenChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(checks)
	if w := "[{account_contact 1 []} {kms_rotation 1 [key-management]} {s3_public 3 [network-segmentation role-based-access]} {vpc_flow_logs 1 [audit-logging]}]"; got != w {
		t.Errorf("open checks %s, want %s", got, w)
	}
	ws, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws.ScanFailingFor("hipaa", "audit-logging") != 0 || ws.ScanFailingFor("soc2", "audit-logging") != 1 || ws.ScanFailingFor("csf", "audit-logging") != 1 || len(ws.ScanChecks) != 4 {
		t.Errorf("workspace: by %v, checks %v", ws.ScanFailingBy, ws.ScanChecks)
	}
}

// A finding is keyed by its uid and its resource: two resources that
// share a uid are both kept, and the same uid and resource twice keeps
// the failing one, whether the two meet within one batch or across
// batches. A muted finding is kept and counts as no open failure.
func testScanFindingKey(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	f := scanFile{sha: sha(41), at: at, controls: map[string][]string{"storage_public": {"network-segmentation"}}}
	twin := func(rg, status string) store.ScanFinding {
		fd := finding("prowler-azure-storage_public-sub-eastus-exports", "sub", "storage_public", status, at)
		fd.ResourceUID = "/subscriptions/sub/resourcegroups/" + rg + "/providers/Microsoft.Storage/storageAccounts/exports"
		return fd
	}
	// Within one batch: PASS then FAIL for rg-a; another resource group.
	f.findings = append(f.findings, twin("rg-a", store.FindingPass), twin("rg-b", store.FindingPass), twin("rg-a", store.FindingFail))
	// Across batches: a FAIL first, a PASS for the same key 200 rows later.
	f.findings = append(f.findings, twin("rg-c", store.FindingFail))
	for i := range 200 {
		f.findings = append(f.findings, finding(fmt.Sprintf("pad-%03d", i), "sub", "storage_public", store.FindingPass, at))
	}
	f.findings = append(f.findings, twin("rg-c", store.FindingPass), twin("rg-d", store.FindingPass))
	for i := range 200 {
		f.findings = append(f.findings, finding(fmt.Sprintf("pad2-%03d", i), "sub", "storage_public", store.FindingPass, at))
	}
	f.findings = append(f.findings, twin("rg-d", store.FindingFail))
	muted := twin("rg-e", store.FindingMuted)
	muted.Note = "muted in Prowler's mutelist (risk accepted); Prowler's status: FAIL"
	f.findings = append(f.findings, muted)
	r := mustImport(t, o, f)
	if r.New != 405 || r.Duplicates != 3 {
		t.Errorf("new %d duplicates %d, want 405 and 3", r.New, r.Duplicates)
	}
	fs, err := o.ScanFindings(ctx, r.Scan.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, fd := range fs {
		if strings.HasPrefix(fd.UID, "prowler-azure") {
			status[fd.ResourceUID[strings.Index(fd.ResourceUID, "resourcegroups/")+15:][:4]] = fd.Status
			if fd.Status == store.FindingMuted && !strings.Contains(fd.Note, "Prowler's status: FAIL") {
				t.Errorf("muted note lost: %+v", fd)
			}
		}
	}
	if want := "map[rg-a:FAIL rg-b:PASS rg-c:FAIL rg-d:FAIL rg-e:MUTED]"; fmt.Sprint(status) != want {
		t.Errorf("statuses %v, want %s", status, want)
	}
	if c, _ := o.OpenFindingCounts(ctx); c["network-segmentation"] != 3 {
		t.Errorf("open on network-segmentation: %v, want 3 (the muted one is not open)", c)
	}
}

func staged(t *testing.T, o *store.OrgStore) (int, int) {
	t.Helper()
	n, f, err := o.StagedImports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n, f
}

// Issue 20, finding 12: a large import held the write lock for its whole
// length, and web writes failed meanwhile. The findings are staged in
// short transactions (slices: during the feed on PostgreSQL; on SQLite
// once they are sorted, after it): a write from elsewhere gets in while
// the import is still feeding, and another while it writes its slices;
// readers never see a part of the scan, and the scan appears whole at
// the end. The feed goes on until the first write is done and at least
// minFindings (several slices) are fed; the second write is started
// after the first slice and watched at each later one. No clock is read.
func testScanImportLetsWritersIn(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	const maxFindings, minFindings = 400000, 40000
	wrote, wrote2 := make(chan error, 1), make(chan error, 1)
	var writtenAt, stagedSeen, fed, slices, written2At int
	var midScans []store.Scan
	var midOpen map[string]int
	watch := func() {
		if stagedSeen == 0 {
			if _, f := staged(t, o); f > 0 {
				// Part of the scan is stored, committed, and unseen.
				stagedSeen = f
				midScans, _ = o.Scans(ctx)
				midOpen, _ = o.OpenFindingCounts(ctx)
			}
		}
	}
	feed := func(sw *store.ScanWriter) (store.ScanInput, error) {
		sw.AfterSlice = func() {
			slices++
			watch()
			switch {
			case slices == 1:
				go func() {
					_, err := o.Put(ctx, "erin@acme.example", store.KindVendor, "mail-co", workspace.Vendor{ID: "mail-co", Name: "MailCo"})
					wrote2 <- err
				}()
			case written2At == 0:
				select {
				case err := <-wrote2:
					if err != nil {
						t.Errorf("a write while the import wrote its slices failed: %v", err)
					}
					written2At = slices
				default:
				}
			}
		}
		for i := 0; i < maxFindings; i++ {
			status := store.FindingPass
			if i%4 == 0 {
				status = store.FindingFail
			}
			if err := sw.Add(finding(fmt.Sprintf("f-%07d", i), "111", fmt.Sprintf("check_%d", i%7), status, at)); err != nil {
				return store.ScanInput{}, err
			}
			fed = i + 1
			switch {
			case i == 1000:
				go func() {
					_, err := o.Put(ctx, "dana@acme.example", store.KindVendor, "fax-co", workspace.Vendor{ID: "fax-co", Name: "FaxCo"})
					wrote <- err
				}()
			case i > 1000 && writtenAt == 0 && i%500 == 0:
				select {
				case err := <-wrote:
					if err != nil {
						return store.ScanInput{}, fmt.Errorf("a write during the import failed: %w", err)
					}
					writtenAt = i
				default:
				}
			case writtenAt > 0 && i%500 == 0:
				watch()
			}
			if writtenAt > 0 && i >= max(writtenAt+2000, minFindings) {
				break
			}
		}
		return store.ScanInput{Source: "prowler", Format: "ocsf", FileName: "big.json", SHA256: sha(42), Size: 1 << 20, ScannedAt: at,
			Controls: map[string][]string{"check_0": {"access-review"}}, Evidence: workspace.Evidence{Collected: d("2027-05-02"), Note: "big scan"}}, nil
	}
	r, err := o.ImportScan(ctx, "raj@acme.example", feed)
	if err != nil {
		t.Fatal(err)
	}
	if writtenAt == 0 {
		t.Fatalf("no write got in during the import (%d findings fed)", fed)
	}
	if stagedSeen == 0 {
		t.Fatalf("no staged finding was ever committed during the import (%d findings fed, %d slices)", fed, slices)
	}
	if written2At == 0 {
		t.Errorf("a write started after the import's first slice got in at none of the %d later ones", slices-1)
	}
	if len(midScans) != 0 || len(midOpen) != 0 {
		t.Errorf("during the import, with %d findings staged, readers saw scans %v and open findings %v", stagedSeen, midScans, midOpen)
	}
	if r.New != fed || r.Scan.Findings != fed {
		t.Errorf("import: %d new, scan of %d findings; %d were fed", r.New, r.Scan.Findings, fed)
	}
	wantFail := (fed + 3) / 4
	if n, _ := o.OpenFindingTotal(ctx); n != wantFail {
		t.Errorf("open findings %d, want %d", n, wantFail)
	}
	if n, f := staged(t, o); n != 0 || f != 0 {
		t.Errorf("after the import, %d staged imports with %d findings remain", n, f)
	}
	var v workspace.Vendor
	for _, id := range []string{"fax-co", "mail-co"} {
		if err := o.Get(ctx, store.KindVendor, id, &v); err != nil {
			t.Errorf("the write made during the import: %v", err)
		}
	}
	mustVerify(t, o)
}

// An import that fails after some of its findings were committed to the
// staging area, and the same file imported twice, leave nothing: no scan,
// no staged row, no audit entry. A staged import abandoned by a killed
// process is removed by the organization's next import.
func testScanImportStagingRollsBack(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	f := scanFile{sha: sha(9), at: at, controls: map[string][]string{"c": {"mfa"}}}
	for i := range 25000 {
		f.findings = append(f.findings, finding(fmt.Sprintf("%06d", i), "111", "c", store.FindingFail, at))
	}
	h := head(t, o)
	bad := f
	bad.failAt = 24000 // past a slice of 20,000
	if _, err := o.ImportScan(ctx, "raj", bad.feed); err == nil {
		t.Fatal("a failing feed imported")
	}
	if n, fs := staged(t, o); n != 0 || fs != 0 || head(t, o) != h {
		t.Fatalf("a failed import left %d staged imports, %d findings (head moved: %v)", n, fs, head(t, o) != h)
	}
	if ss, _ := o.Scans(ctx); len(ss) != 0 {
		t.Fatalf("a failed import is visible: %v", ss)
	}
	mustImport(t, o, f)
	h = head(t, o)
	if again := mustImport(t, o, f); !again.Already || head(t, o) != h {
		t.Errorf("re-import: %+v", again)
	}
	if n, fs := staged(t, o); n != 0 || fs != 0 {
		t.Errorf("a re-import left %d staged imports, %d findings", n, fs)
	}
	// A killed import's staging, its lease run out.
	org := o.Info().ID
	if _, err := s.RawExec(ctx, `INSERT INTO scans (org_id, source, format, file_name, scanned_at, imported_at, imported_by, staged_until)
		VALUES (?, '', '', '', '', '2027-05-02T12:00:00.000000000Z', 'raj', '2000-01-01T00:00:00.000000000Z')`, org); err != nil {
		t.Fatal(err)
	}
	if n, _ := staged(t, o); n != 1 {
		t.Fatalf("the abandoned staging is not there: %d", n)
	}
	mustImport(t, o, scanFile{sha: sha(10), at: at, controls: f.controls, findings: f.findings[:10]})
	if n, fs := staged(t, o); n != 0 || fs != 0 {
		t.Errorf("the next import left the abandoned staging: %d, %d", n, fs)
	}
	mustVerify(t, o)
}
