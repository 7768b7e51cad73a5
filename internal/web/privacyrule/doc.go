// Package privacyrule is the web app's Privacy Rule pages: individuals'
// access, amendment and accounting requests with their clocks, complaints,
// and the notice of privacy practices, each beside the /api/v1 call that
// answers the same data. (The rules themselves are package
// ward/internal/privacy; this package only serves them.)
//
// It imports kit and records, never app.
package privacyrule
