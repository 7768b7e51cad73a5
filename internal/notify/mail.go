package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"
)

// Mailer sends e-mail through one SMTP server: smtp://[user[:pass]@]host[:port]
// (STARTTLS, port 587 by default) or smtps://... (TLS from the first
// byte, port 465). The password is never printed: String redacts it.
type Mailer struct {
	Host     string
	Port     string
	Implicit bool // smtps://
	User     string
	Password string
	From     string
	// TLS is the client configuration (tests trust their own CA).
	TLS *tls.Config
	// Timeout bounds one message's whole SMTP conversation.
	Timeout time.Duration
}

// ParseSMTP reads --smtp-url. The password comes from the URL, else from
// passwordFile, else from $WARD_SMTP_PASSWORD. from is the sender.
func ParseSMTP(raw, passwordFile, from string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("--smtp-url is not a URL (smtp://user@host:587 or smtps://user@host:465)")
	}
	m := &Mailer{Host: u.Hostname(), Port: u.Port(), From: from, Timeout: time.Minute}
	switch u.Scheme {
	case "smtp":
		if m.Port == "" {
			m.Port = "587"
		}
	case "smtps":
		m.Implicit = true
		if m.Port == "" {
			m.Port = "465"
		}
	default:
		return nil, fmt.Errorf("--smtp-url: scheme %q is not smtp (STARTTLS) or smtps (TLS)", u.Scheme)
	}
	if m.Host == "" {
		return nil, errors.New("--smtp-url names no host")
	}
	if u.User != nil {
		m.User = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	if m.Password == "" && passwordFile != "" {
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return nil, fmt.Errorf("--smtp-password-file: %v", err)
		}
		m.Password = strings.TrimRight(string(b), "\r\n")
	}
	if m.Password == "" {
		m.Password = os.Getenv("WARD_SMTP_PASSWORD")
	}
	if m.From == "" {
		return nil, errors.New("--smtp-from (or $WARD_SMTP_FROM) is needed with --smtp-url: the sender address")
	}
	if _, err := mailAddr(m.From); err != nil {
		return nil, fmt.Errorf("--smtp-from %q: %v", m.From, err)
	}
	return m, nil
}

// String is the server without the password.
func (m *Mailer) String() string {
	s := "smtp"
	if m.Implicit {
		s = "smtps"
	}
	s += "://"
	if m.User != "" {
		s += m.User + "@"
	}
	return s + net.JoinHostPort(m.Host, m.Port)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers one message (headers and body, as Compose makes it) to
// one address: one connection, one transaction.
func (m *Mailer) Send(ctx context.Context, to string, msg []byte) error {
	addr := net.JoinHostPort(m.Host, m.Port)
	d := net.Dialer{Timeout: 30 * time.Second}
	conf := m.TLS
	if conf == nil {
		conf = &tls.Config{}
	}
	conf = conf.Clone()
	if conf.ServerName == "" {
		conf.ServerName = m.Host
	}
	var conn net.Conn
	var err error
	if m.Implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: conf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m, err)
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", m, err)
	}
	defer c.Close()
	host, _ := os.Hostname()
	if err := c.Hello(cmpOr(host, "localhost")); err != nil {
		return fmt.Errorf("smtp %s: HELO: %w", m, err)
	}
	if !m.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(conf); err != nil {
				return fmt.Errorf("smtp %s: STARTTLS: %w", m, err)
			}
		} else if !loopback(m.Host) {
			return fmt.Errorf("smtp %s: the server offers no STARTTLS; ward sends mail only encrypted (use smtps:// for TLS)", m)
		}
	}
	if m.User != "" {
		if err := c.Auth(smtp.PlainAuth("", m.User, m.Password, m.Host)); err != nil {
			return fmt.Errorf("smtp %s: AUTH: %w", m, err)
		}
	}
	from, _ := mailAddr(m.From)
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", m, err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp %s: RCPT TO %s: %w", m, to, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", m, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", m, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: the server refused the message: %w", m, err)
	}
	c.Quit()
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func mailAddr(s string) (string, error) {
	a, err := parseAddress(s)
	if err != nil {
		return "", err
	}
	return a, nil
}

// MessageID is the Message-ID of the message with this outbox key: the
// same on every attempt, so a receiver can tell a repeat.
func MessageID(orgID int64, key string) string {
	h := sha256.Sum256([]byte(fmt.Sprint(orgID) + "\x00" + key))
	return "<" + hex.EncodeToString(h[:16]) + "@ward.notify>"
}

// Compose renders a message as an RFC 5322 e-mail: plain text, quoted-
// printable, with the links.
func Compose(from string, m Message, messageID, prefsURL string, at time.Time) []byte {
	return composeText(from, m.To, m.Subject, m.Kind, messageID, Text(m, prefsURL), at)
}

// composeText is a plain-text e-mail of text.
func composeText(from, to, subject, kind, messageID, text string, at time.Time) []byte {
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	hdr("Date", at.UTC().Format(time.RFC1123Z))
	hdr("Message-ID", messageID)
	hdr("X-Ward-Kind", kind)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

// Text is a message's body in words.
func Text(m Message, prefsURL string) string {
	var b strings.Builder
	var over, soon []Item
	for _, it := range m.Items {
		if it.Overdue {
			over = append(over, it)
		} else {
			soon = append(soon, it)
		}
	}
	section := func(title string, items []Item) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s\n\n", title)
		for _, it := range items {
			due := ""
			if !it.Due.IsZero() {
				due = "[" + it.Due.String() + "] "
			}
			fmt.Fprintf(&b, "- %s%s\n", due, it.Title)
			if it.Link != "" {
				fmt.Fprintf(&b, "  %s\n", it.Link)
			}
		}
		b.WriteString("\n")
	}
	if m.Kind == MessageDigest {
		section("Overdue:", over)
		section(fmt.Sprintf("Due within %d days:", DigestDays), soon)
		fmt.Fprintf(&b, "You get this because you own or watch these items in ward (%s).\n", m.Org)
	} else {
		section(m.Subject, m.Items)
	}
	if prefsURL != "" {
		fmt.Fprintf(&b, "Your notification settings: %s\n", prefsURL)
	}
	return b.String()
}
