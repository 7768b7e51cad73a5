package webtest

import (
	"context"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// ClinicWorkspace is a covered entity with one request of each state on
// 2027-03-20: par-1 overdue (received 2027-01-31, due 2027-03-02), par-2
// open and extended, acc-1 an open accounting, par-3 acted on late.
func ClinicWorkspace() *workspace.Workspace {
	d := date.MustParse
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity}},
		People:       []workspace.Person{{Email: "dana@alpha.example", Name: "Dana Kim"}},
		PrivacyRequests: []workspace.PrivacyRequest{
			{ID: "par-1", Kind: workspace.RequestAccess, Received: d("2027-01-31"), Reference: "log 7"},
			{ID: "par-2", Kind: workspace.RequestAccess, Received: d("2027-02-20"),
				Extension: &workspace.Extension{Notified: d("2027-03-18"), Reason: "archived off site", Until: d("2027-04-21")}},
			{ID: "acc-1", Kind: workspace.RequestAccounting, Received: d("2027-03-15")},
			{ID: "par-3", Kind: workspace.RequestAccess, Received: d("2027-01-02"), Completed: d("2027-02-05"), Outcome: workspace.OutcomeGranted},
		},
		Complaints:     []workspace.Complaint{{ID: "cmp-1", Received: d("2027-03-01"), Summary: "front desk talk"}},
		PrivacyNotices: []workspace.PrivacyNotice{{Version: "2026-1", Effective: d("2026-03-01"), Posted: []string{"waiting room"}}},
	}
}

func (e *TestEnv) SeedClinic(org store.Org) {
	e.T.Helper()
	// The clinic's files take over alpha (the seed's web records stay).
	if _, err := e.Store.Org(org).Apply(context.Background(), "test", ClinicWorkspace(), store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatal(err)
	}
}
