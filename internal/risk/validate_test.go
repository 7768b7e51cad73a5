package risk

import (
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

func TestValidate(t *testing.T) {
	ws := demo()
	ok := workspace.Risk{ID: "r1", Asset: "db", Threat: "ransomware", Vulnerability: "backups-not-isolated", Likelihood: 4, Impact: 5, Treatment: "mitigate", Due: date.MustParse("2027-01-01")}
	if errs := Validate(ws, ok); len(errs) != 0 {
		t.Fatalf("valid risk: %v", errs)
	}
	cases := []struct {
		name   string
		change func(*workspace.Risk)
		want   string
	}{
		{"unknown asset", func(r *workspace.Risk) { r.Asset = "nope" }, "asset: \"nope\" is not a system id"},
		{"likelihood 6", func(r *workspace.Risk) { r.Likelihood = 6 }, "likelihood: 6 is outside"},
		{"impact 0", func(r *workspace.Risk) { r.Impact = 0 }, "impact: 0 is outside"},
		{"residual above inherent", func(r *workspace.Risk) { r.ResidualLikelihood = 5 }, "residual_likelihood: 5 is above"},
		{"bad treatment", func(r *workspace.Risk) { r.Treatment = "ignore" }, "not one of mitigate, accept"},
		{"accept without reason", func(r *workspace.Risk) { r.Treatment, r.AcceptedBy = "accept", "ceo@x" }, "acceptance_reason: is required"},
		{"mitigate without due", func(r *workspace.Risk) { r.Due = date.Date{} }, "due: is required"},
		{"empty threat", func(r *workspace.Risk) { r.Threat = " " }, "threat: is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.change(&r)
			errs := Validate(ws, r)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("errs %v, want one mentioning %q", errs, tc.want)
			}
		})
	}
	r, err := Accept(ok, "ceo@acme.test", "Cost exceeds harm.", date.MustParse("2026-11-20"))
	if err != nil || r.Treatment != "accept" || r.AcceptedOn.String() != "2026-11-20" || len(Validate(ws, r)) != 0 {
		t.Errorf("accept: %v %+v %v", err, r, Validate(ws, r))
	}
	if _, err := Accept(ok, "ceo@acme.test", "", date.MustParse("2026-11-20")); err == nil {
		t.Error("acceptance without a reason accepted")
	}
}
