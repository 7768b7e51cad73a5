// Package kit is the core of ward's web app, which every part of it
// (login, api, public, records, app, controls, risks...; see package web
// for the layout) builds on: the Server, the route registry that decides
// who may call what, the wrapper that checks it, sessions, rendering with
// the one layout, and the workspace cache. Handlers are thin: they load
// an organization from the store, call the same pure functions as the
// CLI, and render HTML or JSON. kit imports no part of the app.
//
// Templates and static files are embedded; pages load no external assets
// and carry no inline script or style, so the Content-Security-Policy can
// forbid both. No domain package may import the web app.
//
// # Adding a page
//
// One file per page in the part it belongs to, say risks/risks.go, and
// kit/templates/risks.html (every page shares the layout):
//
//	func init() {
//		kit.Register(
//			kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks", Role: store.RoleViewer, Handler: risks},
//			kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/risks", Role: store.RoleViewer, Handler: risksAPI},
//			kit.Route{Method: "POST", Pattern: "/orgs/{org}/risks/{id}", Role: store.RoleEditor, Handler: saveRisk},
//		)
//	}
//
//	func risks(s *kit.Server, w http.ResponseWriter, r *http.Request) {
//		ws, err := s.Org(r).Workspace(r.Context())
//		if err != nil {
//			s.ServerError(w, r, false, err)
//			return
//		}
//		s.Render(w, r, "risks.html", risk.Register(ws, asOf)) // the page's data is .Data
//	}
//
// A helper two parts need belongs in kit; a part never imports another.
//
// kit/templates/risks.html defines two blocks; the layout draws the top bar,
// the organization switcher, the left menu and the logout button:
//
//	{{define "title"}}Risks · {{.Org.Name}}{{end}}
//	{{define "content"}}{{with .Data}} ... {{end}}{{end}}
//
// In a template, $ (or . outside a with) is a View: .User, .Org, .Role,
// .CSRF, .Data. A form that changes something carries the token:
//
//	<form method="post" action="/orgs/{{$.Org.Slug}}/risks/{{.ID}}">
//	  <input type="hidden" name="csrf" value="{{$.CSRF}}"> ...
//
// and a script sends it as the X-CSRF-Token header (it is also in
// <meta name="csrf-token">). Show edit buttons with {{if can $.Role "editor"}}.
// Template functions: when (time for people, UTC), iso, can, kindLabel, add.
// Partials are templates/_name.html, shared by every page. No inline
// <script>, style= or on...= attributes: put CSS in static/ward.css and
// scripts in static/, loaded with <script src="/static/x.js" defer>.
//
// A section of the left menu (Overview, Plan, Data flows, Agreements,
// Risks, Controls, Evidence, Incidents, Penalties, Audit trail) becomes a
// link when a GET route with its path is registered: /orgs/{org}/plan,
// /flows, /agreements, /risks, /controls, /evidence, /incidents,
// /penalties, /audit.
//
// # What the wrapper has checked before a handler runs
//
// Role is Public, AnyUser, or one of store.RoleViewer < RoleAuditor <
// RoleEditor < RoleAdmin for routes under /orgs/{org} and
// /api/v1/orgs/{org}: viewer reads pages; auditor also downloads evidence
// and exports the audit trail; editor also changes records; admin also
// manages accounts and roles. State-changing methods need editor or
// admin. A route with no role, or a role that does not fit its path or
// method, is never served (500, logged at start-up), and
// TestRegisteredRoutesAreValid fails.
//
// By the time the handler runs, the caller is logged in (session cookie
// or Authorization: Bearer token), {org} names an organization they
// belong to (else 404, whether or not it exists), their role there is
// enough (else 403), and a state-changing request from a browser session
// carried its CSRF token (else 403). CurrentUser(r), CurrentOrg(r),
// Role(r) and s.Org(r) (the *store.OrgStore) tell the
// handler who and what. Answer with s.Render, WriteJSON, APIError,
// s.Fail and s.ServerError (which logs the error and shows none of it).
//
// Every registered route is walked by TestRouteRoleOrganization for every
// role and for another organization's slug, so a new page is covered
// without writing a test for its permissions. Wildcards other than {org}
// get the value "sample" there (see sampleValues in routes_test.go), and
// the handler may answer its own 404 for it.
package kit
