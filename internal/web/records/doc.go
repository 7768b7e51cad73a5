// Package records is the web app's generic record machinery, which the
// other page packages build on: the record kinds an organization keeps
// (systems, flows, vendors, customers, agreements, threats,
// vulnerabilities, risk analyses), their list, detail and form pages with
// the JSON calls that answer the same data, the write path (validation in
// the store's transaction, ETags, stale and refused writes, the audited
// retire), free ids, the links between records, the pager, and the small
// request and form helpers every page uses (ReadJSON, AsOfWorkspace,
// FieldErrors, AnswerError).
//
// records imports kit and no other part of the web app; controls, risks,
// incidents, privacyrule, workforce, questionnaires and app import it.
// What is one kind's own (an agreement's clause review and signed copy,
// a vendor's onboarding steps after a create) is here only as the data
// the record page shows and the link it goes to next; the handlers of
// those pages stay with their part (app).
package records
