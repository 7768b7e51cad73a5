package kit

import (
	"context"
	"errors"
	"net/http"
	"time"

	"ward/internal/store"
)

// Health checks for load balancers, container runtimes and systemd:
// public (a probe carries no login) and cheap.
//
//   - /healthz answers 200 while the process serves HTTP; it touches
//     nothing else, so a slow database never makes a proxy kill a
//     healthy process.
//   - /readyz answers 200 when the database answers and carries every
//     migration this binary knows, 503 otherwise: a proxy sends requests
//     only to servers that can answer them.
//
// Both answer JSON ({"status": ...}); neither says more than a probe
// needs (no version, no engine, no database address).

func init() {
	Register(
		Route{Method: "GET", Pattern: "/healthz", Role: Public, Handler: (*Server).healthz},
		Route{Method: "GET", Pattern: "/readyz", Role: Public, Handler: (*Server).readyz},
	)
}

// readyTimeout bounds the database check: a probe that waits longer than
// this is answered "not ready" rather than left hanging.
const readyTimeout = 3 * time.Second

type HealthBody struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, HealthBody{Status: "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.Store.Ready(ctx); err != nil {
		s.Log.WarnContext(r.Context(), "not ready", "err", err)
		// The migrations missing are worth showing an operator; a
		// database error may name hosts and stays in the log.
		msg := "the database does not answer"
		if errors.Is(err, store.ErrMigrationsPending) {
			msg = err.Error() + " (ward applies them when it opens the database: restart it)"
		}
		w.Header().Set("Retry-After", "5")
		WriteJSON(w, http.StatusServiceUnavailable, HealthBody{Status: "not ready", Error: msg})
		return
	}
	WriteJSON(w, http.StatusOK, HealthBody{Status: "ready"})
}
