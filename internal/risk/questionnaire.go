package risk

import (
	"fmt"

	"ward/internal/workspace"
)

// Answer to a questionnaire question.
type Answer string

const (
	Yes     Answer = "yes"
	No      Answer = "no"
	Unknown Answer = "unknown"
)

// Question is one guided-mode question. A "no" or "unknown" answer proposes
// a risk of Threat exploiting Vulnerability with the suggested Likelihood
// and Impact.
type Question struct {
	ID       string `json:"id"`
	Section  string `json:"section"`
	Text     string `json:"text"`
	Citation string `json:"citation"` // 45 CFR section
	// Threat and Vulnerability are library ids.
	Threat        string `json:"threat"`
	Vulnerability string `json:"vulnerability"`
	Likelihood    int    `json:"likelihood"`
	Impact        int    `json:"impact"`
}

// Sections of the questionnaire, in the spirit of the HHS/ONC SRA Tool.
var Sections = []string{"Policies and risk management", "Workforce", "Data and systems", "Facility and devices", "Vendors", "Contingency"}

var questions = []Question{
	// Policies and risk management.
	{"pol-risk-analysis", "Policies and risk management", "Have you assessed the risks to all ePHI you create, receive, keep or send in the last 12 months?", "164.308(a)(1)(ii)(A)", "ransomware", "no-risk-analysis", 4, 5},
	{"pol-risk-plan", "Policies and risk management", "Is every risk above low assigned an owner, a measure and a due date?", "164.308(a)(1)(ii)(B)", "unpatched-exploitation", "no-risk-management", 3, 4},
	{"pol-sanctions", "Policies and risk management", "Do you apply a written sanctions policy to workforce members who violate security policies?", "164.308(a)(1)(ii)(C)", "insider-snooping", "no-sanctions", 3, 3},
	{"pol-activity-review", "Policies and risk management", "Do you regularly review audit logs, access reports and security incident reports?", "164.308(a)(1)(ii)(D)", "insider-snooping", "no-log-review", 4, 3},
	{"pol-security-official", "Policies and risk management", "Have you named one security official responsible for the security policies?", "164.308(a)(2)", "credential-phishing", "no-security-ownership", 3, 3},
	{"pol-incident", "Policies and risk management", "Do you have written procedures to identify, respond to, mitigate and document security incidents?", "164.308(a)(6)", "ransomware", "no-incident-response", 3, 5},
	{"pol-evaluation", "Policies and risk management", "Do you evaluate your safeguards after changes in environment or operations, at least yearly?", "164.308(a)(8)", "misconfigured-cloud-storage", "no-change-control", 3, 4},
	{"pol-documentation", "Policies and risk management", "Are policies and procedures written, available to those who use them, and kept for six years?", "164.316(b)", "misdirected-communication", "untrained-workforce", 2, 3},
	// Workforce.
	{"wf-training", "Workforce", "Does every workforce member complete security awareness training at hire and at least yearly?", "164.308(a)(5)(i)", "credential-phishing", "untrained-workforce", 4, 4},
	{"wf-phishing", "Workforce", "Do you run phishing exercises or reminders so staff recognise malicious email?", "164.308(a)(5)(ii)(A)", "business-email-compromise", "untrained-workforce", 4, 3},
	{"wf-malware", "Workforce", "Are staff trained and systems configured to guard against malicious software?", "164.308(a)(5)(ii)(B)", "ransomware", "no-endpoint-protection", 4, 5},
	{"wf-login-monitoring", "Workforce", "Do you monitor log-in attempts and report discrepancies?", "164.308(a)(5)(ii)(C)", "credential-phishing", "no-log-review", 3, 4},
	{"wf-passwords", "Workforce", "Are passwords managed (length, no reuse, a password manager) and is MFA required for email and remote access?", "164.308(a)(5)(ii)(D)", "credential-phishing", "no-mfa-remote", 4, 4},
	{"wf-authorization", "Workforce", "Is access to ePHI authorised by role and reviewed at least quarterly?", "164.308(a)(3)(ii)(A)", "insider-snooping", "excess-access", 3, 3},
	{"wf-clearance", "Workforce", "Do you check that a person's access is appropriate before granting it?", "164.308(a)(3)(ii)(B)", "malicious-insider-exfiltration", "excess-access", 2, 4},
	{"wf-termination", "Workforce", "Is access removed the day a workforce member or contractor leaves?", "164.308(a)(3)(ii)(C)", "malicious-insider-exfiltration", "no-offboarding", 3, 4},
	// Data and systems.
	{"data-inventory", "Data and systems", "Do you keep an inventory of every system and flow that holds or carries ePHI?", "164.308(a)(1)(ii)(A)", "misconfigured-cloud-storage", "no-asset-inventory", 3, 4},
	{"data-unique-ids", "Data and systems", "Does every user have a unique user id (no shared accounts) on systems with ePHI?", "164.312(a)(2)(i)", "insider-snooping", "excess-access", 3, 3},
	{"data-emergency-access", "Data and systems", "Is there a documented way to reach ePHI in an emergency?", "164.312(a)(2)(ii)", "cloud-region-outage", "single-region", 2, 4},
	{"data-logoff", "Data and systems", "Do sessions with ePHI log off automatically after inactivity?", "164.312(a)(2)(iii)", "unauthorized-physical-access", "no-facility-controls", 3, 3},
	{"data-encryption-rest", "Data and systems", "Is ePHI encrypted at rest in every database, bucket and backup?", "164.312(a)(2)(iv)", "misconfigured-cloud-storage", "unencrypted-storage", 3, 5},
	{"data-audit-logs", "Data and systems", "Do systems with ePHI record who accessed or changed what, and are the logs kept?", "164.312(b)", "insider-snooping", "no-log-review", 3, 4},
	{"data-integrity", "Data and systems", "Are changes to code and configuration reviewed and tested, so ePHI is not altered or destroyed improperly?", "164.312(c)(1)", "data-corruption-defect", "no-change-control", 3, 4},
	{"data-authentication", "Data and systems", "Do you verify the identity of people and systems that access ePHI (MFA, keys)?", "164.312(d)", "credential-phishing", "no-mfa-remote", 5, 5},
	{"data-transmission", "Data and systems", "Is ePHI encrypted whenever it is sent over a network (TLS, secure email)?", "164.312(e)(1)", "misdirected-communication", "unencrypted-transmission", 3, 4},
	{"data-patching", "Data and systems", "Are security patches applied within a defined window, and are systems scanned for vulnerabilities?", "164.308(a)(1)(ii)(B)", "unpatched-exploitation", "unpatched-software", 4, 5},
	{"data-segmentation", "Data and systems", "Are systems with ePHI and connected medical devices separated from the rest of the network?", "164.312(e)(1)", "medical-device-attack", "flat-network", 3, 4},
	// Facility and devices.
	{"fac-access", "Facility and devices", "Are offices and equipment rooms locked, with visitors recorded?", "164.310(a)(1)", "unauthorized-physical-access", "no-facility-controls", 2, 3},
	{"fac-workstations", "Facility and devices", "Are workstations that show ePHI positioned and secured against casual viewing?", "164.310(b)", "unauthorized-physical-access", "no-facility-controls", 3, 2},
	{"fac-device-encryption", "Facility and devices", "Are all laptops and phones that can reach ePHI encrypted?", "164.310(c)", "lost-stolen-device", "unencrypted-device", 4, 4},
	{"fac-mdm", "Facility and devices", "Are devices enrolled in management so you can lock and wipe them remotely?", "164.310(d)(1)", "lost-stolen-device", "unmanaged-device", 3, 4},
	{"fac-disposal", "Facility and devices", "Is ePHI removed from media and devices before disposal or re-use?", "164.310(d)(2)(i)", "lost-stolen-device", "unmanaged-device", 2, 4},
	{"fac-inventory", "Facility and devices", "Do you track the movement of hardware and media that hold ePHI?", "164.310(d)(2)(iii)", "lost-stolen-device", "unmanaged-device", 3, 3},
	// Vendors.
	{"ven-baa", "Vendors", "Do you have a signed business associate agreement with every vendor that creates, receives, keeps or sends ePHI for you?", "164.308(b)(1)", "vendor-breach", "no-baa", 3, 5},
	{"ven-review", "Vendors", "Do you review the security of vendors that handle ePHI before signing and yearly?", "164.308(b)(1)", "vendor-breach", "no-vendor-review", 3, 4},
	{"ven-subcontractors", "Vendors", "Do your vendors' agreements require their subcontractors to protect ePHI the same way?", "164.314(a)(2)(i)(B)", "vendor-breach", "no-baa", 2, 4},
	{"ven-breach-notice", "Vendors", "Do vendor agreements set how quickly they must tell you of a breach?", "164.314(a)(2)(i)(C)", "vendor-breach", "no-vendor-review", 3, 3},
	// Contingency.
	{"con-backup", "Contingency", "Do you keep retrievable exact copies of ePHI, isolated from production credentials?", "164.308(a)(7)(ii)(A)", "ransomware", "backups-not-isolated", 4, 5},
	{"con-dr-plan", "Contingency", "Do you have a written plan to restore lost data and systems after a disaster?", "164.308(a)(7)(ii)(B)", "natural-disaster", "single-region", 2, 5},
	{"con-emergency-mode", "Contingency", "Can critical processes that protect ePHI keep running in emergency mode?", "164.308(a)(7)(ii)(C)", "cloud-region-outage", "single-region", 3, 4},
	{"con-testing", "Contingency", "Do you test restores and the contingency plan at least yearly?", "164.308(a)(7)(ii)(D)", "hardware-failure", "untested-restore", 3, 4},
	{"con-criticality", "Contingency", "Have you ranked applications and data by how critical they are to care and operations?", "164.308(a)(7)(ii)(E)", "cloud-region-outage", "untested-restore", 3, 3},
	{"con-ddos", "Contingency", "Can patient- and customer-facing services withstand or recover quickly from a traffic flood?", "164.308(a)(7)(i)", "ddos", "single-region", 2, 3},
}

// Questionnaire is the guided-mode question list, grouped by section in
// Sections order.
func Questionnaire() []Question {
	out := make([]Question, len(questions))
	copy(out, questions)
	return out
}

// ProposeRisks turns answers (question id → yes|no|unknown) into proposed
// risks for asset, in questionnaire order. "yes" and unanswered questions
// propose nothing. "unknown" proposes the same risk as "no" with likelihood
// one higher (capped at 5): a safeguard nobody can confirm is one an
// attacker is more likely to find missing, and the higher score pushes the
// organization to find out. Proposals carry the library's suggested
// controls as the treatment plan, and leave ids, owners and dates to the
// user.
func ProposeRisks(answers map[string]Answer, asset string) []workspace.Risk {
	var out []workspace.Risk
	for _, q := range questions {
		a := answers[q.ID]
		if a != No && a != Unknown {
			continue
		}
		l := q.Likelihood
		note := fmt.Sprintf("Proposed by questionnaire %s (%s): answered %q.", q.ID, q.Citation, a)
		if a == Unknown {
			l = min(l+1, 5)
			note += " Likelihood raised by one because the safeguard could not be confirmed."
		}
		if sc := SuggestedControls(q.Threat, q.Vulnerability); len(sc) > 0 {
			note += " Suggested controls: " + joinComma(sc) + "."
		}
		out = append(out, workspace.Risk{
			ID:            "q-" + q.ID,
			Asset:         asset,
			Threat:        q.Threat,
			Vulnerability: q.Vulnerability,
			Likelihood:    l,
			Impact:        q.Impact,
			Treatment:     "mitigate",
			Notes:         note,
		})
	}
	return out
}

func joinComma(ss []string) string {
	s := ""
	for i, x := range ss {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
