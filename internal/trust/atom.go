package trust

import (
	"encoding/xml"
	"io"
	"time"
)

// Atom (RFC 4287) feed of the subprocessor changes. Each entry's id is
// the change's stable id under the feed's, so a reader shows each change
// once however often it polls.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name  string `xml:"name"`
	Email string `xml:"email,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Summary   atomText   `xml:"summary"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// FeedID is the feed's id: a tag URI (RFC 4151) of the organization's
// slug, stable wherever ward is served from.
func FeedID(slug string) string { return "urn:ward:trust:" + slug + ":subprocessors" }

// WriteAtom writes the feed for the page's changes (newest first). base
// is the trust center's absolute address (https://host/trust/slug).
func WriteAtom(w io.Writer, p Page, base string) error {
	f := atomFeed{
		ID:     FeedID(p.Slug),
		Title:  p.Organization + " subprocessor changes",
		Author: atomPerson{Name: p.Organization, Email: p.Contact},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/subprocessors.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "#subprocessors"},
		},
	}
	// The feed is as new as its newest change; an empty feed dates from
	// the day it is read (a fixed date would do as well: nothing in it).
	updated := p.AsOf.Time()
	for i, c := range p.Changes {
		at := c.Announced.Time()
		if i == 0 || at.After(updated) {
			updated = at
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        FeedID(p.Slug) + ":" + c.ID,
			Title:     c.Title(),
			Updated:   stamp(at),
			Published: stamp(at),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "#" + c.ID}},
			Summary:   atomText{Type: "text", Text: c.Text(p.Organization)},
		})
	}
	f.Updated = stamp(updated)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
