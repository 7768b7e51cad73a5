package controls

import (
	"net/http"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// The controls the organization runs, listed on the controls page with
// their owner, status, standing and this period's evidence, and the
// catalog's controls it has not adopted, each a link to the page where it
// is adopted. GET /api/v1/orgs/{org}/controls is its JSON twin.

func init() {
	kit.Register(kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/controls", Role: store.RoleViewer, Handler: kit.CachedGET(controlListAPI)})
}

// ControlList is the list of controls on asOf.
type ControlList struct {
	AsOf       date.Date        `json:"as_of"`
	Controls   []ControlRow     `json:"controls"`
	NotAdopted []CatalogControl `json:"not_adopted"`
}

// ControlRow is one adopted control.
type ControlRow struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Status    string `json:"status"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name,omitempty"`
	Frequency string `json:"frequency"`
	// Standing is how readiness judges the control (met, partial, not
	// met, not applicable) and why.
	Standing posture.ControlState `json:"standing"`
	// Period is the calendar period that holds asOf, for a scheduled
	// control that is implemented: covered, or due by its last day.
	Period *PeriodStatus `json:"period,omitempty"`
}

// PeriodStatus is one calendar period of a control's schedule.
type PeriodStatus struct {
	Label  string    `json:"label"` // 2026-Q4
	Start  date.Date `json:"start"`
	End    date.Date `json:"end"`
	Status string    `json:"status"` // covered | due
}

// CatalogControl is a catalog control the organization has not adopted.
type CatalogControl struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Family string `json:"family"`
}

func BuildControlList(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) ControlList {
	l := ControlList{AsOf: asOf, Controls: []ControlRow{}, NotAdopted: []CatalogControl{}}
	idx := evidence.Index(policy.WithDerived(ws).Evidence) // with the workforce records' evidence, as the standing
	for _, c := range ws.Controls {
		st := posture.Control(ws, cat, c.ID, asOf)
		row := ControlRow{ID: c.ID, Title: st.Title, Status: c.Status, Owner: c.Owner, Frequency: st.Frequency, Standing: st}
		if p := ws.Person(c.Owner); p != nil {
			row.OwnerName = p.Name
		}
		if c.Status == "implemented" && evidence.Scheduled(st.Frequency) {
			cs, ce := evidence.PeriodOf(st.Frequency, asOf)
			occ := evidence.Occurrences(st.Frequency, cs, ce, asOf, idx[c.ID])
			if len(occ) == 1 {
				row.Period = &PeriodStatus{Label: evidence.Label(st.Frequency, cs), Start: cs, End: ce, Status: occ[0].Status}
			}
		}
		l.Controls = append(l.Controls, row)
	}
	for _, cc := range cat.Controls {
		if ws.Control(cc.ID) == nil {
			l.NotAdopted = append(l.NotAdopted, CatalogControl{ID: cc.ID, Title: cc.Title, Family: cc.Family})
		}
	}
	return l
}

func controlListAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	l, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "control list "+asOf.String(), func(ws *workspace.Workspace) (ControlList, error) {
		return BuildControlList(ws, catalog.Default(), asOf), nil
	})
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, l)
}
