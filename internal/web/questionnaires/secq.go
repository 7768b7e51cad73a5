package questionnaires

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/secq"
	"ward/internal/secq/sheet"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
)

// Customers' security questionnaires (issue 16), answered from the
// program: upload a hospital's XLSX or CSV, review ward's answers row by
// row (accept, edit, reject: an accepted or edited answer is approved and
// kept, the customer's wording taught to the matcher), download it filled
// in the customer's own layout. The same evaluation as `ward
// questionnaire answer`; not the risk questionnaire (/risks/questionnaire).

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/questionnaires", Role: store.RoleViewer, Handler: secqListPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/questionnaires", Role: store.RoleEditor, Handler: secqUploadPage, Upload: true},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/questionnaires/library", Role: store.RoleViewer, Handler: secqLibraryPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/questionnaires/{id}", Role: store.RoleViewer, Handler: secqReviewPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/questionnaires/{id}/rows/{row}", Role: store.RoleEditor, Handler: secqDecidePage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/questionnaires/{id}/download", Role: store.RoleViewer, Handler: secqDownload},

		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/questionnaires", Role: store.RoleViewer, Handler: secqListAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/questionnaires", Role: store.RoleEditor, Handler: secqUploadAPI, Upload: true},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/questionnaires/library", Role: store.RoleViewer, Handler: secqLibraryAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/questionnaires/{id}", Role: store.RoleViewer, Handler: secqReviewAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/questionnaires/{id}/rows/{row}", Role: store.RoleEditor, Handler: secqDecideAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/questionnaires/{id}/download", Role: store.RoleViewer, Handler: secqDownload},
	)
}

// SecqSummary is one questionnaire of the list.
type SecqSummary struct {
	secq.Review
	Summary secq.Summary `json:"summary"`
	Error   string       `json:"error,omitempty"` // it no longer reads (never expected: it read at upload)
}

// SecqList is the list page and GET /api/v1/orgs/{org}/questionnaires.
type SecqList struct {
	AsOf           date.Date     `json:"as_of"`
	Questionnaires []SecqSummary `json:"questionnaires"`
	Bank           string        `json:"bank"`
	Questions      int           `json:"questions"`
	Approved       int           `json:"approved"`
	Threshold      float64       `json:"threshold"`
	// The upload form, shown again with what was wrong.
	Form  SecqForm `json:"-"`
	Error string   `json:"-"`
}

// SecqForm is what the upload form sends.
type SecqForm struct {
	Sheet, Question, Answer, Comment, Customer, Encoding string
	HeaderRow                                            int
}

// SecqRowJSON is one row of a questionnaire under review: the CLI's row
// and what the reviewer needs beside it.
type SecqRowJSON struct {
	secq.Row
	Verdict   string         `json:"verdict"`
	Narrative string         `json:"narrative"`
	Sources   []string       `json:"sources"`
	Reasons   []string       `json:"reasons"`
	Closest   string         `json:"closest,omitempty"`
	Decision  *secq.Decision `json:"decision,omitempty"`
	Approved  *secq.Approved `json:"approved,omitempty"`
	Stale     bool           `json:"stale,omitempty"`
	// For the page: the bank question matched.
	BankQuestion string `json:"-"`
}

// SecqReview is the review page and GET .../questionnaires/{id}.
type SecqReview struct {
	Questionnaire secq.Review   `json:"questionnaire"`
	AsOf          date.Date     `json:"as_of"`
	Sheet         string        `json:"sheet"`
	Columns       SecqColumns   `json:"columns"`
	Notes         []string      `json:"notes,omitempty"`
	Choices       []string      `json:"choices,omitempty"`
	Summary       secq.Summary  `json:"summary"`
	Rows          []SecqRowJSON `json:"rows"`
	// For the edit forms: every bank question.
	Bank  []*secq.Question `json:"-"`
	Error string           `json:"-"`
}

// SecqColumns are the columns as letters.
type SecqColumns struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Comment  string `json:"comment,omitempty"`
}

// SecqDecisionInput is what a reviewer decides on a row: accept ward's
// answer, edit it (text, verdict and the library entry it answers: a
// bank id, or "own" for an entry of the organization's own), or reject
// the match.
type SecqDecisionInput struct {
	Action  string `json:"action"`
	Text    string `json:"text,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	Target  string `json:"target,omitempty"`
	Note    string `json:"note,omitempty"`
}

var errNoQuestionnaire = errors.New("no such questionnaire")

// secqState is a questionnaire under review, answered as of the day.
type secqState struct {
	review secq.Review
	book   *sheet.Book
	an     *secq.Answerer
	rows   []secq.Row
	asOf   date.Date
}

func answerer(s *kit.Server, r *http.Request, asOf date.Date) (*secq.Answerer, error) {
	o := s.Org(r)
	ws, err := s.Workspace(r)
	if err != nil {
		return nil, err
	}
	approved, err := o.ApprovedAnswers(r.Context())
	if err != nil {
		return nil, err
	}
	return secq.NewAnswerer(secq.Default(), ws, catalog.Default(), asOf, approved, secq.Options{Policies: secq.WorkspacePolicies(ws, asOf)}), nil
}

// answered reads a stored questionnaire and answers it.
func answered(s *kit.Server, r *http.Request, rev secq.Review, an *secq.Answerer) (*secqState, error) {
	f, err := s.Store.Blobs().Open(rev.SHA256)
	if err != nil {
		return nil, fmt.Errorf("questionnaire %s: its file: %w", rev.ID, err)
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	book, err := sheet.Read(rev.Name, data, rev.Spec())
	if err != nil {
		return nil, err
	}
	items := make([]secq.Item, len(book.Rows))
	for i, row := range book.Rows {
		items[i] = secq.Item{Row: row.Row, Ref: row.Ref, Question: row.Question}
	}
	rows := rev.Apply(an, secq.AnswerRows(an.Index(), an, items, secq.DefaultThreshold))
	return &secqState{review: rev, book: book, an: an, rows: rows}, nil
}

func loadQuestionnaire(s *kit.Server, r *http.Request) (*secqState, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return nil, kit.BadInput("%v", err)
	}
	rev, err := s.Org(r).AnswerSheet(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoQuestionnaire
	}
	if err != nil {
		return nil, err
	}
	an, err := answerer(s, r, asOf)
	if err != nil {
		return nil, err
	}
	st, err := answered(s, r, rev, an)
	if err != nil {
		return nil, err
	}
	st.asOf = asOf
	return st, nil
}

func (st *secqState) view() SecqReview {
	q, a, c := st.book.Columns()
	v := SecqReview{Questionnaire: st.review, AsOf: st.asOf, Sheet: st.book.Sheet, Columns: SecqColumns{q, a, c}, Notes: st.book.Notes,
		Choices: st.book.Choices, Summary: secq.Summarize(st.review, st.rows), Rows: []SecqRowJSON{}, Bank: st.an.Bank().Questions}
	for _, row := range st.rows {
		rj := SecqRowJSON{Row: row, Verdict: row.Verdict.Label(), Sources: []string{}, Reasons: slices.Clone(row.Reasons), Closest: row.Closest}
		if rj.Reasons == nil {
			rj.Reasons = []string{}
		}
		if row.Result != nil {
			rj.Narrative, rj.Sources = row.Result.Narrative, row.Result.Sources
			rj.Approved, rj.Stale = row.Result.Approved, row.Result.Stale
		}
		if d, ok := st.review.Decision(row.Row); ok {
			rj.Decision = &d
		}
		if q := st.an.Bank().Question(row.Target()); q != nil {
			rj.BankQuestion = q.Question
		} else if ap, ok := st.an.Approved(row.Target()); ok {
			rj.BankQuestion = ap.Question
		}
		v.Rows = append(v.Rows, rj)
	}
	return v
}

// questionnaireError answers what loading or deciding failed with.
func questionnaireError(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, err error) {
	var in kit.InputError
	var se *sheet.Error
	switch {
	case errors.Is(err, errNoQuestionnaire):
		s.Fail(w, r, api, http.StatusNotFound, "no such questionnaire")
	case errors.As(err, &in):
		s.Fail(w, r, api, http.StatusUnprocessableEntity, in.Msg)
	case errors.As(err, &se):
		s.Fail(w, r, api, http.StatusUnprocessableEntity, se.Error())
	default:
		s.ServerError(w, r, api, err)
	}
}

func secqList(s *kit.Server, r *http.Request) (SecqList, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return SecqList{}, kit.BadInput("%v", err)
	}
	o := s.Org(r)
	revs, err := o.AnswerSheets(r.Context())
	if err != nil {
		return SecqList{}, err
	}
	an, err := answerer(s, r, asOf)
	if err != nil {
		return SecqList{}, err
	}
	approved, err := o.ApprovedAnswers(r.Context())
	if err != nil {
		return SecqList{}, err
	}
	b := secq.Default()
	l := SecqList{AsOf: asOf, Questionnaires: []SecqSummary{}, Bank: b.Name + " " + b.Version, Questions: len(b.Questions), Approved: len(approved), Threshold: secq.DefaultThreshold}
	for i := len(revs) - 1; i >= 0; i-- { // newest first
		sum := SecqSummary{Review: revs[i]}
		if st, err := answered(s, r, revs[i], an); err != nil {
			sum.Error = err.Error()
		} else {
			sum.Summary = secq.Summarize(revs[i], st.rows)
		}
		l.Questionnaires = append(l.Questionnaires, sum)
	}
	return l, nil
}

func secqListPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, err := secqList(s, r)
	if err != nil {
		questionnaireError(s, w, r, false, err)
		return
	}
	s.Render(w, r, "secq_list.html", l)
}

func secqListAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, err := secqList(s, r)
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, l)
}

// maxQuestionnaireFile bounds a customer's questionnaire: a spreadsheet
// of a few hundred questions is well under a megabyte.
const maxQuestionnaireFile = 20 << 20

// serveUpload reads the form (a multipart upload with the file and where its
// questions are), checks the questionnaire reads, keeps the file and
// records the questionnaire. created is false when the same file was
// uploaded before (its review is returned).
func serveUpload(s *kit.Server, r *http.Request) (rev secq.Review, form SecqForm, created bool, err error) {
	// Streamed into the blob store (upload.go), then read back: blobs
	// are named by their hash, so one left behind by a questionnaire that
	// then does not read is harmless.
	up, err := s.ReadUpload(r, kit.FileCheck{Max: maxQuestionnaireFile})
	if err != nil {
		var big *kit.TooBig
		if errors.As(err, &big) {
			return rev, form, false, kit.BadInput("%v", big)
		}
		return rev, form, false, err
	}
	v := func(k string) string { return strings.TrimSpace(up.Fields.Get(k)) }
	form = SecqForm{Sheet: v("sheet"), Question: v("question_col"), Answer: v("answer_col"), Comment: v("comment_col"), Customer: v("customer"), Encoding: v("encoding")}
	if h := v("header_row"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			return rev, form, false, kit.BadInput("header_row: %q is not a row number", h)
		}
		form.HeaderRow = n
	}
	files := up.Files["file"]
	if len(files) == 0 || files[0].Size == 0 {
		return rev, form, false, kit.BadInput("choose the questionnaire file (.xlsx or .csv)")
	}
	f, err := s.Store.Blobs().Open(files[0].SHA256)
	if err != nil {
		return rev, form, false, err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return rev, form, false, err
	}
	name := files[0].Name
	spec := sheet.Spec{Sheet: form.Sheet, Question: form.Question, Answer: form.Answer, Comment: form.Comment, HeaderRow: form.HeaderRow, Encoding: form.Encoding}
	if _, err := sheet.Read(name, data, spec); err != nil {
		return rev, form, false, err
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	o := s.Org(r)
	if old, err := o.AnswerSheet(r.Context(), secq.ReviewID(sha)); err == nil {
		return old, form, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return rev, form, false, err
	}
	rev = secq.Review{ID: secq.ReviewID(sha), Name: name, SHA256: sha, Size: int64(len(data)), Sheet: form.Sheet, Question: form.Question,
		Answer: form.Answer, Comment: form.Comment, HeaderRow: form.HeaderRow, Encoding: form.Encoding, Customer: form.Customer,
		Uploaded: s.Today(), UploadedBy: kit.CurrentUser(r).Email}
	if _, err := o.AddAnswerSheet(r.Context(), kit.CurrentUser(r).Email, rev); err != nil {
		return rev, form, false, err
	}
	return rev, form, true, nil
}

func secqUploadPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	rev, form, _, err := serveUpload(s, r)
	if err != nil {
		var in kit.InputError
		var se *sheet.Error
		if errors.Is(err, kit.ErrTooLarge) {
			s.Fail(w, r, false, http.StatusRequestEntityTooLarge, kit.TooLarge(r.ContentLength, s.MaxUpload()))
			return
		}
		if !errors.As(err, &in) && !errors.As(err, &se) {
			s.ServerError(w, r, false, err)
			return
		}
		l, lerr := secqList(s, r)
		if lerr != nil {
			questionnaireError(s, w, r, false, lerr)
			return
		}
		l.Form, l.Error = form, err.Error()
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "secq_list.html", l)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/questionnaires/%s", kit.CurrentOrg(r).Slug, rev.ID), http.StatusSeeOther)
}

func secqUploadAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	rev, _, created, err := serveUpload(s, r)
	if errors.Is(err, kit.ErrTooLarge) {
		kit.APIError(w, http.StatusRequestEntityTooLarge, kit.TooLarge(r.ContentLength, s.MaxUpload()))
		return
	}
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	an, err := answerer(s, r, asOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	st, err := answered(s, r, rev, an)
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	st.asOf = asOf
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", fmt.Sprintf("/api/v1/orgs/%s/questionnaires/%s", kit.CurrentOrg(r).Slug, rev.ID))
	}
	kit.WriteJSON(w, status, st.view())
}

func secqReviewPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	st, err := loadQuestionnaire(s, r)
	if err != nil {
		questionnaireError(s, w, r, false, err)
		return
	}
	s.Render(w, r, "secq_review.html", st.view())
}

func secqReviewAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	st, err := loadQuestionnaire(s, r)
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, st.view())
}

// decide applies a reviewer's decision on one row: the questionnaire's
// record with it, and for an accept or an edit the approved answer it
// makes, the row's question learnt as an alias, in one transaction.
func decide(s *kit.Server, r *http.Request, in SecqDecisionInput) (*secqState, int, error) {
	st, err := loadQuestionnaire(s, r)
	if err != nil {
		return nil, 0, err
	}
	n, err := strconv.Atoi(r.PathValue("row"))
	i := slices.IndexFunc(st.rows, func(x secq.Row) bool { return x.Row == n })
	if err != nil || i < 0 {
		return nil, 0, kit.BadInput("row %s is not a question row of this questionnaire", r.PathValue("row"))
	}
	row := st.rows[i]
	by := kit.CurrentUser(r).Email
	d := secq.Decision{Row: n, Action: in.Action, By: by, On: st.asOf, Note: strings.TrimSpace(in.Note)}
	var ap *secq.Approved
	switch in.Action {
	case secq.Reject:
	case secq.Accept:
		if row.Match == nil {
			return nil, 0, kit.BadInput("row %d has no answer to accept: edit it (write the answer and choose the library question it answers)", n)
		}
		if row.Verdict == secq.Undecided {
			return nil, 0, kit.BadInput("ward cannot decide row %d (%s): edit it with the answer and its verdict", n, strings.Join(row.Reasons, "; "))
		}
		d.Target = *row.Match
		a := st.approve(d.Target, "", row.Verdict, row.Answer, row.Question, by)
		ap = &a
	case secq.Edit:
		text := strings.TrimSpace(in.Text)
		if text == "" {
			return nil, 0, kit.BadInput("text: write the answer")
		}
		v := secq.Verdict(in.Verdict)
		if !slices.Contains(secq.Verdicts, v) || v == secq.Undecided {
			return nil, 0, kit.BadInput("verdict: choose yes, no, partial or not applicable")
		}
		target := strings.TrimSpace(in.Target)
		if target == "" {
			target = row.Target()
		}
		question := ""
		switch {
		case target == "own" || target == "":
			target, question = secq.OwnID(row.Question), row.Question
			if existing, ok := st.an.Approved(target); ok && !strings.EqualFold(existing.Question, row.Question) {
				target += "-" + strconv.Itoa(n)
			}
		case strings.HasPrefix(target, secq.OwnPrefix):
			if _, ok := st.an.Approved(target); !ok {
				return nil, 0, kit.BadInput("target: %q is not an own entry of this organization", target)
			}
		case st.an.Bank().Question(target) == nil:
			return nil, 0, kit.BadInput("target: %q is not a bank question (or \"own\" for an entry of your own)", target)
		}
		d.Target = target
		a := st.approve(target, question, v, text, row.Question, by)
		ap = &a
	default:
		return nil, 0, kit.BadInput("action: %q is not accept, edit or reject", in.Action)
	}
	rev := st.review
	rev.Decide(d)
	if _, err := s.Org(r).Decide(r.Context(), by, rev, ap); err != nil {
		return nil, 0, err
	}
	// Answer again with what was just approved.
	an, err := answerer(s, r, st.asOf)
	if err != nil {
		return nil, 0, err
	}
	fresh, err := answered(s, r, rev, an)
	if err != nil {
		return nil, 0, err
	}
	fresh.asOf = st.asOf
	return fresh, n, nil
}

// approve makes the approval of text for target, keeping an earlier
// approval's aliases and teaching the row's question.
func (st *secqState) approve(target, question string, v secq.Verdict, text, alias, by string) secq.Approved {
	var prev *secq.Approved
	if p, ok := st.an.Approved(target); ok {
		prev = &p
	}
	return st.an.Approve(prev, target, question, v, text, nil, alias, by)
}

func secqDecidePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	in := SecqDecisionInput{Action: r.PostFormValue("action"), Text: r.PostFormValue("text"), Verdict: r.PostFormValue("verdict"),
		Target: r.PostFormValue("target"), Note: r.PostFormValue("note")}
	_, n, err := decide(s, r, in)
	if err != nil {
		var bad kit.InputError
		if errors.As(err, &bad) {
			st, lerr := loadQuestionnaire(s, r)
			if lerr != nil {
				questionnaireError(s, w, r, false, lerr)
				return
			}
			v := st.view()
			v.Error = bad.Msg
			s.RenderStatus(w, r, http.StatusUnprocessableEntity, "secq_review.html", v)
			return
		}
		questionnaireError(s, w, r, false, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/questionnaires/%s#row-%d", kit.CurrentOrg(r).Slug, r.PathValue("id"), n), http.StatusSeeOther)
}

func secqDecideAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	var in SecqDecisionInput
	if err := records.ReadJSON(r, &in); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, n, err := decide(s, r, in)
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	v := st.view()
	for _, row := range v.Rows {
		if row.Row.Row == n {
			kit.WriteJSON(w, http.StatusOK, row)
			return
		}
	}
	s.ServerError(w, r, true, fmt.Errorf("row %d gone after the decision", n))
}

// secqDownload is the questionnaire answered in the customer's layout
// (an .xlsx), as the page shows it: rejected rows left for review.
func secqDownload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	st, err := loadQuestionnaire(s, r)
	if err != nil {
		questionnaireError(s, w, r, api, err)
		return
	}
	out, err := st.book.Write(sheet.XLSX, secq.Fills(st.rows, st.book.Comment > 0, st.book.Choices))
	if err != nil {
		questionnaireError(s, w, r, api, err)
		return
	}
	base := strings.TrimSuffix(st.review.Name, filepath.Ext(st.review.Name))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, kit.UnsafeFileChars.ReplaceAllString(base, "-")+"-answered.xlsx"))
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.Write(out)
}

// SecqLibrary is the library page and its JSON: the bank with ward's
// answer to each question today, and the organization's own entries.
type SecqLibrary struct {
	Bank    string         `json:"bank"`
	Version string         `json:"version"`
	Source  string         `json:"source"`
	AsOf    date.Date      `json:"as_of"`
	Domains []SecqDomain   `json:"domains"`
	Own     []secq.Answer  `json:"own"`
	Counts  map[string]int `json:"counts"` // by verdict, and approved / stale / review
}

// SecqDomain is one domain of the library.
type SecqDomain struct {
	secq.Domain
	Answers []SecqLibraryAnswer `json:"answers"`
}

// SecqLibraryAnswer is a bank question with ward's answer.
type SecqLibraryAnswer struct {
	Question string `json:"question_text"`
	secq.Answer
}

func secqLibrary(s *kit.Server, r *http.Request) (SecqLibrary, error) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		return SecqLibrary{}, kit.BadInput("%v", err)
	}
	an, err := answerer(s, r, asOf)
	if err != nil {
		return SecqLibrary{}, err
	}
	b := an.Bank()
	l := SecqLibrary{Bank: b.Name, Version: b.Version, Source: b.Source, AsOf: asOf, Own: []secq.Answer{}, Counts: map[string]int{}}
	count := func(a secq.Answer) {
		l.Counts[a.Verdict.Name()]++
		switch {
		case a.Stale:
			l.Counts["stale"]++
		case a.Approved != nil:
			l.Counts["approved"]++
		}
		if a.Review {
			l.Counts["review"]++
		}
	}
	for _, d := range b.Domains {
		sd := SecqDomain{Domain: d, Answers: []SecqLibraryAnswer{}}
		for _, q := range b.Questions {
			if q.Domain == d.ID {
				a, _ := an.Answer(q.ID)
				sd.Answers = append(sd.Answers, SecqLibraryAnswer{Question: q.Question, Answer: a})
				count(a)
			}
		}
		l.Domains = append(l.Domains, sd)
	}
	for _, ap := range an.Own() {
		a, _ := an.Answer(ap.ID)
		l.Own = append(l.Own, a)
		count(a)
	}
	return l, nil
}

func secqLibraryPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, err := secqLibrary(s, r)
	if err != nil {
		questionnaireError(s, w, r, false, err)
		return
	}
	s.Render(w, r, "secq_library.html", l)
}

func secqLibraryAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, err := secqLibrary(s, r)
	if err != nil {
		questionnaireError(s, w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, l)
}
