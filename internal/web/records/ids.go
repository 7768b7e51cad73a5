package records

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Ids made from names (issue 19 item 8). A create form asks for a name;
// the id is made from it ("eFax Corporate" → efax-corporate) unless the
// person types one under "more". The made id is never one already taken,
// by a record, a retired record (ids are not reused) or, for an own
// threat or vulnerability, the embedded library; forms.js shows it as
// one types, from the same rule and the same taken list, and the server
// makes it again on save (the source of truth).

// idRule says how a kind's id is made: the slugs of the From fields
// joined by "-" after Prefix; a date field gives its year (ra-2026).
type idRule struct {
	Prefix string
	From   []string
}

// maxMadeID keeps made ids short enough to read in a URL.
const maxMadeID = 60

// IDRules are the kinds whose id is made from other fields.
var IDRules = map[string]idRule{
	store.KindSystem:       {From: []string{"name"}},
	store.KindVendor:       {From: []string{"name"}},
	store.KindCustomer:     {From: []string{"name"}},
	store.KindAgreement:    {From: []string{"kind", "counterparty"}},
	store.KindThreat:       {From: []string{"title"}},
	store.KindVuln:         {From: []string{"title"}},
	store.KindRiskAnalysis: {Prefix: "ra", From: []string{"performed"}},
}

// IDBase is the id a rule makes from a form's values before it is made
// unique, or "" when the fields it is made from are empty.
func IDBase(rule idRule, get func(string) string) string {
	var parts []string
	if rule.Prefix != "" {
		parts = append(parts, rule.Prefix)
	}
	some := false
	for _, f := range rule.From {
		v := strings.TrimSpace(get(f))
		if d, err := date.ParseInput(v); err == nil && v != "" {
			v = strconv.Itoa(d.Year())
		}
		if s := workspace.Slug(v); s != "" {
			parts = append(parts, s)
			some = true
		}
	}
	if !some {
		return ""
	}
	base := strings.Join(parts, "-")
	if len(base) > maxMadeID {
		base = strings.TrimRight(base[:maxMadeID], "-")
	}
	return base
}

// FreeID is base, or base-2, base-3... the first that taken does not
// hold.
func FreeID(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for n := 2; ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if !taken[id] {
			return id
		}
	}
}

// takenIDs are the ids a new record of kind may not have: those of the
// kind's records, of its retired records, and for an own threat or
// vulnerability the embedded library's.
func takenIDs(ctx context.Context, o *store.OrgStore, k recordKind, ws *workspace.Workspace) (map[string]bool, error) {
	taken := map[string]bool{}
	for i := range k.count(ws) {
		taken[k.keyAt(ws, i)] = true
	}
	retired, err := o.Retired(ctx, k.Meta().Kind)
	if err != nil {
		return nil, err
	}
	for _, r := range retired {
		taken[r.Key] = true
	}
	switch k.Meta().Kind {
	case store.KindThreat:
		for _, t := range risk.Threats() {
			taken[t.ID] = true
		}
	case store.KindVuln:
		for _, v := range risk.Vulnerabilities() {
			taken[v.ID] = true
		}
	}
	return taken, nil
}

// takenList is taken for the page, sorted, one id a word (ids hold no
// spaces).
func takenList(taken map[string]bool) string {
	out := make([]string, 0, len(taken))
	for id := range taken {
		if bounds.ID(id) == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// madeID fills a create form's empty id from its name: what the form
// posts when the person leaves the id to ward.
func madeID(k recordKind, form url.Values, taken map[string]bool) string {
	rule, ok := IDRules[k.Meta().Kind]
	if !ok {
		return ""
	}
	base := IDBase(rule, form.Get)
	if base == "" {
		return ""
	}
	return FreeID(base, taken)
}

var incidentNumber = regexp.MustCompile(`^inc-(\d{4})-(\d+)$`)

// NextIncidentID is the next free incident number of the year:
// inc-2026-003 after inc-2026-002, never one a record or a retired record
// holds (issue 19: the form suggested one already taken).
func NextIncidentID(ws *workspace.Workspace, retired []string, year int) string {
	taken := map[string]bool{}
	most := 0
	note := func(id string) {
		taken[id] = true
		if m := incidentNumber.FindStringSubmatch(id); m != nil && m[1] == strconv.Itoa(year) {
			if n, err := strconv.Atoi(m[2]); err == nil && n > most && n < 1_000_000 {
				most = n
			}
		}
	}
	for _, inc := range ws.Incidents {
		note(inc.ID)
	}
	for _, id := range retired {
		note(id)
	}
	for n := most + 1; ; n++ {
		if id := fmt.Sprintf("inc-%d-%03d", year, n); !taken[id] {
			return id
		}
	}
}

// RetiredKeys are the keys of a kind's retired records.
func RetiredKeys(ctx context.Context, o *store.OrgStore, kind string) ([]string, error) {
	rs, err := o.Retired(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out, nil
}
