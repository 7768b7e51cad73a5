package kit_test

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestRequestIDOnEveryLine: each response carries an X-Request-Id; the
// request's own log line and whatever a handler logged while serving it
// (a failed login here) carry the same id; ids differ from request to
// request; a client's own X-Request-Id is not taken.
func TestRequestIDOnEveryLine(t *testing.T) {
	t.Parallel()
	var buf webtest.SyncBuffer
	e := webtest.NewEnv(t, kit.Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	c := e.Client()
	form := e.Get(c, "/login")
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/login", strings.NewReader(url.Values{
		"csrf": {webtest.FormToken(t, form.Body)}, "email": {e.Users["viewer"].Email}, "password": {"wrong password"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Request-Id", "chosen-by-the-client")
	r := e.Send(c, req)
	id := r.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Fatalf("X-Request-Id = %q, want 32 hex digits made by the server (not the client's)", id)
	}
	if other := form.Header.Get("X-Request-Id"); other == "" || other == id {
		t.Errorf("the login form's request id %q, the login's %q: want two different ids", other, id)
	}
	lines := webtest.LogLines(t, buf.String())
	mine := webtest.LinesOf(lines, id)
	var access, failed bool
	for _, l := range mine {
		switch l["msg"] {
		case "request":
			access = true
			if l["method"] != "POST" || l["route"] != "POST /login" || l["path"] != "/login" || l["status"] != float64(r.StatusCode) {
				t.Errorf("request line %v, want POST /login with status %d", l, r.StatusCode)
			}
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("request line without duration_ms: %v", l)
			}
		case "login failed":
			failed = true
		}
	}
	if !access || !failed {
		t.Errorf("lines with request_id %s: %v; want the request line and the failed login's warning", id, mine)
	}
	for _, l := range lines {
		if l["msg"] == "login failed" && l["request_id"] == nil {
			t.Errorf("a handler's line without request_id: %v", l)
		}
	}
}

// TestRequestIDFromTrustedProxy: a plain X-Request-Id from a trusted
// proxy is kept (the proxy's log and ward's then share it); a malformed
// one is replaced.
func TestRequestIDFromTrustedProxy(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	for _, tt := range []struct{ sent, want string }{
		{"edge-7f3a.42", "edge-7f3a.42"},
		{"two words", ""},
		{"line\"break", ""},
		{strings.Repeat("a", 129), ""},
	} {
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/healthz", nil)
		req.Header.Set("X-Request-Id", tt.sent)
		got := e.Send(e.Client(), req).Header.Get("X-Request-Id")
		if tt.want != "" && got != tt.want {
			t.Errorf("sent %q from a trusted proxy: id %q, want it kept", tt.sent, got)
		}
		if tt.want == "" && (got == tt.sent || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got)) {
			t.Errorf("sent %q: id %q, want a fresh one", tt.sent, got)
		}
	}
}

// TestRequestLineKeepsSecretsOut: a calendar feed's token is in its path,
// a setup token in the query string: neither reaches the log.
func TestRequestLineKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	var buf webtest.SyncBuffer
	e := webtest.NewEnv(t, kit.Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	const feed, setup = "feedsecretAAAA1234", "setupsecretBBBB5678"
	e.Get(e.Client(), "/cal/"+feed+".ics")
	e.Get(e.Client(), "/setup?token="+setup)
	logs := buf.String()
	for _, secret := range []string{feed, setup} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	var cal bool
	for _, l := range webtest.LogLines(t, logs) {
		if l["msg"] == "request" && strings.HasPrefix(l["path"].(string), "/cal/") {
			cal = l["path"] == "/cal/{token}"
			if !cal {
				t.Errorf("calendar feed logged as %v", l)
			}
		}
	}
	if !cal {
		t.Errorf("no request line for the calendar feed:\n%s", logs)
	}
}

// TestLogCallsCarryTheRequest holds the package to logging with the
// request's context, so that every line has its request id:
// s.Log.ErrorContext(r.Context(), ...), never s.Log.Error(...).
func TestLogCallsCarryTheRequest(t *testing.T) {
	t.Parallel()
	// Every part of the web app: kit and its siblings.
	files, _ := filepath.Glob("../*/*.go")
	bare := regexp.MustCompile(`\.(log|Log)\.(Debug|Info|Warn|Error)\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if bare.MatchString(line) {
				t.Errorf("%s:%d: log with the request's context (s.Log.%sContext(r.Context(), ...)) so the line carries the request id", f, i+1, bare.FindStringSubmatch(line)[2])
			}
		}
	}
}
