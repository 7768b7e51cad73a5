package kit

import (
	"net/http"
)

// SetupOpen reports whether the first run may happen: no account exists.
func (s *Server) SetupOpen(r *http.Request) (bool, error) {
	users, err := s.Store.Users(r.Context())
	return len(users) == 0, err
}
