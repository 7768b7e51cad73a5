// Package web is ward's web app and JSON API, assembled: it imports every
// part, so that New serves every route, and keeps the names the command
// line uses (Config, Server, New, NewSSO...). The code lives in the
// packages below it, cut where a newcomer would look:
//
//	kit/     the core every part uses: Server and Config, the route table
//	         and its wrapper (roles, CSRF, sessions, idle log-off, security
//	         headers, request ids, rate limits, metrics, health checks),
//	         rendering with the one layout (templates/ and static/ live
//	         here), the workspace cache (wscache.go, derive.go), flashes,
//	         uploads and shared helpers.
//	login/   logging in and out, two-step login (TOTP, recovery codes,
//	         passkeys), single sign-on, invitations, one's own account,
//	         sessions and API tokens, and an organization's accounts.
//	api/     the JSON calls that have no page of their own: the
//	         organizations and workspace API, the to-do list, form drafts.
//	public/  the trust center, which answers without a login (its own
//	         templates in public/templates/trust), and its admin side.
//	app/     the organization's pages (overview, plan, records, risks,
//	         controls, evidence, incidents, policies, privacy, people,
//	         questionnaires, reports, the workforce's own tasks...), each
//	         beside the /api/v1 call that answers the same data, since
//	         they share their helpers; also the organizations overview,
//	         the home and help pages, first run (/setup) and the calendar
//	         feed.
//	webtest/ the test environment every part's tests use (NewEnv: a real
//	         server over loopback HTTP on a real SQLite or PostgreSQL
//	         store; browser helpers for headless Chromium).
//
// # Why the core is kit and this package assembles
//
// The parts register their routes into kit from init functions
// (kit.Register), as database/sql drivers do. Each part imports kit and
// nothing else of the web app, so no import cycle can form; kit imports
// no part. Were the core this package, every binary and every test would
// have to remember to import the parts, and a forgotten import would
// quietly serve fewer routes. Here, whoever imports ward/internal/web
// gets them all, and so does webtest: it imports this package, and every
// test of every part is an external test package (package app_test...)
// that builds its server with webtest.NewEnv. So every test sees the
// assembled server, and the route × role walk (kit's
// TestRouteRoleOrganization) covers every route of every part.
//
// How to add a page, and what the wrapper has checked before a handler
// runs: see package kit.
package web
