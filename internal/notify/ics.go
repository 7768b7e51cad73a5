package notify

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"ward/internal/date"
)

// Feed is a calendar of obligations (RFC 5545): one all-day event per
// obligation on its due date, with the obligation's UID (and the
// organization's slug), so that a calendar app that fetches it again
// updates its events instead of adding new ones.
type Feed struct {
	Name    string // X-WR-CALNAME
	Org     string // the organization's slug, in every UID
	BaseURL string // for the links
	AsOf    date.Date
	Items   []Obligation
}

// ForPerson keeps the obligations a person owns or watches.
func ForPerson(obs []Obligation, email string, p Prefs) []Obligation {
	var out []Obligation
	for _, o := range obs {
		if strings.EqualFold(o.Owner, email) || p.watches(o.Kind) {
			out = append(out, o)
		}
	}
	return out
}

var kindLabel = map[string]string{
	KindBreachNotice: "Breach notice", KindBAAExpiring: "BAA expires", KindBAAExpired: "BAA expired",
	KindEvidenceDue: "Evidence due", KindRiskDue: "Risk treatment due", KindPolicyReview: "Policy review",
	KindPolicyAck: "Policy acknowledgement", KindTrainingDue: "Training due", KindMilestone: "Milestone",
	KindPrivacyRequest: "Privacy Rule request due",
}

// ICS renders the feed. Two renderings of the same obligations on the
// same day are byte for byte equal (DTSTAMP is the as-of day).
func (f Feed) ICS() []byte {
	var b bytes.Buffer
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//ward//obligations//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escText(f.Name))
	stamp := f.AsOf.Time().Format("20060102") + "T000000Z"
	for _, o := range f.Items {
		line("BEGIN", "VEVENT")
		line("UID", escText(o.UID+"@"+f.Org+".ward"))
		line("DTSTAMP", stamp)
		fold(&b, "DTSTART;VALUE=DATE:"+o.Due.Time().Format("20060102"))
		fold(&b, "DTEND;VALUE=DATE:"+o.Due.AddDays(1).Time().Format("20060102"))
		label := kindLabel[o.Kind]
		if label == "" {
			label = o.Kind
		}
		line("SUMMARY", escText(label+": "+o.Title))
		desc := o.Title + "\nKind: " + o.Kind + "\nSubject: " + o.Subject
		if o.Owner != "" {
			desc += "\nOwner: " + o.Owner
		}
		if o.Link != "" {
			link := strings.TrimRight(f.BaseURL, "/") + o.Link
			desc += "\n" + link
			if strings.HasPrefix(link, "http") {
				line("URL", link)
			}
		}
		line("DESCRIPTION", escText(desc))
		line("CATEGORIES", escText(o.Kind))
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Bytes()
}

// escText escapes a TEXT value (RFC 5545 3.3.11).
func escText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold writes a content line folded at 75 octets, never inside a UTF-8
// sequence, ending in CRLF.
func fold(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
