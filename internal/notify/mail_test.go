package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ward/internal/notify/notifytest"
)

// selfSigned is a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// TestSMTPStartTLSAndTLS: smtp:// upgrades with STARTTLS before it logs
// in (the password from a file), smtps:// speaks TLS from the start (the
// password from the URL); a certificate the client does not trust stops
// the delivery before anything is sent, and a wrong password is refused.
func TestSMTPStartTLSAndTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	users := map[string]string{"ward": "correct horse battery"}
	msg := Message{To: "dana@acme-health.example", Kind: MessageAlert, Org: "acme", Subject: "ward alert: test",
		Items: []Item{{Kind: KindBAAExpired, Subject: "baa-x", Title: "The BAA with X expired"}}}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("correct horse battery\n"), 0o600)

	for _, tc := range []struct {
		name     string
		implicit bool
		url      func(addr string) string
		file     string
	}{
		{"starttls", false, func(a string) string { return "smtp://ward@" + a }, pwFile},
		{"tls", true, func(a string) string { return "smtps://ward:correct%20horse%20battery@" + a }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := notifytest.StartWith(t, notifytest.Options{TLS: serverTLS, Implicit: tc.implicit, Users: users})
			m, err := ParseSMTP(tc.url(srv.Addr), tc.file, "ward <ward@acme-health.example>")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.String(), "horse") {
				t.Errorf("String() shows the password: %s", m)
			}
			// Not trusted: refused, nothing delivered.
			if err := m.Send(context.Background(), msg.To, Compose(m.From, msg, MessageID(1, "k"), "", time.Now())); err == nil {
				t.Error("a certificate the client does not trust was accepted")
			}
			m.TLS = &tls.Config{RootCAs: pool}
			if err := m.Send(context.Background(), msg.To, Compose(m.From, msg, MessageID(1, "k"), "", time.Now())); err != nil {
				t.Fatal(err)
			}
			got := srv.Received()
			if len(got) != 1 || !got[0].TLS || got[0].User != "ward" || got[0].To != msg.To || got[0].Subject != msg.Subject {
				t.Fatalf("received %+v", got)
			}
			if !strings.Contains(got[0].Body, "The BAA with X expired") || got[0].MessageID != MessageID(1, "k") {
				t.Errorf("body %q, Message-ID %s", got[0].Body, got[0].MessageID)
			}
			m.Password = "wrong"
			if err := m.Send(context.Background(), msg.To, Compose(m.From, msg, MessageID(1, "k"), "", time.Now())); err == nil || strings.Contains(err.Error(), "wrong") {
				t.Errorf("a wrong password: %v", err)
			}
		})
	}
}
