// Package workforce is the web app's pages of the workforce: people and
// their roles, policies and their documents, acknowledgements, trainings,
// the workforce report, and each member's own tasks (/orgs/{org}/my),
// each beside the /api/v1 call that answers the same data.
//
// It imports kit and records, never app.
package workforce
