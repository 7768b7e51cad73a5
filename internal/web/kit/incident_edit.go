package kit

import (
	"ward/internal/date"
)

// Today is the server's date (UTC), for defaults in forms only: rules
// take their dates as arguments.
func (s *Server) Today() date.Date { return date.Of(s.Now().UTC()) }
