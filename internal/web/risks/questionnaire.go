package risks

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The guided questionnaire as a web form: one long form by section, each
// question with its Security Rule citation; answers give proposed risks
// to review; the selected ones are created in one transaction.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks/questionnaire", Role: store.RoleEditor, Handler: questionnairePage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/risks/questionnaire", Role: store.RoleEditor, Handler: questionnairePost},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/risks/questionnaire", Role: store.RoleViewer, Handler: questionnaireAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/risks/questionnaire", Role: store.RoleEditor, Handler: questionnairePostAPI},
	)
}

// proposalDueDays: proposed treatments are due a quarter after the
// questionnaire, as with `ward risk questionnaire`.
const proposalDueDays = 90

// QuestionnaireInput is what the form or the API sends.
type QuestionnaireInput struct {
	Asset    string                 `json:"asset"`
	Analysis string                 `json:"analysis"`
	Owner    string                 `json:"owner"`
	Due      date.Date              `json:"due"`
	Answers  map[string]risk.Answer `json:"answers"`
	// Create writes the proposals: those named in Select, or every new
	// one when Select is empty.
	Create bool     `json:"create"`
	Select []string `json:"select"`
}

// QuestionnaireSection is one section of questions.
type QuestionnaireSection struct {
	Name      string          `json:"name"`
	Questions []risk.Question `json:"questions"`
}

// QuestionnaireView is the page (and GET of the API: its Sections).
type QuestionnaireView struct {
	Sections []QuestionnaireSection `json:"sections"`
	Input    QuestionnaireInput     `json:"-"`
	// Review: the answers are complete and Proposals are shown.
	Review     bool                     `json:"-"`
	Proposals  []risk.Proposal          `json:"-"`
	Errors     map[string]string        `json:"-"`
	Systems    []workspace.System       `json:"-"`
	PHI        map[string]bool          `json:"-"`
	Analyses   []workspace.RiskAnalysis `json:"-"`
	People     []workspace.Person       `json:"-"`
	NoAnalysis bool                     `json:"-"`
	Picked     map[string]bool          `json:"-"`
}

// QuestionnaireResult is POST /api/v1/orgs/{org}/risks/questionnaire.
type QuestionnaireResult struct {
	Analysis  string          `json:"analysis"`
	Asset     string          `json:"asset"`
	Proposals []risk.Proposal `json:"proposals"`
	Created   []string        `json:"created"`
}

func questionSections() []QuestionnaireSection {
	var out []QuestionnaireSection
	for _, name := range risk.Sections {
		sec := QuestionnaireSection{Name: name}
		for _, q := range risk.Questionnaire() {
			if q.Section == name {
				sec.Questions = append(sec.Questions, q)
			}
		}
		out = append(out, sec)
	}
	return out
}

func questionnaireView(s *kit.Server, ws *workspace.Workspace, in QuestionnaireInput) QuestionnaireView {
	v := QuestionnaireView{Sections: questionSections(), Input: in, Errors: map[string]string{}, Systems: ws.Systems, PHI: map[string]bool{},
		Analyses: ws.RiskAnalyses, People: ws.People, NoAnalysis: len(ws.RiskAnalyses) == 0, Picked: map[string]bool{}}
	for _, id := range phimap.Build(ws).PHISystems() {
		v.PHI[id] = true
	}
	return v
}

// defaults fills what the person did not choose: the only PHI system,
// the latest analysis, the security officer, a due date a quarter on.
func questionnaireDefaults(s *kit.Server, ws *workspace.Workspace, in *QuestionnaireInput) {
	today := s.Today()
	if in.Asset == "" {
		if phi := phimap.Build(ws).PHISystems(); len(phi) == 1 {
			in.Asset = phi[0]
		}
	}
	if in.Analysis == "" {
		if a := risk.Latest(ws, today); a != nil {
			in.Analysis = a.ID
		}
	}
	if in.Owner == "" && ws.Person(ws.Organization.Officers.Security) != nil {
		in.Owner = ws.Organization.Officers.Security
	}
	if in.Due.IsZero() {
		in.Due = today.AddDays(proposalDueDays)
	}
}

// check validates the input; problems by field ("asset", a question id).
func checkQuestionnaire(ws *workspace.Workspace, in QuestionnaireInput) map[string]string {
	bad := map[string]string{}
	if in.Asset == "" {
		bad["asset"] = "choose the system the risks are about"
	} else if ws.System(in.Asset) == nil {
		bad["asset"] = fmt.Sprintf("%q is not a system in the inventory", in.Asset)
	}
	if in.Analysis == "" {
		bad["analysis"] = "there is no risk analysis yet: start one (ward risk analysis new) first"
	} else if ws.RiskAnalysis(in.Analysis) == nil {
		bad["analysis"] = fmt.Sprintf("%q is not a risk analysis", in.Analysis)
	}
	if in.Owner != "" && ws.Person(in.Owner) == nil {
		bad["owner"] = fmt.Sprintf("%q is not anyone under people", in.Owner)
	}
	for _, q := range risk.Questionnaire() {
		switch in.Answers[q.ID] {
		case risk.Yes, risk.No, risk.Unknown:
		case "":
			bad[q.ID] = "answer yes, no or don't know"
		default:
			bad[q.ID] = fmt.Sprintf("%q is not yes, no or unknown", in.Answers[q.ID])
		}
	}
	return bad
}

// run proposes, and with in.Create writes the selected proposals in one
// transaction. Problems by field leave everything unwritten.
func runQuestionnaire(s *kit.Server, r *http.Request, ws *workspace.Workspace, in QuestionnaireInput) (QuestionnaireResult, map[string]string, error) {
	res := QuestionnaireResult{Analysis: in.Analysis, Asset: in.Asset, Proposals: []risk.Proposal{}, Created: []string{}}
	if bad := checkQuestionnaire(ws, in); len(bad) > 0 {
		return res, bad, nil
	}
	if ps := risk.Propose(ws, in.Answers, risk.ProposalOptions{Asset: in.Asset, Analysis: in.Analysis, Owner: in.Owner, Due: in.Due}); ps != nil {
		res.Proposals = ps
	}
	if !in.Create {
		return res, nil, nil
	}
	var edits []store.Edit
	for _, p := range res.Proposals {
		if p.Existing != "" || (len(in.Select) > 0 && !slices.Contains(in.Select, p.Risk.ID)) {
			continue
		}
		if errs := fieldProblems(risk.ValidateIn(ws, p.Risk, true, catalogKnows)); len(errs) > 0 {
			for f, m := range errs {
				return res, map[string]string{f: p.Risk.ID + ": " + m}, nil
			}
		}
		edits = append(edits, store.Edit{Kind: store.KindRisk, Value: p.Risk})
	}
	if len(edits) == 0 {
		return res, nil, nil
	}
	// The references again inside the transaction (an asset retired
	// meanwhile).
	check := func(cur *workspace.Workspace) error {
		for _, e := range edits {
			if err := riskCheck(e.Value.(workspace.Risk), true)(cur); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := s.Org(r).SaveIf(r.Context(), kit.CurrentUser(r).Email, check, edits...); err != nil {
		var refused *records.EditRefused
		switch {
		case errors.Is(err, store.ErrConflict):
			return res, map[string]string{"select": err.Error() + ": reload the questionnaire"}, nil
		case errors.As(err, &refused):
			return res, map[string]string{"select": refused.Error() + ": reload the questionnaire"}, nil
		}
		return res, nil, err
	}
	for _, e := range edits {
		res.Created = append(res.Created, e.Value.(workspace.Risk).ID)
	}
	return res, nil, nil
}

func questionnairePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	in := QuestionnaireInput{Asset: r.URL.Query().Get("asset"), Answers: map[string]risk.Answer{}}
	questionnaireDefaults(s, ws, &in)
	s.Render(w, r, "questionnaire.html", questionnaireView(s, ws, in))
}

func readQuestionnaireForm(r *http.Request) (QuestionnaireInput, map[string]string) {
	bad := map[string]string{}
	in := QuestionnaireInput{
		Asset: strings.TrimSpace(r.PostFormValue("asset")), Analysis: strings.TrimSpace(r.PostFormValue("analysis")),
		Owner: strings.TrimSpace(r.PostFormValue("owner")), Answers: map[string]risk.Answer{},
		Create: r.PostFormValue("step") == "create", Select: r.PostForm["pick"],
	}
	if v := strings.TrimSpace(r.PostFormValue("due")); v != "" {
		d, err := date.ParseInput(v)
		if err != nil {
			bad["due"] = err.Error()
		}
		in.Due = d
	}
	for _, q := range risk.Questionnaire() {
		if v := r.PostFormValue("q-" + q.ID); v != "" {
			in.Answers[q.ID] = risk.Answer(v)
		}
	}
	return in, bad
}

func questionnairePost(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	in, bad := readQuestionnaireForm(r)
	if in.Create && len(in.Select) == 0 && len(bad) == 0 {
		bad["select"] = "choose at least one proposed risk to create"
	}
	questionnaireDefaults(s, ws, &in)
	var res QuestionnaireResult
	if len(bad) == 0 {
		if res, bad, err = runQuestionnaire(s, r, ws, in); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	if len(bad) == 0 && in.Create {
		s.FormSaved(r)
		http.Redirect(w, r, fmt.Sprintf("/orgs/%s/risks?added=%d", kit.CurrentOrg(r).Slug, len(res.Created)), http.StatusSeeOther)
		return
	}
	v := questionnaireView(s, ws, in)
	v.Errors = bad
	status := http.StatusOK
	if len(bad) > 0 {
		status = http.StatusUnprocessableEntity
	}
	// The review of the proposals, whenever the answers are complete and
	// the person did not ask to change them.
	if r.PostFormValue("step") != "back" && len(checkQuestionnaire(ws, in)) == 0 {
		review := in
		review.Create = false
		if res, _, err = runQuestionnaire(s, r, ws, review); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		v.Review, v.Proposals = true, res.Proposals
		for _, p := range res.Proposals {
			v.Picked[p.Risk.ID] = p.Existing == "" && (len(in.Select) == 0 || slices.Contains(in.Select, p.Risk.ID))
		}
	}
	s.RenderStatus(w, r, status, "questionnaire.html", v)
}

func questionnaireAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	kit.WriteJSON(w, http.StatusOK, map[string]any{
		"sections": questionSections(),
		"answers":  []risk.Answer{risk.Yes, risk.No, risk.Unknown},
	})
}

func questionnairePostAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	var in QuestionnaireInput
	if err := records.ReadJSON(r, &in); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	questionnaireDefaults(s, ws, &in)
	res, bad, err := runQuestionnaire(s, r, ws, in)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	if len(bad) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, ProblemsBody{Error: "the questionnaire is not complete or not valid; nothing was written", Problems: bad})
		return
	}
	status := http.StatusOK
	if len(res.Created) > 0 {
		status = http.StatusCreated
	}
	kit.WriteJSON(w, status, res)
}
