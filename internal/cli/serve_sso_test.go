package cli_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ward/internal/cli"
	"ward/internal/oidctest"
)

// TestServeSSO: the single sign-on settings come from flags, WARD_OIDC_*
// and the config file like every serve setting; ward serve prints the
// redirect URIs to register, and the login page offers the provider.
func TestServeSSO(t *testing.T) {
	p := oidctest.Start(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "oidc-secret")
	if err := os.WriteFile(secret, []byte(p.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "ward.conf")
	if err := os.WriteFile(conf, []byte("oidc-client-id = "+p.ClientID+"\noidc-client-secret-file = "+secret+"\noidc-groups-claim = realm_access.roles\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"WARD_CONFIG", "WARD_BASE_URL", "WARD_OIDC_CLIENT_ID", "WARD_OIDC_CLIENT_SECRET_FILE", "WARD_OIDC_NAME", "WARD_OIDC_SCOPES", "WARD_OIDC_GROUPS_CLAIM"} {
		t.Setenv(k, "")
	}
	t.Setenv("WARD_OIDC_ISSUER", p.Issuer)
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs cli.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"--db", "sqlite:" + filepath.Join(dir, "w.db"), "serve", "--config", conf, "--addr", addr, "--oidc-name", "Harbor SSO", "--no-notify"}, strings.NewReader(""), &out, &errs)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "post-logout redirect URI") {
		select {
		case code := <-done:
			t.Fatalf("ward serve exited %d: %s", code, errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no single sign-on banner: %s\n%s", out.String(), errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"Single sign-on with Harbor SSO (" + p.Issuer + ") is on; groups are read from the ID token's \"realm_access.roles\" claim", "redirect URI:              http://" + addr + "/login/sso/callback", "http://" + addr + "/login?reason=loggedout"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String()+errs.String(), p.ClientSecret) {
		t.Errorf("the client secret was printed")
	}
	resp, err := http.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Sign in with Harbor SSO") {
		t.Errorf("the login page does not offer the provider:\n%s", b)
	}
	cancel()
	<-done
}

// TestServeSSOBadInput: incomplete or unusable single sign-on settings
// are bad input (exit 2) saying what to fix, and nothing is served.
func TestServeSSOBadInput(t *testing.T) {
	p := oidctest.Start(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("s"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, k := range []string{"WARD_CONFIG", "WARD_OIDC_ISSUER", "WARD_OIDC_CLIENT_ID", "WARD_OIDC_CLIENT_SECRET_FILE"} {
		t.Setenv(k, "")
	}
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"--oidc-issuer", p.Issuer, "--oidc-client-secret-file", secret}, "needs --oidc-client-id"},
		{[]string{"--oidc-issuer", p.Issuer, "--oidc-client-id", "x"}, "needs --oidc-client-secret-file"},
		{[]string{"--oidc-issuer", p.Issuer, "--oidc-client-id", "x", "--oidc-client-secret-file", filepath.Join(dir, "nope")}, "nope"},
		{[]string{"--oidc-issuer", p.Issuer, "--oidc-client-id", "x", "--oidc-client-secret-file", empty}, "is empty"},
		{[]string{"--oidc-client-id", "x"}, "need --oidc-issuer"},
		{[]string{"--oidc-issuer", "http://127.0.0.1:1/realm", "--oidc-client-id", "x", "--oidc-client-secret-file", secret}, "openid-configuration"},
	} {
		var out, errs cli.SyncBuffer
		args := append([]string{"--db", "sqlite:" + filepath.Join(dir, "w.db"), "serve", "--addr", "127.0.0.1:0", "--no-notify"}, tt.args...)
		code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errs)
		if code != cli.ExitBadInput || !strings.Contains(errs.String(), tt.says) || strings.Contains(out.String(), "serving") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", tt.args, code, errs.String(), tt.says)
		}
	}
}
