package public_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/mmcdole/gofeed"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/trust"
	"ward/internal/web/kit"
	webpublic "ward/internal/web/public"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// trustPDF is a two-page report, as an auditor's PDF would arrive.
func trustPDF(t *testing.T, title string) []byte {
	t.Helper()
	p := fpdf.New("P", "pt", "Letter", "")
	p.SetFont("Helvetica", "", 12)
	for i := 1; i <= 2; i++ {
		p.AddPage()
		p.Cell(300, 20, fmt.Sprintf("%s, page %d", title, i))
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// enableTrust opens alpha's trust center with the given public sections:
// a public PDF (pen-test), a private one (internal) and the
// organization's answers, so that HIPAA and SOC 2 apply.
func enableTrust(t *testing.T, e *webtest.TestEnv, sections ...string) {
	t.Helper()
	ctx := context.Background()
	put := func(pdf []byte) string {
		sha, _, err := e.Store.Blobs().Put(bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	org := workspace.Organization{Name: "Alpha Health", Slug: webtest.SlugA, Roles: []string{workspace.RoleBusinessAssociate},
		ProgramStart: date.MustParse("2026-01-05"),
		Answers:      workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
		Officers:     workspace.Officers{Security: "dana@alpha.example"},
		SOC2:         workspace.SOC2{Type: "type2"},
		Trust: &workspace.Trust{Enabled: true, Public: sections, Contact: "security@alpha.example", SubprocessorNoticeDays: 30,
			Documents: []workspace.TrustDocument{
				{ID: "pen-test", Kind: "pen-test-summary", Title: "Pen test summary 2026", Public: true, File: "trust/pen-test.pdf", SHA256: put(trustPDF(t, "Alpha pen test summary"))},
				{ID: "internal", Kind: "other", Title: "Internal readiness draft", File: "trust/internal.pdf", SHA256: put(trustPDF(t, "Alpha internal draft"))},
			}}}
	if _, err := e.Store.Org(e.OrgA).Put(ctx, "dana@alpha.example", store.KindOrganization, "", org); err != nil {
		t.Fatal(err)
	}
}

// TestTrustAnonymousWalk extends the route × role walk to the public
// trust center: every /trust route, anonymous, against an organization
// whose trust center shows only frameworks and documents, one without a
// trust center, and one that does not exist. Nothing that is not public
// answers anything but the one 404, the same whether the organization
// exists or not; every answer carries the trust center's own CSP.
func TestTrustAnonymousWalk(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	enableTrust(t, e, workspace.TrustFrameworks, workspace.TrustDocuments)
	walked := 0
	for _, rt := range kit.Routes() {
		if !webtest.IsTrustPath(rt.Pattern) {
			continue
		}
		if rt.Role != kit.Public {
			t.Errorf("%s %s: the trust center is public; declare Role: Public", rt.Method, rt.Pattern)
		}
		docs := []string{"pen-test", "internal", "no-such-doc"}
		bodies := map[string]string{}
		for _, slug := range []string{webtest.SlugA, webtest.SlugB, "no-such-org"} {
			for _, doc := range docs {
				path := strings.NewReplacer("{slug}", slug, "{doc}", doc, "{id}", "tr-0000000000000000", "{token}", "guessed").Replace(rt.Pattern)
				if !strings.Contains(rt.Pattern, "{doc}") && doc != docs[0] {
					continue
				}
				walked++
				var body *strings.Reader
				if rt.Method == "POST" {
					body = strings.NewReader(url.Values{"name": {"x"}, "email": {"x@y.example"}, "company": {"x"}, "nda": {"accept"}}.Encode())
				}
				req, _ := http.NewRequest(rt.Method, e.HTTP.URL+path, nil)
				if body != nil {
					req, _ = http.NewRequest(rt.Method, e.HTTP.URL+path, body)
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				r := e.Send(e.Client(), req)
				name := rt.Method + " " + path
				if got := r.Header.Get("Content-Security-Policy"); got != webpublic.TrustCSP {
					t.Errorf("%s: CSP %q, want the trust center's %q", name, got, webpublic.TrustCSP)
				}
				public := slug == webtest.SlugA && (rt.Pattern == "/trust/{slug}" || rt.Pattern == "/api/v1/trust/{slug}" ||
					(strings.Contains(rt.Pattern, "/documents/") && doc == "pen-test"))
				switch {
				case public && r.StatusCode == http.StatusNotFound:
					t.Errorf("%s: 404, want it served (public)", name)
				case public:
				case r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, webpublic.MsgNoTrust):
					t.Errorf("%s: status %d, want the one 404 %q: %.300s", name, r.StatusCode, webpublic.MsgNoTrust, r.Body)
				}
				if slug != webtest.SlugA {
					// Whether the organization exists is not told.
					key := rt.Method + doc
					if prev, ok := bodies[key]; ok && prev != r.Body {
						t.Errorf("%s: the 404 differs between an organization without a trust center and one that does not exist", name)
					}
					bodies[key] = r.Body
				}
			}
		}
	}
	if walked < 20 {
		t.Fatalf("walked only %d trust addresses", walked)
	}

	// What the page shows: the public sections, never the others.
	r := e.Get(e.Client(), "/trust/alpha")
	for _, want := range []string{"HIPAA", "SOC 2", "Pen test summary 2026", "security@alpha.example"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, not := range []string{"Amazon Web Services", "Internal readiness draft", "Subprocessors", "Policies", "subprocessors.atom"} {
		if strings.Contains(r.Body, not) {
			t.Errorf("the page shows %q, which is not public", not)
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != webpublic.TrustCache || r.Header.Get("ETag") == "" {
		t.Errorf("page Cache-Control %q, ETag %q: want %q and an ETag", cc, r.Header.Get("ETag"), webpublic.TrustCache)
	}
	// A kept copy is revalidated: 304 while the page is the same.
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/trust/alpha", nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if r2 := e.Send(e.Client(), req); r2.StatusCode != http.StatusNotModified || r2.Body != "" {
		t.Errorf("If-None-Match with the page's ETag: %d, want 304", r2.StatusCode)
	}
	var pg map[string]any
	if err := json.Unmarshal([]byte(e.Get(e.Client(), "/api/v1/trust/alpha").Body), &pg); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"subprocessors", "policies", "subprocessor_changes"} {
		if _, ok := pg[k]; ok {
			t.Errorf("the API twin has %q, which is not public", k)
		}
	}
	if fw, _ := pg["frameworks"].([]any); len(fw) == 0 {
		t.Errorf("the API twin has no frameworks: %v", pg)
	}
}

var linkRE = regexp.MustCompile(`value="(http://[^"]+/trust/alpha/download/(tr-[0-9a-f]+)/[^"]+)"`)

// requestDoc sends the public request form as a requester would.
func requestDoc(t *testing.T, e *webtest.TestEnv, c *http.Client, name, email string) webtest.Response {
	t.Helper()
	form := e.Get(c, "/trust/alpha/documents/pen-test")
	if form.StatusCode != 200 || form.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("request form: %d, Cache-Control %q", form.StatusCode, form.Header.Get("Cache-Control"))
	}
	return e.PostForm(c, "/trust/alpha/documents/pen-test", url.Values{"csrf": {webtest.FormToken(t, form.Body)},
		"name": {name}, "email": {email}, "company": {"Mercy Regional Health"}, "nda": {"accept"}})
}

// approve approves the newest pending request as alpha's admin through
// the page and returns the link shown once.
func approve(t *testing.T, e *webtest.TestEnv) (link, id string) {
	t.Helper()
	c, _ := e.Login(e.Users[store.RoleAdmin])
	page := e.Get(c, "/orgs/alpha/trust/requests")
	m := regexp.MustCompile(`action="(/orgs/alpha/trust/requests/tr-[0-9a-f]+/approve)"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"><input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no approve form on the requests page:\n%s", page.Body)
	}
	r := e.PostForm(c, m[1], url.Values{"csrf": {m[2]}, "version": {m[3]}})
	lm := linkRE.FindStringSubmatch(r.Body)
	if r.StatusCode != 200 || lm == nil {
		t.Fatalf("approve: %d, no link shown:\n%.2000s", r.StatusCode, r.Body)
	}
	return lm[1], lm[2]
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "d.pdf")
	os.WriteFile(in, pdf, 0o600)
	out, err := exec.Command(browsertest.Poppler(t, "pdftotext"), in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// trustGet opens the link and presses Download, as the requester does.
func trustGet(t *testing.T, e *webtest.TestEnv, link string) webtest.Response {
	t.Helper()
	c := e.Client()
	path := strings.TrimPrefix(link, e.HTTP.URL)
	page := e.Get(c, path)
	if page.StatusCode != 200 {
		return page
	}
	return e.PostForm(c, path, url.Values{"csrf": {webtest.FormToken(t, page.Body)}})
}

// TestTrustDocumentRequestFlow: a request with the NDA accepted, an
// admin's approval, a link that works once (a stamped PDF), then 410;
// each step on the audit trail; the link queued for e-mail.
func TestTrustDocumentRequestFlow(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	enableTrust(t, e, workspace.TrustSections...)
	ctx := context.Background()
	c := e.Client()

	// Without the NDA the request is refused, naming the field.
	form := e.Get(c, "/trust/alpha/documents/pen-test")
	r := e.PostForm(c, "/trust/alpha/documents/pen-test", url.Values{"csrf": {webtest.FormToken(t, form.Body)}, "name": {"Jordan Reyes"}, "email": {"jreyes@mercy.example"}, "company": {"Mercy"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Accept the non-disclosure terms") {
		t.Fatalf("without the NDA: %d %.500s", r.StatusCode, r.Body)
	}
	// Without the form's cookie token (another site's form), refused.
	r = e.PostForm(e.Client(), "/trust/alpha/documents/pen-test", url.Values{"csrf": {"x"}, "name": {"A"}, "email": {"a@b.example"}, "company": {"B"}, "nda": {"accept"}})
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("without the cookie token: %d", r.StatusCode)
	}
	if r := requestDoc(t, e, c, "Jordan Reyes", "jreyes@mercy.example"); r.StatusCode != 200 || !strings.Contains(r.Body, "Your request was recorded") {
		t.Fatalf("request: %d %.500s", r.StatusCode, r.Body)
	}
	reqs, _ := e.Store.Org(e.OrgA).TrustRequests(ctx)
	if len(reqs) != 1 || reqs[0].Status != trust.RequestPending || reqs[0].NDA != trust.NDAVersion() || reqs[0].Company != "Mercy Regional Health" {
		t.Fatalf("stored requests: %+v", reqs)
	}

	// An editor may not approve; the route walk checks every role, this
	// is the plain case.
	ec, csrf := e.Login(e.Users[store.RoleEditor])
	if r := e.PostForm(ec, "/orgs/alpha/trust/requests/"+reqs[0].ID+"/approve", url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("an editor's approval: %d", r.StatusCode)
	}

	link, id := approve(t, e)
	mails, _ := e.Store.Org(e.OrgA).Outbox(ctx, false)
	if len(mails) != 1 || mails[0].To != "jreyes@mercy.example" || !strings.Contains(mails[0].Body, link) {
		t.Fatalf("outbox after approval: %+v", mails)
	}
	// A guessed token for the same request answers 404.
	if r := e.Get(e.Client(), "/trust/alpha/download/"+id+"/guessed"); r.StatusCode != 404 {
		t.Errorf("a guessed token: %d", r.StatusCode)
	}

	got := trustGet(t, e, link)
	if got.StatusCode != 200 || got.Header.Get("Content-Type") != "application/pdf" || got.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %q %q %.300s", got.StatusCode, got.Header.Get("Content-Type"), got.Header.Get("Cache-Control"), got.Body)
	}
	text := pdfText(t, []byte(got.Body))
	for _, want := range []string{"Alpha pen test summary, page 1", "Alpha pen test summary, page 2", "Jordan Reyes", "Mercy Regional Health", "jreyes@mercy.example", id} {
		if !strings.Contains(text, want) {
			t.Errorf("the downloaded PDF lacks %q: %s", want, text)
		}
	}
	if n := strings.Count(text, "Jordan Reyes"); n != 2 {
		t.Errorf("the stamp is on %d pages, want 2", n)
	}
	// The link works once.
	again := trustGet(t, e, link)
	if again.StatusCode != http.StatusGone || !strings.Contains(again.Body, "already used") {
		t.Errorf("second use: %d %.300s", again.StatusCode, again.Body)
	}

	// Every step is on the trail, with who did it.
	entries, _ := e.Store.Org(e.OrgA).AuditLog(ctx, 0, 0)
	var steps []string
	for _, en := range entries {
		if en.Kind == store.KindTrustRequest {
			steps = append(steps, en.Action+" by "+en.Actor)
		}
	}
	want := []string{"create by requester:jreyes@mercy.example", "update by admin@alpha.example", "update by requester:jreyes@mercy.example"}
	if strings.Join(steps, "; ") != strings.Join(want, "; ") && strings.Join(reverse(steps), "; ") != strings.Join(want, "; ") {
		t.Errorf("trail of the request: %v, want %v", steps, want)
	}
	if err := e.Store.Org(e.OrgA).VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// TestTrustLinkExpires: an approved link unused past its hours answers
// 410, and two downloads racing on one link give one file.
func TestTrustLinkExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := webtest.NewEnv(t, kit.Config{Now: clock})
	enableTrust(t, e, workspace.TrustDocuments)
	requestDoc(t, e, e.Client(), "Ana Ruiz", "ana@lakeshore.example")
	link, _ := approve(t, e)
	mu.Lock()
	now = now.Add(time.Duration(workspace.DefaultTrustLinkHours)*time.Hour + time.Minute)
	mu.Unlock()
	if r := trustGet(t, e, link); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "expired") {
		t.Errorf("after %d hours: %d %.300s", workspace.DefaultTrustLinkHours, r.StatusCode, r.Body)
	}

	mu.Lock()
	now = time.Now()
	mu.Unlock()
	requestDoc(t, e, e.Client(), "Ben Ode", "ben@lakeshore.example")
	link, _ = approve(t, e)
	c := e.Client()
	path := strings.TrimPrefix(link, e.HTTP.URL)
	tok := webtest.FormToken(t, e.Get(c, path).Body)
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.PostForm(c, path, url.Values{"csrf": {tok}}).StatusCode
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == 200 {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("six downloads at once: statuses %v, want exactly one 200", codes)
	}
}

// TestTrustRequestRateLimited: the public form takes a few requests from
// one address, then answers 429 with Retry-After.
func TestTrustRequestRateLimited(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	enableTrust(t, e, workspace.TrustDocuments)
	c := e.Client()
	for i := range webpublic.MaxTrustRequestsPerIP {
		if r := requestDoc(t, e, c, "Caller", fmt.Sprintf("c%d@hospital.example", i)); r.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := requestDoc(t, e, c, "Caller", "c9@hospital.example")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("request %d: %d, Retry-After %q; want 429", webpublic.MaxTrustRequestsPerIP+1, r.StatusCode, r.Header.Get("Retry-After"))
	}
	if reqs, _ := e.Store.Org(e.OrgA).TrustRequests(context.Background()); len(reqs) != webpublic.MaxTrustRequestsPerIP {
		t.Errorf("%d requests stored, want %d", len(reqs), webpublic.MaxTrustRequestsPerIP)
	}
}

// TestTrustSubprocessorNoticeAndFeed: a subprocessor added appears on the
// page as effective after the promised notice, produces one change, one
// notice per subscriber and one feed entry (read back with an
// independent Atom parser, its id stable).
func TestTrustSubprocessorNoticeAndFeed(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{Mail: true})
	enableTrust(t, e, workspace.TrustSubprocessors)
	ctx := context.Background()
	c := e.Client()
	for _, addr := range []string{"vrm@mercy.example", "security@lakeshore.example", "vrm@mercy.example"} {
		if r := subscribe(t, e, c, addr); r.StatusCode != 200 {
			t.Fatalf("subscribe %s: %d %.300s", addr, r.StatusCode, r.Body)
		}
	}
	// Double opt-in: each address confirms through its mailed link.
	for addr, links := range newTrustMailbox(t, e).links() {
		if r := confirm(t, e, links[0]); r.StatusCode != 200 {
			t.Fatalf("confirm %s: %d %.300s", addr, r.StatusCode, r.Body)
		}
	}
	o := e.Store.Org(e.OrgA)
	if subs, _ := o.Subscribers(ctx); len(subs) != 2 {
		t.Fatalf("%d subscribers, want 2 (one address twice)", len(subs))
	}
	if ch, _ := o.SubprocessorChanges(ctx); len(ch) != 0 {
		t.Fatalf("changes before any: %+v", ch)
	}
	if _, err := o.Put(ctx, "dana@alpha.example", store.KindVendor, "scribe", workspace.Vendor{ID: "scribe", Name: "Scribe Labs", Services: []string{"visit transcription"}, Location: "United States"}); err != nil {
		t.Fatal(err)
	}
	// The same record again changes nothing, and announces nothing.
	if _, err := o.Put(ctx, "dana@alpha.example", store.KindVendor, "scribe", workspace.Vendor{ID: "scribe", Name: "Scribe Labs", Services: []string{"visit transcription"}, Location: "United States"}); err != nil {
		t.Fatal(err)
	}
	changes, _ := o.SubprocessorChanges(ctx)
	if len(changes) != 1 || changes[0].Action != trust.ActionAdded || changes[0].Vendor != "scribe" {
		t.Fatalf("changes: %+v", changes)
	}
	today := date.Of(time.Now().UTC())
	if !changes[0].Effective.Equal(today.AddDays(30)) {
		t.Errorf("effective %s, want announced %s + 30 days' notice", changes[0].Effective, today)
	}
	mails, _ := o.Outbox(ctx, false)
	if len(mails) != 2 {
		t.Fatalf("%d notices, want one per subscriber: %+v", len(mails), mails)
	}
	for _, m := range mails {
		if !strings.Contains(m.Subject, "Scribe Labs") || !strings.Contains(m.Body, "effective "+today.AddDays(30).String()) {
			t.Errorf("notice: %+v", m)
		}
	}

	page := e.Get(c, "/trust/alpha")
	if !strings.Contains(page.Body, "Scribe Labs") || !strings.Contains(page.Body, "from "+today.AddDays(30).String()) {
		t.Errorf("the page does not list Scribe Labs from its effective date:\n%s", page.Body)
	}
	var ids []string
	for range 2 {
		r := e.Get(c, "/trust/alpha/subprocessors.atom")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("feed Content-Type %q", ct)
		}
		feed, err := gofeed.NewParser().ParseString(r.Body)
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, r.Body)
		}
		if feed.FeedType != "atom" || len(feed.Items) != 1 {
			t.Fatalf("feed: type %q, %d items", feed.FeedType, len(feed.Items))
		}
		it := feed.Items[0]
		if !strings.Contains(it.Title, "Scribe Labs") || !strings.Contains(it.Description, "effective "+today.AddDays(30).String()) || it.PublishedParsed == nil {
			t.Errorf("feed entry: %q / %q", it.Title, it.Description)
		}
		ids = append(ids, it.GUID)
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("entry ids %v: want one stable id", ids)
	}
}
