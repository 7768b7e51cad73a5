package riskreport

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"ward/internal/mdsafe"
	"ward/internal/risk"
)

// mdCell is user text in the report: escaped (mdsafe), so HTML in a
// name or an owner stays text in any Markdown viewer; "—" when empty.
func mdCell(s string) string { return mdsafe.Text(orDash(s)) }

func writeMarkdown(w io.Writer, rep Report) error {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	a := rep.Analysis
	p("# HIPAA Security Rule Risk Analysis\n\n")
	p("**Organization:** %s  \n**Analysis:** %s  \n**Performed:** %s  \n**Performed by:** %s  \n**Approved by:** %s  \n**Report date:** %s\n\n",
		mdCell(rep.Organization), mdCell(a.ID), a.Performed, mdCell(rep.PerformedBy), mdCell(rep.ApprovedBy), rep.AsOf)
	p("Prepared under 45 CFR 164.308(a)(1)(ii)(A) (risk analysis) and (B) (risk management).\n\n")
	lc, rc := levelCounts(rep.Register, false), levelCounts(rep.Register, true)
	p("Summary: %d risks across %d systems. Inherent: %d critical, %d high, %d medium, %d low. Residual: %d critical, %d high, %d medium, %d low.\n\n",
		len(rep.Register), len(rep.Scope), lc[risk.Critical], lc[risk.High], lc[risk.Medium], lc[risk.Low], rc[risk.Critical], rc[risk.High], rc[risk.Medium], rc[risk.Low])

	p("## 1. %s\n\n", Sections[0])
	if a.Scope != "" {
		p("%s\n\n", mdsafe.Text(a.Scope))
	}
	p("Systems that create, receive, maintain or transmit ePHI.\n\n| System | Name | Kind | Vendor | Encrypted at rest | Risks |\n|---|---|---|---|---|---|\n")
	for _, s := range rep.Scope {
		p("| %s | %s | %s | %s | %s | %d |\n", mdCell(s.ID), mdCell(s.Name), mdCell(s.Kind), mdCell(s.Vendor), yesNo(s.EncryptedAtRest), s.Risks)
	}
	for _, f := range rep.Findings {
		p("\n> **Coverage gap:** %s\n", mdsafe.Text(f.Message))
	}

	p("\n## 2. %s\n\n%s\n\n### Likelihood scale\n\n| Value | Rating | Definition |\n|---|---|---|\n", Sections[1], mdsafe.Text(rep.Methodology))
	for _, l := range risk.LikelihoodScale {
		p("| %d | %s | %s |\n", l.Value, l.Word, l.Definition)
	}
	p("\n### Impact scale\n\n| Value | Rating | Definition |\n|---|---|---|\n")
	for _, l := range risk.ImpactScale {
		p("| %d | %s | %s |\n", l.Value, l.Word, l.Definition)
	}
	p("\n### Risk matrix (likelihood × impact)\n\n| Likelihood \\ Impact | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|---|\n")
	for l := 5; l >= 1; l-- {
		p("| %d |", l)
		for i := 1; i <= 5; i++ {
			p(" %s |", rep.Matrix.Level(l, i))
		}
		p("\n")
	}

	p("\n## 3. %s\n\n### Threats\n\n| Threat | Category | Sources | Risks |\n|---|---|---|---|\n", Sections[2])
	for _, t := range rep.Threats {
		p("| %s | %s | %s | %d |\n", mdCell(t.Title), t.Category, t.Sources, t.Risks)
	}
	p("\n### Vulnerabilities\n\n| Vulnerability | Sources | Risks |\n|---|---|---|\n")
	for _, v := range rep.Vulns {
		p("| %s | %s | %d |\n", mdCell(v.Title), v.Sources, v.Risks)
	}
	p("\nSources: ")
	for i, k := range sortedKeys(risk.Sources) {
		if i > 0 {
			p("; ")
		}
		p("%s — %s", k, risk.Sources[k])
	}
	p(".\n")

	p("\n## 4. %s\n\n| Control | Title | Status | Reduces |\n|---|---|---|---|\n", Sections[3])
	for _, c := range rep.Controls {
		p("| %s | %s | %s | %s |\n", mdCell(c.ID), mdCell(c.Title), c.Status, mdsafe.Text(strings.Join(c.Risks, ", ")))
	}

	p("\n## 5. %s\n\nSorted by residual level, then score. * no residual recorded: residual equals inherent.\n\n| ID | Asset | Threat | Vulnerability | L×I | Inherent | Residual | Treatment | Owner | Due |\n|---|---|---|---|---|---|---|---|---|---|\n", Sections[4])
	for _, s := range rep.Register {
		r := s.Risk
		res := fmt.Sprintf("%s (%d×%d)", s.Residual, s.ResidualLikelihood, s.ResidualImpact)
		if s.ResidualAssumed {
			res += "*"
		}
		p("| %s | %s | %s | %s | %d×%d | %s | %s | %s | %s | %s |\n", mdCell(r.ID), mdCell(r.Asset), mdCell(s.ThreatTitle), mdCell(s.VulnerabilityTitle), r.Likelihood, r.Impact, s.Inherent, res, r.Treatment, mdCell(r.Owner), dueStr(r.Due.String(), r.Due.IsZero()))
	}

	p("\n## 6. %s\n\n", Sections[5])
	for _, which := range []string{risk.Inherent, risk.Residual} {
		p("```\n")
		risk.MatrixText(&b, rep.Register, rep.Matrix, which)
		p("```\n\n")
	}

	p("## 7. %s\n\n| Risk | Residual | Treatment | Measure | Owner | Due | Status |\n|---|---|---|---|---|---|---|\n", Sections[6])
	for _, t := range rep.Plan {
		p("| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(t.RiskID), t.Level, t.Treatment, mdCell(t.Measure), mdCell(t.Owner), orDash(t.Due), t.Status)
	}

	p("\n## 8. %s\n\n", Sections[7])
	if rep.Changes == nil {
		p("This is the first documented analysis; there is no previous analysis to compare.\n")
	} else {
		c := rep.Changes
		p("Compared with %s: %d added, %d removed, %d changed level, %d unchanged.\n\n", mdCell(rep.Previous), len(c.Added), len(c.Removed), len(c.Changed), c.Unchanged)
		for _, s := range c.Added {
			p("- Added %s: %s on %s (%s)\n", mdCell(s.Risk.ID), mdCell(s.ThreatTitle), mdCell(s.Risk.Asset), s.Residual)
		}
		for _, s := range c.Removed {
			p("- Removed %s: %s on %s\n", mdCell(s.Risk.ID), mdCell(s.ThreatTitle), mdCell(s.Risk.Asset))
		}
		for _, ch := range c.Changed {
			p("- Changed %s (was %s): inherent %s → %s, residual %s → %s\n", mdCell(ch.CurrentID), mdCell(ch.PreviousID), ch.FromInherent, ch.ToInherent, ch.FromResidual, ch.ToResidual)
		}
	}

	p("\n## 9. %s\n\n| Role | Name | Signature | Date |\n|---|---|---|---|\n| Performed by | %s | | |\n| Approved by | %s | | |\n", Sections[8], mdCell(rep.PerformedBy), mdCell(rep.ApprovedBy))
	_, err := w.Write(b.Bytes())
	return err
}

func dueStr(s string, zero bool) string {
	if zero {
		return "—"
	}
	return s
}
