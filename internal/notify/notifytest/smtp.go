// Package notifytest is a real SMTP server on loopback for tests
// (github.com/emersion/go-smtp), which keeps what it received.
package notifytest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted.
type Mail struct {
	From, To  string
	Subject   string
	MessageID string
	Kind      string // X-Ward-Kind
	Body      string // decoded
	Raw       []byte
	// TLS: the message came over TLS (STARTTLS or implicit); User is who
	// authenticated ("" when no one did).
	TLS  bool
	User string
}

// Options make the server speak TLS and require a login.
type Options struct {
	// TLS offers STARTTLS, or with Implicit speaks TLS from the first
	// byte (smtps).
	TLS      *tls.Config
	Implicit bool
	// Users, when set, are the accounts that may log in (AUTH PLAIN), and
	// a message needs a login.
	Users map[string]string
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr  string
	mu    sync.Mutex
	got   []Mail
	n     int
	users map[string]string
	// OnSession, when set, is called as each connection begins, with its
	// number (1, 2, ...); it may block.
	OnSession func(n int)
}

// Start starts a plain server, stopped when the test ends.
func Start(t *testing.T) *Server { return StartWith(t, Options{}) }

// StartWith starts a server with opt.
func StartWith(t *testing.T, opt Options) *Server {
	t.Helper()
	srv := &Server{users: opt.Users}
	s := smtp.NewServer(backend{srv})
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.AllowInsecureAuth = opt.TLS == nil
	s.TLSConfig = opt.TLS
	var ln net.Listener
	var err error
	if opt.Implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", opt.TLS)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv.Addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return srv
}

// URL is the --smtp-url of the server.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Received is what the server accepted so far.
func (s *Server) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.n++
	n := b.s.n
	hook := b.s.OnSession
	b.s.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, conn: c, tls: isTLS}, nil
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	from, to string
	tls      bool
	user     string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := x.s.users[user]; !ok || want != pass {
			return errors.New("invalid credentials")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.users != nil && x.user == "" {
		return errors.New("log in first")
	}
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	m := Mail{From: x.from, To: x.to, Raw: raw, TLS: isTLS || x.tls, User: x.user}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		dec := new(mime.WordDecoder)
		m.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
		m.MessageID = msg.Header.Get("Message-ID")
		m.Kind = msg.Header.Get("X-Ward-Kind")
		var body io.Reader = msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.Body = string(b)
	}
	x.s.mu.Lock()
	x.s.got = append(x.s.got, m)
	x.s.mu.Unlock()
	return nil
}
