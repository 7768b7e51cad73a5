package app

import (
	"net/http"

	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/help", Role: kit.AnyUser, Handler: helpPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/glossary", Role: kit.AnyUser, Handler: glossaryAPI},
	)
}

func helpPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, "help.html", kit.Glossary)
}

// glossaryAPI is GET /api/v1/glossary, the help page's twin.
func glossaryAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	kit.WriteJSON(w, http.StatusOK, map[string]any{"terms": kit.Glossary})
}
