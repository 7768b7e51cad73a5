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
