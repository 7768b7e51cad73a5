// Package questionnaires is the web app's security questionnaire pages:
// a customer's questionnaire uploaded and answered from the answer bank
// and the controls, reviewed and approved, and downloaded in its own
// layout, with the answer bank's library (the rules are package
// ward/internal/secq).
//
// It imports kit and records, never app.
package questionnaires
