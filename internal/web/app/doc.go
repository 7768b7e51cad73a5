// Package app is the web app's pages of the organization as a whole: the
// home page and the organizations overview (/orgs), an organization's
// overview and plan, its data flows, agreements (clause review, signed
// copy) and vendor onboarding, first run (/setup) and a new
// organization, reports, notifications and the calendar feed, the audit
// trail and the glossary, each beside the /api/v1 call that answers the
// same data.
//
// The domain pages are their own packages (records, controls, risks,
// incidents, privacyrule, workforce, questionnaires); app imports them
// where a page shows their data, and none of them imports app.
package app
