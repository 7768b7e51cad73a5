package api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ward/internal/store"
	"ward/internal/web/kit"
)

// Drafts of the long forms (issue 19 item 11; where they rest and why:
// store/drafts.go). A form marked data-draft="ITS ADDRESS" has its fields
// saved as one types (forms.js) and brought back on the next visit, after
// a log-off too; the form's own save removes the draft. Only editors fill
// these forms, so only editors keep drafts.
func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/drafts", Role: store.RoleEditor, Handler: draftAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/drafts", Role: store.RoleEditor, Handler: saveDraftAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/drafts/discard", Role: store.RoleEditor, Handler: discardDraftAPI},
		// Typing counts as activity: the idle script reports it here (the
		// wrapper records the request on the session, as any other).
		kit.Route{Method: "POST", Pattern: "/api/v1/session/activity", Role: kit.AnyUser, Handler: (*kit.Server).SessionStatus},
	)
}

// DraftView is a draft as the API answers it: the fields in order.
type DraftView struct {
	Form   string      `json:"form"`
	Fields [][2]string `json:"fields"`
	Saved  time.Time   `json:"saved"`
}

// draftForm is the ?form= of a draft request: the address of one of this
// organization's forms.
func draftForm(r *http.Request) (string, bool) {
	f := r.URL.Query().Get("form")
	prefix := "/orgs/" + kit.CurrentOrg(r).Slug + "/"
	if !strings.HasPrefix(f, prefix) || strings.ContainsAny(f, "?#") || len(f) > 500 {
		return "", false
	}
	return f, true
}

const msgDraftForm = "form: give the address of one of this organization's forms, such as /orgs/ORG/incidents/ID/assessment"

func draftAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	form, ok := draftForm(r)
	if !ok {
		s.Fail(w, r, true, http.StatusBadRequest, msgDraftForm)
		return
	}
	d, err := s.Store.DraftOf(r.Context(), kit.CurrentUser(r).ID, kit.CurrentOrg(r).ID, form)
	if errors.Is(err, store.ErrNotFound) {
		// None: 204, not 404, which a browser logs as a failed load.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	v := DraftView{Form: d.Form, Saved: d.Saved.UTC(), Fields: [][2]string{}}
	// The body keeps the form's order: parse it pair by pair.
	for pair := range strings.SplitSeq(d.Body, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(val)
		if err1 == nil && err2 == nil {
			v.Fields = append(v.Fields, [2]string{k, val})
		}
	}
	kit.WriteJSON(w, http.StatusOK, v)
}

func saveDraftAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	form, ok := draftForm(r)
	if !ok {
		s.Fail(w, r, true, http.StatusBadRequest, msgDraftForm)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, store.MaxDraft+1))
	if err != nil {
		s.Fail(w, r, true, http.StatusBadRequest, "the draft could not be read")
		return
	}
	if len(raw) > store.MaxDraft {
		s.Fail(w, r, true, http.StatusRequestEntityTooLarge, "the draft is larger than ward keeps")
		return
	}
	vals, err := url.ParseQuery(string(raw))
	if err != nil {
		s.Fail(w, r, true, http.StatusBadRequest, "the draft is not a URL-encoded form: "+err.Error())
		return
	}
	// Never keep the session's token with the draft.
	vals.Del(kit.CSRFField)
	body := string(raw)
	if strings.Contains(body, kit.CSRFField+"=") {
		body = vals.Encode()
	}
	if err := s.Store.SaveDraft(r.Context(), kit.CurrentUser(r).ID, kit.CurrentOrg(r).ID, form, body); err != nil {
		s.Fail(w, r, true, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func discardDraftAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	form, ok := draftForm(r)
	if !ok {
		s.Fail(w, r, true, http.StatusBadRequest, msgDraftForm)
		return
	}
	if err := s.Store.DeleteDraft(r.Context(), kit.CurrentUser(r).ID, kit.CurrentOrg(r).ID, form); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
