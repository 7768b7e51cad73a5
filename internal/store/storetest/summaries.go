package storetest

import (
	"bytes"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// testOrgSummaries: the MSP overview's stored summaries are returned
// only while made at the organization's current audit head; a change
// makes the stored one stale; a summary of an older head does not
// replace a newer one; AuditHeads reads every head at once.
func testOrgSummaries(t *testing.T, s *store.Store) {
	a, err := s.CreateOrg(ctx, "test", "alpha", "Alpha")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateOrg(ctx, "test", "bravo", "Bravo")
	if err != nil {
		t.Fatal(err)
	}
	put := func(org store.Org, key string) {
		t.Helper()
		if _, err := s.Org(org).Put(ctx, "test", store.KindVendor, key, workspace.Vendor{ID: key, Name: key}); err != nil {
			t.Fatal(err)
		}
	}
	put(a, "aws")
	put(b, "gcp")
	heads, err := s.AuditHeads(ctx, []int64{a.ID, b.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Org{a, b} {
		h, err := s.Org(o).AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if heads[o.ID] != h {
			t.Errorf("AuditHeads[%s] = %v, AuditHead %v", o.Slug, heads[o.ID], h)
		}
	}
	if _, ok := heads[999999]; ok || len(heads) != 2 {
		t.Errorf("AuditHeads: %v", heads)
	}

	if got, err := s.OrgSummaries(ctx, []int64{a.ID, b.ID}); err != nil || len(got) != 0 {
		t.Fatalf("summaries before any was stored: %v, %v", got, err)
	}
	body := []byte{1, 0, 2, 0xff, 0} // any bytes, NUL and all
	if err := s.PutOrgSummary(ctx, a.ID, store.OrgSummary{Head: heads[a.ID], Body: body}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOrgSummary(ctx, b.ID, store.OrgSummary{Head: heads[b.ID], Body: []byte("bravo")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.OrgSummaries(ctx, []int64{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[a.ID].Body, body) || got[a.ID].Head != heads[a.ID] || string(got[b.ID].Body) != "bravo" {
		t.Fatalf("stored summaries: %v", got)
	}

	// A change moves alpha's head: its summary is stale, bravo's is not.
	put(a, "azure")
	got, err = s.OrgSummaries(ctx, []int64{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[a.ID]; ok || len(got) != 1 {
		t.Errorf("after alpha changed: %v, want bravo's only", got)
	}
	newer, err := s.Org(a).AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutOrgSummary(ctx, a.ID, store.OrgSummary{Head: newer, Body: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	// A slower server storing the older head's summary after it changes
	// nothing.
	if err := s.PutOrgSummary(ctx, a.ID, store.OrgSummary{Head: heads[a.ID], Body: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	got, err = s.OrgSummaries(ctx, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if string(got[a.ID].Body) != "new" || got[a.ID].Head != newer {
		t.Errorf("after an older head's summary was stored: %v, want the newer", got)
	}
}
