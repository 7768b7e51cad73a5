// Package phimap answers "where can PHI be, and is every party on that
// path under a signed BAA?" for one organization, and turns the answer
// into the `ward check` gate findings and a data-flow diagram.
//
// It is pure: functions over a *workspace.Workspace and an as-of date,
// never the clock, storage or HTTP. The CLI and the web pages are thin
// views of Gate's Result and DataflowSVG's bytes.
//
// # The PHI graph
//
// Build makes a directed graph of systems and flows. PHI starts at systems
// marked phi: true or live_phi: true, and at the source of any flow marked
// phi: true, and goes wherever PHI flows lead, transitively; flows marked
// phi: false carry none. Each system's vendor is the party that must be
// under a downstream BAA.
//
// # Rules and severities
//
// Errors make the gate fail (exit 1) and block live PHI on their path;
// warnings are reported and do not. The line drawn: what the law requires
// before PHI may be there is an error; what is due soon, advice, or an
// inventory inconsistency is a warning.
//
//	rule                      severity  subject       why
//	officer.security.missing  error     organization  a Security Officer is a required standard, 164.308(a)(2)
//	officer.privacy.missing   error     organization  for a covered entity, 164.530(a)(1)
//	                          warning                 for a business associate: its privacy duties come through its BAAs
//	risk-analysis.missing     error     organization  required before and while handling ePHI, 164.308(a)(1)(ii)(A)
//	risk-analysis.stale       warning   analysis id   an analysis exists; yearly review is policy (and proposed rule), not yet law
//	baa.upstream.missing      error     customer      a BA may not handle a covered entity's PHI without a BAA, 164.502(e), 164.504(e):
//	                                                  for a customer with live PHI, or about to go live (go_live within 30 days, or past)
//	                          warning                 for a customer merely signed up (no live PHI, no go-live date near); the plan's gate stays closed
//	baa.downstream.missing    error     vendor        nor let a subcontractor handle it without one, 164.308(b)(2), 164.314(a)
//	baa.expired               error     agreement     an expired BAA is no BAA; reported instead of *.missing when renewal is the fix
//	                          warning                 for an upstream BAA with a customer merely signed up, as above
//	baa.expiring              warning   agreement     in force today; ends within 60 days (issue 5) with no successor
//	baa.flowdown              warning   agreement     PHI is covered, but we could not meet a breach-notice term we promised
//	baa.clause-missing        warning   agreement     a reviewed BAA lacks a clause 164.504(e)(2) or 164.314(a)(2) requires
//	baa.no-signed-copy        warning   agreement     an executed BAA with no signed copy on file (164.316(b)(2), 164.414(b))
//	baa.unreviewed            warning   agreement     an executed BAA nobody reviewed against the checklist (review stays optional)
//	flow.unencrypted          error     flow key      ward's policy, not the rule's: encryption in transit is addressable (164.312(e)(2)(ii)); unencrypted PHI loses the breach safe harbor
//	storage.unencrypted       error     system        ward's policy, not the rule's: encryption at rest is addressable (164.312(a)(2)(iv)); unencrypted PHI loses the breach safe harbor
//	inventory.phi-unmarked    warning   system        phi: false but PHI reaches it; the other rules already treat it as PHI
//
// The officer and risk-analysis rules apply only when the organization
// handles PHI (the decision-tree answer, a PHI system, or a customer with
// live PHI or about to go live).
//
// # The upstream BAA and the first live PHI
//
// Every covered-entity customer (for a subcontractor: every customer, the
// business associates it serves) needs an upstream BAA in force before
// its first PHI arrives (164.502(e)(1)-(2), 164.504(e)), so the rule does
// not wait for live_phi: true, which is after the fact. The line ward
// draws: with live PHI, or a go-live date (customers go_live) within
// GoLiveSoonDays (30) days or past, it is an error; a customer merely
// signed up is a warning, judged only when the organization handles PHI
// at all. Either way the plan's execute-baas milestone stays open and its
// live-PHI gate closed. An agreement counts only while Agreement.InForce(asOf):
// executed, effective on or before asOf, and not past its expiry.
//
// baa.clause-missing judges only BAAs someone reviewed (Agreement.clauses
// or clause_review set), against the required clauses of the catalog's
// BAA checklist (internal/catalog/data/baa.yaml): a required clause the review marks
// missing, or does not mark present or n/a, is missing. It is a warning:
// an executed BAA counts whatever its wording; the gap is for counsel.
//
// Encryption at rest and in transit are "addressable" specifications in
// today's Security Rule, so a documented equivalent measure can satisfy
// them; ward still fails the gate, because unencrypted PHI is the common
// root of reportable breaches and the documented exception belongs in the
// controls (workspace.Control.EquivalentMeasure), not in the data map.
//
// # What an error blocks
//
// Gate lists the live-PHI systems and customers an error blocks; see Gate
// for the path a rule must be on to block one.
package phimap
