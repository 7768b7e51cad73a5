package records

import (
	"net/url"
	"slices"
	"strings"

	"ward/internal/workspace"
)

// LinkGroup is one kind of record linked to the record a page shows: a
// vendor's systems, flows and agreements; a system's vendor, flows and
// risks; a customer's agreements and incidents (issue 19 item 3).
type LinkGroup struct {
	Title string     `json:"title"`
	Items []LinkItem `json:"items"`
	// Add is a prefilled form that adds one more ("" for none).
	Add, AddLabel string `json:"-"`
}

type LinkItem struct {
	Label string `json:"label"`
	Href  string `json:"href"`
	Note  string `json:"note,omitempty"`
}

func linkedRecords(ws *workspace.Workspace, slug string, rec any) []LinkGroup {
	base := "/orgs/" + slug
	sys := func(id string) LinkItem {
		label := id
		if s := ws.System(id); s != nil {
			label = NameOr(s.Name, s.ID)
		}
		return LinkItem{Label: label, Href: Href(slug, SystemKind.Meta(), id)}
	}
	flow := func(f workspace.Flow) LinkItem {
		note := "no PHI"
		if f.PHI {
			note = "PHI"
			if !f.EncryptedInTransit {
				note += ", not encrypted"
			}
		}
		return LinkItem{Label: sys(f.From).Label + " → " + sys(f.To).Label, Href: Href(slug, FlowKind.Meta(), f.Key()), Note: note}
	}
	agreement := func(a workspace.Agreement) LinkItem {
		note := a.Direction + ", " + a.Status
		if a.File != "" {
			note += ", signed copy on file"
		}
		return LinkItem{Label: strings.ToUpper(a.Kind) + " " + a.ID, Href: Href(slug, AgreementKind.Meta(), a.ID), Note: note}
	}
	incident := func(inc workspace.Incident) LinkItem {
		return LinkItem{Label: inc.ID, Href: base + "/incidents/" + url.PathEscape(inc.ID), Note: inc.Discovered.String()}
	}
	var out []LinkGroup
	add := func(g LinkGroup) {
		if g.Items == nil {
			g.Items = []LinkItem{}
		}
		out = append(out, g)
	}
	switch rec := rec.(type) {
	case workspace.Vendor:
		systems := LinkGroup{Title: "Systems it runs", Add: base + "/systems/new?" + url.Values{"vendor": {rec.ID}}.Encode(), AddLabel: "Add a system"}
		mine := map[string]bool{}
		for _, s := range ws.Systems {
			if s.Vendor == rec.ID {
				mine[s.ID] = true
				it := sys(s.ID)
				if s.PHI || s.LivePHI {
					it.Note = "holds PHI"
				}
				systems.Items = append(systems.Items, it)
			}
		}
		add(systems)
		flows := LinkGroup{Title: "Flows"}
		for _, f := range ws.Flows {
			if mine[f.From] || mine[f.To] {
				flows.Items = append(flows.Items, flow(f))
			}
		}
		add(flows)
		ags := LinkGroup{Title: "Agreements", Add: base + "/agreements/new?" + url.Values{"kind": {"baa"}, "direction": {"downstream"}, "counterparty": {rec.ID}, "status": {"executed"}}.Encode(), AddLabel: "Add an agreement"}
		for _, a := range ws.Agreements {
			if a.Counterparty == rec.ID {
				ags.Items = append(ags.Items, agreement(a))
			}
		}
		add(ags)
		incs := LinkGroup{Title: "Incidents"}
		for _, inc := range ws.Incidents {
			if slices.Contains(inc.Vendors, rec.ID) || slices.ContainsFunc(inc.Systems, func(s string) bool { return mine[s] }) {
				incs.Items = append(incs.Items, incident(inc))
			}
		}
		add(incs)
	case workspace.System:
		if rec.Vendor != "" {
			label := rec.Vendor
			if v := ws.Vendor(rec.Vendor); v != nil {
				label = NameOr(v.Name, v.ID)
			}
			add(LinkGroup{Title: "Vendor", Items: []LinkItem{{Label: label, Href: Href(slug, VendorKind.Meta(), rec.Vendor)}}})
		}
		in := LinkGroup{Title: "Flows into it", Add: base + "/flows/new?" + url.Values{"to": {rec.ID}}.Encode(), AddLabel: "Add a flow into it"}
		outg := LinkGroup{Title: "Flows out of it", Add: base + "/flows/new?" + url.Values{"from": {rec.ID}}.Encode(), AddLabel: "Add a flow out of it"}
		for _, f := range ws.Flows {
			if f.To == rec.ID {
				in.Items = append(in.Items, flow(f))
			}
			if f.From == rec.ID {
				outg.Items = append(outg.Items, flow(f))
			}
		}
		add(in)
		add(outg)
		risks := LinkGroup{Title: "Risks on it", Add: base + "/risks/new?" + url.Values{"asset": {rec.ID}}.Encode(), AddLabel: "Add a risk"}
		for _, r := range ws.Risks {
			if r.Asset == rec.ID {
				risks.Items = append(risks.Items, LinkItem{Label: r.ID, Href: base + "/risks/" + url.PathEscape(r.ID), Note: r.Treatment})
			}
		}
		add(risks)
	case workspace.Customer:
		ags := LinkGroup{Title: "Agreements", Add: base + "/agreements/new?" + url.Values{"kind": {"baa"}, "direction": {"upstream"}, "counterparty": {rec.ID}, "status": {"executed"}}.Encode(), AddLabel: "Add an agreement"}
		for _, a := range ws.Agreements {
			if a.Counterparty == rec.ID {
				ags.Items = append(ags.Items, agreement(a))
			}
		}
		add(ags)
		incs := LinkGroup{Title: "Incidents"}
		for _, inc := range ws.Incidents {
			if slices.Contains(inc.Customers, rec.ID) {
				incs.Items = append(incs.Items, incident(inc))
			}
		}
		add(incs)
	}
	return out
}

// choiceLabels names the choices of a select that are records by their
// display names, with the id after it: "OpenAI (openai)". A choice that
// names no record, or one whose name is its id, keeps its id.
func choiceLabels(ws *workspace.Workspace, choices []string) map[string]string {
	out := map[string]string{}
	for _, c := range choices {
		name := ""
		switch {
		case c == "":
			continue
		case ws.Vendor(c) != nil:
			name = ws.Vendor(c).Name
		case ws.Customer(c) != nil:
			name = ws.Customer(c).Name
		case ws.System(c) != nil:
			name = ws.System(c).Name
		case ws.Person(c) != nil:
			name = ws.Person(c).Name
		}
		if name != "" && name != c {
			out[c] = name + " (" + c + ")"
		}
	}
	return out
}

// displayName is the name of the record an id names, or the id.
func displayName(ws *workspace.Workspace, id string) string {
	if l := choiceLabels(ws, []string{id})[id]; l != "" {
		return strings.TrimSuffix(l, " ("+id+")")
	}
	return id
}
