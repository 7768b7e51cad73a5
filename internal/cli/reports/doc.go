// Package reports holds the commands that read the organization and
// answer or write a document: report, plan, posture, todo, readiness,
// export (tasks, evidence, OSCAL) and the audit pack, evidence, controls,
// frameworks and the crosswalk, breach deadlines and notices, the trust
// center's requests and customers' security questionnaires. Each file
// adds its commands to cli's registry from init; cmd/ward imports the
// package for that.
package reports
