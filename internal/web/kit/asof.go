package kit

import (
	"fmt"
	"net/http"

	"ward/internal/date"
)

// RequestAsOf is the date a page's rules run for: today by the server's
// clock (UTC), or the ?as_of=YYYY-MM-DD the request names, so that any
// page can be reproduced for a given day as the CLI's --as-of does.
func (s *Server) RequestAsOf(r *http.Request) (date.Date, error) {
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := date.Parse(v)
		if err != nil {
			return date.Date{}, fmt.Errorf("as_of %q is not a date: use YYYY-MM-DD", v)
		}
		if err := date.CheckYears(d); err != nil {
			return date.Date{}, fmt.Errorf("as_of %w", err)
		}
		return d, nil
	}
	return date.Of(s.Now().UTC()), nil
}

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

// Today is the server's date (UTC), for defaults in forms only: rules
// take their dates as arguments.
func (s *Server) Today() date.Date { return date.Of(s.Now().UTC()) }
