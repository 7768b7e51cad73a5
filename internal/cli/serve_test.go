package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/store"
)

// TestCookieMode (issue 20 finding 9): cookies are Secure by default
// unless ward listens on loopback only; --insecure-cookies turns that off
// with a warning; --secure keeps working.
func TestCookieMode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr             string
		secure, insecure bool
		want             bool
		warns            string
	}{
		{"127.0.0.1:8080", false, false, false, ""},
		{"127.9.9.9:8080", false, false, false, ""},
		{"[::1]:8080", false, false, false, ""},
		{"localhost:8080", false, false, false, ""},
		{"127.0.0.1:8080", true, false, true, ""},
		{"0.0.0.0:8080", false, false, true, "not loopback"},
		{":8080", false, false, true, "not loopback"},
		{"[::]:8080", false, false, true, "not loopback"},
		{"10.0.0.5:8080", false, false, true, "HTTPS"},
		{"ward.internal:8080", false, false, true, "HTTPS"},
		{"10.0.0.5:8080", true, false, true, ""},
		{"10.0.0.5:8080", false, true, false, "warning: cookies are not Secure"},
		{"127.0.0.1:8080", false, true, false, ""},
	} {
		got, warning, err := cookieMode(serveFlags{addr: tt.addr, secure: tt.secure, insecure: tt.insecure})
		if err != nil || got != tt.want || (tt.warns == "") != (warning == "") || !strings.Contains(warning, tt.warns) {
			t.Errorf("%s secure=%v insecure=%v: Secure %v, warning %q, %v; want %v and a warning saying %q", tt.addr, tt.secure, tt.insecure, got, warning, err, tt.want, tt.warns)
		}
	}
	if _, _, err := cookieMode(serveFlags{addr: "0.0.0.0:1", secure: true, insecure: true}); err == nil {
		t.Error("--secure with --insecure-cookies accepted")
	}
}

// TestServeSetsSecureCookiesOffLoopback runs ward serve on all addresses
// and reads the login page's cookie: Secure, and the warning on stderr.
func TestServeSetsSecureCookiesOffLoopback(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f      serveFlags
		secure bool
		says   string
	}{
		{serveFlags{addr: "0.0.0.0:0"}, true, "cookies are Secure"},
		{serveFlags{addr: "0.0.0.0:0", insecure: true}, false, "warning: cookies are not Secure"},
		{serveFlags{addr: "127.0.0.1:0"}, false, ""},
	} {
		s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "w.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb}
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() { done <- serve(ctx, env, s, tt.f, func(u string) { ready <- u }) }()
		var base string
		select {
		case base = <-ready:
		case err := <-done:
			t.Fatalf("serve: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not start")
		}
		base = strings.Replace(base, "0.0.0.0", "127.0.0.1", 1)
		resp, err := http.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var secure, any bool
		for _, c := range resp.Cookies() {
			any = true
			secure = c.Secure
		}
		if !any || secure != tt.secure {
			t.Errorf("%+v: login cookie Secure=%v (any cookie: %v), want %v", tt.f, secure, any, tt.secure)
		}
		if tt.secure && resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%+v: no HSTS with Secure cookies", tt.f)
		}
		cancel()
		<-done
		s.Close()
		if got := errb.String(); (tt.says == "") != !strings.Contains(got, "cookies") || !strings.Contains(got, tt.says) {
			t.Errorf("%+v: stderr %q, want it to say %q", tt.f, got, tt.says)
		}
	}
}

// TestTrustedProxies: --trusted-proxies takes addresses and CIDR ranges;
// anything else is bad input.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := parseProxies(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,::ffff:198.51.100.1")
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "198.51.100.1/32"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("parseProxies: %v %v", got, err)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("proxy %d: %s, want %s", i, got[i], want[i])
		}
	}
	if _, err := parseProxies("10.0.0.0/8,proxy.example"); err == nil || !strings.Contains(err.Error(), "proxy.example") {
		t.Errorf("a name: %v", err)
	}
	if p, err := parseProxies(""); err != nil || len(p) != 0 {
		t.Errorf("none: %v %v", p, err)
	}
}

// TestServeLogFormatJSON: with --log-format json the server's log on
// stderr is one JSON object a line, and the line of a request carries the
// id its response's X-Request-Id header names. An unknown format is bad
// input, refused before listening.
func TestServeLogFormatJSON(t *testing.T) {
	t.Parallel()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "w.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	var errb syncBuffer
	env := &Env{Stdout: &out, Stderr: &errb}
	if err := serve(context.Background(), env, s, serveFlags{addr: "127.0.0.1:0", logFormat: "yaml"}, func(string) { t.Error("listened with --log-format yaml") }); !isBadInput(err) || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("--log-format yaml: %v, want bad input (exit 2) naming it", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, env, s, serveFlags{addr: "127.0.0.1:0", logFormat: "json"}, func(u string) { ready <- u })
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	cancel()
	<-done
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // ward's own sentences ("ward: stopped")
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" && m["request_id"] == id && m["route"] == "GET /healthz" && m["status"] == float64(200) {
			found = true
		}
	}
	if id == "" || !found {
		t.Errorf("no JSON request line with request_id %q in:\n%s", id, errb.String())
	}
}

func isBadInput(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Code == ExitBadInput
}

func TestServeMetricsTokenFile(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("  0123456789abcdef0123\n"), 0o600)
	for _, c := range []struct {
		file, want string
		bad        bool
	}{
		{"", "", false},
		{good, "0123456789abcdef0123", false},
		{short, "", true},
		{filepath.Join(dir, "missing"), "", true},
	} {
		tok, err := readMetricsToken(c.file)
		if tok != c.want || isBadInput(err) != c.bad || (err != nil && !strings.Contains(err.Error(), "--metrics-token-file")) {
			t.Errorf("readMetricsToken(%q) = %q, %v", c.file, tok, err)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeRefusesIdleTimeoutNotPositive: --idle-timeout is HIPAA's
// automatic logoff (164.312(a)(2)(iii)). 0 or a negative duration, which
// an operator may write meaning "never", was taken silently as the
// default 15 minutes; it is bad input (exit 2) before ward listens.
func TestServeRefusesIdleTimeoutNotPositive(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ward.db")
	for _, v := range []string{"0s", "0", "-5m"} {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		code := Main(ctx, []string{"--db", db, "serve", "--addr", "127.0.0.1:0", "--idle-timeout", v}, strings.NewReader(""), &out, &errb)
		cancel()
		if code != ExitBadInput || !strings.Contains(errb.String(), "--idle-timeout") || strings.Contains(out.String(), "serving") {
			t.Errorf("serve --idle-timeout %s: exit %d\n%s%s", v, code, out.String(), errb.String())
		}
	}
	// ward demo takes the flag too, and says so before it seeds anything.
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"demo", "--dir", dir, "--idle-timeout", "0s"}, strings.NewReader(""), &out, &errb); code != ExitBadInput || !strings.Contains(errb.String(), "--idle-timeout") {
		t.Errorf("demo --idle-timeout 0s: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("demo --idle-timeout 0s seeded %s: %v", dir, err)
	}
}
