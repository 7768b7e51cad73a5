package riskreport

import (
	"html/template"
	"io"
	"strings"

	"ward/internal/risk"
)

var funcs = template.FuncMap{
	"section": func(i int) string { return Sections[i] },
	"yesno":   yesNo,
	"dash":    orDash,
	"join":    strings.Join,
	"color": func(l risk.Level) template.CSS {
		c := "background:" + risk.LevelColor(l)
		if l == risk.Critical {
			c += ";color:#fff"
		}
		return template.CSS(c)
	},
	"lvl":  func(m risk.Matrix, l, i int) risk.Level { return m.Level(l, i) },
	"rows": func() []int { return []int{5, 4, 3, 2, 1} },
	"cols": func() []int { return []int{1, 2, 3, 4, 5} },
}

var page = template.Must(template.New("r").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Risk analysis {{.R.Analysis.ID}} — {{.R.Organization}}</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;color:#1b1b1b;max-width:1050px;margin:2em auto;padding:0 1.5em;line-height:1.45;font-size:14px}
h1{font-size:28px;margin:0 0 .2em}h2{font-size:19px;border-bottom:2px solid #1f3a5f;padding-bottom:.2em;margin-top:2em;color:#1f3a5f}
h3{font-size:15px}table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #c9ced6;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5}.cover{border:1px solid #c9ced6;padding:1.5em 2em;margin-bottom:2em;page-break-after:always}.cover dl{display:grid;grid-template-columns:12em 1fr;gap:.3em}
.cover dt{font-weight:bold}.lvl{display:inline-block;padding:0 6px;border-radius:3px;font-weight:bold}.gap{background:#fff4e5;border-left:4px solid #e8710a;padding:.5em 1em}
.maps{display:flex;gap:2em;flex-wrap:wrap}.small{color:#555;font-size:12px}.sign td{height:3em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
</style></head><body>
<section class="cover">
<p class="small">Confidential — prepared under 45 CFR 164.308(a)(1)(ii)(A) and (B)</p>
<h1>HIPAA Security Rule Risk Analysis</h1>
<p style="font-size:18px">{{.R.Organization}}</p>
<dl><dt>Analysis</dt><dd>{{.R.Analysis.ID}}</dd><dt>Performed</dt><dd>{{.R.Analysis.Performed}}</dd>
<dt>Performed by</dt><dd>{{dash .R.PerformedBy}}</dd><dt>Approved by</dt><dd>{{dash .R.ApprovedBy}}</dd>
<dt>Report date</dt><dd>{{.R.AsOf}}</dd>{{with .R.Previous}}<dt>Previous analysis</dt><dd>{{.}}</dd>{{end}}
<dt>Risks</dt><dd>{{len .R.Register}} across {{len .R.Scope}} systems</dd></dl>
</section>

<h2 id="scope">1. {{section 0}}</h2>
{{with .R.Analysis.Scope}}<p>{{.}}</p>{{end}}
<p>Systems that create, receive, maintain or transmit ePHI.</p>
<table><tr><th>System</th><th>Name</th><th>Kind</th><th>Vendor</th><th>Encrypted at rest</th><th>Risks</th></tr>
{{range .R.Scope}}<tr><td>{{.ID}}</td><td>{{dash .Name}}</td><td>{{dash .Kind}}</td><td>{{dash .Vendor}}</td><td>{{yesno .EncryptedAtRest}}</td><td>{{.Risks}}</td></tr>
{{end}}</table>
{{range .R.Findings}}<p class="gap"><strong>Coverage gap:</strong> {{.Message}}</p>{{end}}

<h2 id="methodology">2. {{section 1}}</h2>
<p>{{.R.Methodology}}</p>
<h3>Likelihood scale</h3>
<table><tr><th>Value</th><th>Rating</th><th>Definition</th></tr>{{range .Likelihood}}<tr><td>{{.Value}}</td><td>{{.Word}}</td><td>{{.Definition}}</td></tr>{{end}}</table>
<h3>Impact scale</h3>
<table><tr><th>Value</th><th>Rating</th><th>Definition</th></tr>{{range .Impact}}<tr><td>{{.Value}}</td><td>{{.Word}}</td><td>{{.Definition}}</td></tr>{{end}}</table>
<h3>Risk matrix</h3>
<table style="width:auto"><tr><th>Likelihood \ Impact</th>{{range cols}}<th>{{.}}</th>{{end}}</tr>
{{$m := .R.Matrix}}{{range $l := rows}}<tr><th>{{$l}}</th>{{range $i := cols}}{{$v := lvl $m $l $i}}<td style="{{color $v}}">{{$v}}</td>{{end}}</tr>{{end}}</table>

<h2 id="threats">3. {{section 2}}</h2>
<h3>Threats</h3>
<table><tr><th>Threat</th><th>Category</th><th>Sources</th><th>Risks</th></tr>{{range .R.Threats}}<tr><td>{{.Title}}</td><td>{{.Category}}</td><td>{{.Sources}}</td><td>{{.Risks}}</td></tr>{{end}}</table>
<h3>Vulnerabilities</h3>
<table><tr><th>Vulnerability</th><th>Sources</th><th>Risks</th></tr>{{range .R.Vulns}}<tr><td>{{.Title}}</td><td>{{.Sources}}</td><td>{{.Risks}}</td></tr>{{end}}</table>
<p class="small">Sources: {{range $k, $v := .Sources}}<b>{{$k}}</b> {{$v}}. {{end}}</p>

<h2 id="controls">4. {{section 3}}</h2>
<table><tr><th>Control</th><th>Title</th><th>Status</th><th>Reduces</th></tr>{{range .R.Controls}}<tr><td>{{.ID}}</td><td>{{.Title}}</td><td>{{.Status}}</td><td>{{join .Risks ", "}}</td></tr>{{end}}</table>

<h2 id="register">5. {{section 4}}</h2>
<p class="small">Sorted by residual level, then score. * no residual recorded: the residual equals the inherent risk until the treatment is shown to work.</p>
<table><tr><th>ID</th><th>Asset</th><th>Threat</th><th>Vulnerability</th><th>L×I</th><th>Inherent</th><th>Residual</th><th>Treatment</th><th>Owner</th><th>Due</th></tr>
{{range .R.Register}}<tr id="risk-{{.Risk.ID}}"><td>{{.Risk.ID}}</td><td>{{.Risk.Asset}}</td><td>{{.ThreatTitle}}</td><td>{{.VulnerabilityTitle}}</td><td>{{.Risk.Likelihood}}×{{.Risk.Impact}}</td>
<td><span class="lvl" style="{{color .Inherent}}">{{.Inherent}}</span></td><td><span class="lvl" style="{{color .Residual}}">{{.Residual}}</span> {{.ResidualLikelihood}}×{{.ResidualImpact}}{{if .ResidualAssumed}}*{{end}}</td>
<td>{{.Risk.Treatment}}</td><td>{{dash .Risk.Owner}}</td><td>{{if .Risk.Due.IsZero}}—{{else}}{{.Risk.Due}}{{end}}</td></tr>
{{end}}</table>

<h2 id="heatmap">6. {{section 5}}</h2>
<div class="maps">{{.Before}}{{.After}}</div>

<h2 id="plan">7. {{section 6}}</h2>
<table><tr><th>Risk</th><th>Residual</th><th>Treatment</th><th>Measure</th><th>Owner</th><th>Due</th><th>Status</th></tr>
{{range .R.Plan}}<tr><td>{{.RiskID}}</td><td>{{.Level}}</td><td>{{.Treatment}}</td><td>{{dash .Measure}}</td><td>{{dash .Owner}}</td><td>{{dash .Due}}</td><td>{{.Status}}</td></tr>{{end}}</table>

<h2 id="changes">8. {{section 7}}</h2>
{{with .R.Changes}}<p>Compared with {{$.R.Previous}}: {{len .Added}} added, {{len .Removed}} removed, {{len .Changed}} changed level, {{.Unchanged}} unchanged.</p>
<ul>{{range .Added}}<li>Added {{.Risk.ID}}: {{.ThreatTitle}} on {{.Risk.Asset}} ({{.Residual}})</li>{{end}}
{{range .Removed}}<li>Removed {{.Risk.ID}}: {{.ThreatTitle}} on {{.Risk.Asset}}</li>{{end}}
{{range .Changed}}<li>Changed {{.CurrentID}} (was {{.PreviousID}}): inherent {{.FromInherent}} → {{.ToInherent}}, residual {{.FromResidual}} → {{.ToResidual}}</li>{{end}}</ul>
{{else}}<p>This is the first documented analysis; there is no previous analysis to compare.</p>{{end}}

<h2 id="signoff">9. {{section 8}}</h2>
<table class="sign"><tr><th>Role</th><th>Name</th><th>Signature</th><th>Date</th></tr>
<tr><td>Performed by</td><td>{{dash .R.PerformedBy}}</td><td></td><td></td></tr>
<tr><td>Approved by</td><td>{{dash .R.ApprovedBy}}</td><td></td><td></td></tr></table>
</body></html>
`))

func writeHTML(w io.Writer, rep Report) error {
	return page.Execute(w, map[string]any{
		"R": rep, "Likelihood": risk.LikelihoodScale, "Impact": risk.ImpactScale, "Sources": risk.Sources,
		// The SVG is our own output from numbers and fixed strings.
		"Before": template.HTML(risk.HeatmapSVG(rep.Register, rep.Matrix, risk.Inherent, risk.HeatmapOptions{Title: "Before treatment (inherent)"})),
		"After":  template.HTML(risk.HeatmapSVG(rep.Register, rep.Matrix, risk.Residual, risk.HeatmapOptions{Title: "After treatment (residual)"})),
	})
}
