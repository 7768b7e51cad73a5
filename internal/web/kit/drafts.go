package kit

import (
	"net/http"
)

// FormSaved removes the caller's draft of the form r posted to, once it
// is saved.
func (s *Server) FormSaved(r *http.Request) {
	if err := s.Store.DeleteDraft(r.Context(), CurrentUser(r).ID, CurrentOrg(r).ID, r.URL.Path); err != nil && !IsCanceled(err) {
		s.Log.ErrorContext(r.Context(), "remove a saved form's draft", "err", err)
	}
}
