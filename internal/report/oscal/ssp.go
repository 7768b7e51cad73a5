package oscal

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// SSPDocument is an OSCAL system security plan file.
type SSPDocument struct {
	SSP SystemSecurityPlan `json:"system-security-plan"`
}

type SystemSecurityPlan struct {
	UUID                  string                `json:"uuid"`
	Metadata              Metadata              `json:"metadata"`
	ImportProfile         ImportProfile         `json:"import-profile"`
	SystemCharacteristics SystemCharacteristics `json:"system-characteristics"`
	SystemImplementation  SystemImplementation  `json:"system-implementation"`
	ControlImplementation ControlImplementation `json:"control-implementation"`
	BackMatter            *BackMatter           `json:"back-matter,omitempty"`
}

type ImportProfile struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type SystemID struct {
	IdentifierType string `json:"identifier-type,omitempty"`
	ID             string `json:"id"`
}

type SystemCharacteristics struct {
	SystemIDs                []SystemID            `json:"system-ids"`
	SystemName               string                `json:"system-name"`
	SystemNameShort          string                `json:"system-name-short,omitempty"`
	Description              string                `json:"description"`
	Props                    []Property            `json:"props,omitempty"`
	SecuritySensitivityLevel string                `json:"security-sensitivity-level"`
	SystemInformation        SystemInformation     `json:"system-information"`
	SecurityImpactLevel      SecurityImpactLevel   `json:"security-impact-level"`
	Status                   Status                `json:"status"`
	AuthorizationBoundary    AuthorizationBoundary `json:"authorization-boundary"`
	DataFlow                 *DataFlow             `json:"data-flow,omitempty"`
}

type SystemInformation struct {
	InformationTypes []InformationType `json:"information-types"`
}

type InformationType struct {
	UUID                  string     `json:"uuid"`
	Title                 string     `json:"title"`
	Description           string     `json:"description"`
	Props                 []Property `json:"props,omitempty"`
	ConfidentialityImpact *Impact    `json:"confidentiality-impact,omitempty"`
	IntegrityImpact       *Impact    `json:"integrity-impact,omitempty"`
	AvailabilityImpact    *Impact    `json:"availability-impact,omitempty"`
}

type Impact struct {
	Base string `json:"base"`
}

type SecurityImpactLevel struct {
	Confidentiality string `json:"security-objective-confidentiality"`
	Integrity       string `json:"security-objective-integrity"`
	Availability    string `json:"security-objective-availability"`
}

type Status struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

type AuthorizationBoundary struct {
	Description string `json:"description"`
}

type DataFlow struct {
	Description string `json:"description"`
}

type SystemImplementation struct {
	Users          []User          `json:"users"`
	Components     []Component     `json:"components"`
	InventoryItems []InventoryItem `json:"inventory-items,omitempty"`
}

type User struct {
	UUID        string     `json:"uuid"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Props       []Property `json:"props,omitempty"`
	RoleIDs     []string   `json:"role-ids,omitempty"`
}

type Component struct {
	UUID             string            `json:"uuid"`
	Type             string            `json:"type"`
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Props            []Property        `json:"props,omitempty"`
	Status           Status            `json:"status"`
	ResponsibleRoles []ResponsibleRole `json:"responsible-roles,omitempty"`
}

type InventoryItem struct {
	UUID                  string                 `json:"uuid"`
	Description           string                 `json:"description"`
	Props                 []Property             `json:"props,omitempty"`
	ResponsibleParties    []ResponsibleParty     `json:"responsible-parties,omitempty"`
	ImplementedComponents []ImplementedComponent `json:"implemented-components,omitempty"`
}

type ImplementedComponent struct {
	ComponentUUID string `json:"component-uuid"`
}

type ControlImplementation struct {
	Description             string                   `json:"description"`
	ImplementedRequirements []ImplementedRequirement `json:"implemented-requirements"`
}

type ImplementedRequirement struct {
	UUID       string      `json:"uuid"`
	ControlID  string      `json:"control-id"`
	Props      []Property  `json:"props,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
}

type Statement struct {
	StatementID      string            `json:"statement-id"`
	UUID             string            `json:"uuid"`
	Props            []Property        `json:"props,omitempty"`
	ResponsibleRoles []ResponsibleRole `json:"responsible-roles,omitempty"`
	ByComponents     []ByComponent     `json:"by-components,omitempty"`
	Remarks          string            `json:"remarks,omitempty"`
}

type ByComponent struct {
	ComponentUUID        string                `json:"component-uuid"`
	UUID                 string                `json:"uuid"`
	Description          string                `json:"description"`
	ImplementationStatus *ImplementationStatus `json:"implementation-status,omitempty"`
}

type ImplementationStatus struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

// FIPS 199 levels as OSCAL writes them. PHI is rated moderate on all three
// objectives: ward's default categorization for ePHI, which the
// organization's risk analysis may raise.
const (
	fipsLow      = "fips-199-low"
	fipsModerate = "fips-199-moderate"
)

// SSP builds the system security plan: the organization as one system
// whose boundary is its inventory, and one implemented requirement per
// unified control in scope.
func SSP(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*SSPDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	thisSystem := b.id("component", "this-system")
	doc := &SSPDocument{SSP: SystemSecurityPlan{
		UUID:     b.id("ssp"),
		Metadata: b.metadata(b.orgName() + " system security plan"),
		ImportProfile: ImportProfile{
			Href:    FileProfile,
			Remarks: "The baseline: the profile of each framework in scope over ward's unified control set (catalog.json); for HIPAA it covers every Security Rule standard and implementation specification (45 CFR 164.308-164.316).",
		},
		SystemCharacteristics: b.characteristics(),
		SystemImplementation:  b.implementation(thisSystem),
		ControlImplementation: b.controls(sc, thisSystem),
		BackMatter:            &BackMatter{Resources: []Resource{b.catalogResource()}},
	}}
	return doc, nil
}

// scope is the frameworks in scope and the controls they bring, with each
// control's standing on the as-of date.
type scope struct {
	frameworks []string                        // hipaa, then soc2 when a report is planned
	postures   map[string]*posture.Posture     // by framework
	controls   []string                        // sorted ids
	state      map[string]posture.ControlState // by control id
}

func (b *builder) scope() (*scope, error) {
	s := &scope{postures: map[string]*posture.Posture{}, state: map[string]posture.ControlState{}}
	s.frameworks = []string{catalog.HIPAA}
	if t := b.ws.Organization.SOC2.Type; t == "type1" || t == "type2" {
		s.frameworks = append(s.frameworks, catalog.SOC2)
	}
	for _, fw := range s.frameworks {
		p, err := posture.Evaluate(b.ws, b.cat, fw, b.asOf)
		if err != nil {
			return nil, err
		}
		s.postures[fw] = p
		for _, c := range p.Controls {
			s.state[c.ID] = c
		}
	}
	// Controls the organization adopted count too, even when they map to
	// no framework in scope (an own control mapped to CSF only).
	for _, c := range b.ws.Controls {
		if _, ok := s.state[c.ID]; !ok {
			st := posture.ControlState{ID: c.ID, Title: c.Title, Adopted: true, Status: c.Status, Frequency: c.Frequency, Owner: c.Owner, State: "not-assessed", Reason: "maps to no framework in scope"}
			if cc := b.cat.Control(c.ID); cc != nil && st.Title == "" {
				st.Title = cc.Title
			}
			s.state[c.ID] = st
		}
	}
	for id := range s.state {
		s.controls = append(s.controls, id)
	}
	slices.Sort(s.controls)
	return s, nil
}

func (b *builder) phiSystems() []workspace.System {
	var out []workspace.System
	for _, s := range b.ws.Systems {
		if s.PHI {
			out = append(out, s)
		}
	}
	return out
}

func (b *builder) characteristics() SystemCharacteristics {
	ws := b.ws
	phi := b.phiSystems()
	live := 0
	for _, s := range phi {
		if s.LivePHI {
			live++
		}
	}
	level := fipsLow
	if ws.Organization.Answers.HandlesPHI || len(phi) > 0 {
		level = fipsModerate
	}
	roles := "no HIPAA role declared"
	if len(ws.Organization.Roles) > 0 {
		roles = strings.Join(ws.Organization.Roles, ", ")
	}
	c := SystemCharacteristics{
		SystemIDs:       []SystemID{{ID: b.slug}},
		SystemName:      b.orgName(),
		SystemNameShort: b.slug,
		Description: fmt.Sprintf("%s (%s) as one system: %d systems in its inventory, %d of which hold or carry PHI (%d with live PHI), %d vendors, %d customers.",
			b.orgName(), roles, len(ws.Systems), len(phi), live, len(ws.Vendors), len(ws.Customers)),
		SecuritySensitivityLevel: level,
		SecurityImpactLevel:      SecurityImpactLevel{Confidentiality: level, Integrity: level, Availability: level},
		Status:                   Status{State: "under-development", Remarks: "No system holds live PHI yet."},
	}
	for _, r := range ws.Organization.Roles {
		c.Props = append(c.Props, prop("hipaa-role", r)...)
	}
	if !ws.Organization.ProgramStart.IsZero() {
		c.Props = append(c.Props, prop("program-start", ws.Organization.ProgramStart.String())...)
	}
	if live > 0 {
		c.Status = Status{State: "operational", Remarks: fmt.Sprintf("%d systems hold live PHI.", live)}
	}
	info := InformationType{
		UUID:                  b.id("information-type", "phi"),
		Title:                 "Protected health information (PHI)",
		Description:           "Individually identifiable health information that the organization creates, receives, maintains or transmits (45 CFR 160.103), in electronic form (ePHI) in the systems listed in the inventory.",
		ConfidentialityImpact: &Impact{Base: fipsModerate},
		IntegrityImpact:       &Impact{Base: fipsModerate},
		AvailabilityImpact:    &Impact{Base: fipsModerate},
	}
	if level == fipsLow {
		info = InformationType{
			UUID:                  b.id("information-type", "business"),
			Title:                 "Business information",
			Description:           "The organization's own business records; it declares no PHI.",
			ConfidentialityImpact: &Impact{Base: fipsLow},
			IntegrityImpact:       &Impact{Base: fipsLow},
			AvailabilityImpact:    &Impact{Base: fipsLow},
		}
	}
	c.SystemInformation = SystemInformation{InformationTypes: []InformationType{info}}

	var names []string
	for _, s := range phi {
		names = append(names, s.ID)
	}
	boundary := fmt.Sprintf("The boundary is every system in %s's inventory (%d systems, listed as components and inventory items) and the vendors that run them.", b.orgName(), len(ws.Systems))
	if len(names) > 0 {
		boundary += " Systems that hold or carry PHI: " + strings.Join(names, ", ") + "."
	}
	c.AuthorizationBoundary = AuthorizationBoundary{Description: boundary}
	var phiFlows, plain int
	for _, f := range ws.Flows {
		if f.PHI {
			phiFlows++
			if !f.EncryptedInTransit {
				plain++
			}
		}
	}
	if len(ws.Flows) > 0 {
		c.DataFlow = &DataFlow{Description: fmt.Sprintf("%d data flows between systems, %d of which carry PHI (%d of those not encrypted in transit).", len(ws.Flows), phiFlows, plain)}
	}
	return c
}

// componentType maps a workspace system kind to an OSCAL component type.
var componentType = map[string]string{
	"service":   "software",
	"datastore": "software",
	"saas":      "service",
	"endpoint":  "hardware",
	"network":   "network",
	"other":     "system",
}

func (b *builder) systemComponent(id string) string { return b.id("component", "system", id) }
func (b *builder) vendorComponent(id string) string { return b.id("component", "vendor", id) }

func (b *builder) implementation(thisSystem string) SystemImplementation {
	ws := b.ws
	var impl SystemImplementation
	o := ws.Organization.Officers
	for _, p := range ws.People {
		email := strings.TrimSpace(p.Email)
		if email == "" {
			continue
		}
		u := User{UUID: b.id("user", email), Title: clean(p.Name), Description: clean(p.Role)}
		if u.Title == "" {
			u.Title = email
		}
		u.Props = prop("email", email)
		if email == o.Security {
			u.RoleIDs = append(u.RoleIDs, roleSecurityOfficer)
		}
		if email == o.Privacy {
			u.RoleIDs = append(u.RoleIDs, rolePrivacyOfficer)
		}
		impl.Users = append(impl.Users, u)
	}
	if len(impl.Users) == 0 {
		impl.Users = []User{{UUID: b.id("user", "workforce"), Title: "Workforce member", Description: "No people are recorded yet."}}
	}

	state := "under-development"
	for _, s := range ws.Systems {
		if s.LivePHI {
			state = "operational"
		}
	}
	impl.Components = append(impl.Components, Component{
		UUID: thisSystem, Type: "this-system", Title: b.orgName(),
		Description: "The organization's program as a whole: the control implementations below are by this component.",
		Status:      Status{State: state},
	})
	for _, s := range ws.Systems {
		name := clean(s.Name)
		if name == "" {
			name = s.ID
		}
		desc := clean(s.Description)
		if desc == "" {
			desc = fmt.Sprintf("%s (%s).", name, s.Kind)
		}
		typ := componentType[s.Kind]
		if typ == "" {
			typ = "system"
		}
		c := Component{UUID: b.systemComponent(s.ID), Type: typ, Title: name, Description: desc, Status: Status{State: "operational"}}
		c.Props = append(c.Props, prop("system-id", s.ID)...)
		c.Props = append(c.Props, prop("kind", s.Kind)...)
		c.Props = append(c.Props, prop("vendor", s.Vendor)...)
		c.Props = append(c.Props, prop("phi", yesNo(s.PHI))...)
		c.Props = append(c.Props, prop("live-phi", yesNo(s.LivePHI))...)
		c.Props = append(c.Props, prop("encrypted-at-rest", yesNo(s.EncryptedAtRest))...)
		if p := b.party(s.Owner); p != nil {
			c.ResponsibleRoles = []ResponsibleRole{{RoleID: roleSystemOwner, PartyUUIDs: p}}
		}
		if v := ws.Vendor(s.Vendor); v != nil {
			c.ResponsibleRoles = append(c.ResponsibleRoles, ResponsibleRole{RoleID: roleProvider, PartyUUIDs: []string{b.id("party", "vendor", v.ID)}})
		}
		impl.Components = append(impl.Components, c)
	}
	for _, v := range ws.Vendors {
		name := clean(v.Name)
		if name == "" {
			name = v.ID
		}
		desc := "Vendor " + name
		if len(v.Services) > 0 {
			desc += ": " + strings.Join(v.Services, ", ")
		}
		c := Component{UUID: b.vendorComponent(v.ID), Type: "service", Title: name, Description: desc + ".", Status: Status{State: "operational"},
			ResponsibleRoles: []ResponsibleRole{{RoleID: roleProvider, PartyUUIDs: []string{b.id("party", "vendor", v.ID)}}}}
		c.Props = prop("vendor-id", v.ID)
		for _, a := range ws.AgreementsWith(v.ID) {
			if a.Kind == "baa" {
				c.Props = append(c.Props, prop("baa", a.ID+": "+a.Status)...)
			}
		}
		if !hasProp(c.Props, "baa") {
			c.Props = append(c.Props, prop("baa", "none")...)
		}
		impl.Components = append(impl.Components, c)
	}
	for _, s := range ws.Systems {
		name := clean(s.Name)
		if name == "" {
			name = s.ID
		}
		item := InventoryItem{
			UUID:                  b.id("inventory-item", s.ID),
			Description:           fmt.Sprintf("%s (%s)", name, s.Kind),
			Props:                 []Property{{Name: "asset-id", Value: clean(s.ID)}},
			ImplementedComponents: []ImplementedComponent{{ComponentUUID: b.systemComponent(s.ID)}},
		}
		if p := b.party(s.Owner); p != nil {
			item.ResponsibleParties = []ResponsibleParty{{RoleID: roleSystemOwner, PartyUUIDs: p}}
		}
		impl.InventoryItems = append(impl.InventoryItems, item)
	}
	return impl
}

func hasProp(ps []Property, name string) bool {
	return slices.ContainsFunc(ps, func(p Property) bool { return p.Name == name })
}

// implementationState maps a control's workspace status to OSCAL's.
var implementationState = map[string]string{
	"implemented":    "implemented",
	"in-progress":    "partial",
	"planned":        "planned",
	"not-applicable": "not-applicable",
}

func (b *builder) controls(sc *scope, thisSystem string) ControlImplementation {
	var names []string
	for _, fw := range sc.frameworks {
		if f := b.cat.Framework(fw); f != nil {
			names = append(names, f.Name)
		}
	}
	ci := ControlImplementation{
		Description: fmt.Sprintf("Every control of ward's unified set that %s brings into scope, and every control the organization adopted, as of %s. Each lists the HIPAA, SOC 2 and NIST CSF requirements it answers; its statement gives status, owner and frequency from the organization's records and its readiness from the evidence.",
			strings.Join(names, " and "), b.asOf),
	}
	for _, id := range sc.controls {
		st := sc.state[id]
		ir := ImplementedRequirement{UUID: b.id("implemented-requirement", id), ControlID: token(id)}
		ir.Props = append(ir.Props, prop("title", st.Title)...)
		for _, fw := range []string{catalog.HIPAA, catalog.SOC2, catalog.CSF} {
			for _, req := range b.mappings(id, fw) {
				ir.Props = append(ir.Props, prop(fw, req)...)
			}
		}
		status := st.Status
		if !st.Adopted {
			status = "not-adopted"
		}
		smt := Statement{StatementID: token(id) + "_smt", UUID: b.id("statement", id)}
		smt.Props = append(smt.Props, prop("status", status)...)
		smt.Props = append(smt.Props, prop("owner", st.Owner)...)
		smt.Props = append(smt.Props, prop("frequency", st.Frequency)...)
		smt.Props = append(smt.Props, prop("readiness", st.State)...)
		if p := b.party(st.Owner); p != nil {
			smt.ResponsibleRoles = []ResponsibleRole{{RoleID: roleControlOwner, PartyUUIDs: p}}
		}
		desc := st.Title
		if cc := b.cat.Control(id); cc != nil && clean(cc.Description) != "" {
			desc = cc.Description
		} else if c := b.ws.Control(id); c != nil && clean(c.Description) != "" {
			desc = c.Description
		}
		if clean(desc) == "" {
			desc = id
		}
		state := implementationState[st.Status]
		if state == "" {
			state = "planned"
		}
		is := &ImplementationStatus{State: state}
		if !st.Adopted {
			is.Remarks = "Not yet adopted by the organization."
		}
		smt.ByComponents = []ByComponent{{ComponentUUID: thisSystem, UUID: b.id("by-component", id), Description: strings.TrimSpace(desc), ImplementationStatus: is}}
		smt.Remarks = st.Reason
		ir.Statements = []Statement{smt}
		ci.ImplementedRequirements = append(ci.ImplementedRequirements, ir)
	}
	if len(ci.ImplementedRequirements) == 0 {
		// The schema needs one; an organization with nothing in scope says so.
		ci.ImplementedRequirements = []ImplementedRequirement{{UUID: b.id("implemented-requirement", "none"), ControlID: "none",
			Props: prop("note", "no control is in scope yet")}}
	}
	return ci
}

// mappings is a control's requirement ids in a framework: the catalog's,
// or an organization's own control's.
func (b *builder) mappings(control, framework string) []string {
	if cc := b.cat.Control(control); cc != nil {
		return cc.Mappings[framework]
	}
	if c := b.ws.Control(control); c != nil {
		return c.Mappings[framework]
	}
	return nil
}
