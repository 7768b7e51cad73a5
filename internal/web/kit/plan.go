package kit

import (
	"net/http"

	"ward/internal/date"
)

// PlanAsOf is the date the rules run for: today by the server's clock, or
// ?as_of=YYYY-MM-DD. ok is false (and the answer written) on a bad date.
func (s *Server) PlanAsOf(w http.ResponseWriter, r *http.Request, api bool) (date.Date, bool) {
	d, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return date.Date{}, false
	}
	return d, true
}
