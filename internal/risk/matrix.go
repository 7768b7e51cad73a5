// Package risk is the HIPAA Security Rule risk analysis (45 CFR
// 164.308(a)(1)(ii)(A)) and risk management (164.308(a)(1)(ii)(B)): scoring
// on a 5×5 likelihood × impact matrix, the written scales, embedded threat
// and vulnerability libraries with sources, the analysis of a workspace
// (scope, coverage, carry-over and year-on-year diff), the guided
// questionnaire, the risk.overdue gate rule, and renderers (SVG and text
// heat maps, text lists).
//
// It depends only on the workspace model, date and finding. It never reads
// the clock: every rule takes asOf. The PHI scope comes from the caller (the
// PHI graph lives in another package), so this package does not import it.
package risk

import (
	"fmt"
	"strings"

	"ward/internal/workspace"
)

// Level is a risk level.
type Level string

const (
	Low      Level = "low"
	Medium   Level = "medium"
	High     Level = "high"
	Critical Level = "critical"
)

// Levels in ascending order of severity.
var Levels = []Level{Low, Medium, High, Critical}

// Rank orders levels: low 1 … critical 4; an unknown level is 0.
func (l Level) Rank() int {
	for i, x := range Levels {
		if x == l {
			return i + 1
		}
	}
	return 0
}

// Matrix maps likelihood (row) × impact (column), both 1..5, to a level.
type Matrix [5][5]Level

// DefaultMatrix is the level of each likelihood × impact cell when the
// organization sets no risk_matrix.
//
// Why these bands: NIST SP 800-30 Rev. 1 (Appendix I, Table I-2) combines
// likelihood and impact on a 5×5 grid without prescribing arithmetic; we use
// the product L×I, which keeps the grid symmetric and monotone (raising
// either factor never lowers the level), and cut it at 1–4 low, 5–9 medium,
// 10–16 high, 20–25 critical. Consequences a reviewer can check: nothing
// with likelihood or impact 1 is above medium; a near-certain (5) event of
// moderate impact (3) is high; only likely-and-severe combinations (4×5,
// 5×4, 5×5) are critical, so "critical" stays rare enough to mean "act now".
var DefaultMatrix = func() Matrix {
	var m Matrix
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			m[l-1][i-1] = bandOf(l * i)
		}
	}
	return m
}()

func bandOf(score int) Level {
	switch {
	case score >= 20:
		return Critical
	case score >= 10:
		return High
	case score >= 5:
		return Medium
	default:
		return Low
	}
}

// Level is the level of a likelihood × impact pair; out of range is "".
func (m Matrix) Level(likelihood, impact int) Level {
	if likelihood < 1 || likelihood > 5 || impact < 1 || impact > 5 {
		return ""
	}
	return m[likelihood-1][impact-1]
}

// ParseMatrix reads organization.risk_matrix: five rows (likelihood 1..5),
// each five levels (impact 1..5). Empty rows mean the default matrix.
// It rejects a matrix where raising likelihood or impact lowers the level,
// because such a matrix would rank a worse risk below a milder one.
func ParseMatrix(rows [][]string) (Matrix, error) {
	if len(rows) == 0 {
		return DefaultMatrix, nil
	}
	var m Matrix
	if len(rows) != 5 {
		return m, fmt.Errorf("organization.risk_matrix: has %d rows, want 5 (one per likelihood 1..5)", len(rows))
	}
	for l, row := range rows {
		if len(row) != 5 {
			return m, fmt.Errorf("organization.risk_matrix[%d]: has %d levels, want 5 (one per impact 1..5)", l, len(row))
		}
		for i, s := range row {
			lv := Level(strings.ToLower(strings.TrimSpace(s)))
			if lv.Rank() == 0 {
				return m, fmt.Errorf("organization.risk_matrix[%d][%d]: %q is not one of low, medium, high, critical", l, i, s)
			}
			m[l][i] = lv
		}
	}
	for l := 0; l < 5; l++ {
		for i := 0; i < 5; i++ {
			if l > 0 && m[l][i].Rank() < m[l-1][i].Rank() {
				return m, fmt.Errorf("organization.risk_matrix[%d][%d]: %s is lower than %s at likelihood %d; a higher likelihood must not lower the level", l, i, m[l][i], m[l-1][i], l)
			}
			if i > 0 && m[l][i].Rank() < m[l][i-1].Rank() {
				return m, fmt.Errorf("organization.risk_matrix[%d][%d]: %s is lower than %s at impact %d; a higher impact must not lower the level", l, i, m[l][i], m[l][i-1], i)
			}
		}
	}
	return m, nil
}

// MatrixFor is the organization's matrix, or the default when it sets none.
func MatrixFor(ws *workspace.Workspace) (Matrix, error) {
	return ParseMatrix(ws.Organization.RiskMatrix)
}

// Scored is a risk with its levels.
type Scored struct {
	Risk          workspace.Risk `json:"risk"`
	Inherent      Level          `json:"inherent"`
	InherentScore int            `json:"inherent_score"`
	// ResidualLikelihood and ResidualImpact are the values used: the
	// risk's residual values when set, else the inherent ones.
	ResidualLikelihood int   `json:"residual_likelihood"`
	ResidualImpact     int   `json:"residual_impact"`
	Residual           Level `json:"residual"`
	ResidualScore      int   `json:"residual_score"`
	// ResidualAssumed: no residual was recorded, so the residual equals
	// the inherent risk — the treatment is not yet effective.
	ResidualAssumed bool `json:"residual_assumed"`
	// ThreatTitle and VulnerabilityTitle are the library titles when the
	// risk names a library id, else the risk's own text.
	ThreatTitle        string `json:"threat_title"`
	VulnerabilityTitle string `json:"vulnerability_title"`
}

// Score computes a risk's inherent and residual levels, with the titles of
// its threat and vulnerability in lib (nil: the embedded library). The score is L×I
// (1..25), used to order risks within a level. A residual likelihood or
// impact left at zero takes the inherent value: until the treatment has
// been shown to work, the residual risk is the inherent risk.
func Score(r workspace.Risk, m Matrix, lib *Library) Scored {
	if lib == nil {
		lib = Embedded()
	}
	s := Scored{Risk: r, ThreatTitle: lib.ThreatTitle(r.Threat), VulnerabilityTitle: lib.VulnerabilityTitle(r.Vulnerability)}
	s.Inherent = m.Level(r.Likelihood, r.Impact)
	s.InherentScore = r.Likelihood * r.Impact
	s.ResidualLikelihood, s.ResidualImpact = r.ResidualLikelihood, r.ResidualImpact
	if s.ResidualLikelihood == 0 {
		s.ResidualLikelihood = r.Likelihood
	}
	if s.ResidualImpact == 0 {
		s.ResidualImpact = r.Impact
	}
	s.ResidualAssumed = r.ResidualLikelihood == 0 && r.ResidualImpact == 0
	s.Residual = m.Level(s.ResidualLikelihood, s.ResidualImpact)
	s.ResidualScore = s.ResidualLikelihood * s.ResidualImpact
	return s
}
