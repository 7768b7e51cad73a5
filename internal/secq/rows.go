package secq

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/secq/sheet"
)

// Row is one row of a customer's questionnaire, answered: the shape of
// `ward questionnaire answer --format json` (its JSON is exactly these
// eight fields). Match is null when no bank question (or own entry)
// matched with enough confidence: such a row is left for review, not
// guessed at.
type Row struct {
	Row        int      `json:"row"`
	Ref        string   `json:"ref"`
	Question   string   `json:"question"`
	Match      *string  `json:"match"`
	Confidence float64  `json:"confidence"`
	Answer     string   `json:"answer"`
	Controls   []string `json:"controls"`
	Review     bool     `json:"review"`

	// Detail for the comment column and the review page.
	Verdict Verdict  `json:"-"`
	Closest string   `json:"-"` // the best match under the threshold
	Result  *Answer  `json:"-"`
	Reasons []string `json:"-"`
}

// Target is the matched id, or "".
func (r Row) Target() string {
	if r.Match == nil {
		return ""
	}
	return *r.Match
}

// Item is a question to answer: its row, its reference and its text.
type Item struct {
	Row      int
	Ref      string
	Question string
}

// AnswerRows matches each item and answers the ones matched with at
// least threshold confidence.
func AnswerRows(ix *Index, an *Answerer, items []Item, threshold float64) []Row {
	out := make([]Row, 0, len(items))
	for _, it := range items {
		m := ix.Match(it.Question)
		r := Row{Row: it.Row, Ref: it.Ref, Question: it.Question, Confidence: m.Confidence, Controls: []string{}}
		if m.Target == "" || m.Confidence < threshold {
			r.Review, r.Closest = true, m.Target
			if m.Target == "" {
				r.Reasons = []string{"no question in the library shares a meaningful word with it"}
			} else {
				r.Reasons = []string{fmt.Sprintf("no library question matches with confidence %.2f or more (closest: %s, %.2f)", threshold, m.Target, m.Confidence)}
			}
			out = append(out, r)
			continue
		}
		out = append(out, Resolve(an, r, m.Target))
	}
	return out
}

// Resolve answers row r with the library entry target (a match, or a
// reviewer's choice).
func Resolve(an *Answerer, r Row, target string) Row {
	ans, ok := an.Answer(target)
	if !ok {
		r.Match, r.Answer, r.Review, r.Controls = nil, "", true, []string{}
		r.Reasons = []string{fmt.Sprintf("%q is not a library question", target)}
		return r
	}
	t := target
	r.Match, r.Answer, r.Verdict, r.Result = &t, ans.Text, ans.Verdict, &ans
	r.Controls = []string{}
	for _, b := range ans.Basis {
		r.Controls = append(r.Controls, b.Control)
	}
	r.Review, r.Reasons = ans.Review, slices.Clone(ans.Reasons)
	return r
}

// Fills turns answered rows into what goes into the customer's sheet.
// With a comment column, the answer cell gets the short verdict (Yes, No,
// Partial, N/A) and the comment cell the narrative and ward's note; the
// verdict must be one of the sheet's drop-down choices, if it has them,
// or the row goes to review. Without a comment column, the answer cell
// gets the whole answer and ward's note becomes a cell note.
func Fills(rows []Row, comment bool, choices []string) []sheet.Fill {
	out := make([]sheet.Fill, 0, len(rows))
	for _, r := range rows {
		reasons := slices.Clone(r.Reasons)
		f := sheet.Fill{Row: r.Row, Review: r.Review}
		if r.Match == nil {
			f.Comment = note(r, reasons)
			out = append(out, f)
			continue
		}
		if comment {
			f.Answer = r.Verdict.Label()
			if len(choices) > 0 && f.Answer != "" && !slices.ContainsFunc(choices, func(c string) bool { return strings.EqualFold(c, f.Answer) }) {
				f.Review = true
				reasons = append(reasons, fmt.Sprintf("%q is not one of the sheet's choices (%s)", f.Answer, strings.Join(choices, ", ")))
			}
			narr := r.Answer
			if r.Result != nil {
				narr = r.Result.Narrative
			}
			f.Comment = narr + "\n\n" + note(r, reasons)
		} else {
			f.Answer = r.Answer
			f.Comment = note(r, reasons)
		}
		out = append(out, f)
	}
	return out
}

// note is ward's account of a row: the match and its confidence, the
// sources, and why to review.
func note(r Row, reasons []string) string {
	var b strings.Builder
	if r.Match == nil {
		b.WriteString("[ward] NEEDS REVIEW: not answered.")
	} else {
		fmt.Fprintf(&b, "[ward] matched %s, confidence %.2f.", *r.Match, r.Confidence)
		if r.Result != nil && len(r.Result.Sources) > 0 {
			b.WriteString(" Sources: " + strings.Join(r.Result.Sources, "; ") + ".")
		}
		if len(reasons) > 0 {
			b.WriteString(" NEEDS REVIEW:")
		}
	}
	for _, s := range reasons {
		b.WriteString(" " + s + ".")
	}
	return b.String()
}
