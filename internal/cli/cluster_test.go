package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"ward/internal/cli"
	"ward/internal/notify"
	"ward/internal/notify/notifytest"
	"ward/internal/store"
	"ward/internal/store/storetest"
)

// startServe starts `ward serve` as a process of its own (this test
// binary run again as ward) with args, and returns its URL; it is stopped
// (SIGTERM) when the test ends.
func startServe(t *testing.T, name string, env []string, args ...string) string {
	t.Helper()
	a, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTwoServersOnePostgres$")
	cmd.Env = append(append(os.Environ(), "WARD_SERVE_CHILD="+string(a)), env...)
	var errb cli.SyncBuffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server %s's stderr:\n%s", name, errb.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`^ward serving postgres on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("server %s did not start:\n%s", name, errb.String())
	}
	return ""
}

// TestTwoServersOnePostgres starts two `ward serve` processes on one
// PostgreSQL database, sharing nothing else (each its own WARD_BLOBS
// folder, which stays empty), and alternates requests between them as a
// proxy would: a login on one is a session on the other, and the CSRF
// token of a page from one is accepted by the other; a file uploaded on
// one downloads byte for byte from the other; five failed logins split
// between the two block the sixth on either (429); the organizations'
// overview of one shows what was changed through the other; and the
// day's digests, which both servers' notifiers deliver, each reach the
// SMTP server once.
func TestTwoServersOnePostgres(t *testing.T) {
	if args := os.Getenv("WARD_SERVE_CHILD"); args != "" {
		var a []string
		json.Unmarshal([]byte(args), &a)
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		os.Exit(cli.Main(ctx, a, strings.NewReader(""), os.Stdout, os.Stderr))
	}
	if os.Getenv("WARD_TEST_POSTGRES") == "skip" {
		t.Skip("WARD_TEST_POSTGRES=skip")
	}
	db := storetest.FreshPostgres(t)
	mustWardAt(t, db, "", "apply", "-f", cli.DemoDir)
	const email = "dana@acme-health.example"
	out := mustWardAt(t, db, "", "user", "add", email, "--name", "Dana", "--role", "editor")
	m := generated.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("user add printed no password:\n%s", out)
	}
	password := m[1]

	// What the notifiers must deliver today, each once.
	code, plan, errs := wardAt(t, db, "", "notify", "--dry-run", "--format", "json", "--base-url", "https://ward.example")
	if code != 0 {
		t.Fatalf("notify --dry-run: %d %s", code, errs)
	}
	var want struct {
		Messages []notify.Message `json:"messages"`
	}
	if err := json.Unmarshal([]byte(plan), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Messages) == 0 {
		t.Fatal("the demo has no message to send today: the digest check would prove nothing")
	}
	smtp := notifytest.Start(t)

	folders := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	tokenFile := filepath.Join(t.TempDir(), "metrics-token")
	const metricsToken = "cluster-test-metrics-token-0123"
	os.WriteFile(tokenFile, []byte(metricsToken+"\n"), 0o600)
	var base [2]string
	for i, name := range []string{"a", "b"} {
		base[i] = startServe(t, name, []string{"WARD_BLOBS=" + folders[i]},
			"--db", db, "serve", "--addr", "127.0.0.1:0",
			"--smtp-url", smtp.URL(), "--smtp-from", "ward <ward@acme-health.example>", "--base-url", "https://ward.example",
			"--notify-every", "1s", "--lease", "30s", "--metrics-token-file", tokenFile)
	}

	// One browser: the proxy in front sends each request to either
	// server; cookies are the site's (the jar keys them by host, not port).
	newBrowser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	browser := newBrowser()
	do := func(req *http.Request) (int, []byte) {
		t.Helper()
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	get := func(srv int, path string) (int, []byte) {
		req, _ := http.NewRequest("GET", base[srv]+path, nil)
		return do(req)
	}
	csrfRe := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	token := func(page []byte) string {
		t.Helper()
		m := csrfRe.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token in %.300s", page)
		}
		return string(m[1])
	}
	login := func(formFrom, postTo int, who, pw string) int {
		t.Helper()
		_, page := get(formFrom, "/login")
		req, _ := http.NewRequest("POST", base[postTo]+"/login", strings.NewReader(url.Values{"csrf": {token(page)}, "email": {who}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		code, _ := do(req)
		return code
	}

	// Log in on A (the form from B); the session is good on B.
	if code := login(1, 0, email, password); code != http.StatusSeeOther {
		t.Fatalf("login on A: %d", code)
	}
	code, page := get(1, "/orgs/acme-health")
	if code != http.StatusOK {
		t.Fatalf("the organization's page on B after logging in on A: %d", code)
	}
	csrf := token(page) // a token from B's page, used on A below

	// Upload on A with B's token, a file of several chunks; download it
	// from B.
	r := rand.New(rand.NewPCG(7, 8))
	file := make([]byte, 2<<20+777)
	for i := range file {
		file[i] = byte(r.Uint32())
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	mw.WriteField("collected", time.Now().UTC().Format("2006-01-02"))
	fw, _ := mw.CreateFormFile("file", "scan.bin")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", base[0]+"/orgs/acme-health/controls/vulnerability-scanning/evidence", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if code, b := do(req); code != http.StatusSeeOther {
		t.Fatalf("upload on A with B's CSRF token: %d %.300s", code, b)
	}
	sum := sha256.Sum256(file)
	sha := hex.EncodeToString(sum[:])
	st, err := store.Open(context.Background(), db, store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, _ := st.OrgBySlug(context.Background(), "acme-health")
	ws, err := st.Org(org).Workspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, e := range ws.Evidence {
		if e.SHA256 == sha {
			id = e.ID
		}
	}
	if id == "" {
		t.Fatal("the upload is not in the workspace")
	}
	req, _ = http.NewRequest("POST", base[1]+"/orgs/acme-health/evidence/"+id+"/file", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, got := do(req)
	if code != http.StatusOK || !bytes.Equal(got, file) {
		t.Fatalf("download on B: %d, %d bytes (want the %d uploaded on A)", code, len(got), len(file))
	}
	for _, f := range folders {
		if ents, _ := os.ReadDir(f); len(ents) != 0 {
			t.Errorf("server folder %s holds %d entries: evidence must live in the database", f, len(ents))
		}
	}

	// Five wrong passwords, alternating servers (and the form from the
	// other one); the sixth try is refused on both, even with the right
	// password.
	const target = "lee@acme-health.example"
	mustWardAt(t, db, "", "user", "add", target, "--role", "viewer")
	browser = newBrowser() // someone else, not logged in
	for i := range 5 {
		if code := login(1-i%2, i%2, target, "not-the-password-"+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on server %d: %d, want 401", i+1, i%2, code)
		}
	}
	for srv := range 2 {
		if code := login(srv, srv, target, "not-the-password-f"); code != http.StatusTooManyRequests {
			t.Errorf("a sixth try on server %d: %d, want 429", srv, code)
		}
	}

	// Both notifiers run every second; wait until the SMTP server has
	// what the dry run planned, then a few more rounds for any duplicate.
	deadline := time.Now().Add(90 * time.Second)
	for len(smtp.Received()) < len(want.Messages) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	var gotKeys, wantKeys []string
	for _, m := range smtp.Received() {
		gotKeys = append(gotKeys, m.To+" "+m.Kind+" "+m.Subject)
	}
	for _, m := range want.Messages {
		wantKeys = append(wantKeys, m.To+" "+m.Kind+" "+m.Subject)
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("the SMTP server received (%d):\n  %s\nwant each planned message once (%d):\n  %s", len(gotKeys), strings.Join(gotKeys, "\n  "), len(wantKeys), strings.Join(wantKeys, "\n  "))
	}

	// The organizations' overview (its rows cached per server, keyed by
	// the organization's audit head): both servers have it cached; a scan
	// imported meanwhile (by a third process) shows on both at once.
	browser = newBrowser()
	if code := login(0, 0, email, password); code != http.StatusSeeOther {
		t.Fatalf("login again: %d", code)
	}
	overview := func(srv int) (row struct {
		OpenFindings int `json:"open_findings"`
	}) {
		t.Helper()
		_, b := get(srv, "/api/v1/overview")
		var ov struct {
			Orgs []json.RawMessage `json:"orgs"`
		}
		if err := json.Unmarshal(b, &ov); err != nil || len(ov.Orgs) != 1 {
			t.Fatalf("overview on %d: %v %.300s", srv, err, b)
		}
		json.Unmarshal(ov.Orgs[0], &row)
		return row
	}
	before := [2]int{overview(0).OpenFindings, overview(1).OpenFindings}
	mustWardAt(t, db, "", "import", "prowler", "../../examples/files/prowler-acme-prod-2026-11-25.ocsf.json")
	after := [2]int{overview(0).OpenFindings, overview(1).OpenFindings}
	if before[0] != before[1] || after[0] != after[1] || after[0] <= before[0] {
		t.Errorf("open findings in the overview, servers A and B: %v before the import, %v after; want the same on both, and more after", before, after)
	}

	// Each server's /metrics (with the token) counts its own requests;
	// the outbox's numbers are the database's, the same on both. The
	// notifiers run every second, so a message still being sent when the
	// servers are asked (a loaded machine) is waited for, up to a minute.
	metrics := func(srv int) (int, string) {
		req, _ := http.NewRequest("GET", base[srv]+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+metricsToken)
		code, b := do(req)
		return code, string(b)
	}
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		if _, text := metrics(0); strings.Contains(text, "ward_notify_queue_depth 0\n") {
			break
		}
	}
	for srv := range 2 {
		code, text := metrics(srv)
		if code != http.StatusOK || !strings.Contains(text, `ward_http_requests_total{route="GET /api/v1/overview",status="200"} 2`) ||
			!strings.Contains(text, "ward_notify_queue_depth 0\n") {
			t.Errorf("server %d's /metrics: %d\n%s", srv, code, text)
		}
	}
}
