package policyset

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Title is the document's title.
const Title = "Policies and procedures"

// Sections are the numbered parts before the policies themselves.
var Sections = []string{"Policies in force", "Earlier versions kept", "Approval record", "Not yet approved"}

// WritePDF writes the policy set: the cover, the version table, the
// earlier versions kept, the approval record, what is not yet approved,
// then each policy in force on a page of its own.
func WritePDF(w io.Writer, r Report) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &doc{Fpdf: f}
	f.SetMargins(margin, top, margin)
	f.SetAutoPageBreak(false, bottom)
	f.SetCellMargin(0)
	f.SetTitle(Title+" — "+r.Organization, true)
	f.SetSubject("Approved policy set as of "+r.AsOf.String(), true)
	f.SetCreator("ward", false)
	f.AliasNbPages("{nb}")
	footer := cp1252(fmt.Sprintf("%s — policies and procedures as of %s", r.Organization, r.AsOf))
	f.SetFooterFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		f.SetFont("Helvetica", "", 7.5)
		f.SetTextColor(110, 110, 110)
		f.SetXY(margin, pageH-12)
		fw := bodyW - 30
		txt := footer
		for f.GetStringWidth(txt) > fw && len(txt) > 4 {
			txt = txt[:len(txt)-4] + "..."
		}
		f.CellFormat(fw, 5, txt, "", 0, "L", false, 0, "")
		f.CellFormat(30, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(27, 27, 27)
	})

	d.cover(r)

	// 1. The versions in force.
	f.AddPage()
	f.SetY(top)
	d.heading(1, "The policies the organization has approved and that are in force on "+r.AsOf.String()+". Each is reviewed at its "+
		"review interval (45 CFR 164.316(b)(2)(iii)) and kept for six years from its creation or from when it was last in effect, "+
		"whichever is later (164.316(b)(2)(i)).")
	var rows [][]cell
	for _, x := range r.InForce {
		review := x.NextReview.String()
		if x.ReviewOverdue {
			review += " (overdue)"
		}
		rows = append(rows, []cell{policyCell(x.Title, x.Policy), plain(strconv.Itoa(x.Version)), plain(x.Approver), plain(x.ApprovedOn.String()),
			plain(x.Effective.String()), plain(review), plain(x.RetainUntil.String())})
	}
	if len(rows) == 0 {
		d.para("No policy is approved and in force on this date.")
	} else {
		d.table(heads("Policy", "Version", "Approved by", "Approved on", "Effective", "Next review", "Retain until"), rows,
			[]float64{56, 17, 30, 22, 22, 27, 22}, 8.5, func(i int) []int {
				if r.InForce[i].ReviewOverdue {
					return []int{253, 236, 234}
				}
				return nil
			})
	}

	// 2. Earlier versions still within their retention.
	d.heading(2, "Versions no longer (or not yet) in force, kept until their retention date (45 CFR 164.316(b)(2)(i)).")
	rows = nil
	for _, x := range r.Kept {
		until := "-"
		if !x.InEffectUntil.IsZero() {
			until = x.InEffectUntil.String()
		}
		rows = append(rows, []cell{policyCell(x.Title, x.Policy), plain(strconv.Itoa(x.Version)), plain(x.State), plain(x.Approver + ", " + x.ApprovedOn.String()),
			plain(x.Effective.String()), plain(until), plain(x.RetainUntil.String())})
	}
	if len(rows) == 0 {
		d.para("None.")
	} else {
		d.table(heads("Policy", "Version", "State", "Approved", "Effective", "In effect until", "Retain until"), rows,
			[]float64{48, 17, 26, 36, 22, 24, 22}, 8.5, nil)
	}

	// 3. The approval record.
	d.heading(3, "Every approval, recorded review and retirement up to "+r.AsOf.String()+", oldest first. Approvals are made only by people named in the workspace, and each is on ward's audit trail.")
	rows = nil
	for _, e := range r.Record {
		v := "-"
		if e.Version > 0 {
			v = strconv.Itoa(e.Version)
		}
		rows = append(rows, []cell{plain(e.On.String()), plain(e.Policy), plain(v), plain(e.What), plain(orDash(e.By)), plain(orDash(e.Note))})
	}
	if len(rows) == 0 {
		d.para("Nothing approved yet.")
	} else {
		d.table(heads("Date", "Policy", "Version", "Event", "By", "Note"), rows, []float64{20, 34, 17, 26, 30, 53}, 8.5, nil)
	}

	// 4. What is missing.
	d.heading(4, "Policies the organization's frameworks ask for with no approved version in force, and drafts awaiting approval.")
	if len(r.Missing) == 0 && len(r.Drafts) == 0 {
		d.para("None: every required policy has an approved version in force, and no draft is waiting.")
	}
	rows = nil
	for _, m := range r.Missing {
		rows = append(rows, []cell{plain(m.Template), plain(m.Title), plain("required, no approved version in force")})
	}
	for _, x := range r.Drafts {
		rows = append(rows, []cell{plain(x.Policy), plain(x.Title), plain(fmt.Sprintf("version %d is a draft awaiting approval", x.Version))})
	}
	if len(rows) > 0 {
		d.table(heads("Id", "Title", "Standing"), rows, []float64{40, 70, 70}, 8.5, nil)
	}

	// The policies.
	for _, p := range r.Policies {
		f.AddPage()
		f.SetY(top)
		title := HeadingText(p.Text)
		if title == "" {
			title = p.Title
		}
		f.Bookmark(cp1252(title), 0, -1)
		d.SetTextColor(31, 58, 95)
		d.text([]run{{text: cp1252(title), st: style{bold: true}}}, margin, bodyW, 16, 8, nil)
		d.SetTextColor(27, 27, 27)
		d.SetY(d.GetY() + 1)
		d.markdown(p.Text, true, func() { d.policyRecord(p) })
	}
	return f.Output(w)
}

// policyRecord is the box under a policy's title: which version this is,
// its approval, review and retention.
func (d *doc) policyRecord(p Document) {
	review := p.NextReview.String()
	if p.ReviewOverdue {
		review += " (overdue)"
	}
	rows := [][]cell{
		{bold("Policy"), plain(fmt.Sprintf("%s, version %d", p.Policy, p.Version))},
		{bold("Approved"), plain(fmt.Sprintf("by %s (%s) on %s, effective %s", p.Approver, p.ApprovedBy, p.ApprovedOn, p.Effective))},
		{bold("Next review"), plain(review)},
		{bold("Keep until"), plain(p.RetainUntil.String() + " (45 CFR 164.316(b)(2)(i))")},
	}
	if p.Owner != "" {
		rows = append(rows, []cell{bold("Owner"), plain(p.Owner)})
	}
	if p.Citation != "" {
		rows = append(rows, []cell{bold("Answers"), plain(p.Citation)})
	}
	if len(p.Controls) > 0 {
		rows = append(rows, []cell{bold("Controls"), plain(strings.Join(p.Controls, ", "))})
	}
	if p.SHA256 != "" {
		rows = append(rows, []cell{bold("Text SHA-256"), plain(p.SHA256)})
	}
	d.table(nil, rows, []float64{30, 150}, 8, func(int) []int { return []int{246, 248, 250} })
}

func (d *doc) cover(r Report) {
	d.AddPage()
	d.SetFillColor(31, 58, 95)
	d.Rect(margin, top, bodyW, 62, "F")
	d.SetTextColor(255, 255, 255)
	d.SetY(top + 6)
	d.text([]run{{text: "45 CFR 164.316(a) and (b)  |  SOC 2 CC1.4, CC2.2, CC5.3"}}, margin+6, bodyW-12, 10, 5, nil)
	d.SetY(top + 16)
	d.text([]run{{text: Title, st: style{bold: true}}}, margin+6, bodyW-12, 24, 11, nil)
	d.SetY(d.GetY() + 2)
	d.text([]run{{text: cp1252(r.Organization)}}, margin+6, bodyW-12, 15, 7.5, nil)
	d.SetY(d.GetY() + 1)
	d.text([]run{{text: "The approved policy set as of " + r.AsOf.String()}}, margin+6, bodyW-12, 11, 5.5, nil)
	d.SetTextColor(27, 27, 27)
	d.SetY(top + 75)
	missing := strconv.Itoa(len(r.Missing))
	if len(r.Missing) == 0 {
		missing = "none"
	}
	rows := [][]cell{
		{bold("Organization"), plain(r.Organization)},
		{bold("As of"), plain(r.AsOf.String())},
		{bold("Policies in force"), plain(strconv.Itoa(len(r.InForce)))},
		{bold("Earlier versions kept"), plain(strconv.Itoa(len(r.Kept)))},
		{bold("Required, not approved"), plain(missing)},
		{bold("Privacy Officer"), plain(orDash(r.PrivacyOfficer))},
		{bold("Security Officer"), plain(orDash(r.SecurityOfficer))},
	}
	for _, p := range r.Problems {
		rows = append(rows, []cell{bold("Not printed"), plain(p)})
	}
	d.table(nil, rows, []float64{45, 135}, 10, nil)
	d.SetY(pageH - bottom - 30)
	d.SetTextColor(90, 90, 90)
	d.text([]run{{text: cp1252("The organization's written policies and procedures, as approved. Each version is kept for six years from the date of its creation or the date when it last was in effect, whichever is later (45 CFR 164.316(b)(2)(i)), made available to the people responsible for carrying it out (164.316(b)(2)(ii)), and reviewed periodically and updated as needed (164.316(b)(2)(iii)). Produced by ward from the organization's records."), st: style{italic: true}}},
		margin, bodyW, 8.5, 4.2, nil)
	d.SetTextColor(27, 27, 27)
}

func (d *doc) heading(n int, intro string) {
	d.SetY(d.GetY() + 3)
	d.need(30)
	d.SetTextColor(31, 58, 95)
	d.text([]run{{text: fmt.Sprintf("%d. %s", n, Sections[n-1]), st: style{bold: true}}}, margin, bodyW, 14, 7, nil)
	d.SetTextColor(27, 27, 27)
	d.SetDrawColor(31, 58, 95)
	d.Line(margin, d.GetY()+0.5, margin+bodyW, d.GetY()+0.5)
	d.SetY(d.GetY() + 2.5)
	if intro != "" {
		d.para(intro)
	}
}

func (d *doc) para(s string) {
	d.text([]run{{text: cp1252(s)}}, margin, bodyW, 9.5, 4.8, nil)
	d.SetY(d.GetY() + 2)
}

func heads(names ...string) []cell {
	out := make([]cell, len(names))
	for i, n := range names {
		out[i] = plain(n)
	}
	return out
}

func bold(s string) cell { return cell{{text: cp1252(s), st: style{bold: true}}} }

// policyCell is a policy's title with its id under it.
func policyCell(title, id string) cell {
	return cell{{text: cp1252(title) + "\n"}, {text: cp1252(id), st: style{italic: true}}}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
