package public

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/trust"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// The trust center's admin side: the document requests, approved or
// denied by an admin (the requester's name and e-mail are personal data,
// and an approval hands out a confidential document), the link shown once
// to send, and the outbox of mails waiting for a sender.

func init() {
	for _, base := range []string{"/orgs/{org}/trust/requests", "/api/v1/orgs/{org}/trust/requests"} {
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: store.RoleAdmin, Handler: trustRequests},
			kit.Route{Method: "POST", Pattern: base + "/{id}/approve", Role: store.RoleAdmin, Handler: trustApprove},
			kit.Route{Method: "POST", Pattern: base + "/{id}/deny", Role: store.RoleAdmin, Handler: trustDeny},
		)
	}
	kit.Register(kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/trust/outbox", Role: store.RoleAdmin, Handler: trustOutboxAPI})
}

// TrustRequestRow is one request as the admin page and the API list it.
type TrustRequestRow struct {
	trust.Request
	State    string `json:"state"`
	Title    string `json:"document_title"`
	Version  int64  `json:"version"`
	Overdue  bool   `json:"-"`
	Resolved bool   `json:"-"`
}

// SubscriberRow is one address subscribed to subprocessor notices:
// "confirmed" (it receives them) or "pending" (its confirmation link has
// not been opened).
type SubscriberRow struct {
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	Since     time.Time `json:"since"`
	Confirmed time.Time `json:"confirmed,omitzero"`
}

// TrustRequestsPage is the admin page's data.
type TrustRequestsPage struct {
	Enabled     bool              `json:"enabled"`
	Public      string            `json:"public_url,omitempty"`
	Requests    []TrustRequestRow `json:"requests"`
	Pending     int               `json:"pending"`
	Outbox      int               `json:"outbox_pending"`
	Subscribers int               `json:"subscribers"`
	// Awaiting are the subscribers who have not opened their
	// confirmation link (counted in Subscribers; they receive nothing).
	Awaiting int `json:"subscribers_pending"`
	// SubscriberList: each address, confirmed or pending.
	SubscriberList []SubscriberRow `json:"subscriber_list"`
	// Link is the download link just issued, shown once.
	Link    string `json:"link,omitempty"`
	LinkFor string `json:"link_for,omitempty"`
	Notice  string `json:"notice,omitempty"`
	Error   string `json:"error,omitempty"`
}

func trustRequestsData(s *kit.Server, r *http.Request) (TrustRequestsPage, *workspace.Workspace, error) {
	o := s.Org(r)
	ws, err := s.Workspace(r)
	if err != nil {
		return TrustRequestsPage{}, nil, err
	}
	p := TrustRequestsPage{Enabled: trust.Enabled(ws), Requests: []TrustRequestRow{}}
	if p.Enabled {
		p.Public = "/trust/" + kit.CurrentOrg(r).Slug
	}
	reqs, err := o.TrustRequests(r.Context())
	if err != nil {
		return p, nil, err
	}
	now := s.Now()
	for i := len(reqs) - 1; i >= 0; i-- { // newest first
		q := reqs[i]
		row := TrustRequestRow{Request: q, State: q.State(now), Title: q.Document}
		if d := ws.Organization.Trust.Document(q.Document); d != nil {
			row.Title = d.Title
		}
		row.Version, _ = o.Version(r.Context(), store.KindTrustRequest, q.ID)
		row.TokenHash = "" // never shown
		if row.State == trust.RequestPending {
			p.Pending++
		}
		p.Requests = append(p.Requests, row)
	}
	mails, err := o.Outbox(r.Context(), false)
	if err != nil {
		return p, nil, err
	}
	p.Outbox = len(mails)
	subs, err := o.Subscribers(r.Context())
	if err != nil {
		return p, nil, err
	}
	p.Subscribers, p.SubscriberList = len(subs), []SubscriberRow{}
	for _, sub := range subs {
		row := SubscriberRow{Email: sub.Email, Since: sub.Since, Confirmed: sub.Confirmed, Status: "confirmed"}
		if sub.Pending() {
			row.Status = "pending"
			p.Awaiting++
		}
		p.SubscriberList = append(p.SubscriberList, row)
	}
	return p, ws, nil
}

func trustRequests(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := isAPI(r)
	p, _, err := trustRequestsData(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, p)
		return
	}
	s.Render(w, r, "trust_requests.html", p)
}

func isAPI(r *http.Request) bool { return len(r.URL.Path) > 5 && r.URL.Path[:5] == "/api/" }

// TrustDecision is the API's answer to an approval or a denial.
type TrustDecision struct {
	Request TrustRequestRow `json:"request"`
	// Link is the single-use download link: shown once, here; it is also
	// queued in the outbox for the requester.
	Link    string    `json:"link,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

func trustDecide(s *kit.Server, w http.ResponseWriter, r *http.Request, approve bool) {
	api := isAPI(r)
	o := s.Org(r)
	ctx := r.Context()
	id := r.PathValue("id")
	req, version, err := o.TrustRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.Fail(w, r, api, http.StatusNotFound, "no such request")
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if v, err := strconv.ParseInt(r.FormValue("version"), 10, 64); err == nil && v > 0 {
		version = v
	} else if m := r.Header.Get("If-Match"); m != "" {
		if v, err := strconv.ParseInt(trimETag(m), 10, 64); err == nil {
			version = v
		}
	}
	ws, err := o.Workspace(ctx)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	u := kit.CurrentUser(r)
	now := s.Now().UTC()
	req.DecidedBy, req.Decided = u.Email, now
	var link string
	var mail *store.Mail
	if approve {
		doc := trust.PublicDocument(ws, req.Document)
		if doc == nil {
			decided(s, w, r, api, http.StatusConflict, "", "the document "+req.Document+" is no longer public on the trust center: make it public again, or deny the request")
			return
		}
		tok, err := auth.NewToken()
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		ap := trust.Approve(req, doc.Title, ws.Organization.Name, s.BaseURL(r)+"/trust/"+kit.CurrentOrg(r).Slug, tok, u.Email, now, ws.Organization.Trust.Hours())
		req, link = ap.Request, ap.Link
		mail = &store.Mail{ID: ap.MailID, Kind: "document-link", To: req.Email, Subject: ap.Subject, Body: ap.Body}
	} else {
		req.Status = trust.RequestDenied
	}
	err = o.DecideTrustRequest(ctx, u.Email, req, version, mail)
	switch {
	case errors.Is(err, store.ErrNotPending):
		decided(s, w, r, api, http.StatusConflict, "", "request "+id+" was already decided")
		return
	case errors.Is(err, store.ErrStale):
		decided(s, w, r, api, http.StatusConflict, "", err.Error())
		return
	case err != nil:
		s.ServerError(w, r, api, err)
		return
	}
	if api {
		row := TrustRequestRow{Request: req, State: req.Status, Title: req.Document}
		row.TokenHash = ""
		row.Version, _ = o.Version(ctx, store.KindTrustRequest, req.ID)
		kit.WriteJSON(w, http.StatusOK, TrustDecision{Request: row, Link: link, Expires: req.Expires})
		return
	}
	notice := "Request " + id + " denied."
	if approve {
		notice = "Approved. Send this link to " + req.Email + " (it is also queued for e-mail). It is shown only now."
	}
	decidedPage(s, w, r, http.StatusOK, link, req.Email, notice, "")
}

// decided answers a refused decision.
func decided(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, status int, link, msg string) {
	if api {
		kit.APIError(w, status, msg)
		return
	}
	decidedPage(s, w, r, status, link, "", "", msg)
}

func decidedPage(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, link, to, notice, msg string) {
	p, _, err := trustRequestsData(s, r)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	p.Link, p.LinkFor, p.Notice, p.Error = link, to, notice, msg
	s.RenderStatus(w, r, status, "trust_requests.html", p)
}

func trustApprove(s *kit.Server, w http.ResponseWriter, r *http.Request) { trustDecide(s, w, r, true) }
func trustDeny(s *kit.Server, w http.ResponseWriter, r *http.Request)    { trustDecide(s, w, r, false) }

func trimETag(s string) string {
	b := []byte(s)
	b = slices.DeleteFunc(b, func(c byte) bool { return c == '"' || c == 'W' || c == '/' })
	return string(b)
}

func trustOutboxAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	mails, err := s.Org(r).Outbox(r.Context(), r.URL.Query().Get("all") == "1")
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"mails": mails})
}
