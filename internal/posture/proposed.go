package posture

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
)

// What readiness against a proposed rule asks beyond the controls' own
// standing (the Security Rule NPRM overlay, catalog.HIPAANPRM). Its score
// is never part of another framework's: Evaluate computes it only when
// asked for it by name.

// proposedStatus applies a proposed framework's rules to a requirement's
// status:
//
//   - the proposal removes addressable specifications, so a requirement
//     it marks required is not met by controls marked not applicable;
//   - a requirement with a cadence (at least every 6 months, every 12) is
//     only partly met while a control in scope for it runs less often.
func proposedStatus(r *catalog.Requirement, req Requirement, state func(string) *ControlState) Requirement {
	if r.Required && req.Status == NotApplicable {
		req.Status = NotMet
		req.Reason = "every control in scope for it is marked not applicable, and the proposal removes addressable specifications: not applicable does not meet it"
		req.Missing = append(req.Missing, "implement one of: "+strings.Join(req.InScope, ", "))
		return req
	}
	if r.Cadence == "" || req.Status != Met {
		return req
	}
	var slow []string
	for _, id := range req.InScope {
		s := state(id)
		if s.State == NotApplicable || runsAtLeast(s.Frequency, r.Cadence) {
			continue
		}
		f := s.Frequency
		if f == "" || f == "on-event" {
			f = "on no schedule"
		}
		slow = append(slow, fmt.Sprintf("%s: runs %s", id, f))
	}
	if len(slow) > 0 {
		req.Status = Partial
		req.Reason = fmt.Sprintf("the proposal asks for it at least %s; %s", cadenceWords[r.Cadence], strings.Join(slow, "; "))
		req.Missing = append(req.Missing, slow...)
	}
	return req
}

// frequencyOrder ranks schedules from most to least often.
var frequencyOrder = []string{"continuous", "daily", "weekly", "monthly", "quarterly", "semi-annual", "annual"}

// runsAtLeast reports whether frequency f is at least as often as
// cadence; on-event and unknown schedules never are.
func runsAtLeast(f, cadence string) bool {
	i, j := slices.Index(frequencyOrder, f), slices.Index(frequencyOrder, cadence)
	return i >= 0 && j >= 0 && i <= j
}

var cadenceWords = map[string]string{
	"continuous": "continuously", "daily": "daily", "weekly": "weekly", "monthly": "monthly",
	"quarterly": "every 3 months", "semi-annual": "every 6 months", "annual": "every 12 months",
}
