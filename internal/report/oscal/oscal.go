// Package oscal writes an organization's program as NIST OSCAL JSON
// (release 1.1.3): ward's unified control set as a catalog, a profile per
// framework in scope and the baseline profile that joins them, the system
// security plan (SSP), an assessment plan, the assessment results and the
// plan of action and milestones (POA&M), so that an auditor's or a
// customer's own tooling can load what ward knows. Set writes them as one
// set whose references resolve inside it: the SSP imports profile.json,
// which imports the framework profiles, which import catalog.json; the
// assessment plan imports ssp.json, the results import
// assessment-plan.json, the POA&M imports ssp.json.
//
// The documents are built by pure functions over the workspace, the
// catalog and an as-of date, and are deterministic: every UUID is a
// version-5 UUID named by the organization's slug and the record it stands
// for, every timestamp is the as-of date at midnight UTC, and no map is
// serialized, so two exports of the same data are the same bytes.
//
// The package depends on the workspace model and the domain packages
// (catalog, posture, evidence, risk, check); never on storage or HTTP.
// The JSON shapes follow NIST's published schema of OSCAL 1.1.3, which the
// tests validate every document against (testdata/schema), and which they
// load in types generated from that schema (oscalmodel).
package oscal

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// Version is the OSCAL version the documents are written against: the
// release of the NIST schema in testdata/schema.
const Version = "1.1.3"

// NS qualifies ward's own property names (OSCAL props without a namespace
// are OSCAL's own vocabulary). OSCAL wants an http(s) URI there; it names
// ward's vocabulary and is never fetched. The domain is under .example,
// which RFC 2606 reserves, so no one else can ever own it.
const NS = "https://ward.example/ns/oscal"

// The document kinds, as `ward export oscal KIND` names them.
const (
	KindCatalog           = "catalog"
	KindProfile           = "profile"
	KindSSP               = "ssp"
	KindAssessmentPlan    = "assessment-plan"
	KindAssessmentResults = "assessment-results"
	KindPOAM              = "poam"
)

// Kinds lists the document kinds in the order the command line shows them.
var Kinds = []string{KindCatalog, KindProfile, KindSSP, KindAssessmentPlan, KindAssessmentResults, KindPOAM}

// File names of the set (Set): each document refers to the others by
// these names, relative to the folder that holds them.
const (
	FileCatalog           = "catalog.json"
	FileProfile           = "profile.json"
	FileSSP               = "ssp.json"
	FileAssessmentPlan    = "assessment-plan.json"
	FileAssessmentResults = "assessment-results.json"
	FilePOAM              = "poam.json"
)

// FrameworkProfile is the file of a framework's profile: profile-hipaa.json.
func FrameworkProfile(framework string) string { return "profile-" + framework + ".json" }

// Build returns the document of the kind for the workspace as of asOf
// (for KindProfile, the baseline profile.json).
func Build(kind string, ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (any, error) {
	switch kind {
	case KindCatalog:
		return Catalog(ws, cat, asOf)
	case KindProfile:
		return Baseline(ws, cat, asOf)
	case KindSSP:
		return SSP(ws, cat, asOf)
	case KindAssessmentPlan:
		return AssessmentPlan(ws, cat, asOf)
	case KindAssessmentResults:
		return AssessmentResults(ws, cat, asOf)
	case KindPOAM:
		return POAM(ws, cat, asOf)
	}
	return nil, fmt.Errorf("no OSCAL document %q (%s)", kind, strings.Join(Kinds, ", "))
}

// File is one document of a set and the name it is written under.
type File struct {
	Name string
	Kind string
	Doc  any
}

// Set is every document, as `ward export oscal all` writes them to one
// folder: the catalog, a profile per framework in scope, the baseline
// profile, the SSP, the assessment plan, the assessment results and the
// POA&M. Every reference between them is a file name of the set.
func Set(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) ([]File, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	var out []File
	c, err := Catalog(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	out = append(out, File{FileCatalog, KindCatalog, c})
	for _, fw := range sc.frameworks {
		out = append(out, File{FrameworkProfile(fw), KindProfile, b.frameworkProfile(sc, fw)})
	}
	out = append(out, File{FileProfile, KindProfile, b.baseline(sc)})
	for _, f := range []struct {
		name, kind string
	}{{FileSSP, KindSSP}, {FileAssessmentPlan, KindAssessmentPlan}, {FileAssessmentResults, KindAssessmentResults}, {FilePOAM, KindPOAM}} {
		doc, err := Build(f.kind, ws, cat, asOf)
		if err != nil {
			return nil, err
		}
		out = append(out, File{f.name, f.kind, doc})
	}
	return out, nil
}

// Marshal writes a document as indented JSON with a final newline.
func Marshal(doc any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// --- shared OSCAL assemblies (metadata, parties, props, back matter) ---

type Property struct {
	Name    string `json:"name"`
	NS      string `json:"ns,omitempty"`
	Value   string `json:"value"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type Link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel,omitempty"`
	MediaType string `json:"media-type,omitempty"`
	Text      string `json:"text,omitempty"`
}

type Role struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type Party struct {
	UUID           string     `json:"uuid"`
	Type           string     `json:"type"` // person | organization
	Name           string     `json:"name,omitempty"`
	ShortName      string     `json:"short-name,omitempty"`
	Props          []Property `json:"props,omitempty"`
	EmailAddresses []string   `json:"email-addresses,omitempty"`
	MemberOf       []string   `json:"member-of-organizations,omitempty"`
}

type ResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

type ResponsibleRole struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids,omitempty"`
}

type Metadata struct {
	Title              string             `json:"title"`
	LastModified       string             `json:"last-modified"`
	Version            string             `json:"version"`
	OSCALVersion       string             `json:"oscal-version"`
	Props              []Property         `json:"props,omitempty"`
	Roles              []Role             `json:"roles,omitempty"`
	Parties            []Party            `json:"parties,omitempty"`
	ResponsibleParties []ResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string             `json:"remarks,omitempty"`
}

type Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

type RLink struct {
	Href      string `json:"href"`
	MediaType string `json:"media-type,omitempty"`
	Hashes    []Hash `json:"hashes,omitempty"`
}

type Resource struct {
	UUID        string     `json:"uuid"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Props       []Property `json:"props,omitempty"`
	RLinks      []RLink    `json:"rlinks,omitempty"`
	Remarks     string     `json:"remarks,omitempty"`
}

type BackMatter struct {
	Resources []Resource `json:"resources,omitempty"`
}

// Roles every document defines; parties are bound to them by e-mail.
const (
	roleSecurityOfficer = "security-officer"
	rolePrivacyOfficer  = "privacy-officer"
	roleSystemOwner     = "system-owner"
	roleControlOwner    = "control-owner"
	roleRiskOwner       = "risk-owner"
	roleProvider        = "provider"
)

var roles = []Role{
	{ID: roleSecurityOfficer, Title: "Security Officer", Description: "Responsible for the development and implementation of the security policies and procedures (45 CFR 164.308(a)(2))."},
	{ID: rolePrivacyOfficer, Title: "Privacy Officer", Description: "Responsible for the privacy policies and procedures (45 CFR 164.530(a))."},
	{ID: roleSystemOwner, Title: "System owner"},
	{ID: roleControlOwner, Title: "Control owner"},
	{ID: roleRiskOwner, Title: "Risk owner"},
	{ID: roleProvider, Title: "Service provider"},
}

// builder carries what every document needs: the data, the date and the
// parties, each with its deterministic UUID.
type builder struct {
	ws      *workspace.Workspace
	cat     *catalog.Catalog
	asOf    date.Date
	slug    string
	parties []Party
	byEmail map[string]string // e-mail (or free-text owner) -> party uuid
}

func newBuilder(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*builder, error) {
	if ws == nil || cat == nil {
		return nil, fmt.Errorf("oscal: no workspace or catalog")
	}
	if asOf.IsZero() {
		return nil, fmt.Errorf("oscal: no as-of date")
	}
	slug := ws.Organization.Slug
	if slug == "" {
		slug = workspace.Slug(ws.Organization.Name)
	}
	if slug == "" {
		return nil, fmt.Errorf("oscal: the organization has no name")
	}
	b := &builder{ws: ws, cat: cat, asOf: asOf, slug: slug, byEmail: map[string]string{}}
	b.collectParties()
	return b, nil
}

// id is the UUID (version 5) of one record of this organization: the same
// data always gives the same UUID, and two organizations never share one.
func (b *builder) id(parts ...string) string {
	return uuid5(wardNamespace, b.slug+"/"+strings.Join(parts, "/"))
}

func (b *builder) timestamp(d date.Date) string { return d.String() + "T00:00:00Z" }

func (b *builder) orgName() string {
	if n := clean(b.ws.Organization.Name); n != "" {
		return n
	}
	return b.slug
}

// collectParties makes one organization party, one per vendor, and one per
// person: the people listed, then every other e-mail the data names
// (officers, owners), so each owner can be referenced by UUID.
func (b *builder) collectParties() {
	org := b.id("party", "organization")
	b.parties = append(b.parties, Party{UUID: org, Type: "organization", Name: b.orgName(), ShortName: b.slug})
	for _, v := range b.ws.Vendors {
		name := clean(v.Name)
		if name == "" {
			name = v.ID
		}
		b.parties = append(b.parties, Party{UUID: b.id("party", "vendor", v.ID), Type: "organization", Name: name, ShortName: clean(v.ID)})
	}
	add := func(email, name, jobTitle string) {
		email = strings.TrimSpace(email)
		if email == "" || b.byEmail[email] != "" {
			return
		}
		p := Party{UUID: b.id("party", "person", email), Type: "person", Name: clean(name), MemberOf: []string{org}}
		if p.Name == "" {
			p.Name = email
		}
		if looksLikeEmail(email) {
			p.EmailAddresses = []string{email}
		}
		if t := clean(jobTitle); t != "" {
			p.Props = []Property{{Name: "job-title", NS: NS, Value: t}}
		}
		b.byEmail[email] = p.UUID
		b.parties = append(b.parties, p)
	}
	for _, p := range b.ws.People {
		add(p.Email, p.Name, p.Role)
	}
	var extra []string
	o := b.ws.Organization.Officers
	extra = append(extra, o.Security, o.Privacy)
	for _, s := range b.ws.Systems {
		extra = append(extra, s.Owner)
	}
	for _, c := range b.ws.Controls {
		extra = append(extra, c.Owner)
	}
	for _, r := range b.ws.Risks {
		extra = append(extra, r.Owner)
	}
	slices.Sort(extra)
	for _, e := range extra {
		add(e, "", "")
	}
}

// party returns the UUIDs of the party for an e-mail, or nil.
func (b *builder) party(email string) []string {
	if u := b.byEmail[strings.TrimSpace(email)]; u != "" {
		return []string{u}
	}
	return nil
}

func (b *builder) metadata(title string) Metadata {
	m := Metadata{
		Title:        title,
		LastModified: b.timestamp(b.asOf),
		Version:      b.asOf.String(),
		OSCALVersion: Version,
		Props:        []Property{{Name: "as-of", NS: NS, Value: b.asOf.String()}},
		Roles:        roles,
		Parties:      b.parties,
		Remarks:      "Generated by ward from the organization's records as of " + b.asOf.String() + ".",
	}
	o := b.ws.Organization.Officers
	if p := b.party(o.Security); p != nil {
		m.ResponsibleParties = append(m.ResponsibleParties, ResponsibleParty{RoleID: roleSecurityOfficer, PartyUUIDs: p})
	}
	if p := b.party(o.Privacy); p != nil {
		m.ResponsibleParties = append(m.ResponsibleParties, ResponsibleParty{RoleID: rolePrivacyOfficer, PartyUUIDs: p})
	}
	return m
}

// catalogResource describes ward's unified control set, the catalog the
// baseline profile resolves to and the control ids every document uses.
func (b *builder) catalogResource() Resource {
	r := Resource{
		UUID:  b.id("resource", "catalog"),
		Title: "ward unified control set",
		Description: "One set of controls, each mapped to the HIPAA Security Rule implementation specifications, the SOC 2 Trust Services Criteria (by identifier) and NIST CSF 2.0 subcategories. " +
			"Control ids in this document are the set's ids: catalog.json beside it holds them with their mappings (`ward export oscal catalog` writes it; `ward controls` lists them).",
		RLinks: []RLink{{Href: FileCatalog, MediaType: "application/json"}},
	}
	for _, fw := range []string{catalog.HIPAA, catalog.SOC2, catalog.CSF} {
		if f := b.cat.Framework(fw); f != nil {
			r.Props = append(r.Props, Property{Name: "framework", NS: NS, Value: clean(f.Name + " " + f.Version)})
		}
	}
	return r
}

// --- identifiers and values the schemas constrain ---

// wardNamespace is the UUID namespace of ward's documents: the version-5
// UUID of the URL namespace (RFC 4122 appendix C) and the name
// "urn:ward:oscal", ward's first property namespace, kept so that the
// UUIDs of every record stay what earlier exports said.
var wardNamespace = uuid5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "urn:ward:oscal")

// uuid5 is RFC 4122 section 4.3: SHA-1 of the namespace bytes and the
// name, with the version (5) and variant (10xx) bits set.
func uuid5(namespace, name string) string {
	ns, err := hex.DecodeString(strings.ReplaceAll(namespace, "-", ""))
	if err != nil || len(ns) != 16 {
		panic("oscal: bad UUID namespace " + namespace)
	}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// token makes an OSCAL token (an XML NCName: a letter or underscore, then
// letters, digits, '.', '-', '_'), lower-case as OSCAL identifiers are.
// Anything else becomes '-'.
func token(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('-')
		}
	}
	t := sb.String()
	if t == "" {
		return "_"
	}
	if first := []rune(t)[0]; !unicode.IsLetter(first) && first != '_' {
		t = "_" + t
	}
	return t
}

// requirementToken is a framework requirement as a token:
// 164.308(a)(1)(ii)(A) → hipaa-164.308.a.1.ii.a, CC6.1 → soc2-cc6.1.
func requirementToken(framework, id string) string {
	id = strings.NewReplacer("(", ".", ")", "", " ", "-").Replace(id)
	return token(framework + "-" + id)
}

// clean makes free text fit OSCAL's string type: no leading or trailing
// white space, and lines joined (the type is one line).
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// prop is a ward property, or nothing when the value is empty.
func prop(name, value string) []Property {
	if v := clean(value); v != "" {
		return []Property{{Name: name, NS: NS, Value: v}}
	}
	return nil
}

func looksLikeEmail(s string) bool {
	at := strings.Index(s, "@")
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\n")
}

// href makes a URI reference of a link or a workspace-relative path, or ""
// when it cannot be one.
func href(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return u.String()
	}
	return (&url.URL{Path: s}).String()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
