// Package risks is the web app's risk pages: the risk register with its
// heat map and the coverage findings behind it, each risk's page and form
// (scoring, treatment, acceptance), and the risk analysis questionnaire,
// each beside the /api/v1 call that answers the same data.
//
// It imports kit and records, never app.
package risks
