// Package controls is the web app's pages of the controls and what
// proves them: readiness by framework and its charts, the control list
// and each control's page (status, owner, schedule, evidence upload),
// the evidence list and its coverage, the framework and crosswalk views,
// the OSCAL export, the auditor's request list and evidence bundle, and
// each control's schedule of occurrences in the SOC 2 Type II observation
// window. Each page is beside the /api/v1 call that
// answers the same data.
//
// It imports kit and records, never app.
package controls
