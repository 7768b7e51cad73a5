package incidents

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"ward/internal/date"
	"ward/internal/penalty"
	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/penalties", Role: store.RoleViewer, Handler: penaltiesPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/penalties", Role: store.RoleViewer, Handler: penaltiesAPI},
	)
}

// PenaltyWhatIf is GET /orgs/{org}/penalties: the form's values, the
// civil money penalty they give (nil when the input is wrong, with Error
// saying what to fix), the criminal penalties and OCR's enforcement record.
type PenaltyWhatIf struct {
	Tier        int                       `json:"tier"`
	Violations  int                       `json:"violations"`
	Year        int                       `json:"year"`
	Error       string                    `json:"error,omitempty"`
	Result      *penalty.Result           `json:"result,omitempty"`
	TierName    string                    `json:"tier_name,omitempty"`
	Discretion  string                    `json:"discretion_source"`
	Criminal    []penalty.CriminalPenalty `json:"criminal"`
	Enforcement []penalty.Action          `json:"enforcement"`

	CriminalText string        `json:"-"`
	Tiers        []string      `json:"-"`
	Lines        []PenaltyLine `json:"-"`
	DiscretionAt string        `json:"-"`
	Actions      []PaidAction  `json:"-"`
}

// PaidAction is an enforcement action with its amount in dollars.
type PaidAction struct {
	penalty.Action
	Paid string
}

// PenaltyLine is one row of the result table, in dollars for people.
type PenaltyLine struct {
	Label, Value, Source string
}

// penaltyWhatIf reads ?tier=&violations=&year=; absent values default to
// tier 1, one violation, the current year.
func penaltyWhatIf(s *kit.Server, r *http.Request) PenaltyWhatIf {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	today := date.Of(now().UTC())
	p := PenaltyWhatIf{Tier: 1, Violations: 1, Year: today.Year(), Discretion: penalty.Discretion.Source,
		Criminal: penalty.Criminal, Enforcement: penalty.Enforcement, Tiers: penalty.TierNames[:]}
	for _, a := range penalty.Enforcement {
		p.Actions = append(p.Actions, PaidAction{a, penalty.Dollars(a.Amount)})
	}
	var buf bytes.Buffer
	if err := penalty.WriteCriminal(&buf); err == nil {
		p.CriminalText = buf.String()
	}
	q := r.URL.Query()
	num := func(name, v string, into *int) bool {
		if v == "" {
			return true
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Error = name + " must be a whole number, got " + strconv.Quote(v) + "."
			return false
		}
		*into = n
		return true
	}
	if !num("tier", q.Get("tier"), &p.Tier) || !num("violations", q.Get("violations"), &p.Violations) || !num("year", q.Get("year"), &p.Year) {
		return p
	}
	res, err := penalty.ComputeYear(p.Tier, p.Violations, p.Year)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	p.Result, p.TierName = &res, res.TierName
	d := penalty.Dollars
	p.Lines = []PenaltyLine{
		{"Per violation", d(res.PerViolation.Min) + " to " + d(res.PerViolation.Max), "45 CFR 102.3 (" + res.Source + ", effective " + res.Effective.String() + ")"},
		{"Calendar-year cap for identical violations", d(res.CalendarYearCap), "45 CFR 160.404(b)(2); " + res.Source},
		{strconv.Itoa(p.Violations) + " violations in " + strconv.Itoa(p.Year), d(res.Range.Min) + " to " + d(res.Range.Max), "min and max × violations, each limited by the cap"},
	}
	p.DiscretionAt = d(res.DiscretionCap.Amount)
	return p
}

func penaltiesPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p := penaltyWhatIf(s, r)
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
	}
	s.RenderStatus(w, r, status, "penalties.html", p)
}

func penaltiesAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p := penaltyWhatIf(s, r)
	if p.Error != "" {
		kit.APIError(w, http.StatusBadRequest, p.Error)
		return
	}
	kit.WriteJSON(w, http.StatusOK, p)
}
