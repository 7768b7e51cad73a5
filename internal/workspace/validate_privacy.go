package workspace

import (
	"fmt"
	"strings"
)

// checkPrivacy validates the Privacy Rule records: privacy_requests,
// complaints and privacy_notices.
func (c *checker) checkPrivacy() {
	c.unique("privacy_requests", "id", len(c.ws.PrivacyRequests), func(i int) string { return c.ws.PrivacyRequests[i].ID })
	c.unique("complaints", "id", len(c.ws.Complaints), func(i int) string { return c.ws.Complaints[i].ID })
	c.unique("privacy_notices", "version", len(c.ws.PrivacyNotices), func(i int) string { return c.ws.PrivacyNotices[i].Version })
	for i, r := range c.ws.PrivacyRequests {
		c.privacyRequest(i, r)
	}
	for i, cp := range c.ws.Complaints {
		c.complaint(i, cp)
	}
	c.privacyNotices()
}

// unique reports a key given to two records of a section.
func (c *checker) unique(section, field string, n int, key func(int) string) {
	seen := map[string]int{}
	for i := range n {
		v := key(i)
		if v == "" {
			continue
		}
		if first, dup := seen[v]; dup {
			c.errf(section, i, field, "%q is already the %s of %s; each must be unique", v, field, c.other(section, first, field))
			continue
		}
		seen[v] = i
	}
}

// onBehalfOf checks whose request or complaint it is. A covered entity
// handles its own; an organization that is not one (a business
// associate) handles them only for a covered-entity customer, whose
// clock it is (its BAA makes it help the covered entity meet 164.524,
// 164.526 and 164.528; 164.504(e)(2)(ii)(E)-(G)).
func (c *checker) onBehalfOf(section string, i int, id string) {
	if id == "" {
		if !c.ws.Organization.HasRole(RoleCoveredEntity) {
			c.errf(section, i, "on_behalf_of", "is missing: %s is not a covered entity, so it handles this only on a covered-entity customer's behalf: name the customer (or add covered-entity to organization.roles)",
				orName(c.ws.Organization.Name))
		}
		return
	}
	if c.ref(section, i, "on_behalf_of", id, c.customers, "a customer id in this workspace") {
		if cu := c.ws.Customer(id); cu != nil && !cu.CoveredEntity && !c.ws.Organization.HasRole(RoleSubcontractor) {
			c.errf(section, i, "on_behalf_of", "%q is not a covered entity (covered_entity: false): the Privacy Rule's clocks are a covered entity's", id)
		}
	}
}

func orName(name string) string {
	if name == "" {
		return "the organization"
	}
	return name
}

func (c *checker) privacyRequest(i int, r PrivacyRequest) {
	const s = "privacy_requests"
	c.required(s, i, "id", r.ID, "a short unique name such as par-2027-001")
	c.oneOf(s, i, "kind", r.Kind, PrivacyRequestKinds, true)
	rule, known := RequestRules[r.Kind]
	if r.Received.IsZero() {
		c.errf(s, i, "received", "is missing: the date the request was received (YYYY-MM-DD); the clock starts then")
	}
	c.onBehalfOf(s, i, r.OnBehalfOf)
	c.person(s, i, "handled_by", r.HandledBy)

	if r.Kind != RequestAccess {
		for _, f := range []struct{ name, v string }{{"format_requested", r.FormatRequested}, {"format_provided", r.FormatProvided}} {
			if f.v != "" && known {
				c.errf(s, i, f.name, "is only for kind: access (the form and format of 45 CFR 164.524(c)(2)); this is a request for %s", strings.ToLower(rule.Title))
			}
		}
	}
	if r.Fee != "" && !feePattern.MatchString(r.Fee) {
		c.errf(s, i, "fee", "%q is not an amount in US dollars: write 6.50 or 25", r.Fee)
	}
	if r.Kind == RequestAmendment && r.Fee != "" {
		c.errf(s, i, "fee", "is only for access (164.524(c)(4)) and accounting (164.528(c)(2)) requests")
	}
	if !r.Since.IsZero() {
		switch {
		case r.Kind != RequestAccounting:
			if known {
				c.errf(s, i, "since", "is only for kind: accounting (a shorter period than six years, 45 CFR 164.528(a)(3))")
			}
		case r.Received.IsZero():
		case !r.Since.Before(r.Received):
			c.errf(s, i, "since", "%s is not before the request (received %s): an accounting covers disclosures before the date of the request", r.Since, r.Received)
		default:
			if from, _ := (PrivacyRequest{Received: r.Received}).AccountingWindow(); r.Since.Before(from) {
				c.errf(s, i, "since", "%s is more than %d years before the request (received %s): an accounting covers at most the %d years before the date of the request, from %s (45 CFR 164.528(a)(1))",
					r.Since, AccountingYears, r.Received, AccountingYears, from)
			}
		}
	}
	c.extension(i, r)

	switch {
	case !r.Completed.IsZero() && r.Outcome == "":
		c.errf(s, i, "outcome", "is missing: completed says the request was acted on; say how: one of %s", strings.Join(RequestOutcomes, ", "))
	case r.Completed.IsZero() && r.Outcome != "":
		c.errf(s, i, "completed", "is missing: the date the request was acted on (outcome %s)", r.Outcome)
	}
	c.oneOf(s, i, "outcome", r.Outcome, RequestOutcomes, false)
	if !r.Completed.IsZero() && !r.Received.IsZero() && r.Completed.Before(r.Received) {
		c.errf(s, i, "completed", "%s is before received %s", r.Completed, r.Received)
	}
	denies := r.Outcome == OutcomeDenied || r.Outcome == OutcomePartlyGranted
	switch {
	case r.Kind == RequestAccounting && denies:
		c.errf(s, i, "outcome", "%q: an accounting of disclosures is provided (granted) or withdrawn; disclosures it leaves out (164.528(a)(1) exceptions, a suspension under 164.528(a)(2)) go in notes", r.Outcome)
	case denies && r.Denial == nil && known:
		c.errf(s, i, "denial", "is missing: a %s request that is %s needs the written denial's ground (%s)", r.Kind, r.Outcome, rule.Denial)
	case !denies && r.Denial != nil && r.Outcome != "":
		c.errf(s, i, "denial", "belongs to a request that is denied or partly-granted, not %s", r.Outcome)
	}
	if d := r.Denial; d != nil && known && r.Kind != RequestAccounting {
		if c.required(s, i, "denial.ground", d.Ground, "one of "+strings.Join(GroundIDs(r.Kind), ", ")) {
			if g := Ground(d.Ground); g == nil || g.Kind != r.Kind {
				c.errf(s, i, "denial.ground", "%q is not a ground for denying a %s request: one of %s", d.Ground, r.Kind, strings.Join(GroundIDs(r.Kind), ", "))
			}
		}
	}
}

// extension checks the one extension of a request's time limit: given in
// writing within the time limit, with the reason and a date at most 30
// days past the original deadline.
func (c *checker) extension(i int, r PrivacyRequest) {
	const s = "privacy_requests"
	x := r.Extension
	if x == nil {
		return
	}
	rule, known := RequestRules[r.Kind]
	if x.Notified.IsZero() {
		c.errf(s, i, "extension.notified", "is missing: the date the individual was given the written statement of the delay")
	}
	c.required(s, i, "extension.reason", x.Reason, "the reasons for the delay the written statement gave")
	if x.Until.IsZero() {
		c.errf(s, i, "extension.until", "is missing: the date by which the written statement said the request will be acted on")
	}
	due := r.Due()
	if !known || due.IsZero() {
		return
	}
	if !x.Notified.IsZero() {
		day := r.Received.DaysUntil(x.Notified)
		switch {
		case x.Notified.Before(r.Received):
			c.errf(s, i, "extension.notified", "%s is before the request was received (%s)", x.Notified, r.Received)
		case x.Notified.After(due):
			c.errf(s, i, "extension.notified", "%s is day %d after the request (received %s): an extension must be given in writing within the %d-day time limit, by %s (%s); this request was overdue on %s, not extended",
				x.Notified, day, r.Received, rule.Days, due, rule.Extension, due.AddDays(1))
		case !r.Completed.IsZero() && r.Completed.Before(x.Notified):
			c.errf(s, i, "extension.notified", "%s is after the request was completed (%s): there was nothing left to extend", x.Notified, r.Completed)
		}
	}
	if !x.Until.IsZero() {
		limit := due.AddDays(ExtensionDays)
		switch {
		case !x.Until.After(due):
			c.errf(s, i, "extension.until", "%s is not after the original deadline %s: an extension moves the deadline later", x.Until, due)
		case x.Until.After(limit):
			c.errf(s, i, "extension.until", "%s is %d days after the original deadline %s: the one extension is at most %d days, to %s (%s)",
				x.Until, due.DaysUntil(x.Until), due, ExtensionDays, limit, rule.Extension)
		}
	}
}

func (c *checker) complaint(i int, cp Complaint) {
	const s = "complaints"
	c.required(s, i, "id", cp.ID, "a short unique name such as cmp-2027-001")
	if cp.Received.IsZero() {
		c.errf(s, i, "received", "is missing: the date the complaint was received (YYYY-MM-DD)")
	}
	c.required(s, i, "summary", cp.Summary, "what the complaint is about, without naming the complainant")
	c.onBehalfOf(s, i, cp.OnBehalfOf)
	c.person(s, i, "handled_by", cp.HandledBy)
	c.oneOf(s, i, "outcome", cp.Outcome, ComplaintOutcomes, false)
	switch {
	case !cp.Resolved.IsZero() && cp.Outcome == "":
		c.errf(s, i, "outcome", "is missing: a resolved complaint records its outcome, one of %s (45 CFR 164.530(d)(2))", strings.Join(ComplaintOutcomes, ", "))
	case cp.Resolved.IsZero() && cp.Outcome != "":
		c.errf(s, i, "resolved", "is missing: the date the complaint was resolved (outcome %s)", cp.Outcome)
	case cp.Resolved.IsZero() && cp.Disposition != "":
		c.errf(s, i, "resolved", "is missing: a disposition is recorded, so give the date the complaint was resolved")
	}
	if !cp.Resolved.IsZero() && !cp.Received.IsZero() && cp.Resolved.Before(cp.Received) {
		c.errf(s, i, "resolved", "%s is before received %s", cp.Resolved, cp.Received)
	}
}

func (c *checker) privacyNotices() {
	const s = "privacy_notices"
	for i, n := range c.ws.PrivacyNotices {
		if i == 0 && !c.ws.Organization.HasRole(RoleCoveredEntity) {
			c.errf(s, i, "", "a notice of privacy practices is a covered entity's (45 CFR 164.520(a)), and %s is not one: add covered-entity to organization.roles, or keep the notice with the covered entity",
				orName(c.ws.Organization.Name))
		}
		c.required(s, i, "version", n.Version, "the notice's version, such as 2026-1")
		if n.Effective.IsZero() {
			c.errf(s, i, "effective", "is missing: the date this version took effect (YYYY-MM-DD)")
		}
		if n.URL != "" && !strings.HasPrefix(n.URL, "https://") && !strings.HasPrefix(n.URL, "http://") {
			c.errf(s, i, "url", "%q is not a web address (https://...)", n.URL)
		}
		for j, p := range n.Posted {
			if strings.TrimSpace(p) == "" {
				c.errf(s, i, fmt.Sprintf("posted[%d]", j), "is empty: name the place the notice is posted")
			}
		}
	}
}
