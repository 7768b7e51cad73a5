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
//	records/ the generic record machinery the page packages below build
//	         on: the record kinds' list, detail and form pages, writes,
//	         ids, links between records, the pager, request helpers.
//	app/     the organization as a whole: the home page and the
//	         organizations overview, an organization's overview and plan,
//	         data flows, agreements and vendor onboarding, first run
//	         (/setup) and a new organization, reports, notifications and
//	         the calendar feed, the audit trail, the glossary.
//	controls/ controls, evidence and uploads, frameworks, the crosswalk,
//	         OSCAL, the auditor's request list and evidence bundle.
//	risks/   the risk register, each risk, the risk analysis
//	         questionnaire.
//	incidents/ incidents, breach assessment, notices, penalties.
//	privacyrule/ the Privacy Rule: individuals' requests, complaints,
//	         the notice of privacy practices.
//	workforce/ people, policies and their documents, trainings, each
//	         member's own tasks.
//	questionnaires/ customers' security questionnaires, the answer bank.
//	webtest/ the test environment every part's tests use (NewEnv: a real
//	         server over loopback HTTP on a real SQLite or PostgreSQL
//	         store; browser helpers for headless Chromium).
//
// Each page is beside the /api/v1 call that answers the same data.
//
// # Why the core is kit and this package assembles
//
// The parts register their routes into kit from init functions
// (kit.Register), as database/sql drivers do. Each part imports kit and,
// for the page packages, records (and app imports controls, whose
// readiness frameworks its organizations overview scores); none imports
// app or this package, and kit imports no part, so no import cycle can
// form. Were the core this package, every binary and every test would
// have to remember to import the parts, and a forgotten import would
// quietly serve fewer routes. Here, whoever imports ward/internal/web
// gets them all, and so does webtest: it imports this package, and every
// test of every part is an external test package (package app_test,
// package risks_test...) that builds its server with webtest.NewEnv. So
// every test sees the assembled server, and the route × role walk (kit's
// TestRouteRoleOrganization) covers every route of every part.
//
// How to add a page, and what the wrapper has checked before a handler
// runs: see package kit.
package web
