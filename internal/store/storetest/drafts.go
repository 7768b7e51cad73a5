package storetest

import (
	"errors"
	"strings"
	"testing"

	"ward/internal/store"
)

// testDrafts: a form's draft (issue 19 item 11) is kept per person,
// organization and form, replaced by the next save, seen by nobody else,
// removed on request, and refused past its size.
func testDrafts(t *testing.T, s *store.Store) {
	acme, err := s.CreateOrg(ctx, "test", "drafts-acme", "Drafts Acme")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateOrg(ctx, "test", "drafts-other", "Drafts Other")
	if err != nil {
		t.Fatal(err)
	}
	lee, _ := s.CreateUser(ctx, "test", "lee@drafts.example", "Lee", "h")
	kim, _ := s.CreateUser(ctx, "test", "kim@drafts.example", "Kim", "h")
	const form = "/orgs/drafts-acme/incidents/inc-1/assessment"
	if _, err := s.DraftOf(ctx, lee.ID, acme.ID, form); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no draft yet: %v", err)
	}
	if err := s.SaveDraft(ctx, lee.ID, acme.ID, form, "assessment.nature=names"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, lee.ID, acme.ID, form, "assessment.nature=names+and+diagnoses"); err != nil {
		t.Fatal(err)
	}
	d, err := s.DraftOf(ctx, lee.ID, acme.ID, form)
	if err != nil || d.Body != "assessment.nature=names+and+diagnoses" || d.Form != form || d.Saved.IsZero() {
		t.Errorf("draft = %+v, %v", d, err)
	}
	for _, who := range []struct {
		user, org int64
	}{{kim.ID, acme.ID}, {lee.ID, other.ID}} {
		if _, err := s.DraftOf(ctx, who.user, who.org, form); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("user %d in org %d sees lee's draft: %v", who.user, who.org, err)
		}
	}
	if err := s.SaveDraft(ctx, lee.ID, acme.ID, form, strings.Repeat("x", store.MaxDraft+1)); err == nil {
		t.Error("a draft over MaxDraft was kept")
	}
	if err := s.SaveDraft(ctx, lee.ID, acme.ID, form, "bad=\xff"); err == nil {
		t.Error("a draft that is not UTF-8 was kept")
	}
	if err := s.DeleteDraft(ctx, lee.ID, acme.ID, form); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DraftOf(ctx, lee.ID, acme.ID, form); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
