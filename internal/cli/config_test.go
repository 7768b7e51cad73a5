package cli_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/cli"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var servingOn = regexp.MustCompile(`ward serving \w+ on http://(\S+)`)

// runServe runs `ward ARGS` (a serve), asks /healthz once, stops it and
// returns the address it listened on and its stderr.
func runServe(t *testing.T, args ...string) (addr, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs cli.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- cli.Main(ctx, args, strings.NewReader(""), &out, &errs) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("ward %v exited %d before serving: %s", args, code, errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ward %v did not start: %s", args, errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	<-done
	return addr, errs.String()
}

// TestServeSettingsPrecedence: ward serve takes a setting from its flag,
// else from WARD_<NAME>, else from --config FILE; the file alone can name
// the database.
func TestServeSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	fileAddr, envAddr, flagAddr := freePort(t), freePort(t), freePort(t)
	db := filepath.Join(dir, "from-file.db")
	conf := filepath.Join(dir, "ward.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`# ward serve settings
db = "sqlite:%s"
addr = %s
log-format = json

idle-timeout = 20m
`, db, fileAddr)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WARD_DB", "")
	for _, k := range []string{"WARD_ADDR", "WARD_LOG_FORMAT", "WARD_CONFIG"} {
		t.Setenv(k, "")
	}
	jsonLog := func(stderr string) bool {
		return strings.Contains(stderr, `{"time":`) && strings.Contains(stderr, `"msg":"request"`)
	}

	// The file alone.
	addr, stderr := runServe(t, "serve", "--config", conf)
	if addr != fileAddr || !jsonLog(stderr) {
		t.Errorf("file only: served on %s (want %s), log JSON %v:\n%s", addr, fileAddr, jsonLog(stderr), stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the file's db was not used: %v", err)
	}

	// The environment over the file; $WARD_CONFIG names the file.
	t.Setenv("WARD_CONFIG", conf)
	t.Setenv("WARD_ADDR", envAddr)
	t.Setenv("WARD_LOG_FORMAT", "text")
	addr, stderr = runServe(t, "serve")
	if addr != envAddr || jsonLog(stderr) || !strings.Contains(stderr, "msg=request") {
		t.Errorf("env over file: served on %s (want %s), want a text log:\n%s", addr, envAddr, stderr)
	}

	// A flag over both (before or after the command's name).
	addr, stderr = runServe(t, "serve", "--addr", flagAddr, "--log-format", "json")
	if addr != flagAddr || !jsonLog(stderr) {
		t.Errorf("flag over env: served on %s (want %s), log JSON %v:\n%s", addr, flagAddr, jsonLog(stderr), stderr)
	}
}

// TestServeConfigBadInput: a config file's mistakes are bad input (exit
// 2) naming the file, the line and the setting, and nothing is served.
func TestServeConfigBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct{ text, says string }{
		{"addr = 127.0.0.1:0\nlisten = 0.0.0.0:80\n", `ward.conf:2: unknown setting "listen"`},
		{"idle-timeout = soon\n", "ward.conf:1: idle-timeout"},
		{"# ok\naddr 127.0.0.1:0\n", "ward.conf:2:"},
		{"addr = 127.0.0.1:0\naddr = 127.0.0.1:1\n", "ward.conf:2: addr is already set on line 1"},
		{"config = other.conf\n", `ward.conf:1: unknown setting "config"`},
		{"secure = perhaps\n", "ward.conf:1: secure"},
	} {
		conf := filepath.Join(dir, "ward.conf")
		if err := os.WriteFile(conf, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errs cli.SyncBuffer
		code := cli.Main(context.Background(), []string{"--db", "sqlite:" + filepath.Join(dir, "w.db"), "serve", "--config", conf}, strings.NewReader(""), &out, &errs)
		if code != cli.ExitBadInput || !strings.Contains(errs.String(), tt.says) || strings.Contains(out.String(), "serving") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 saying %q", tt.text, code, errs.String(), tt.says)
		}
	}
	var out, errs cli.SyncBuffer
	if code := cli.Main(context.Background(), []string{"serve", "--config", filepath.Join(dir, "missing.conf")}, strings.NewReader(""), &out, &errs); code != cli.ExitBadInput || !strings.Contains(errs.String(), "missing.conf") {
		t.Errorf("missing file: exit %d, %q", code, errs.String())
	}
}

// FuzzParseConfig: no input makes the parser panic; what it accepts has
// names without "=" and no line given twice.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"addr = 127.0.0.1:8080\n", "# c\n\nsecure = true\n", "\ufeffa=\"b\"\n", "x\n", "=y\n", "a=1\na=2\n", "a = \"\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := cli.ParseConfig("f", text)
		if err != nil {
			return
		}
		for k := range m {
			if k == "" || strings.Contains(k, "=") {
				t.Errorf("name %q accepted", k)
			}
		}
	})
}
