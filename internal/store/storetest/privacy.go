package storetest

import (
	"reflect"
	"slices"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// Clinic is a covered entity with one of each Privacy Rule record: an
// access request with its extension, an accounting, a complaint and two
// versions of the notice of privacy practices.
func Clinic() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Harbor Family Medicine", Roles: []string{workspace.RoleCoveredEntity}},
		People:       []workspace.Person{{Email: "lena@harbor.example", Name: "Lena Ortiz"}},
		PrivacyRequests: []workspace.PrivacyRequest{
			{ID: "par-2027-001", Kind: workspace.RequestAccess, Received: d("2027-01-16"), Reference: "log 14", HandledBy: "lena@harbor.example",
				FormatRequested: "PDF through the portal", Fee: "6.50", FeeBasis: "flat fee for an electronic copy"},
			{ID: "acc-2027-001", Kind: workspace.RequestAccounting, Received: d("2027-03-15"), Since: d("2025-01-01")},
		},
		Complaints: []workspace.Complaint{{ID: "cmp-2027-001", Received: d("2027-02-01"), Summary: "diagnosis discussed at the front desk"}},
		PrivacyNotices: []workspace.PrivacyNotice{
			{Version: "2024-1", Effective: d("2024-05-01"), Posted: []string{"waiting room"}},
			{Version: "2026-1", Effective: d("2026-03-01"), Posted: []string{"waiting room", "patient portal"}, URL: "https://harbor.example/privacy"},
		},
	}
}

// testPrivacyRecords: the Privacy Rule records are stored under their own
// kinds, come back as they were applied (a fixed point), and every change
// to them, the extension of a request, its closing, a retired notice, is
// on the audit trail.
func testPrivacyRecords(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "harbor")
	cs := mustApply(t, o, Clinic())
	want := []string{
		"create organization organization", "create person lena@harbor.example",
		"create privacy_request par-2027-001", "create privacy_request acc-2027-001",
		"create complaint cmp-2027-001", "create privacy_notice 2024-1", "create privacy_notice 2026-1",
	}
	if got := summary(cs); !slices.Equal(got, want) {
		t.Errorf("apply = %q\nwant %q", got, want)
	}
	back, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orig := Clinic()
	if !reflect.DeepEqual(back.PrivacyRequests, orig.PrivacyRequests) || !reflect.DeepEqual(back.Complaints, orig.Complaints) || !reflect.DeepEqual(back.PrivacyNotices, orig.PrivacyNotices) {
		t.Errorf("stored records differ:\n%+v\n%+v\n%+v", back.PrivacyRequests, back.Complaints, back.PrivacyNotices)
	}
	if cs := mustApply(t, o, back); len(cs) != 0 {
		t.Errorf("applying what the store gave back: %v, want no changes", summary(cs))
	}

	// The extension (164.524(b)(2)(ii)) and then the closing are updates.
	r := orig.PrivacyRequests[0]
	r.Extension = &workspace.Extension{Notified: d("2027-02-14"), Reason: "archived off site", Until: d("2027-03-17")}
	if cs, err := o.Save(ctx, "lena@harbor.example", store.Edit{Kind: store.KindPrivacyRequest, Value: r, Update: true}); err != nil || len(cs) != 1 || !slices.Equal(cs[0].Fields, []string{"extension"}) {
		t.Fatalf("extend = %+v, %v", cs, err)
	}
	r.Completed, r.Outcome = d("2027-03-01"), workspace.OutcomeGranted
	if _, err := o.Put(ctx, "lena@harbor.example", store.KindPrivacyRequest, r.ID, r); err != nil {
		t.Fatal(err)
	}
	var got workspace.PrivacyRequest
	if err := o.Get(ctx, store.KindPrivacyRequest, r.ID, &got); err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, r)
	}
	hist, err := o.History(ctx, store.KindPrivacyRequest, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, h := range hist {
		acts = append(acts, h.Action)
	}
	if !slices.Equal(acts, []string{"create", "update", "update"}) {
		t.Errorf("history of %s = %q", r.ID, acts)
	}
	// A new request never takes a used id.
	if _, err := o.Save(ctx, "lena@harbor.example", store.Edit{Kind: store.KindPrivacyRequest, Value: orig.PrivacyRequests[1]}); err == nil {
		t.Error("Save of a new request under a stored id was accepted")
	}

	// A notice version removed from the files is retired, and kept.
	ws := Clinic()
	ws.PrivacyRequests[0] = r
	ws.PrivacyNotices = ws.PrivacyNotices[1:]
	if got := summary(mustApply(t, o, ws)); !slices.Equal(got, []string{"retire privacy_notice 2024-1"}) {
		t.Errorf("apply without the old notice = %q", got)
	}
	retired, err := o.Retired(ctx, store.KindPrivacyNotice)
	if err != nil || len(retired) != 1 || retired[0].Key != "2024-1" {
		t.Errorf("retired notices = %+v, %v", retired, err)
	}
	counts, _ := o.Counts(ctx)
	if counts[store.KindPrivacyRequest] != 2 || counts[store.KindComplaint] != 1 || counts[store.KindPrivacyNotice] != 1 {
		t.Errorf("counts = %v", counts)
	}
	mustVerify(t, o)
}
