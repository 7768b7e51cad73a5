package webtest

import (
	"context"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Issue 14's answers on the pages and their JSON twins: the incident page
// and API show the capacity the PHI was held in, the notices given on a
// covered entity's behalf, the assumptions (tolling, unknown counts), the
// stricter reading's date and the warnings about the clocks.

// DualRole makes alpha a covered entity that is also Northside
// Pediatrics' business associate, under a BAA that delegates Northside's
// notices to it.
func (e *TestEnv) DualRole() {
	e.T.Helper()
	ctx := context.Background()
	a := e.Store.Org(e.OrgA)
	for _, rec := range []struct {
		kind, key string
		v         any
	}{
		{store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}}},
		{store.KindCustomer, "northside", workspace.Customer{ID: "northside", Name: "Northside Pediatrics", CoveredEntity: true, LivePHI: true}},
		{store.KindAgreement, "baa-northside", workspace.Agreement{ID: "baa-northside", Kind: "baa", Counterparty: "northside", Direction: "upstream", Status: "executed",
			Effective: date.MustParse("2026-01-01"), BreachNoticeDays: 15, NotifiesOnBehalf: true}},
	} {
		if _, err := a.Put(ctx, "test", rec.kind, rec.key, rec.v); err != nil {
			e.T.Fatal(err)
		}
	}
}
