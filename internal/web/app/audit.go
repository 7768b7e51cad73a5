package app

import (
	"net/http"
	"strconv"

	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		// Reading the trail is a page like any other; the API's full
		// entries (before/after data and hashes, enough to verify the
		// chain) are the audit export, for auditors and above.
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/audit", Role: store.RoleViewer, Handler: serveAuditPage},
		// The export is itself recorded, so it is a POST (downloads.go).
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/audit", Role: store.RoleAuditor, Handler: func(s *kit.Server, w http.ResponseWriter, r *http.Request) {
			s.DownloadByGET(w, r, kit.Download{What: "the audit trail"})
		}},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/audit", Role: store.RoleAuditor, Handler: auditAPI, Export: true},
	)
}

const AuditPageSize = 50

type auditPage struct {
	Changes []Change
	Page    int
	First   int // sequence position of the first row on the page, 1-based
	HasNext bool
}

func serveAuditPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	if page > 1_000_000 {
		s.Fail(w, r, false, http.StatusBadRequest, "page is out of range")
		return
	}
	// One more than a page tells whether there is a next one.
	entries, err := s.Org(r).AuditLog(r.Context(), AuditPageSize+1, (page-1)*AuditPageSize)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	p := auditPage{Page: page, First: (page-1)*AuditPageSize + 1}
	if len(entries) > AuditPageSize {
		p.HasNext = true
		entries = entries[:AuditPageSize]
	}
	p.Changes = changes(entries)
	s.Render(w, r, "audit.html", p)
}

// AuditExport is POST /api/v1/orgs/{org}/audit?limit=N&offset=N. The
// export of the first page (offset 0) is recorded first, so the entries
// it answers include its own record and the pages after it, read with
// next_offset, do not shift.
type AuditExport struct {
	Entries    []store.AuditEntry `json:"entries"`
	Limit      int                `json:"limit"`
	Offset     int                `json:"offset"`
	NextOffset *int               `json:"next_offset,omitempty"` // absent on the last page
}

func auditAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 100, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			kit.APIError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			kit.APIError(w, http.StatusBadRequest, "offset must be a number of entries, 0 or more")
			return
		}
		offset = n
	}
	if offset == 0 {
		if err := s.Org(r).Record(r.Context(), kit.CurrentUser(r).Email, "export", "audit", "api", map[string]int{"limit": limit}); err != nil {
			s.ServerError(w, r, true, err)
			return
		}
	}
	entries, err := s.Org(r).AuditLog(r.Context(), limit+1, offset)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	out := AuditExport{Entries: entries, Limit: limit, Offset: offset}
	if len(entries) > limit {
		out.Entries = entries[:limit]
		next := offset + limit
		out.NextOffset = &next
	}
	if out.Entries == nil {
		out.Entries = []store.AuditEntry{}
	}
	kit.WriteJSON(w, http.StatusOK, out)
}
