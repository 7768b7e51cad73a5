// Package readiness writes the readiness report (`ward report readiness
// -o FILE`): for each framework the organization pursues, the score, the
// sections, the gaps with what is missing, and for SOC 2 Type II the
// exceptions in the observation window and what is still due, as HTML
// (with the readiness bars as SVG), Markdown, PDF and XLSX. Build gathers
// it from posture.EvaluateAll; the writers only lay it out, so every
// format says the same thing.
//
// It depends on the workspace model, the catalog and posture.
package readiness

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// Report is everything the document shows.
type Report struct {
	Organization string             `json:"organization"`
	AsOf         date.Date          `json:"as_of"`
	Frameworks   []*posture.Posture `json:"frameworks"`
}

// DefaultFrameworks are the frameworks a report covers when none is named:
// HIPAA, SOC 2 when the organization pursues it (a report type, or buyers
// who ask for it), and NIST CSF.
func DefaultFrameworks(ws *workspace.Workspace) []string {
	fws := []string{"hipaa"}
	if t := ws.Organization.SOC2.Type; t == "type1" || t == "type2" || ws.Organization.Answers.BuyersAskSOC2 {
		fws = append(fws, "soc2")
	}
	return append(fws, "csf")
}

// Build evaluates the frameworks (DefaultFrameworks when empty) on asOf.
func Build(ws *workspace.Workspace, cat *catalog.Catalog, frameworks []string, asOf date.Date) (Report, error) {
	if len(frameworks) == 0 {
		frameworks = DefaultFrameworks(ws)
	}
	ps, err := posture.EvaluateAll(ws, cat, frameworks, asOf)
	if err != nil {
		return Report{}, err
	}
	name := ws.Organization.Name
	if name == "" {
		name = ws.Organization.Slug
	}
	return Report{Organization: name, AsOf: asOf, Frameworks: ps}, nil
}

// Rule explains, in the report, how a requirement's status is derived.
const Rule = "Each requirement's status follows the controls the organization has in scope for it (the controls it adopted among those mapped to the requirement). " +
	"Met: every control in scope that applies is implemented and has evidence for its current or latest completed period. " +
	"Partly met: some are in place, but not every one operates with current evidence. " +
	"Not met: no control is adopted for it, or the adopted ones are only planned. " +
	"Not applicable: every control in scope is marked not applicable, with a justification. " +
	"Readiness counts a partly met requirement as half."

// Gaps are a posture's partly met and not met requirements, in order.
func Gaps(p *posture.Posture) []posture.Requirement {
	var out []posture.Requirement
	for _, r := range p.Requirements {
		if r.Status == posture.Partial || r.Status == posture.NotMet {
			out = append(out, r)
		}
	}
	return out
}

// StatusLabel is a status as a person reads it.
func StatusLabel(s string) string {
	switch s {
	case posture.Met:
		return "met"
	case posture.Partial:
		return "partly met"
	case posture.NotMet:
		return "not met"
	case posture.NotApplicable:
		return "not applicable"
	}
	return s
}

// Write writes the report in format: md, html, pdf or xlsx.
func Write(w io.Writer, format string, rep Report) error {
	switch strings.TrimPrefix(strings.ToLower(format), ".") {
	case "md", "markdown":
		return writeMarkdown(w, rep)
	case "html", "htm":
		return writeHTML(w, rep)
	case "pdf":
		return writePDF(w, rep)
	case "xlsx":
		return writeXLSX(w, rep)
	}
	return fmt.Errorf("report format %q: use .md, .html, .pdf or .xlsx", format)
}

// Bar geometry of BarsSVG.
const (
	barLabelW = 230
	barW      = 380
	barH      = 22
	barGap    = 16
	svgW      = barLabelW + barW + 70
)

// Segment classes of BarsSVG; a page or the HTML report styles them (no
// inline styles: the SVG works under a strict Content-Security-Policy).
var segmentClass = map[string]string{
	posture.Met: "rd-met", posture.Partial: "rd-partial", posture.NotMet: "rd-notmet", posture.NotApplicable: "rd-na",
}

// BarsSVG draws one stacked bar per framework: met, partly met, not met
// and not applicable in proportion to the requirements, with the
// readiness percentage at the end and a legend below.
func BarsSVG(ps []*posture.Posture) []byte {
	var b bytes.Buffer
	h := len(ps)*(barH+barGap) + 44
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="readiness-bars" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Readiness per framework">`, svgW, h, svgW, h)
	b.WriteString("\n")
	for i, p := range ps {
		y := 8 + i*(barH+barGap)
		fmt.Fprintf(&b, `<text class="rd-label" x="0" y="%d">%s</text>`+"\n", y+barH/2+5, esc(p.Name))
		x := float64(barLabelW)
		n := p.Score.Total
		for _, seg := range []struct {
			status string
			count  int
		}{{posture.Met, p.Score.Met}, {posture.Partial, p.Score.Partial}, {posture.NotMet, p.Score.NotMet}, {posture.NotApplicable, p.Score.NotApplicable}} {
			if seg.count == 0 || n == 0 {
				continue
			}
			w := float64(barW) * float64(seg.count) / float64(n)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s: %d of %d</title></rect>`+"\n",
				segmentClass[seg.status], x, y, w, barH, StatusLabel(seg.status), seg.count, n)
			x += w
		}
		if n == 0 {
			fmt.Fprintf(&b, `<rect class="rd-na" x="%d" y="%d" width="%d" height="%d"/>`+"\n", barLabelW, y, barW, barH)
		}
		fmt.Fprintf(&b, `<text class="rd-pct" x="%d" y="%d">%.0f%%</text>`+"\n", barLabelW+barW+8, y+barH/2+5, p.Score.Percent)
	}
	y := len(ps)*(barH+barGap) + 14
	x := barLabelW
	for _, st := range []string{posture.Met, posture.Partial, posture.NotMet, posture.NotApplicable} {
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="12" height="12"/><text class="rd-legend" x="%d" y="%d">%s</text>`+"\n",
			segmentClass[st], x, y, x+16, y+11, StatusLabel(st))
		x += 24 + 7*len(StatusLabel(st))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// BarsCSS styles BarsSVG: for the HTML report's <style>, or a page's
// static CSS file.
const BarsCSS = `.readiness-bars .rd-met{fill:#2e7d32}.readiness-bars .rd-partial{fill:#f6c343}.readiness-bars .rd-notmet{fill:#c62828}.readiness-bars .rd-na{fill:#b0b7c3}
.readiness-bars text{font-family:Helvetica,Arial,sans-serif;fill:#1b1b1b}.readiness-bars .rd-label{font-size:14px}.readiness-bars .rd-pct{font-size:14px;font-weight:bold}.readiness-bars .rd-legend{font-size:12px}`

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
