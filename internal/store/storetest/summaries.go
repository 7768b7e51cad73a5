package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

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
	if cur, err := s.CurrentSummaries(ctx, []int64{a.ID, b.ID, 999999}); err != nil || !reflect.DeepEqual(cur, map[int64]bool{b.ID: true}) {
		t.Errorf("CurrentSummaries after alpha changed: %v, %v; want bravo's only", cur, err)
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

// testOrgRows: the MSP overview's stored rows come back for their date
// only, and only while computed at the organization's current audit
// head; a row of an older head does not replace a newer one; many rows
// are written at once. An account's memberships carry each
// organization's head.
func testOrgRows(t *testing.T, s *store.Store) {
	var orgs []store.Org
	for i := range 205 { // more than one statement's worth
		o, err := s.CreateOrg(ctx, "test", fmt.Sprintf("org-%03d", i), fmt.Sprintf("Org %03d", i))
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	a, b := orgs[0], orgs[1]
	u, err := s.CreateUser(ctx, "test", "msp@example.com", "MSP", "h")
	if err != nil {
		t.Fatal(err)
	}
	odd, err := s.CreateOrg(ctx, "test", "odd-name", `Dr. "Sørensen" \ Café / 診療所`)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Org{a, b, odd} {
		if err := s.SetRole(ctx, "test", u.ID, o, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Org(a).Put(ctx, "test", store.KindVendor, "aws", workspace.Vendor{ID: "aws", Name: "AWS"}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Memberships(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	heads, err := s.AuditHeads(ctx, append(slices.Clone(ids), odd.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Head != heads[m.Org.ID] || m.Head.Seq == 0 {
			t.Errorf("membership of %s: head %v, AuditHeads %v", m.Org.Slug, m.Head, heads[m.Org.ID])
		}
	}
	// A session's one statement reads the same memberships, heads and
	// all, names with quotes and any script included.
	now := time.Now().UTC()
	if err := s.CreateSession(ctx, store.Session{TokenHash: "rows-session", UserID: u.ID, CSRF: "c", Created: now, LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CallerBySession(ctx, "rows-session", "odd-name", true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Memberships, ms) || len(ms) != 3 || !c.HasMemberships || c.Org.ID != odd.ID || c.Head != heads[odd.ID] {
		t.Errorf("caller's memberships:\n%+v\nMemberships:\n%+v\norg %v head %v", c.Memberships, ms, c.Org, c.Head)
	}

	const day = "2026-12-05"
	rows := map[int64]store.OrgRow{}
	for _, o := range orgs {
		rows[o.ID] = store.OrgRow{Head: heads[o.ID], AsOf: day, Version: "v1 " + o.Slug, Body: []byte(`{"n":` + fmt.Sprint(o.ID) + `}`)}
	}
	if err := s.PutOrgRows(ctx, rows); err != nil {
		t.Fatal(err)
	}
	got, err := s.OrgRows(ctx, ids, day)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Fatalf("stored rows: %d of %d back, or not as stored", len(got), len(rows))
	}
	if got, err := s.OrgRows(ctx, ids, "2026-12-06"); err != nil || len(got) != 0 {
		t.Errorf("rows of another date: %d, %v; want none", len(got), err)
	}

	// A change moves alpha's head: its row is stale, bravo's is not.
	if _, err := s.Org(a).Put(ctx, "test", store.KindVendor, "gcp", workspace.Vendor{ID: "gcp", Name: "GCP"}); err != nil {
		t.Fatal(err)
	}
	got, err = s.OrgRows(ctx, []int64{a.ID, b.ID}, day)
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
	if err := s.PutOrgRows(ctx, map[int64]store.OrgRow{a.ID: {Head: newer, AsOf: day, Version: "v1", Body: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	// A slower server storing the older head's row after it changes
	// nothing.
	if err := s.PutOrgRows(ctx, map[int64]store.OrgRow{a.ID: rows[a.ID]}); err != nil {
		t.Fatal(err)
	}
	got, err = s.OrgRows(ctx, []int64{a.ID}, day)
	if err != nil {
		t.Fatal(err)
	}
	if string(got[a.ID].Body) != "new" || got[a.ID].Head != newer {
		t.Errorf("after an older head's row was stored: %v, want the newer", got)
	}
}
