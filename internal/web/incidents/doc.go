// Package incidents is the web app's incident pages: the incident log
// and a new incident, each incident's page with its breach assessment
// (45 CFR 164.402), timeline and notification deadlines, the notice
// drafts, and the civil money penalty table with its what-if, each
// beside the /api/v1 call that answers the same data.
//
// It imports kit and records, never app.
package incidents
