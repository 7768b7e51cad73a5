package notify

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// DigestDays is how far ahead a digest looks: what falls due within it
// (and everything overdue) is listed.
const DigestDays = 14

// Breach-notice alerts go out when a notice is this many days from its
// deadline, and again at the second.
const (
	AlertFirstDays  = 10
	AlertSecondDays = 3
)

// NewIncidentDays is how long after its discovery an incident that may
// be a breach is "new": a first run of the notifier on an old database
// does not alert on last year's incidents.
const NewIncidentDays = 7

// Message kinds.
const (
	MessageDigest = "digest"
	MessageAlert  = "alert"
)

// Item is one line of a message.
type Item struct {
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Due     date.Date `json:"due,omitzero"`
	Overdue bool      `json:"overdue"`
	Title   string    `json:"title"`
	// Link is the page, absolute when a base URL was given.
	Link string `json:"link,omitempty"`
}

// Message is one e-mail (or webhook delivery) to one person.
type Message struct {
	To   string `json:"to"`
	Kind string `json:"kind"` // digest | alert
	// Alert says which alert (an item kind, with its period: "breach-notice
	// 10 days out").
	Org     string `json:"org"`
	Subject string `json:"subject"`
	Items   []Item `json:"items"`
	// Key is the message's identity in the outbox: recipient, kind,
	// subject and period. A message with a key already in the outbox is
	// never queued again.
	Key string `json:"key"`
}

// Prefs are a person's choices. The zero value is the default: digest
// and alerts on, nothing watched beyond what the person owns.
type Prefs struct {
	NoDigest bool `json:"no_digest"`
	NoAlerts bool `json:"no_alerts"`
	// Watch lists item kinds the person also wants when someone else
	// owns them ("all" for every kind).
	Watch []string `json:"watch"`
}

func (p Prefs) watches(kind string) bool {
	return slices.Contains(p.Watch, kind) || slices.Contains(p.Watch, "all")
}

// Options tune Plan.
type Options struct {
	// BaseURL is prefixed to links ("https://ward.example.com").
	BaseURL string
	// Prefs by e-mail address (lower case).
	Prefs map[string]Prefs
	// Controls are the control states at the last run (posture's met,
	// partial, not-met); a control met then and no longer met now (partly
	// or not met), with a failing imported scan check, is alerted. nil: no
	// control alerts.
	Controls map[string]string
	// Now are the states now, as ControlStates gives them (nil: none).
	Now map[string]ControlState
}

// Plan is every message due for the organization on asOf: one digest
// per person with something overdue or due within DigestDays that they
// own or watch, and the alerts of the day. Messages are sorted by
// recipient, alerts before the digest.
func Plan(ws *workspace.Workspace, asOf date.Date, slug string, opt Options) []Message {
	obs := Obligations(ws, asOf, slug)
	link := func(p string) string {
		if p == "" {
			return ""
		}
		return strings.TrimRight(opt.BaseURL, "/") + p
	}
	item := func(o Obligation) Item {
		return Item{Kind: o.Kind, Subject: o.Subject, Due: o.Due, Overdue: o.Overdue, Title: o.Title, Link: link(o.Link)}
	}
	pref := func(email string) Prefs { return opt.Prefs[strings.ToLower(email)] }
	var out []Message
	alert := func(to, kind, subject, period, line string, it Item) {
		if to == "" || pref(to).NoAlerts {
			return
		}
		out = append(out, Message{To: to, Kind: MessageAlert, Org: slug, Subject: line, Items: []Item{it},
			Key: key(to, MessageAlert+":"+kind, subject, period)})
	}

	// Digests.
	digests := map[string][]Item{}
	people := peopleOf(ws)
	latest := map[string]date.Date{} // a control's latest missed evidence period
	for _, o := range obs {
		if o.Kind == KindEvidenceDue && o.Overdue && o.Due.After(latest[o.Subject]) {
			latest[o.Subject] = o.Due
		}
	}
	for _, o := range obs {
		if !o.Overdue && asOf.DaysUntil(o.Due) > DigestDays {
			continue
		}
		// Of the evidence periods a control missed, the digest names the
		// latest: a daily control's missed days are one gap, not a list.
		if o.Kind == KindEvidenceDue && o.Overdue && o.Due != latest[o.Subject] {
			continue
		}
		got := map[string]bool{}
		if o.Owner != "" && !pref(o.Owner).NoDigest {
			digests[o.Owner] = append(digests[o.Owner], item(o))
			got[o.Owner] = true
		}
		for _, p := range people {
			if !got[p] && !pref(p).NoDigest && pref(p).watches(o.Kind) {
				digests[p] = append(digests[p], item(o))
				got[p] = true
			}
		}
	}
	for to, items := range digests {
		slices.SortStableFunc(items, func(a, b Item) int {
			if a.Overdue != b.Overdue {
				if a.Overdue {
					return -1
				}
				return 1
			}
			return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), strings.Compare(a.Subject, b.Subject))
		})
		over := 0
		for _, it := range items {
			if it.Overdue {
				over++
			}
		}
		subj := "ward: " + plural(len(items), "item") + " for " + asOf.String()
		if over > 0 {
			subj += " (" + plural(over, "overdue") + ")"
		}
		out = append(out, Message{To: to, Kind: MessageDigest, Org: slug, Subject: subj, Items: items,
			Key: key(to, MessageDigest, slug, asOf.String())})
	}

	// Alerts: breach-notice deadlines 10 and 3 days out, expired BAAs.
	for _, o := range obs {
		switch o.Kind {
		case KindBreachNotice:
			d := asOf.DaysUntil(o.Due)
			if d < 0 || d > AlertFirstDays {
				continue
			}
			period := "10d"
			if d <= AlertSecondDays {
				period = "3d"
			}
			alert(o.Owner, o.Kind, o.UID, period, "ward alert: "+o.Title+" is due "+o.Due.String()+" ("+plural(d, "day")+" left)", item(o))
		case KindBAAExpired:
			alert(o.Owner, o.Kind, o.UID, o.Due.String(), "ward alert: "+o.Title, item(o))
		}
	}
	// A new incident that may be a breach.
	for _, inc := range ws.Incidents {
		if inc.Discovered.IsZero() || inc.Discovered.After(asOf) || inc.Discovered.DaysUntil(asOf) > NewIncidentDays {
			continue
		}
		if !incident.Determine(ws, inc).Breach {
			continue
		}
		it := Item{Kind: KindIncident, Subject: inc.ID, Due: inc.Discovered, Title: "Incident " + inc.ID + " may be a breach of unsecured PHI: " + inc.Summary,
			Link: link("/orgs/" + slug + "/incidents/" + esc(inc.ID))}
		line := "ward alert: incident " + inc.ID + " may be a breach"
		for _, to := range uniq(ws.Organization.Officers.Privacy, ws.Organization.Officers.Security) {
			alert(to, KindIncident, inc.ID, "new", line, it)
		}
	}
	// A control an imported scan turned from met to not met.
	if opt.Controls != nil {
		for id, st := range opt.Now {
			// ward counts a control with failing scan checks as partly met
			// at best: met before, not met now, with a failing check.
			if opt.Controls[id] != "met" || st.State == "met" || st.State == "not-applicable" || st.Failing == 0 {
				continue
			}
			it := Item{Kind: KindControlNotMet, Subject: id, Due: asOf, Title: "Control " + st.Title + " is no longer met: " + plural(st.Failing, "failing scan check"),
				Link: link("/orgs/" + slug + "/controls/" + esc(id))}
			alert(cmp.Or(st.Owner, ws.Organization.Officers.Security, ws.Organization.Officers.Privacy), KindControlNotMet, id, asOf.String(), "ward alert: "+it.Title, it)
		}
	}

	slices.SortStableFunc(out, func(a, b Message) int {
		return cmp.Or(strings.Compare(a.To, b.To), strings.Compare(b.Kind, a.Kind), strings.Compare(a.Key, b.Key))
	})
	if out == nil {
		out = []Message{}
	}
	return out
}

// key is the outbox key: recipient, kind, subject, period.
func key(to, kind, subject, period string) string {
	return strings.ToLower(to) + "|" + kind + "|" + subject + "|" + period
}

func peopleOf(ws *workspace.Workspace) []string {
	var out []string
	for _, p := range ws.People {
		out = append(out, p.Email)
	}
	return uniq(append(out, ws.Organization.Officers.Privacy, ws.Organization.Officers.Security)...)
}

func uniq(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func plural(n int, what string) string {
	s := itoa(n) + " " + what
	if n != 1 && !strings.HasSuffix(what, "overdue") {
		s += "s"
	}
	return s
}

// ControlState is what the control alert needs of a control's posture.
type ControlState struct {
	State   string `json:"state"`
	Failing int    `json:"failing"`
	Owner   string `json:"owner"`
	Title   string `json:"title"`
}

// ControlStates is every adopted control's posture on asOf.
func ControlStates(ws *workspace.Workspace, asOf date.Date) map[string]ControlState {
	cat := catalog.Default()
	out := map[string]ControlState{}
	for _, c := range ws.Controls {
		st := posture.Control(ws, cat, c.ID, asOf)
		out[c.ID] = ControlState{State: st.State, Failing: st.Failing, Owner: c.Owner, Title: cmp.Or(st.Title, c.ID)}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
