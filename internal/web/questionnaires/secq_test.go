package questionnaires_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

const clinicCSV = "Item,Requirement,Supplier Answer,Supplier Comments\n" +
	"SM-1,Is multi-factor authentication required for workforce access to systems with PHI?,,\n" +
	"SM-2,Are restores from backup tested at least once a year?,,\n" +
	"SM-3,Do you support Epic App Orchard integration?,,\n" +
	"SM-4,Is PHI encrypted when stored in your databases and backups?,,\n"

func multipartUpload(t *testing.T, name string, data []byte, fields map[string]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

type reviewJSON struct {
	Questionnaire struct{ ID, Name string }
	Summary       struct{ Rows, Answered, Review, Decided int }
	Rows          []struct {
		Row                            int
		Ref, Question, Answer, Verdict string
		Match                          *string
		Confidence                     float64
		Review                         bool
		Decision                       *struct{ Action, Target, By string }
		Approved                       *struct{ ID, ApprovedBy string }
	}
}

// The flow through the JSON API: upload, review, accept, edit (which
// teaches the library), reject, download; roles and organizations kept
// apart; bad files refused by name with nothing stored.
func TestSecurityQuestionnaireAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, viewer := e.Users[store.RoleEditor], e.Users[store.RoleViewer]
	const base = "/api/v1/orgs/alpha/questionnaires"

	body, ct := multipartUpload(t, "st-marys.csv", []byte(clinicCSV), map[string]string{"answer_col": "Supplier Answer", "comment_col": "Supplier Comments", "customer": "St. Mary's"})
	if res := e.As(viewer, "POST", base, body, ct); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer uploaded: %d", res.StatusCode)
	}
	body, ct = multipartUpload(t, "st-marys.csv", []byte(clinicCSV), map[string]string{"answer_col": "Supplier Answer", "comment_col": "Supplier Comments", "customer": "St. Mary's"})
	res := e.As(editor, "POST", base, body, ct)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	var rv reviewJSON
	if err := json.Unmarshal([]byte(res.Body), &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Summary.Rows != 4 || rv.Rows[0].Match == nil || *rv.Rows[0].Match != "acc-mfa-workforce" || rv.Rows[2].Match != nil {
		t.Fatalf("rows: %s", res.Body)
	}
	id := rv.Questionnaire.ID
	// The same file again is the same questionnaire.
	body, ct = multipartUpload(t, "copy.csv", []byte(clinicCSV), map[string]string{"answer_col": "C"})
	if res := e.As(editor, "POST", base, body, ct); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, id) {
		t.Errorf("second upload: %d", res.StatusCode)
	}
	// A Latin-1 CSV is refused naming the line and what to do; nothing kept.
	body, ct = multipartUpload(t, "latin.csv", []byte("Ref,Question,Response\n1,Donn\xe9es chiffr\xe9es?,\n"), nil)
	if res := e.As(editor, "POST", base, body, ct); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "latin.csv: line 2: byte 0xE9") {
		t.Errorf("latin-1: %d %s", res.StatusCode, res.Body)
	}
	if l := e.As(viewer, "GET", base, nil, ""); l.StatusCode != http.StatusOK || strings.Count(l.Body, `"sha256"`) != 1 {
		t.Errorf("list after a refused upload: %s", l.Body)
	}

	// Accept ward's answer on row 2 (the MFA question).
	res = e.As(editor, "POST", base+"/"+id+"/rows/2", strings.NewReader(`{"action": "accept"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"action": "accept"`) || !strings.Contains(res.Body, `"approved_by": "editor@alpha.example"`) {
		t.Fatalf("accept: %d %s", res.StatusCode, res.Body)
	}
	// Edit row 4 (no bank question answers it) as an entry of our own.
	res = e.As(editor, "POST", base+"/"+id+"/rows/4", strings.NewReader(`{"action": "edit", "target": "own", "verdict": "yes", "text": "Yes. We are listed in Epic's App Orchard."}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"match": "own-support-epic-app-orchard-integration"`) {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Body)
	}
	// Reject the match of row 5; a bad action is refused.
	if res := e.As(editor, "POST", base+"/"+id+"/rows/5", strings.NewReader(`{"action": "reject"}`), "application/json"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"match": null`) {
		t.Errorf("reject: %d %s", res.StatusCode, res.Body)
	}
	if res := e.As(editor, "POST", base+"/"+id+"/rows/5", strings.NewReader(`{"action": "approve-all"}`), "application/json"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad action: %d", res.StatusCode)
	}
	if res := e.As(viewer, "POST", base+"/"+id+"/rows/3", strings.NewReader(`{"action": "accept"}`), "application/json"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer decided: %d", res.StatusCode)
	}
	// Accepting approves ward's answer as it stands; an own entry keeps
	// the customer's question. The MFA question is the bank's own
	// wording, so there is no alias to learn.
	approved, _ := e.Store.Org(e.OrgA).ApprovedAnswers(context.Background())
	if len(approved) != 2 || approved[0].ID != "acc-mfa-workforce" || approved[0].ApprovedBy != editor.Email ||
		approved[1].ID != "own-support-epic-app-orchard-integration" || approved[1].Question != "Do you support Epic App Orchard integration?" {
		t.Errorf("approved: %+v", approved)
	}

	// The edit taught the library: another customer's questionnaire with
	// the same question gets the approved answer.
	other := "Ref,Question,Response\nQ-9,Do you support Epic App Orchard integration?,\n"
	body, ct = multipartUpload(t, "mercy.csv", []byte(other), nil)
	res = e.As(editor, "POST", base, body, ct)
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "Yes. We are listed in Epic's App Orchard.") {
		t.Errorf("the edit did not teach the library: %s", res.Body)
	}

	// The download: the customer's layout with the decisions.
	dl := e.As(viewer, "GET", "/orgs/alpha/questionnaires/"+id+"/download", nil, "")
	if dl.StatusCode != http.StatusOK || !strings.Contains(dl.Header.Get("Content-Disposition"), "st-marys-answered.xlsx") {
		t.Fatalf("download: %d %v", dl.StatusCode, dl.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(dl.Body))
	if err != nil {
		t.Fatal(err)
	}
	cell := func(c string) string { v, _ := f.GetCellValue("st-marys", c); return v }
	if cell("C2") == "" || cell("C4") != "Yes" || !strings.HasPrefix(cell("D4"), "We are listed in Epic's App Orchard.") || cell("C5") != "" || !strings.Contains(cell("D5"), "NEEDS REVIEW") {
		t.Errorf("downloaded: C2 %q C4 %q D4 %q C5 %q D5 %q", cell("C2"), cell("C4"), cell("D4"), cell("C5"), cell("D5"))
	}
	// Another organization's admin sees none of it.
	if res := e.As(e.Bravo, "GET", base+"/"+id, nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("bravo reads alpha's questionnaire: %d", res.StatusCode)
	}
	if res := e.As(viewer, "GET", base+"/qs-000000000000", nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown id: %d", res.StatusCode)
	}
	if res := e.As(viewer, "GET", base+"/library", nil, ""); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"own-support-epic-app-orchard-integration"`) {
		t.Errorf("library: %d", res.StatusCode)
	}
	// The pages: a viewer reads the list, the review and the library,
	// without the forms that change them.
	c, _ := e.Login(viewer)
	list := e.Get(c, "/orgs/alpha/questionnaires")
	if list.StatusCode != http.StatusOK || !strings.Contains(list.Body, "st-marys.csv") || strings.Contains(list.Body, `name="file"`) {
		t.Errorf("list page as a viewer: %d", list.StatusCode)
	}
	page := e.Get(c, "/orgs/alpha/questionnaires/"+id)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Accepted by editor@alpha.example") || strings.Contains(page.Body, `class="quiet accept"`) {
		t.Errorf("review page as a viewer: %d", page.StatusCode)
	}
	lib := e.Get(c, "/orgs/alpha/questionnaires/library")
	if lib.StatusCode != http.StatusOK || !strings.Contains(lib.Body, "Access control and MFA") || !strings.Contains(lib.Body, "own-support-epic-app-orchard-integration") {
		t.Errorf("library page: %d", lib.StatusCode)
	}
	// Every decision is on the audit trail.
	log, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 0, 0)
	n := 0
	for _, en := range log {
		if en.Kind == store.KindAnswer || en.Kind == store.KindAnswerSheet {
			n++
		}
	}
	if n < 6 {
		t.Errorf("%d audit entries for questionnaires and answers", n)
	}
}

// In Chromium: an editor uploads a hospital's workbook, reviews it row by
// row (accepts one answer, edits another, rejects a match) and the page
// shows each decision; the answered workbook downloads.
func TestBrowserSecurityQuestionnaireReview(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	u := e.Users[store.RoleEditor]
	e.BrowserLogin(b, u)

	b.Click(`.sidebar a[href="/orgs/alpha/questionnaires"]`)
	b.WaitText("main h1", "Security questionnaires", 20*time.Second)
	wb := excelize.NewFile()
	wb.SetSheetName("Sheet1", "Security")
	wb.SetSheetRow("Security", "A1", &[]any{"Ref", "Question", "Vendor Response", "Comments"})
	for i, q := range []string{
		"Is multi-factor authentication required for workforce access to systems with PHI?",
		"Are backups of PHI encrypted?",
		"Do you carry cyber liability insurance?",
		"What is your favourite colour?",
	} {
		wb.SetSheetRow("Security", "A"+string(rune('2'+i)), &[]any{"Q" + string(rune('1'+i)), q})
	}
	wb.NewSheet("Notes")
	wb.SetCellValue("Notes", "A1", "Return within 30 days")
	path := filepath.Join(t.TempDir(), "mercy.xlsx")
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	b.Do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`.secq-upload input[type="file"]`), []string{path}))
	b.Fill(`input[name="comment_col"]`, "Comments")
	b.Fill(`input[name="customer"]`, "Mercy Regional")
	b.Click(`.secq-upload button[type="submit"]`)
	b.WaitText("main h1", "mercy.xlsx", 20*time.Second)
	if n := b.Count(".secq-row"); n != 4 {
		t.Fatalf("%d rows shown", n)
	}
	if got := b.Text(`#row-2 .secq-match`); !strings.Contains(got, "acc-mfa-workforce") {
		t.Errorf("row 2 matched %q", got)
	}
	if !strings.Contains(b.Text("#row-5"), "Not answered") {
		t.Errorf("row 5: %q", b.Text("#row-5"))
	}
	b.Screenshot("questionnaire-review")

	// Accept row 2.
	b.Click(`#row-2 button.accept`)
	b.WaitText(`#row-2 .secq-decision`, "Accepted by "+u.Email, 20*time.Second)
	// Edit row 4 (the insurance question is a draft ward cannot decide).
	b.Click(`#row-4 .secq-edit summary`)
	b.Do("write the answer", chromedp.SetValue(chromedp.CSS(`#row-4 textarea[name="text"]`), "Yes. We carry $5M cyber liability cover with Beazley."))
	b.Do("choose yes", chromedp.SetValue(chromedp.CSS(`#row-4 select[name="verdict"]`), "yes"))
	b.Click(`#row-4 .secq-edit button[type="submit"]`)
	b.WaitText(`#row-4 .secq-decision`, "Edited by "+u.Email, 20*time.Second)
	if got := b.Text(`#row-4 .secq-answer`); !strings.Contains(got, "$5M cyber liability cover") {
		t.Errorf("row 4 after the edit: %q", got)
	}
	// Reject row 3's match.
	b.Click(`#row-3 button.reject`)
	b.WaitText(`#row-3 .secq-decision`, "Rejected by "+u.Email, 20*time.Second)
	if !strings.Contains(b.Text("#row-3"), "Not answered") {
		t.Errorf("row 3 after rejecting: %q", b.Text("#row-3"))
	}
	if n := b.Count(".secq-row.decided-accept, .secq-row.decided-edit, .secq-row.decided-reject"); n != 3 {
		t.Errorf("%d rows marked decided", n)
	}
	b.Screenshot("questionnaire-decided")

	// The download link serves the workbook: the customer's two sheets,
	// the decisions in place.
	ctx, cancel := context.WithTimeout(b.Context(), 15*time.Second)
	defer cancel()
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a.download`), "href"))
	if err != nil || !link.Exists {
		t.Fatalf("no download link: %v", err)
	}
	href := link.Value
	c, _ := e.Login(u)
	dl := e.Get(c, href)
	f, err := excelize.OpenReader(strings.NewReader(dl.Body))
	if err != nil {
		t.Fatalf("download %s: %d %v", href, dl.StatusCode, err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[1] != "Notes" {
		t.Errorf("sheets %v", got)
	}
	for cell, want := range map[string]string{"C3": "", "C4": "Yes"} {
		if v, _ := f.GetCellValue("Security", cell); v != want {
			t.Errorf("%s = %q, want %q", cell, v, want)
		}
	}
	if v, _ := f.GetCellValue("Security", "C2"); v == "" {
		t.Error("C2: the accepted answer is not in the workbook")
	}
	if v, _ := f.GetCellValue("Security", "D4"); !strings.Contains(v, "$5M") {
		t.Errorf("D4 = %q", v)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("script errors or CSP violations: %v", p)
	}
}
