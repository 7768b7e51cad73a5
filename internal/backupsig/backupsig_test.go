package backupsig

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignVerify(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "backup.key")
	pub, err := GenerateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(key); fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := GenerateKey(key); err == nil {
		t.Error("GenerateKey overwrote a key")
	}
	priv, err := LoadPrivate(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{key, key + ".pub"} {
		got, err := LoadPublic(p)
		if err != nil || !got.Equal(pub) {
			t.Errorf("LoadPublic(%s) = %v, %v", filepath.Base(p), got, err)
		}
	}
	manifest := []byte(`{"format":"ward-backup/1","tables":[]}`)
	sig, err := Sign(priv, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, manifest, sig); err != nil {
		t.Errorf("a good signature: %v", err)
	}
	if err := Verify(pub, bytes.Replace(manifest, []byte("[]"), []byte("[1]"), 1), sig); err == nil || !strings.Contains(err.Error(), "changed after it was signed") {
		t.Errorf("a changed manifest: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if err := Verify(other, manifest, sig); err == nil || !strings.Contains(err.Error(), "not by the key given") {
		t.Errorf("another key: %v", err)
	}
	if err := Verify(pub, manifest, nil); !errors.Is(err, ErrUnsigned) {
		t.Errorf("no signature: %v", err)
	}
	for _, bad := range []string{"", "{}", `{"format":"ward-backup-signature/1","algorithm":"ed25519","key":"x","signature":"AAAA"}`, `{"format":"ward-backup-signature/1","algorithm":"ed25519","extra":1}`} {
		if err := Verify(pub, manifest, []byte(bad)); err == nil {
			t.Errorf("signature file %q accepted", bad)
		}
	}
	// A signature over the bare manifest (no domain) is not a backup
	// signature: the key cannot be tricked into signing one elsewhere.
	if ed25519.Verify(pub, manifest, ed25519.Sign(priv, manifest)) {
		raw := []byte(`{"format":"ward-backup-signature/1","algorithm":"ed25519","key":"` + Fingerprint(pub) + `","signature":"` + b64(ed25519.Sign(priv, manifest)) + `"}`)
		if err := Verify(pub, manifest, raw); err == nil {
			t.Error("a signature without the domain was accepted")
		}
	}
}

// TestKeysInteroperateWithOpenSSL: the key files are the standard PEM
// forms: OpenSSL derives the same public key from ward's private key, and
// ward reads a key OpenSSL made.
func TestKeysInteroperateWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "ward.key")
	if _, err := GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "pkey", "-in", key, "-pubout").Output()
	if err != nil {
		t.Fatalf("openssl pkey: %v", err)
	}
	ours, _ := os.ReadFile(key + ".pub")
	if !bytes.Equal(bytes.TrimSpace(out), bytes.TrimSpace(ours)) {
		t.Errorf("openssl's public key:\n%s\nward's:\n%s", out, ours)
	}
	theirs := filepath.Join(dir, "openssl.key")
	if out, err := exec.Command("openssl", "genpkey", "-algorithm", "ed25519", "-out", theirs).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v %s", err, out)
	}
	priv, err := LoadPrivate(theirs)
	if err != nil {
		t.Fatalf("ward reads OpenSSL's key: %v", err)
	}
	pubPEM := filepath.Join(dir, "openssl.pub")
	if out, err := exec.Command("openssl", "pkey", "-in", theirs, "-pubout", "-out", pubPEM).CombinedOutput(); err != nil {
		t.Fatalf("openssl pkey -pubout: %v %s", err, out)
	}
	pub, err := LoadPublic(pubPEM)
	if err != nil || !pub.Equal(priv.Public()) {
		t.Errorf("OpenSSL's public key: %v", err)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
