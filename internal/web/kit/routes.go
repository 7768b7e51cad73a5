package kit

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"ward/internal/audit"
	"ward/internal/store"
)

// Roles a Route may declare besides the organization roles
// (store.RoleMember, store.RoleViewer, store.RoleAuditor, store.RoleEditor,
// store.RoleAdmin).
const (
	// Public routes need no login: the login form, static files.
	Public = "public"
	// AnyUser routes need a login but no organization: choosing one,
	// logging out.
	AnyUser = "any"
)

// A Route is one method and path the server answers, with the role it
// requires. Declare one per page or API call from the page's own file:
//
//	func init() {
//		register(Route{Method: "GET", Pattern: "/orgs/{org}/risks", Role: store.RoleViewer, Handler: (*Server).risks})
//	}
//
// Rules, checked by Route.Problem and by the tests:
//   - Method is GET, POST, PUT, PATCH or DELETE (GET also answers HEAD).
//   - Pattern is a net/http pattern path. Routes under /orgs/{org} and
//     /api/v1/orgs/{org} declare an organization role; the wrapper resolves
//     {org}, answers 404 when the caller is not a member (whether or not it
//     exists) and 403 when the caller's role there is too weak.
//   - Role is Public, AnyUser, or an organization role. An empty or unknown
//     role is never served (deny by default).
//   - Organization roles are ordered member < viewer < auditor < editor <
//     admin: a member (a workforce member) sees only its own tasks, on
//     the routes that declare member; viewer reads pages; auditor also downloads evidence and exports the
//     audit trail; editor also changes records; admin also manages
//     accounts and roles. Auditors and viewers are read-only, so a route
//     with a state-changing method must require editor or admin.
//   - Paths under /api/ answer JSON (401 {"error": ...} when logged out);
//     others are pages (302 to /login when logged out).
type Route struct {
	Method  string
	Pattern string
	Role    string
	Handler HandlerFunc
	// Upload lets a request carry files (multipart/form-data) up to
	// Config.MaxUpload; every other request that changes something is
	// held to 1 MiB (maxFormBody). Its handler reads the files with
	// ReadUpload, which streams them into the blob store.
	Upload bool
	// Export marks a read that is recorded on the audit trail (a
	// download of evidence, an export): it is a POST, so that it carries
	// the CSRF token and no link, image or redirect from another site can
	// make a browser add an entry, and any organization role from Role
	// up may call it.
	Export bool
	// Self marks a change callers make to their own record only (a
	// workforce member acknowledging a policy): the handler acts for the
	// person whose e-mail is the caller's account and never for another,
	// so any organization role from Role up (member included) may call
	// it, whatever the method.
	Self bool
	// Anonymous marks a public route whose answer is the same for
	// everyone (a static asset): the wrapper does not look up who is
	// logged in, so the request costs the database nothing.
	Anonymous bool
}

// HandlerFunc serves one route. Use CurrentUser, CurrentOrg, Role and
// s.Org(r) for who is asking and about what: the wrapper has already
// checked that they may.
type HandlerFunc func(s *Server, w http.ResponseWriter, r *http.Request)

var (
	registryMu sync.Mutex
	registry   []Route
)

// Register adds routes to the table New builds servers from. Call it from
// init functions.
func Register(routes ...Route) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry = append(registry, routes...)
}

// Routes returns a copy of every registered route, for tests and for
// listing.
func Routes() []Route {
	registryMu.Lock()
	defer registryMu.Unlock()
	return slices.Clone(registry)
}

var roleRank = map[string]int{
	store.RoleMember:  1,
	store.RoleViewer:  2,
	store.RoleAuditor: 3,
	store.RoleEditor:  4,
	store.RoleAdmin:   5,
}

// AtLeast reports whether role has every permission of min.
func AtLeast(role, min string) bool {
	return roleRank[role] > 0 && roleRank[role] >= roleRank[min]
}

func IsMutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// IsAPI reports whether the route answers JSON.
func (rt Route) IsAPI() bool { return strings.HasPrefix(rt.Pattern, "/api/") }

// HasOrg reports whether the route names an organization in its path.
func (rt Route) HasOrg() bool {
	return strings.HasPrefix(rt.Pattern, "/orgs/{org}") || strings.HasPrefix(rt.Pattern, "/api/v1/orgs/{org}")
}

// Problem says what is wrong with a route's declaration, or "" when it
// may be served.
func (rt Route) Problem() string {
	switch rt.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return fmt.Sprintf("method %q is not one of GET, POST, PUT, PATCH, DELETE", rt.Method)
	}
	if !strings.HasPrefix(rt.Pattern, "/") || strings.ContainsAny(rt.Pattern, " \t") {
		return fmt.Sprintf("pattern %q must be a path starting with / (the method goes in Method)", rt.Pattern)
	}
	if rt.Handler == nil {
		return "no handler"
	}
	if rt.Anonymous && rt.Role != Public {
		return "only a Public route can be Anonymous"
	}
	if rt.Export && rt.Method != http.MethodPost {
		return "an audited download (Export) is a POST: it writes to the audit trail"
	}
	underOrgs := strings.HasPrefix(rt.Pattern, "/orgs/") || strings.HasPrefix(rt.Pattern, "/api/v1/orgs/")
	switch {
	case rt.Role == "":
		return "no role declared: set Role to Public, AnyUser or an organization role"
	case rt.Role == Public || rt.Role == AnyUser:
		if underOrgs {
			return fmt.Sprintf("role %q under an organization's path: declare member, viewer, auditor, editor or admin", rt.Role)
		}
	case roleRank[rt.Role] > 0:
		if !rt.HasOrg() {
			return fmt.Sprintf("organization role %q needs a pattern under /orgs/{org} or /api/v1/orgs/{org}", rt.Role)
		}
		if IsMutating(rt.Method) && !AtLeast(rt.Role, store.RoleEditor) && !rt.Export && !rt.Self {
			return fmt.Sprintf("%s changes state, which %ss may not: require editor or admin (or mark an audited download Export, or a caller's change to their own record Self)", rt.Method, rt.Role)
		}
		if rt.Export && rt.Self {
			return "a route is an audited download (Export) or a caller's own change (Self), not both"
		}
	default:
		return fmt.Sprintf("unknown role %q: use Public, AnyUser, %s", rt.Role, strings.Join(store.Roles, ", "))
	}
	if strings.Contains(rt.Pattern, "{org}") && !rt.HasOrg() {
		return "{org} is resolved only at the start of /orgs/{org} or /api/v1/orgs/{org}"
	}
	if underOrgs && !rt.HasOrg() {
		return "an organization's path must start /orgs/{org} or /api/v1/orgs/{org}"
	}
	return ""
}

// request is what the wrapper learned about a request.
type request struct {
	user    store.User
	Session *store.Session // nil for a bearer token
	org     store.Org
	role    string
	// head is org's audit head, read with the session on a GET (hasHead):
	// the workspace cache's key for this request (wscache.go).
	head    audit.Head
	hasHead bool
	// orgs are the caller's organizations (the page's switcher), when
	// read with the session (hasOrgs).
	orgs    []store.Membership
	hasOrgs bool
	// parts is a multipart body the CSRF check has begun (up to and
	// including the token); the handler reads the rest (ReadUpload).
	parts *partsRead
}

type ctxKey struct{}

// setCaller keeps what authenticate read.
func (ri *request) setCaller(c store.Caller) {
	ri.user = c.User
	if c.Session.TokenHash != "" {
		sess := c.Session
		ri.Session = &sess
	}
	ri.orgs, ri.hasOrgs = c.Memberships, c.HasMemberships
}

func Info(r *http.Request) *request {
	if v, ok := r.Context().Value(ctxKey{}).(*request); ok {
		return v
	}
	return &request{}
}

// CallerMemberships are the caller's organizations, each with its audit
// head, when they were read with the session (a page's request); ok is
// false otherwise (an API request), and the handler reads them itself.
func CallerMemberships(r *http.Request) (ms []store.Membership, ok bool) {
	ri := Info(r)
	return ri.orgs, ri.hasOrgs
}

// CurrentUser is the logged-in account (zero on public routes).
func CurrentUser(r *http.Request) store.User { return Info(r).user }

// CurrentOrg is the organization named by {org}, already resolved and
// checked.
func CurrentOrg(r *http.Request) store.Org { return Info(r).org }

// Role is the caller's role in CurrentOrg ("" outside one).
func Role(r *http.Request) string { return Info(r).role }

// Org is the current organization's data.
func (s *Server) Org(r *http.Request) *store.OrgStore { return s.Store.Org(CurrentOrg(r)) }

// MsgNoOrg is the answer for an organization the caller cannot see,
// whether or not it exists.
const MsgNoOrg = "no such organization"

// MsgUnavailable answers a request whose caller could not be looked up
// because the database did not answer.
const MsgUnavailable = "the database is not answering; try again in a moment"

// wrap enforces a route's declaration before its handler runs.
func (s *Server) wrap(rt Route) http.Handler {
	if p := rt.Problem(); p != "" {
		s.Log.ErrorContext(context.Background(), "route not served", "route", rt.Method+" "+rt.Pattern, "problem", p)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.Fail(w, r, rt.IsAPI(), http.StatusInternalServerError, "this address is misconfigured and is not served")
		})
	}
	api := rt.IsAPI()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &request{}
		ctx := context.WithValue(r.Context(), ctxKey{}, ri)
		r = r.WithContext(ctx)
		if rt.Role == Public {
			// Public routes still know who is logged in (the login form
			// sends a logged-in person on; the idle script asks whether
			// the session lives). They end a session that has timed out,
			// but do not count as activity.
			if rt.Anonymous {
				rt.Handler(s, w, r)
				return
			}
			if c, why := s.authenticate(w, r, false, "", !api); why == "" {
				ri.setCaller(c)
			}
			rt.Handler(s, w, r)
			return
		}

		slug := ""
		if rt.HasOrg() {
			slug = r.PathValue("org")
		}
		c, why := s.authenticate(w, r, true, slug, !api)
		if why == reasonUnavailable {
			w.Header().Set("Retry-After", "5")
			s.Fail(w, r, api, http.StatusServiceUnavailable, MsgUnavailable)
			return
		}
		if why != "" {
			s.unauthenticated(w, r, api, why)
			return
		}
		ri.setCaller(c)
		u, sess := ri.user, ri.Session
		if sess != nil && sess.MFAEnrol && !enrolOnly(rt) {
			// An organization requires a second step this account has
			// not set up: nothing else until it has.
			if api {
				s.Fail(w, r, api, http.StatusForbidden, "an organization you belong to requires a second login step: set up an authenticator app at /account/mfa first")
				return
			}
			http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
			return
		}

		if rt.HasOrg() {
			// An organization that does not exist and one the caller
			// holds no role in get the same answer.
			org, role := c.Org, c.Role
			if org.ID == 0 || roleRank[role] == 0 {
				s.Fail(w, r, api, http.StatusNotFound, MsgNoOrg)
				return
			}
			ri.org, ri.role = org, role
			// A GET writes nothing to the organization, so the head read
			// with the session is the one its handler would read.
			ri.head, ri.hasHead = c.Head, c.HasHead && (r.Method == http.MethodGet || r.Method == http.MethodHead)
			if !AtLeast(role, rt.Role) {
				s.Fail(w, r, api, http.StatusForbidden, fmt.Sprintf("this needs the %s role in %s; you are %s", rt.Role, org.Name, Article(role)))
				return
			}
		}

		if IsMutating(r.Method) {
			// Before the CSRF check reads a body: say plainly that it is
			// too large rather than that the token is missing.
			limit := int64(maxFormBody)
			if rt.Upload {
				limit = s.MaxUpload()
			}
			if r.ContentLength > limit {
				s.Fail(w, r, api, http.StatusRequestEntityTooLarge, TooLarge(r.ContentLength, limit))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			// Whatever a handler parsed, nothing of it stays on disk.
			defer func() {
				if r.MultipartForm != nil {
					r.MultipartForm.RemoveAll()
				}
			}()
		}
		if IsMutating(r.Method) && sess != nil {
			ok, parts := ValidCSRF(r, sess.CSRF, rt.Upload)
			if !ok {
				s.Log.WarnContext(r.Context(), "csrf token missing or wrong", "user_id", u.ID, "route", rt.Method+" "+rt.Pattern)
				s.recordCSRF(r, u, sess, rt)
				s.Fail(w, r, api, http.StatusForbidden, "the form's security token is missing or out of date: reload the page and try again")
				return
			}
			ri.parts = parts
		}
		rt.Handler(s, w, r)
	})
}

func Article(role string) string {
	switch role {
	case store.RoleAuditor, store.RoleEditor, store.RoleAdmin:
		return "an " + role
	}
	return "a " + role
}

// CSRFField is the form field, and CSRFHeader the header for scripts,
// that carry the session's synchronizer token.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// ValidCSRF checks the synchronizer token bound to the session. Bearer
// tokens are exempt (the caller never reaches here without a session):
// a browser cannot be tricked into sending an Authorization header.
//
// The token is in the X-CSRF-Token header (scripts), or in the body:
// never the query string, which leaks into logs. In a multipart body
// (an upload) it must be the first part, so that it is checked before a
// single byte of a file is read (fields before it are kept); the reader
// is returned for the handler to read the rest. Forms put it first (it is
// the first hidden input).
func ValidCSRF(r *http.Request, want string, upload bool) (bool, *partsRead) {
	if want == "" {
		return false, nil
	}
	same := func(got string) bool { return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 }
	if got := r.Header.Get(CSRFHeader); got != "" {
		return same(got), nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" && !upload {
		// Not an upload route: the body is at most maxFormBody, which
		// ParseMultipartForm keeps in memory (no temporary files).
		if err := r.ParseMultipartForm(maxFormBody); err != nil {
			return false, nil
		}
		return same(r.PostFormValue(CSRFField)), nil
	}
	if mt == "multipart/form-data" {
		// The token must come before any file: fields before it (small,
		// bounded) are kept for the handler.
		mr, err := r.MultipartReader()
		if err != nil {
			return false, nil
		}
		pre := url.Values{}
		for n := 0; n < maxParts; n++ {
			p, err := mr.NextPart()
			if err != nil || isFilePart(p) {
				return false, nil
			}
			v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			p.Close()
			if err != nil || len(v) > maxFieldBytes {
				return false, nil
			}
			if p.FormName() == CSRFField {
				if !same(string(v)) {
					return false, nil
				}
				return true, &partsRead{mr: mr, fields: pre}
			}
			pre.Add(p.FormName(), string(v))
		}
		return false, nil
	}
	if err := r.ParseForm(); err != nil {
		return false, nil
	}
	return same(r.PostForm.Get(CSRFField)), nil
}

// unauthenticated answers a request without a usable login: 401 for the
// API, a redirect to the login form (remembering where to come back) for
// pages.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, api bool, why string) {
	if api {
		msg := "log in or send Authorization: Bearer <token>"
		switch why {
		case ReasonIdle:
			msg = "session ended after " + HumanDuration(s.Config.IdleTimeout) + " of inactivity: log in again"
		case ReasonExpired:
			msg = "session reached its " + HumanDuration(SessionLifetime) + " limit: log in again"
		case reasonBadToken:
			msg = "the API token is not valid"
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="ward"`)
		WriteJSON(w, http.StatusUnauthorized, ErrorBody{msg})
		return
	}
	q := url.Values{}
	if why == ReasonIdle || why == ReasonExpired {
		q.Set("reason", why)
	}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// bearer returns the token in an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// IsAPIPath reports whether r is a request to the JSON API (/api/...).
func IsAPIPath(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// enrolOnly reports whether a route stays open to a session that must
// set up its second step first.
func enrolOnly(rt Route) bool {
	p := strings.TrimPrefix(rt.Pattern, "/api/v1")
	return p == "/account/mfa" || strings.HasPrefix(p, "/account/mfa/") || p == "/logout"
}
