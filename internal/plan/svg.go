package plan

import (
	"fmt"
	"html"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Status colours, shared by the SVGs and the HTML badges. Overdue is the
// only red; "today" is amber so the two never read as the same thing.
var statusColor = map[string]string{
	StatusDone:       "#2e7d32",
	StatusInProgress: "#1976d2",
	StatusNotStarted: "#b0bec5",
	StatusOverdue:    "#d32f2f",
}

const (
	todayColor = "#ef6c00"
	gateColor  = "#6a1b9a"
	fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
)

// GanttOptions tune the chart; the zero value is fine.
type GanttOptions struct {
	// Width in pixels; 0 means 960. The chart scales (it has a viewBox).
	Width int
	// Title overrides "Roadmap for ORGANIZATION".
	Title string
}

// GanttSVG draws the roadmap as a Gantt chart: one row per milestone,
// grouped by framework, month ticks on the axis, a "today" line at the
// as-of date, bars coloured by status, the gates as arrows into a "Live
// PHI" diamond, a legend, and a <title> tooltip on every bar. Every bar is
// a <rect class="bar" data-id="MILESTONE">.
func GanttSVG(p Plan, opt GanttOptions) []byte {
	width := opt.Width
	if width <= 0 {
		width = 960
	}
	title := opt.Title
	if title == "" {
		title = "Roadmap"
		if p.Organization != "" {
			title += " for " + p.Organization
		}
	}
	const (
		labelW = 250
		padR   = 24
		top    = 34 // title
		axisH  = 40
		rowH   = 26
		barH   = 14
		groupH = 24
	)
	chartL, chartR := float64(labelW), float64(width-padR)

	// The time range: whole months around every date drawn.
	lo, hi := date.Min(p.Start, p.AsOf), date.Max(p.Start, p.AsOf)
	for _, m := range p.Milestones {
		lo, hi = date.Min(lo, m.Start), date.Max(hi, m.Due)
	}
	for _, g := range p.Gates {
		hi = date.Max(hi, g.Date)
	}
	from := date.New(lo.Year(), lo.Month(), 1)
	to := date.New(hi.Year(), hi.Month()+1, 1)
	days := float64(from.DaysUntil(to))
	x := func(d date.Date) float64 {
		v := chartL + (chartR-chartL)*float64(from.DaysUntil(d))/days
		return min(max(v, chartL), chartR)
	}

	// Rows: a header per framework, its milestones, and the gate row after
	// the HIPAA milestones.
	type row struct {
		kind  string // group | milestone | gate
		label string
		m     *Milestone
		g     *Gate
		y     float64 // top
	}
	var rows []row
	y := float64(top + axisH)
	group := ""
	for i := range p.Milestones {
		m := &p.Milestones[i]
		if m.Framework != group {
			if group == HIPAA {
				for j := range p.Gates {
					rows = append(rows, row{kind: "gate", label: p.Gates[j].Title + " gate", g: &p.Gates[j], y: y})
					y += rowH
				}
			}
			group = m.Framework
			rows = append(rows, row{kind: "group", label: frameworkTitle(p, group), y: y})
			y += groupH
		}
		rows = append(rows, row{kind: "milestone", label: m.Title, m: m, y: y})
		y += rowH
	}
	if group == HIPAA {
		for j := range p.Gates {
			rows = append(rows, row{kind: "gate", label: p.Gates[j].Title + " gate", g: &p.Gates[j], y: y})
			y += rowH
		}
	}
	chartBottom := y
	if len(rows) == 0 {
		chartBottom += rowH
	}
	legendY := chartBottom + 34
	height := int(legendY + 30)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="ward-gantt" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="gantt-title gantt-desc" font-family="%s" font-size="12">`+"\n",
		width, height, width, height, esc(fontFamily))
	fmt.Fprintf(&b, `<title id="gantt-title">%s</title>`+"\n", esc(title))
	fmt.Fprintf(&b, `<desc id="gantt-desc">%d milestones from %s; today is %s.</desc>`+"\n", len(p.Milestones), p.Start, p.AsOf)
	b.WriteString(`<defs><marker id="gantt-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="` + gateColor + `"/></marker></defs>` + "\n")
	b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="12" y="22" font-size="15" font-weight="600" fill="#263238">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="22" text-anchor="end" fill="#546e7a">as of %s</text>`+"\n", width-padR, p.AsOf)

	// Group bands first, so the grid draws over them.
	for _, r := range rows {
		if r.kind == "group" {
			fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%d" height="%d" fill="#eceff1"/>`+"\n", r.y, width, groupH)
		}
	}

	// Month ticks and labels.
	months := 0
	for m := from; m.Before(to); m = m.AddMonths(1) {
		months++
	}
	step := 1
	switch {
	case months > 30:
		step = 3
	case months > 15:
		step = 2
	}
	b.WriteString(`<g class="axis">` + "\n")
	i, labelled := 0, 0
	for m := from; m.Before(to); m = m.AddMonths(1) {
		xm := x(m)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#cfd8dc" stroke-width="1"/>`+"\n", xm, top+axisH-8, xm, chartBottom)
		if i%step == 0 {
			// The year goes above the first label of each year.
			if m.Year() != labelled {
				labelled = m.Year()
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" font-weight="600" fill="#37474f">%d</text>`+"\n", xm+3, top+axisH-25, m.Year())
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#546e7a">%s</text>`+"\n", xm+3, top+axisH-12, m.Time().Format("Jan"))
		}
		i++
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#90a4ae"/>`+"\n", chartL, chartBottom, chartR, chartBottom)
	b.WriteString("</g>\n")

	// Rows.
	barEnd := map[string][2]float64{}
	for _, r := range rows {
		switch r.kind {
		case "group":
			fmt.Fprintf(&b, `<text x="12" y="%.1f" font-weight="600" fill="#263238">%s</text>`+"\n", r.y+16, esc(r.label))
		case "milestone":
			m := r.m
			x1, x2 := x(m.Start), x(m.Due.AddDays(1))
			w := max(x2-x1, 3)
			cy := r.y + rowH/2
			fill := statusColor[m.Status]
			extra := ""
			if m.Tentative {
				extra = ` fill-opacity="0.55" stroke="#546e7a" stroke-dasharray="4 3"`
			}
			tip := fmt.Sprintf("%s (%s): %s to %s, %s", m.Title, m.ID, m.Start, m.Due, m.Status)
			if m.Status == StatusDone && !m.DoneOn.IsZero() {
				tip += " on " + m.DoneOn.String()
			}
			if len(m.Gates) > 0 {
				tip += "; gates " + strings.Join(m.Gates, ", ")
			}
			tip += ". " + m.Reason
			fmt.Fprintf(&b, `<g class="milestone status-%s" data-id="%s"><title>%s</title>`+"\n", m.Status, esc(m.ID), esc(tip))
			fmt.Fprintf(&b, `<text x="12" y="%.1f" fill="#37474f">%s</text>`+"\n", cy+4, esc(m.Title))
			fmt.Fprintf(&b, `<rect class="bar" data-id="%s" data-status="%s" x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3" fill="%s"%s/>`+"\n",
				esc(m.ID), m.Status, x1, cy-barH/2, w, barH, fill, extra)
			label := m.Status
			if m.Tentative && m.Status != StatusDone {
				label = "tentative"
			}
			if x1+w+6+70 < chartR {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="%s">%s</text>`+"\n", x1+w+5, cy+3.5, labelColor(m.Status), label)
			} else {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="%s">%s</text>`+"\n", x1-5, cy+3.5, labelColor(m.Status), label)
			}
			b.WriteString("</g>\n")
			barEnd[m.ID] = [2]float64{x1 + w, cy}
		case "gate":
			g := r.g
			// The diamond sits at the end of the gate's day, where the bars
			// of the milestones it waits for end.
			cx, cy := x(g.Date.AddDays(1)), r.y+rowH/2
			// Arrows from the end of each milestone the gate waits for,
			// across and down into the diamond.
			for _, id := range g.WaitsFor {
				if e, ok := barEnd[id]; ok {
					fmt.Fprintf(&b, `<path class="gate-arrow" data-from="%s" d="M%.1f,%.1f H%.1f V%.1f" fill="none" stroke="%s" stroke-width="1.5" marker-end="url(#gantt-arrow)"/>`+"\n",
						esc(id), e[0], e[1], cx, cy-10, gateColor)
				}
			}
			// "Blocked until" rather than "closed": a newcomer reads
			// closed as done (issue 19).
			state, fill := "blocked until", "#ffffff"
			if g.Open {
				state, fill = "open since", statusColor[StatusDone]
			}
			tip := fmt.Sprintf("%s: %s %s; waits for %s. %s", g.Title, state, g.Date, strings.Join(g.WaitsFor, " and "), g.Reason)
			fmt.Fprintf(&b, `<g class="gate" data-id="%s" data-open="%t"><title>%s</title>`+"\n", esc(g.ID), g.Open, esc(tip))
			fmt.Fprintf(&b, `<text x="12" y="%.1f" fill="%s" font-weight="600">%s</text>`+"\n", cy+4, gateColor, esc(r.label))
			fmt.Fprintf(&b, `<polygon class="diamond" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" stroke="%s" stroke-width="2"/>`+"\n",
				cx, cy-8, cx+8, cy, cx, cy+8, cx-8, cy, fill, gateColor)
			gl := fmt.Sprintf("%s %s", state, g.Date)
			if cx+12+130 < chartR { // "blocked until YYYY-MM-DD" at 10px
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="%s">%s</text>`+"\n", cx+12, cy+3.5, gateColor, esc(gl))
			} else {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="%s">%s</text>`+"\n", cx-12, cy+3.5, gateColor, esc(gl))
			}
			b.WriteString("</g>\n")
		}
	}
	if len(rows) == 0 {
		fmt.Fprintf(&b, `<text x="12" y="%.1f" fill="#546e7a">No milestones: no framework applies.</text>`+"\n", float64(top+axisH)+16)
	}

	// Today.
	if !p.AsOf.IsZero() {
		tx := x(p.AsOf)
		fmt.Fprintf(&b, `<g class="today"><title>Today (as of %s)</title><line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="5 3"/>`,
			p.AsOf, tx, top+axisH-8, tx, chartBottom+4, todayColor)
		anchor := "middle"
		switch {
		case tx < chartL+40:
			anchor = "start"
		case tx > chartR-40:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" font-weight="600" text-anchor="%s" fill="%s">today %s</text></g>`+"\n", tx, chartBottom+17, anchor, todayColor, p.AsOf)
	}

	// Legend.
	b.WriteString(`<g class="legend" font-size="11" fill="#37474f">` + "\n")
	lx := 12.0
	for _, s := range []string{StatusDone, StatusInProgress, StatusNotStarted, StatusOverdue} {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="10" rx="2" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", lx, legendY-9, statusColor[s], lx+19, legendY, s)
		lx += 19 + float64(len(s))*6.5 + 16
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="10" rx="2" fill="%s" fill-opacity="0.55" stroke="#546e7a" stroke-dasharray="3 2"/><text x="%.1f" y="%.1f">tentative</text>`+"\n", lx, legendY-9, statusColor[StatusNotStarted], lx+19, legendY)
	lx += 19 + 9*6.5 + 16
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="5 3"/><text x="%.1f" y="%.1f">today</text>`+"\n", lx+7, legendY-11, lx+7, legendY+2, todayColor, lx+19, legendY)
	lx += 19 + 5*6.5 + 16
	fmt.Fprintf(&b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#ffffff" stroke="%s" stroke-width="2"/><text x="%.1f" y="%.1f">gate (filled when open); arrows: what it waits for</text>`+"\n",
		lx+7, legendY-11, lx+13, legendY-5, lx+7, legendY+1, lx+1, legendY-5, gateColor, lx+19, legendY)
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String())
}

func labelColor(status string) string {
	switch status {
	case StatusOverdue:
		return statusColor[StatusOverdue]
	case StatusDone:
		return statusColor[StatusDone]
	}
	return "#546e7a"
}

// esc escapes text and attribute values for SVG (XML).
func esc(s string) string { return html.EscapeString(s) }

// The decision tree.

type treeOption struct {
	lines  [2]string
	chosen bool
}

type treeRow struct {
	id       string
	question string
	// answer is the organization's answer as shown in the question box.
	answer     string
	answerWord string
	options    []treeOption
	outcome    string
}

// treeRows evaluates the four questions and the role for this organization,
// as the decision tree draws them.
func treeRows(ws *workspace.Workspace, p Plan) []treeRow {
	in := p.Inputs
	yn := func(id, q string, v bool, yes, no [2]string, note string) treeRow {
		r := treeRow{id: id, question: q, answerWord: yesNoWord(v)}
		r.answer = "Answer: " + r.answerWord + note
		r.options = []treeOption{{lines: yes, chosen: v}, {lines: no, chosen: !v}}
		return r
	}
	var rows []treeRow
	rows = append(rows, yn("handles_phi", "1. Will you touch PHI?", in.HandlesPHI,
		[2]string{"Yes: HIPAA applies, and first", "a legal duty from the first PHI (rule 1)"},
		[2]string{"No: HIPAA does not apply", "go straight to SOC 2 if buyers ask"}, ""))
	note := ""
	if n := len(in.CoveredEntityCustomers); n > 0 && !ws.Organization.Answers.SellsToCoveredEntities {
		note = fmt.Sprintf(" (%d covered-entity customer", n)
		if n > 1 {
			note += "s"
		}
		note += ")"
	}
	rows = append(rows, yn("sells_to_covered_entities", "2. Sell to covered entities or their BAs?", in.SellsToCoveredEntities,
		[2]string{"Yes: a BAA with each before live PHI", "45 CFR 164.502(e), 164.504(e) (rule 2)"},
		[2]string{"No: no upstream BAAs", "BAAs still flow down to vendors with PHI"}, note))
	rows = append(rows, yn("enterprise_health_systems", "3. Sell to large health systems or AMCs?", in.EnterpriseHealthSystems,
		[2]string{"Yes: plan HITRUST CSF later", "it reuses the HIPAA and SOC 2 evidence (rule 3)"},
		[2]string{"No: no HITRUST for now", "answer again when enterprise deals need it"}, ""))
	rows = append(rows, yn("buyers_ask_soc2", "4. Do buyers ask for SOC 2?", in.BuyersAskSOC2,
		[2]string{"Yes: SOC 2 readiness in parallel", "it never delays a BAA (rule 4)"},
		[2]string{"No: SOC 2 not planned yet", "answer again when buyers ask"}, ""))

	o := ws.Organization
	ce := o.HasRole(workspace.RoleCoveredEntity)
	ba := o.HasRole(workspace.RoleBusinessAssociate) || in.InferredRole == workspace.RoleBusinessAssociate
	sub := o.HasRole(workspace.RoleSubcontractor)
	role := treeRow{id: "role", question: "5. Your role under HIPAA", options: []treeOption{
		{lines: [2]string{"Covered entity: HIPAA only", "SOC 2 does not apply to providing care (rule 5)"}, chosen: ce},
		{lines: [2]string{"Business associate: HIPAA as a BA", "flow BAAs down, 164.314(a)(2)(iii) (rule 5)"}, chosen: ba},
		{lines: [2]string{"Subcontractor: a BA of a BA", "a BAA with the BA you serve, 164.502(e)(1)(ii)"}, chosen: sub},
	}}
	var names []string
	for _, r := range o.Roles {
		names = append(names, strings.ReplaceAll(r, "-", " "))
	}
	switch {
	case len(names) > 0:
		role.answerWord = strings.Join(names, " + ")
	case in.InferredRole != "":
		role.answerWord = "business associate (inferred)"
	default:
		role.answerWord = "none declared"
	}
	role.answer = "Answer: " + role.answerWord
	rows = append(rows, role)

	for i := range rows {
		var outs []string
		for _, opt := range rows[i].options {
			if opt.chosen {
				outs = append(outs, strings.TrimSpace(opt.lines[0]+"; "+opt.lines[1]))
			}
		}
		rows[i].outcome = strings.Join(outs, " / ")
		if rows[i].outcome == "" {
			rows[i].outcome = "declare a role in organization.roles"
		}
	}
	return rows
}

// DecisionTreeSVG draws the four questions and the role as a tree, with
// this organization's answers highlighted (class "chosen") and the result
// (what applies, in order) at the foot.
func DecisionTreeSVG(ws *workspace.Workspace, p Plan) []byte {
	const (
		width  = 820
		qx, qw = 20, 330
		qh     = 56
		ox, ow = 420, 380
		oh     = 40
		ogap   = 8
		rowGap = 30
		top    = 44
	)
	rows := treeRows(ws, p)
	var b strings.Builder
	// Measure first: the height depends on the options per row.
	y := float64(top)
	ys := make([]float64, len(rows))
	for i, r := range rows {
		ys[i] = y
		h := max(float64(qh), float64(len(r.options)*(oh+ogap)-ogap))
		y += h + rowGap
	}
	resultY := y
	height := int(resultY + 60)

	title := "Which frameworks apply"
	if p.Organization != "" {
		title += ": " + p.Organization
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="ward-decision-tree" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="tree-title" font-family="%s" font-size="12">`+"\n",
		width, height, width, height, esc(fontFamily))
	fmt.Fprintf(&b, `<title id="tree-title">%s</title>`+"\n", esc(title))
	b.WriteString(`<defs><marker id="tree-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#90a4ae"/></marker></defs>` + "\n")
	b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="26" font-size="15" font-weight="600" fill="#263238">%s</text>`+"\n", qx, esc(title))

	for i, r := range rows {
		y := ys[i]
		// The spine: each question leads to the next.
		if i > 0 {
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#90a4ae" stroke-width="1.5" marker-end="url(#tree-arrow)"/>`+"\n", qx+qw/2, ys[i-1]+qh, qx+qw/2, y-2)
		}
		fmt.Fprintf(&b, `<g class="question" data-id="%s"><title>%s %s</title>`+"\n", r.id, esc(r.question), esc(r.answer))
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%d" rx="6" fill="#263238"/>`+"\n", qx, y, qw, qh)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="13" font-weight="600" fill="#ffffff">%s</text>`+"\n", qx+12, y+23, esc(r.question))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#b3e5fc">%s</text>`+"\n", qx+12, y+42, esc(r.answer))
		b.WriteString("</g>\n")
		for j, opt := range r.options {
			oy := y + float64(j*(oh+ogap))
			class, stroke, sw, fill, text, dash := "option", "#cfd8dc", "1", "#fafafa", "#90a4ae", ` stroke-dasharray="4 3"`
			if opt.chosen {
				class, stroke, sw, fill, text, dash = "option chosen", "#1565c0", "2.5", "#e3f2fd", "#0d47a1", ""
			}
			fmt.Fprintf(&b, `<path d="M%d,%.1f C%d,%.1f %d,%.1f %d,%.1f" fill="none" stroke="%s" stroke-width="%s"%s/>`+"\n",
				qx+qw, y+qh/2, qx+qw+40, y+qh/2, ox-40, oy+oh/2, ox, oy+oh/2, stroke, sw, dash)
			fmt.Fprintf(&b, `<g class="%s" data-question="%s" data-option="%d"><rect x="%d" y="%.1f" width="%d" height="%d" rx="5" fill="%s" stroke="%s" stroke-width="%s"/>`+"\n",
				class, r.id, j, ox, oy, ow, oh, fill, stroke, sw)
			weight := ""
			if opt.chosen {
				weight = ` font-weight="600"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="%s"%s>%s</text>`+"\n", ox+10, oy+16, text, weight, esc(opt.lines[0]))
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" fill="%s">%s</text></g>`+"\n", ox+10, oy+31, text, esc(opt.lines[1]))
		}
	}

	// The result.
	var parts []string
	for _, f := range p.Frameworks {
		if f.Applies {
			label := fmt.Sprintf("%d. %s", f.Order, f.Title)
			if f.ID == HITRUST {
				label += " (later)"
			}
			parts = append(parts, label)
		}
	}
	result := "No framework applies yet"
	if len(parts) > 0 {
		result = strings.Join(parts, "  →  ")
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#90a4ae" stroke-width="1.5" marker-end="url(#tree-arrow)"/>`+"\n", qx+qw/2, ys[len(ys)-1]+qh, qx+qw/2, resultY-2)
	fmt.Fprintf(&b, `<g class="result"><rect x="%d" y="%.1f" width="%d" height="44" rx="6" fill="#e8f5e9" stroke="#2e7d32" stroke-width="2"/>`+"\n", qx, resultY, ox+ow-qx)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="14" font-weight="600" fill="#1b5e20">%s</text></g>`+"\n", qx+14, resultY+27, esc(result))
	b.WriteString("</svg>\n")
	return []byte(b.String())
}
