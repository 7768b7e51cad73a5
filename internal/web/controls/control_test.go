package controls_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

func sha(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

// TestControlPageAPI: the JSON twin carries the mappings, the Type II
// window's occurrences (October 2026 a red exception for the demo's
// skipped vulnerability scan) and the evidence, superseded items kept.
func TestControlPageAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])

	r := e.Get(c, "/api/v1/orgs/alpha/controls/vulnerability-scanning?as_of="+webtest.DemoAsOf)
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	var p controls.ControlPage
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != "implemented" || p.Frequency != "monthly" || p.Schedule.Window != "type2" {
		t.Errorf("got status %q frequency %q window %q", p.Status, p.Frequency, p.Schedule.Window)
	}
	// The demo's window: six months from 2026-10-01.
	var states []string
	for _, c := range p.Schedule.Cells {
		states = append(states, c.Label+":"+c.Status)
	}
	want := []string{"2026-10:exception", "2026-11:covered", "2026-12:upcoming", "2027-01:upcoming", "2027-02:upcoming", "2027-03:upcoming"}
	if !slices.Equal(states, want) {
		t.Errorf("occurrences %v, want %v", states, want)
	}
	var fws []string
	for _, m := range p.Mappings {
		fws = append(fws, m.Framework)
	}
	if !slices.Equal(fws, []string{"hipaa", "soc2", "csf"}) {
		t.Errorf("mappings for %v, want hipaa, soc2, csf", fws)
	}

	// access-review: the corrected Q3 review supersedes the first; both listed.
	r = e.Get(c, "/api/v1/orgs/alpha/controls/access-review?as_of="+webtest.DemoAsOf)
	p = controls.ControlPage{}
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	by := map[string]kit.EvidenceRow{}
	for _, ev := range p.Evidence {
		by[ev.ID] = ev
	}
	if by["ev-access-review-2026-q3"].SupersededBy != "ev-access-review-2026-q3-corrected" {
		t.Errorf("the first Q3 review is not shown superseded: %+v", by["ev-access-review-2026-q3"])
	}
	if _, ok := by["ev-access-review-2026-q3-corrected"]; !ok {
		t.Error("the correction is not listed")
	}

	// A control that is in neither the catalog nor the workspace.
	if r := e.Get(c, "/api/v1/orgs/alpha/controls/no-such-control"); r.StatusCode != 404 {
		t.Errorf("unknown control: status %d, want 404", r.StatusCode)
	}
	// The page itself strikes the superseded item through.
	page := e.Get(c, "/orgs/alpha/controls/access-review?as_of="+webtest.DemoAsOf)
	if !strings.Contains(page.Body, `class="ev superseded" data-id="ev-access-review-2026-q3"`) {
		t.Error("the page does not mark the superseded item")
	}
}

// TestControlScheduleCountsWorkforceRecords: the security reminders sent
// on 2026-10-05 and 2026-11-02 are the security-reminders control's
// evidence for those months (164.308(a)(5)(ii)(A)); the page's standing
// says so, and its Type II strip must agree: covered, not exceptions. The
// controls list shows the current month the same way as the standing.
func TestControlScheduleCountsWorkforceRecords(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	r := e.Get(c, "/api/v1/orgs/alpha/controls/security-reminders?as_of="+webtest.DemoAsOf)
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	var p controls.ControlPage
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, c := range p.Schedule.Cells {
		states = append(states, c.Label+":"+c.Status)
	}
	want := []string{"2026-10:covered", "2026-11:covered", "2026-12:upcoming", "2027-01:upcoming", "2027-02:upcoming", "2027-03:upcoming"}
	if !slices.Equal(states, want) {
		t.Errorf("security-reminders occurrences %v, want %v (standing: %s)", states, want, p.Standing.Reason)
	}
	if p.Schedule.Counts["exception"] != 0 {
		t.Errorf("security-reminders: %d exceptions, readiness has none", p.Schedule.Counts["exception"])
	}
	l := e.Get(c, "/api/v1/orgs/alpha/controls?as_of="+webtest.DemoAsOf)
	var list controls.ControlList
	if err := json.Unmarshal([]byte(l.Body), &list); err != nil {
		t.Fatal(err)
	}
	for _, row := range list.Controls {
		if row.ID == "security-reminders" && (row.Period == nil || row.Period.Status != "covered") {
			t.Errorf("controls list: security-reminders this month %+v, want covered (the 2026-11-02 reminder)", row.Period)
		}
	}
}

// TestEvidenceUploadPermissions: who may upload and download, across
// organizations, and what the CSRF token and the size limit do.
func TestEvidenceUploadPermissions(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{MaxUpload: 64 << 10})
	e.SeedDemo()
	const path = "/orgs/alpha/controls/vulnerability-scanning/evidence"
	fields := func(csrf string) map[string]string {
		return map[string]string{"csrf": csrf, "collected": "2026-10-15", "note": "October scan, run late"}
	}
	files := [][2]string{{"scan-a.txt", "scan A\n"}, {"scan-b.csv", "host,finding\nweb,none\n"}}

	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	if r := e.Upload(viewer, path, fields(vtok), files, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer upload: status %d, want 403", r.StatusCode)
	}
	auditor, atok := e.Login(e.Users[store.RoleAuditor])
	if r := e.Upload(auditor, path, fields(atok), files, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("auditor upload: status %d, want 403 (auditors are read-only)", r.StatusCode)
	}
	editor, etok := e.Login(e.Users[store.RoleEditor])
	if r := e.Upload(editor, path, fields(""), files, nil); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "security token") {
		t.Errorf("upload without the CSRF token: status %d, want 403", r.StatusCode)
	}
	if r := e.Upload(editor, "/api/v1"+path, fields(""), files, map[string]string{"X-CSRF-Token": "wrong"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("upload with a wrong X-CSRF-Token: status %d, want 403", r.StatusCode)
	}
	big := [][2]string{{"huge.bin", strings.Repeat("x", 65<<10)}}
	if r := e.Upload(editor, path, fields(etok), big, nil); r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "over the limit of 64.0 KiB") {
		t.Errorf("too large: status %d, want 413 naming the limit: %.300s", r.StatusCode, r.Body)
	}
	bad := fields(etok)
	bad["period_start"] = "2026-10-01"
	if r := e.Upload(editor, path, bad, files, nil); r.StatusCode != 400 || !strings.Contains(r.Body, "period_end") {
		t.Errorf("half a period: status %d, want 400 naming period_end", r.StatusCode)
	}
	bad["period_end"] = "2026-13-01"
	if r := e.Upload(editor, path, bad, files, nil); r.StatusCode != 400 || !strings.Contains(r.Body, "period_end: &#34;2026-13-01&#34; is not a date") {
		t.Errorf("bad date: status %d, want 400 naming the field: %.300s", r.StatusCode, r.Body)
	}
	// board-oversight is in the catalog but the demo has not adopted it.
	if r := e.Upload(editor, "/orgs/alpha/controls/board-oversight/evidence", fields(etok), files, nil); r.StatusCode != 400 || !strings.Contains(r.Body, "not adopted") {
		t.Errorf("evidence for a control not adopted: status %d, want 400", r.StatusCode)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	before := len(ws.Evidence)

	// The editor's upload, through the form (no script): a redirect back.
	r := e.Upload(editor, path+"?as_of="+webtest.DemoAsOf, fields(etok), files, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/controls/vulnerability-scanning?added=2&as_of="+webtest.DemoAsOf+"#evidence" {
		t.Fatalf("upload: status %d Location %q: %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	ws, _ = e.Store.Org(e.OrgA).Workspace(context.Background())
	if len(ws.Evidence) != before+2 {
		t.Fatalf("%d evidence items after uploading two, had %d", len(ws.Evidence), before)
	}
	var added []workspace.Evidence
	for _, ev := range ws.Evidence {
		if ev.Source == workspace.SourceUpload {
			added = append(added, ev)
		}
	}
	if len(added) != 2 {
		t.Fatalf("uploaded items: %+v", added)
	}
	for i, ev := range added {
		if ev.SHA256 != sha(files[i][1]) || ev.Size != int64(len(files[i][1])) || ev.AddedBy != e.Users[store.RoleEditor].Email || ev.Collected.String() != "2026-10-15" {
			t.Errorf("stored %+v for %s", ev, files[i][0])
		}
	}
	if added[0].Type != "text/plain" || added[1].Type != "text/csv" {
		t.Errorf("types %q, %q", added[0].Type, added[1].Type)
	}
	log, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 2, 0)
	if len(log) != 2 || log[0].Action != "create" || log[0].Kind != store.KindEvidence || log[0].Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("the upload is not in the audit trail: %+v", log)
	}

	// Download: an auditor may, a viewer may not; the file comes back
	// byte for byte, as an attachment, with its type and nosniff.
	dl := "/orgs/alpha/evidence/" + added[1].ID + "/file"
	if r := e.Fetch(viewer, vtok, dl); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer download: status %d, want 403", r.StatusCode)
	}
	r = e.Fetch(auditor, atok, dl)
	if r.StatusCode != 200 || r.Body != files[1][1] {
		t.Fatalf("auditor download: status %d body %q", r.StatusCode, r.Body)
	}
	for k, v := range map[string]string{
		"Content-Type":           "text/csv",
		"Content-Disposition":    `attachment; filename=` + strings.TrimPrefix(added[1].File, "evidence/uploads/"),
		"X-Content-Type-Options": "nosniff",
		"X-Evidence-SHA256":      sha(files[1][1]),
	} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("download header %s = %q, want %q", k, got, v)
		}
	}
	log, _ = e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if log[0].Action != "download" || log[0].Key != added[1].ID || log[0].Actor != e.Users[store.RoleAuditor].Email {
		t.Errorf("the download is not in the audit trail: %+v", log[0])
	}

	// Another organization: bravo's admin cannot reach alpha's file, not
	// even through bravo's own path.
	bravo, btok := e.Login(e.Bravo)
	if r := e.Fetch(bravo, btok, dl); r.StatusCode != 404 {
		t.Errorf("bravo admin downloading alpha's evidence: status %d, want 404", r.StatusCode)
	}
	if r := e.Fetch(bravo, btok, "/orgs/bravo/evidence/"+added[1].ID+"/file"); r.StatusCode != 404 || strings.Contains(r.Body, files[1][1]) {
		t.Errorf("alpha's evidence id under bravo: status %d, want 404", r.StatusCode)
	}

	// The JSON twin, with the header token: 201 and the items.
	r = e.Upload(editor, "/api/v1"+path, map[string]string{"collected": "2026-11-30"}, [][2]string{{"late.txt", "late\n"}}, map[string]string{"X-CSRF-Token": etok})
	var res controls.UploadResult
	if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.Body), &res) != nil || len(res.Added) != 1 || res.Added[0].SHA256 != sha("late\n") {
		t.Errorf("API upload: status %d body %.300s", r.StatusCode, r.Body)
	}
}

// TestControlEdit: the implementation form, with the workspace's rules
// and 164.306(d)(3) for HIPAA addressable specifications.
func TestControlEdit(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, tok := e.Login(e.Users[store.RoleEditor])
	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	const path = "/orgs/alpha/controls/automatic-logoff"
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {tok}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	if r := e.PostForm(viewer, path, url.Values{"csrf": {vtok}, "status": {"planned"}}); r.StatusCode != 403 {
		t.Errorf("viewer edit: status %d, want 403", r.StatusCode)
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"unknown status", form("status", "done"), 400, "status: &#34;done&#34; is not one of planned, in-progress, implemented, not-applicable"},
		{"unknown frequency", form("status", "implemented", "frequency", "hourly"), 400, "frequency:"},
		{"owner not a person", form("status", "implemented", "owner", "nobody@x.example"), 400, "owner:"},
		{"not applicable without a reason", form("status", "not-applicable"), 400, "justification:"},
		// automatic-logoff answers 164.312(a)(2)(iii), an addressable
		// specification: 164.306(d)(3) asks for the equivalent measure.
		{"addressable without an equivalent measure", form("status", "not-applicable", "justification", "kiosk mode only"), 400, "equivalent_measure: automatic-logoff answers HIPAA addressable specifications (164.312(a)(2)(iii))"},
		{"addressable, documented", form("status", "not-applicable", "justification", "kiosk mode only", "equivalent_measure", "badge tap-out ends the session"), 303, ""},
	}
	for _, c := range cases {
		r := e.PostForm(editor, path, c.form)
		if r.StatusCode != c.status || !strings.Contains(r.Body, c.says) {
			t.Errorf("%s: status %d, want %d with %q: %.400s", c.name, r.StatusCode, c.status, c.says, r.Body)
		}
	}
	var got workspace.Control
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindControl, "automatic-logoff", &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "not-applicable" || got.EquivalentMeasure != "badge tap-out ends the session" || got.Owner != "raj@acme-health.example" {
		t.Errorf("stored %+v", got)
	}
	log, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if log[0].Action != "update" || log[0].Key != "automatic-logoff" || log[0].Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("the edit is not audited: %+v", log[0])
	}
	// Adopting a catalog control the demo does not list, through the JSON twin.
	body := strings.NewReader(`{"status": "planned", "owner": "raj@acme-health.example", "frequency": "annual"}`)
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/controls/board-oversight", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tok)
	if r := e.Send(editor, req); r.StatusCode != 200 {
		t.Errorf("adopt via API: status %d: %s", r.StatusCode, r.Body)
	}
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindControl, "board-oversight", &got); err != nil || got.Status != "planned" || got.Frequency != "annual" {
		t.Errorf("adopted %+v, %v", got, err)
	}
}

// TestBrowserEvidenceUpload is the control page in Chromium: the calendar
// strip shows the demo's Type II exception in red; two files dropped on
// the page are uploaded by the script, listed with their SHA-256, and the
// October occurrence turns green; a correction chosen with the file input
// supersedes one of them, which stays listed, struck through.
func TestBrowserEvidenceUpload(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	e.BrowserLogin(b, e.Users[store.RoleEditor])

	b.Navigate(e.HTTP.URL + "/orgs/alpha/controls/vulnerability-scanning?as_of=" + webtest.DemoAsOf)
	b.WaitVisible("svg.calendar")
	oct := `svg.calendar g.occ[data-period="2026-10"]`
	if n := b.Count(oct + ".exception"); n != 1 {
		t.Fatalf("October 2026 is not an exception cell on the strip")
	}
	fill := func(sel string) string {
		t.Helper()
		q, _ := json.Marshal(sel + " rect")
		ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(`+string(q)+`)).fill`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if f := fill(oct); f != "rgb(192, 57, 43)" {
		t.Errorf("the exception cell is drawn %s, want red", f)
	}
	if n := b.Count("svg.calendar g.occ"); n != 6 {
		t.Errorf("%d cells, want 6 (a six-month window of a monthly control)", n)
	}
	b.Screenshot("control-before")

	// Drop two files on the zone, as a person dragging them from the
	// desktop would (the DataTransfer is built in the page).
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		document.querySelector('input[name="collected"]').value = "2026-10-20";
		const dt = new DataTransfer();
		dt.items.add(new File(["october scan, run late\n"], "scan-2026-10.txt", {type: "text/plain"}));
		dt.items.add(new File(["host,severity\nweb,low\n"], "scan-2026-10.csv", {type: "text/csv"}));
		const zone = document.querySelector(".dropzone");
		zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true;
	})()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Text(".dropzone .chosen"); !strings.Contains(got, "scan-2026-10.txt") || !strings.Contains(got, "scan-2026-10.csv") {
		t.Errorf("the dropped files are not listed: %q", got)
	}
	// The status line follows the upload (XMLHttpRequest's progress),
	// kept in sessionStorage as the page reloads after it.
	ctx, cancel = context.WithTimeout(b.Context(), 10*time.Second)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		const status = document.querySelector(".upload-form .progress");
		sessionStorage.setItem("uploadStatus", "");
		new MutationObserver(function () {
			sessionStorage.setItem("uploadStatus", sessionStorage.getItem("uploadStatus") + status.textContent + "\n");
		}).observe(status, {childList: true, characterData: true, subtree: true});
		return true;
	})()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	b.Click(`.upload-form button[type="submit"]`)
	b.WaitText(".notice", "Added 2 evidence items", 10*time.Second)
	ctx, cancel = context.WithTimeout(b.Context(), 5*time.Second)
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem("uploadStatus") || ""`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(statuses, "Uploaded ") || !strings.Contains(statuses, "(100%)") {
		t.Errorf("the upload's status line did not show its progress: %q", statuses)
	}
	for _, content := range []string{"october scan, run late\n", "host,severity\nweb,low\n"} {
		if n := b.Count(`table.evidence tr[data-sha256="` + sha(content) + `"]`); n != 1 {
			t.Errorf("no evidence row with SHA-256 %s", sha(content))
		}
	}
	if n := b.Count(oct + ".covered"); n != 1 {
		t.Errorf("October 2026 is not covered after the upload")
	}
	if f := fill(oct); f != "rgb(47, 122, 79)" {
		t.Errorf("the covered cell is drawn %s, want green", f)
	}
	if !strings.Contains(b.URL(), "as_of="+webtest.DemoAsOf) {
		t.Errorf("after the upload the page lost its date: %s", b.URL())
	}
	b.Screenshot("control-after-drop")

	// A correction through the plain file input, superseding the .txt.
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	var first string
	for _, ev := range ws.Evidence {
		if ev.SHA256 == sha("october scan, run late\n") {
			first = ev.ID
		}
	}
	dir := t.TempDir()
	corrected := filepath.Join(dir, "scan-2026-10-corrected.txt")
	os.WriteFile(corrected, []byte("october scan, full report\n"), 0o644)
	b.Do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`.upload-form input[type="file"]`), []string{corrected}))
	b.Do("choose what it supersedes", chromedp.SetValue(chromedp.CSS(`select[name="supersedes"]`), first))
	b.Do("set the date", chromedp.SetValue(chromedp.CSS(`input[name="collected"]`), "2026-10-21"))
	b.Click(`.upload-form button[type="submit"]`)
	b.WaitText(".notice", "Added 1 evidence item", 10*time.Second)
	if n := b.Count(`table.evidence tr.superseded[data-id="` + first + `"]`); n != 1 {
		t.Errorf("the superseded item is not listed struck through")
	}
	if n := b.Count(`table.evidence tr[data-sha256="` + sha("october scan, full report\n") + `"]`); n != 1 {
		t.Errorf("the correction is not listed")
	}
	b.Screenshot("control-superseded")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", p)
	}
}

// TestEvidenceList: every item, filtered by control and source, the
// superseded one kept and marked; the menu links the page.
func TestEvidenceList(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(q string) controls.EvidenceList {
		t.Helper()
		r := e.Get(c, "/api/v1/orgs/alpha/evidence"+q)
		var l controls.EvidenceList
		if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &l) != nil {
			t.Fatalf("evidence%s: status %d: %.300s", q, r.StatusCode, r.Body)
		}
		return l
	}
	if l := get(""); len(l.Evidence) != len(ws.Evidence) || l.Total != len(ws.Evidence) {
		t.Errorf("%d rows, want all %d", len(l.Evidence), len(ws.Evidence))
	}
	l := get("?control=access-review")
	var ids []string
	for _, r := range l.Evidence {
		ids = append(ids, r.ID+"/"+r.SupersededBy)
	}
	want := []string{"ev-access-review-2026-q3-corrected/", "ev-access-review-2026-q3/ev-access-review-2026-q3-corrected"}
	if !slices.Equal(ids, want) {
		t.Errorf("access-review evidence %v, want %v", ids, want)
	}
	if l := get("?source=upload"); len(l.Evidence) != 0 {
		t.Errorf("%d uploaded items in the demo, want 0", len(l.Evidence))
	}
	page := e.Get(c, "/orgs/alpha/evidence?control=access-review")
	if page.StatusCode != 200 || strings.Count(page.Body, `<tr class="ev`) != 2 || !strings.Contains(page.Body, `class="ev superseded"`) {
		t.Errorf("evidence page: status %d:\n%.600s", page.StatusCode, page.Body)
	}
	if !strings.Contains(page.Body, `<a href="/orgs/alpha/evidence" aria-current="page">Evidence</a>`) {
		t.Error("the menu does not link the evidence page")
	}

	// The coverage chart's JSON twin: the same months as the page draws.
	r := e.Get(c, "/api/v1/orgs/alpha/evidence/coverage?as_of="+webtest.DemoAsOf)
	var cov struct {
		Months []controls.CoverageMonthJSON `json:"months"`
	}
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &cov) != nil || len(cov.Months) != 12 {
		t.Fatalf("coverage: status %d: %.300s", r.StatusCode, r.Body)
	}
	want2 := controls.EvidenceCoverage(ws, date.MustParse(webtest.DemoAsOf))
	for i, m := range cov.Months {
		w := want2.Months[i]
		if m.Month != w.Label || m.Covered != w.Covered || m.Total != w.Total || (m.Percent == nil) != w.Empty {
			t.Errorf("coverage %s: %+v, want %+v", m.Month, m, w)
		}
	}
	// October 2026, the first month of the Type II window, misses the
	// vulnerability scan.
	if oct := cov.Months[11]; oct.Month != "2026-10" || oct.Covered >= oct.Total {
		t.Errorf("October 2026: %+v, want a month with a missed occurrence", oct)
	}
}

// A correction uploaded from one control's page stands for everything the
// item it supersedes was evidence for: the demo's corrected Q3 access
// review also speaks for unique-user-ids, and its correction must too.
func TestUploadCorrectionKeepsTheOldItemsControls(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	mw.WriteField("collected", "2026-09-30")
	mw.WriteField("supersedes", "ev-access-review-2026-q3-corrected")
	fw, _ := mw.CreateFormFile("file", "q3-review-v3.md")
	fw.Write([]byte("Q3 access review, third version\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/orgs/alpha/controls/access-review/evidence", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := e.Send(c, req); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", r.StatusCode, r.Body)
	}
	ws, err := e.Store.Org(e.OrgA).Workspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range ws.Evidence {
		if ev.Supersedes == "ev-access-review-2026-q3-corrected" {
			if got := ev.ControlIDs(); !slices.Equal(got, []string{"access-review", "unique-user-ids"}) {
				t.Errorf("the correction is evidence for %v, want access-review and unique-user-ids", got)
			}
			return
		}
	}
	t.Fatal("no correction stored")
}
