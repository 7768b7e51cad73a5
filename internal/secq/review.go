package secq

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/secq/sheet"
)

// Review is a customer's questionnaire uploaded to be answered, and a
// reviewer's decisions on its rows. The file itself is kept by its
// SHA-256 (the store's blobs); the rows are answered again from it, the
// workspace and the approved answers whenever they are shown, so what a
// reviewer sees is always as of the day.
type Review struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Where the questions are (sheet.Spec).
	Sheet     string `json:"sheet,omitempty"`
	Question  string `json:"question,omitempty"`
	Answer    string `json:"answer,omitempty"`
	Comment   string `json:"comment,omitempty"`
	HeaderRow int    `json:"header_row,omitempty"`
	Encoding  string `json:"encoding,omitempty"`
	// Customer is who sent it, free text.
	Customer   string     `json:"customer,omitempty"`
	Uploaded   date.Date  `json:"uploaded"`
	UploadedBy string     `json:"uploaded_by"`
	Decisions  []Decision `json:"decisions,omitempty"`
}

// Decision actions.
const (
	Accept = "accept" // ward's answer approved as it stands
	Edit   = "edit"   // the reviewer's text (and match) approved instead
	Reject = "reject" // the match is wrong: the row stays unanswered
)

// Decision is a reviewer's call on one row.
type Decision struct {
	Row    int       `json:"row"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"` // the library entry approved (accept, edit)
	By     string    `json:"by"`
	On     date.Date `json:"on"`
	Note   string    `json:"note,omitempty"`
}

// ReviewID names an upload by its content: the same file uploaded twice
// is one review.
func ReviewID(sha256 string) string { return "qs-" + sha256[:min(12, len(sha256))] }

// Spec is where the questions are.
func (r Review) Spec() sheet.Spec {
	return sheet.Spec{Sheet: r.Sheet, Question: r.Question, Answer: r.Answer, Comment: r.Comment, HeaderRow: r.HeaderRow, Encoding: r.Encoding}
}

// Decision is the latest decision on row, if any.
func (r Review) Decision(row int) (Decision, bool) {
	for i := len(r.Decisions) - 1; i >= 0; i-- {
		if r.Decisions[i].Row == row {
			return r.Decisions[i], true
		}
	}
	return Decision{}, false
}

// Decide records a decision on a row, replacing an earlier one.
func (r *Review) Decide(d Decision) {
	r.Decisions = slices.DeleteFunc(r.Decisions, func(x Decision) bool { return x.Row == d.Row })
	r.Decisions = append(r.Decisions, d)
	slices.SortFunc(r.Decisions, func(a, b Decision) int { return a.Row - b.Row })
}

// Check says what is wrong with a review record.
func (r Review) Check() error {
	var errs []error
	if r.ID == "" || r.Name == "" || len(r.SHA256) != 64 {
		errs = append(errs, errors.New("a review needs an id, the file's name and its SHA-256"))
	}
	if r.UploadedBy == "" || r.Uploaded.IsZero() {
		errs = append(errs, errors.New("uploaded and uploaded_by: say who uploaded it and when"))
	}
	for _, d := range r.Decisions {
		switch d.Action {
		case Accept, Edit:
			if d.Target == "" {
				errs = append(errs, fmt.Errorf("row %d: an %s names the library entry it approved", d.Row, d.Action))
			}
		case Reject:
		default:
			errs = append(errs, fmt.Errorf("row %d: action %q is not accept, edit or reject", d.Row, d.Action))
		}
		if d.By == "" || d.On.IsZero() {
			errs = append(errs, fmt.Errorf("row %d: say who decided and when", d.Row))
		}
	}
	return errors.Join(errs...)
}

// Apply lays the reviewer's decisions over freshly answered rows: a
// rejected row is left unanswered for a person; an accepted or edited
// row is answered from the library entry it was approved as (whose
// approved answer the rows already carry, unless a control changed
// since, which keeps it in review).
func (r Review) Apply(an *Answerer, rows []Row) []Row {
	out := slices.Clone(rows)
	for i, row := range out {
		d, ok := r.Decision(row.Row)
		if !ok {
			continue
		}
		switch d.Action {
		case Reject:
			row.Match, row.Answer, row.Controls, row.Verdict, row.Result = nil, "", []string{}, Undecided, nil
			row.Review = true
			row.Reasons = []string{fmt.Sprintf("%s rejected ward's match on %s", d.By, d.On)}
		case Accept, Edit:
			if row.Target() != d.Target {
				row = Resolve(an, row, d.Target)
			}
		}
		out[i] = row
	}
	return out
}

// Summary counts a questionnaire's rows for a list.
type Summary struct {
	Rows     int `json:"rows"`
	Answered int `json:"answered"`
	Review   int `json:"review"`
	Decided  int `json:"decided"`
}

// Summarize counts rows answered, to review and decided.
func Summarize(r Review, rows []Row) Summary {
	s := Summary{Rows: len(rows), Decided: len(r.Decisions)}
	for _, row := range rows {
		if row.Match != nil {
			s.Answered++
		}
		if row.Review {
			s.Review++
		}
	}
	return s
}

// Name is the verdict in words ("not applicable"; "undecided" for none).
func (v Verdict) Name() string {
	if v == Undecided {
		return "undecided"
	}
	return strings.ReplaceAll(string(v), "-", " ")
}
