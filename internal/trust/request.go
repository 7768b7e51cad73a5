package trust

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"ward/internal/bounds"
)

// Request states. An approved request whose link has passed its expiry
// is expired (derived, see State).
const (
	RequestPending    = "pending"
	RequestApproved   = "approved"
	RequestDenied     = "denied"
	RequestDownloaded = "downloaded"
	RequestExpired    = "expired"
)

// NDA is the click-through a requester accepts; its version is the first
// bytes of its SHA-256, recorded on the request.
const NDA = `The requested documents are confidential. I will use them only to evaluate a business relationship with the organization, will not share them outside my organization, and will delete them when they are no longer needed for that purpose. Each download is marked with my name and company.`

// NDAVersion names the NDA text a requester accepted.
func NDAVersion() string {
	s := sha256.Sum256([]byte(NDA))
	return "nda-" + hex.EncodeToString(s[:])[:12]
}

// Request is one request for a trust center document: who asked, the
// NDA they accepted, the admin's decision and the single-use link.
type Request struct {
	ID        string    `json:"id"`
	Document  string    `json:"document"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Company   string    `json:"company"`
	NDA       string    `json:"nda"`
	Requested time.Time `json:"requested"`
	Status    string    `json:"status"`
	DecidedBy string    `json:"decided_by,omitempty"`
	Decided   time.Time `json:"decided,omitzero"`
	// TokenHash is the SHA-256 of the link's token; the token itself is
	// shown once to the admin and queued for e-mail, never stored here.
	TokenHash  string    `json:"token_hash,omitempty"`
	Expires    time.Time `json:"expires,omitzero"`
	Downloaded time.Time `json:"downloaded,omitzero"`
}

// State is the request's state at now: approved becomes expired once the
// link has passed its expiry unused.
func (r Request) State(now time.Time) string {
	if r.Status == RequestApproved && !r.Expires.IsZero() && !now.Before(r.Expires) {
		return RequestExpired
	}
	return r.Status
}

// CheckRequest validates what a requester typed; the error names the
// field.
func CheckRequest(name, email, company string, nda bool) map[string]string {
	errs := map[string]string{}
	field := func(k, v, what string, max int) {
		switch {
		case strings.TrimSpace(v) == "":
			errs[k] = "Enter your " + what + "."
		case len(v) > max:
			errs[k] = fmt.Sprintf("At most %d characters.", max)
		case bounds.Line(v, max) != nil:
			errs[k] = "Use plain text on one line."
		}
	}
	field("name", name, "name", 200)
	field("company", company, "company", 200)
	field("email", email, "work e-mail address", 254)
	if errs["email"] == "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, ".") {
			errs["email"] = "Enter an e-mail address such as name@hospital.example."
		}
	}
	if !nda {
		errs["nda"] = "Accept the non-disclosure terms to request documents."
	}
	return errs
}

// TokenHash is the stored form of a link token.
func TokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// Approval is what approving a request makes: the request as approved,
// the single-use link (its token appears nowhere else but in Mail), and
// the mail that carries it to the requester.
type Approval struct {
	Request       Request
	Link          string
	MailID        string
	Subject, Body string
}

// Approve approves r for the document: a new random token (its hash kept
// on the request), an expiry hours after now, and the link under base
// (the trust center's address, https://host/trust/slug).
func Approve(r Request, docTitle, org, base, token, by string, now time.Time, hours int) Approval {
	r.Status, r.DecidedBy, r.Decided = RequestApproved, by, now.UTC()
	r.TokenHash = TokenHash(token)
	r.Expires = now.UTC().Add(time.Duration(hours) * time.Hour)
	link := base + "/download/" + r.ID + "/" + token
	return Approval{Request: r, Link: link, MailID: "link:" + r.ID,
		Subject: org + ": your download link for " + docTitle,
		Body: fmt.Sprintf("%s approved your request for %s.\n\nDownload it here (the link works once, until %s):\n%s\n\nThe file is marked with your name, company and e-mail address, and is shared under the non-disclosure terms you accepted.\n",
			org, docTitle, r.Expires.Format("2006-01-02 15:04 UTC"), link)}
}
