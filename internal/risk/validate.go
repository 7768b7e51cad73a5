package risk

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Problem is one thing wrong with a risk, naming the field (the
// workspace file's name for it) so a form can show it beside the input.
type Problem struct {
	Risk    string `json:"risk"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) Error() string { return fmt.Sprintf("risk %s: %s: %s", p.Risk, p.Field, p.Message) }

// Validate checks a risk before `ward risk add` or a form saves it, and
// returns every problem (each a Problem), each naming the field to fix.
func Validate(ws *workspace.Workspace, r workspace.Risk) []error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, Problem{Risk: r.ID, Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if r.ID == "" {
		bad("id", "is empty")
	}
	if r.Asset == "" {
		bad("asset", "is empty; name the system at risk")
	} else if ws != nil && ws.System(r.Asset) == nil {
		bad("asset", "%q is not a system id in the inventory", r.Asset)
	}
	if strings.TrimSpace(r.Threat) == "" {
		bad("threat", "is empty; use a library id (ward risk threats) or describe the threat")
	}
	if strings.TrimSpace(r.Vulnerability) == "" {
		bad("vulnerability", "is empty")
	}
	scale := func(field string, v int, optional bool) {
		if (v == 0 && optional) || (v >= 1 && v <= 5) {
			return
		}
		bad(field, "%d is outside the scale 1..5", v)
	}
	scale("likelihood", r.Likelihood, false)
	scale("impact", r.Impact, false)
	scale("residual_likelihood", r.ResidualLikelihood, true)
	scale("residual_impact", r.ResidualImpact, true)
	if r.ResidualLikelihood > r.Likelihood && r.Likelihood > 0 {
		bad("residual_likelihood", "%d is above the inherent %d; treatment does not raise a risk", r.ResidualLikelihood, r.Likelihood)
	}
	if r.ResidualImpact > r.Impact && r.Impact > 0 {
		bad("residual_impact", "%d is above the inherent %d", r.ResidualImpact, r.Impact)
	}
	if !slices.Contains(workspace.RiskTreatments, r.Treatment) {
		bad("treatment", "%q is not one of %s", r.Treatment, strings.Join(workspace.RiskTreatments, ", "))
	}
	if r.Treatment == "accept" {
		// Risk acceptance is a management decision that must be documented
		// (164.316(b)(1)): who, when and why.
		if r.AcceptedBy == "" {
			bad("accepted_by", "is required when treatment is accept")
		}
		if strings.TrimSpace(r.AcceptanceReason) == "" {
			bad("acceptance_reason", "is required when treatment is accept: say why the risk is reasonable and appropriate to keep")
		}
	}
	if r.Treatment == "mitigate" && r.Due.IsZero() && r.Completed.IsZero() {
		bad("due", "is required for a mitigate treatment that is not completed")
	}
	return errs
}

// Accept records the acceptance of a risk (`ward risk accept`): the
// treatment becomes accept, with who, when and why. The risk is returned
// changed; the caller stores it.
func Accept(r workspace.Risk, by, reason string, on date.Date) (workspace.Risk, error) {
	if by == "" || strings.TrimSpace(reason) == "" {
		return r, fmt.Errorf("risk %s: accepting a risk needs who accepts it and why (--by and --reason)", r.ID)
	}
	r.Treatment, r.AcceptedBy, r.AcceptanceReason, r.AcceptedOn = "accept", by, reason, on
	return r, nil
}

// ValidateIn is Validate plus what `ward apply` would check of the risk in
// its workspace, so that a risk saved from the command line or a form
// exports and re-applies cleanly: the analysis exists, owner and
// accepted_by are people in the workspace, every control is known (a
// workspace control, or known reports a catalog id; nil accepts any), and
// a new risk's id is not taken. isNew says the risk is being added.
func ValidateIn(ws *workspace.Workspace, r workspace.Risk, isNew bool, known func(id string) bool) []error {
	errs := Validate(ws, r)
	bad := func(field, format string, a ...any) {
		errs = append(errs, Problem{Risk: r.ID, Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if isNew && r.ID != "" && slices.ContainsFunc(ws.Risks, func(x workspace.Risk) bool { return x.ID == r.ID }) {
		bad("id", "%q is already a risk; choose another id", r.ID)
	}
	if r.Analysis != "" && ws.RiskAnalysis(r.Analysis) == nil {
		bad("analysis", "%q is not a risk analysis id", r.Analysis)
	}
	person := func(field, email string) {
		if email != "" && ws.Person(email) == nil {
			bad(field, "%q is not the email of anyone under people", email)
		}
	}
	person("owner", r.Owner)
	person("accepted_by", r.AcceptedBy)
	for i, id := range r.Controls {
		if ws.Control(id) == nil && known != nil && !known(id) {
			bad(fmt.Sprintf("controls[%d]", i), "%q is neither a control in this workspace nor in the catalog", id)
		}
	}
	return errs
}

// Problems turns Validate's errors into Problems by field, for a form.
func Problems(errs []error) map[string]string {
	out := map[string]string{}
	for _, err := range errs {
		if p, ok := err.(Problem); ok {
			if prev, dup := out[p.Field]; dup {
				out[p.Field] = prev + "; " + p.Message
			} else {
				out[p.Field] = p.Message
			}
		}
	}
	return out
}
