// Command questionnaire writes the answer library's benchmark: a vendor
// security assessment in the style a hospital's vendor-risk team sends
// (mercy-regional.xlsx: a titled, formatted question sheet with a drop-down
// on the response column and an instructions sheet), and its answer key
// (key.csv: for each row, the bank question that answers it, marked by
// hand, or "-" where no bank question does).
//
//	go run ./bench/questionnaire            # rewrites both files here
//
// The questions are ward's own, written in a hospital's voice and
// deliberately not in the bank's words. They were written before the
// matcher was tuned, and split in two: "dev" rows may be looked at while
// tuning the matcher and its synonyms; "holdout" rows are only scored
// (internal/secq's TestBenchmark prints both).
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"
)

type item struct {
	ref, domain, text string
	want              string // bank ids, "|"-separated when two are equally right; "-" when none
	set               string // dev | holdout
}

var items = []item{
	{"GOV-01", "Governance", "Identify the individual responsible for your information security program (name and title).", "gov-security-officer", "dev"},
	{"GOV-02", "Governance", "Has your organization appointed a HIPAA Privacy Official?", "gov-privacy-officer", "holdout"},
	{"GOV-03", "Governance", "Does the vendor have a formally approved set of information security policies? Provide a table of contents.", "gov-security-program", "dev"},
	{"GOV-04", "Governance", "When were your security policies last reviewed and updated by management?", "gov-policy-review", "holdout"},
	{"GOV-05", "Governance", "Has a HIPAA Security Risk Analysis been completed within the last 12 months?", "gov-risk-assessment", "dev"},
	{"GOV-06", "Governance", "Please attach your most recent SOC 2 Type 2 audit report or equivalent third-party attestation.", "gov-soc2-report", "holdout"},
	{"GOV-07", "Governance", "Does the vendor hold a current HITRUST CSF certification?", "gov-hitrust", "dev"},
	{"GOV-08", "Governance", "Are workforce members subject to disciplinary measures for non-compliance with security policies?", "gov-sanctions", "holdout"},
	{"GOV-09", "Governance", "Does the vendor maintain cyber/privacy liability insurance coverage? State coverage amounts.", "gov-cyber-insurance", "dev"},
	{"GOV-10", "Governance", "Is there a risk register documenting identified risks, their owners and remediation status?", "gov-risk-treatment", "holdout"},

	{"HR-01", "Human Resources", "Are criminal background investigations conducted for all staff with access to Hospital data?", "hr-background-checks", "dev"},
	{"HR-02", "Human Resources", "Do all personnel sign a non-disclosure agreement prior to accessing customer information?", "hr-confidentiality", "holdout"},
	{"HR-03", "Human Resources", "Describe the security and privacy awareness training provided to your employees, including frequency.", "hr-security-training|hr-hipaa-training", "dev"},
	{"HR-04", "Human Resources", "Within what timeframe are system accounts disabled for terminated employees?", "hr-termination", "holdout"},
	{"HR-05", "Human Resources", "Are employees periodically tested with simulated phishing emails?", "hr-phishing", "dev"},
	{"HR-06", "Human Resources", "Do software engineers receive training on secure coding practices (e.g., OWASP)?", "hr-role-training", "holdout"},
	{"HR-07", "Human Resources", "Do staff sign an acceptable use agreement governing company IT resources?", "hr-acceptable-use", "dev"},

	{"AC-01", "Access Control", "Is two-factor authentication enforced for all users accessing systems that contain ePHI?", "acc-mfa-workforce", "dev"},
	{"AC-02", "Access Control", "Is MFA required for all remote network access (e.g., VPN)?", "acc-mfa-remote", "holdout"},
	{"AC-03", "Access Control", "Do privileged/administrator accounts require 2FA?", "acc-mfa-admin", "dev"},
	{"AC-04", "Access Control", "Can the application integrate with our Active Directory via SAML 2.0 for single sign-on?", "acc-sso", "holdout"},
	{"AC-05", "Access Control", "Are generic or shared user IDs permitted on systems that store Hospital data?", "acc-unique-ids", "dev"},
	{"AC-06", "Access Control", "Describe password complexity and length requirements enforced by the system.", "acc-password-policy", "holdout"},
	{"AC-07", "Access Control", "How frequently are user entitlements reviewed and recertified?", "acc-review", "dev"},
	{"AC-08", "Access Control", "Is access to ePHI restricted based on job role and least privilege?", "acc-least-privilege", "holdout"},
	{"AC-09", "Access Control", "Will the application automatically log users off after a period of inactivity? What is the timeout value?", "acc-session-timeout", "dev"},
	{"AC-10", "Access Control", "Are user accounts locked out after a defined number of unsuccessful login attempts?", "acc-lockout", "holdout"},
	{"AC-11", "Access Control", "Is Hospital data co-mingled with data of other clients? Describe logical separation.", "acc-tenant-isolation", "dev"},
	{"AC-12", "Access Control", "Describe the emergency access procedure for obtaining ePHI during a crisis.", "acc-emergency", "holdout"},

	{"EN-01", "Encryption", "Is Hospital data encrypted when stored in databases and file systems? Specify the algorithm.", "enc-at-rest", "dev"},
	{"EN-02", "Encryption", "Is all ePHI encrypted in motion using TLS 1.2 or higher?", "enc-in-transit|enc-tls-version", "holdout"},
	{"EN-03", "Encryption", "Describe how cryptographic keys are generated, stored and rotated.", "enc-key-management", "dev"},
	{"EN-04", "Encryption", "Are backup copies of data encrypted?", "enc-backups", "holdout"},
	{"EN-05", "Encryption", "Are all company-issued laptops protected with full disk encryption?", "enc-laptops", "dev"},
	{"EN-06", "Encryption", "Is email containing patient information sent using encryption?", "enc-email", "holdout"},
	{"EN-07", "Encryption", "Does the vendor support customer-managed encryption keys (BYOK)?", "enc-customer-keys", "dev"},

	{"LM-01", "Logging & Monitoring", "Does the system generate audit trails capturing user access to patient records?", "log-audit-logging", "dev"},
	{"LM-02", "Logging & Monitoring", "What is the retention period for security and audit logs?", "log-retention", "holdout"},
	{"LM-03", "Logging & Monitoring", "Are security logs aggregated in a SIEM and monitored 24x7?", "log-siem", "dev"},
	{"LM-04", "Logging & Monitoring", "Is an intrusion detection/prevention system deployed?", "log-intrusion-detection", "holdout"},
	{"LM-05", "Logging & Monitoring", "Are audit logs reviewed on a regular basis? Describe the review process.", "log-review", "dev"},
	{"LM-06", "Logging & Monitoring", "Can the vendor provide the Hospital with access logs showing who viewed our data upon request?", "log-customer-access", "holdout"},

	{"VM-01", "Vulnerability Management", "How often are internal and external vulnerability scans performed?", "vul-scanning", "dev"},
	{"VM-02", "Vulnerability Management", "Has an independent third party performed a penetration test of the application in the past 12 months?", "vul-pentest", "holdout"},
	{"VM-03", "Vulnerability Management", "Provide an executive summary of your most recent penetration test.", "vul-pentest-summary", "dev"},
	{"VM-04", "Vulnerability Management", "Describe your patch management process, including timelines for critical patches.", "vul-patching", "holdout"},
	{"VM-05", "Vulnerability Management", "Is anti-virus/anti-malware software installed and kept current on all servers and endpoints?", "vul-malware", "dev"},
	{"VM-06", "Vulnerability Management", "What are your remediation timeframes for vulnerabilities rated critical or high?", "vul-remediation-sla", "holdout"},
	{"VM-07", "Vulnerability Management", "Do you perform software composition analysis on open-source libraries used in the product?", "vul-dependencies", "dev"},

	{"NW-01", "Network Security", "Are firewalls configured to deny all traffic by default?", "net-firewall", "holdout"},
	{"NW-02", "Network Security", "Is the production network that stores ePHI isolated from the corporate network?", "net-segmentation", "dev"},
	{"NW-03", "Network Security", "Is the web application protected by a WAF?", "net-waf-ddos", "holdout"},
	{"NW-04", "Network Security", "Are company laptops and mobile phones enrolled in a mobile device management solution?", "net-mdm|enc-mobile", "dev"},
	{"NW-05", "Network Security", "Describe controls restricting the use of USB storage devices.", "net-removable-media", "holdout"},

	{"SD-01", "Application Development", "Does the vendor follow a documented secure software development lifecycle (SDLC)?", "dev-sdlc", "dev"},
	{"SD-02", "Application Development", "Are all source code changes reviewed by a second developer prior to deployment?", "dev-code-review", "holdout"},
	{"SD-03", "Application Development", "Is production data containing PHI ever copied into test or development environments?", "dev-test-data", "dev"},
	{"SD-04", "Application Development", "Describe the change control process for deploying updates to production.", "dev-change-management", "holdout"},
	{"SD-05", "Application Development", "Are development, test and production environments physically or logically separated?", "dev-environments", "dev"},
	{"SD-06", "Application Development", "Is static application security testing (SAST) performed on code?", "dev-sast", "holdout"},
	{"SD-07", "Application Development", "Will the Hospital be notified in advance of major product changes or upgrades?", "dev-customer-notice-changes", "dev"},

	{"IR-01", "Incident Response", "Does the vendor maintain a written incident response plan? Please attach.", "inc-plan", "holdout"},
	{"IR-02", "Incident Response", "How frequently is the incident response plan tested (e.g., tabletop exercises)?", "inc-test", "dev"},
	{"IR-03", "Incident Response", "In the event of a breach of Hospital PHI, within how many hours/days will the vendor notify the Hospital?", "inc-customer-notification", "holdout"},
	{"IR-04", "Incident Response", "Has the vendor experienced a data breach involving PHI in the last 36 months? If yes, describe.", "inc-breach-history", "dev"},
	{"IR-05", "Incident Response", "Is a root cause analysis documented after a security incident?", "inc-post-review", "holdout"},
	{"IR-06", "Incident Response", "Describe how the vendor determines whether a security incident constitutes a reportable breach under HIPAA.", "inc-breach-assessment", "dev"},
	{"IR-07", "Incident Response", "What measures are in place to protect against and recover from a ransomware attack?", "inc-ransomware", "holdout"},

	{"BC-01", "Business Continuity", "Are system backups performed daily? How long are backups retained?", "bcp-backup-frequency", "dev"},
	{"BC-02", "Business Continuity", "Are backup restoration tests performed at least annually?", "bcp-restore-test", "holdout"},
	{"BC-03", "Business Continuity", "Does the vendor have a documented disaster recovery/business continuity plan?", "bcp-plan", "dev"},
	{"BC-04", "Business Continuity", "State the Recovery Time Objective (RTO) and Recovery Point Objective (RPO) for the service.", "bcp-rto-rpo", "holdout"},
	{"BC-05", "Business Continuity", "Is the DR plan exercised annually?", "bcp-dr-test", "dev"},
	{"BC-06", "Business Continuity", "Is the hosted application deployed across geographically separate data centers?", "bcp-redundancy", "holdout"},
	{"BC-07", "Business Continuity", "What is the guaranteed availability percentage in your service level agreement?", "bcp-uptime-sla", "dev"},

	{"TP-01", "Third-Party Management", "Provide a list of all subcontractors who will store, process or access Hospital PHI.", "ven-subprocessors", "holdout"},
	{"TP-02", "Third-Party Management", "Does the vendor execute Business Associate Agreements with its downstream subcontractors?", "ven-baa-subcontractors|ven-flowdown", "dev"},
	{"TP-03", "Third-Party Management", "Is the vendor willing to sign the Hospital's Business Associate Agreement?", "ven-sign-baa", "holdout"},
	{"TP-04", "Third-Party Management", "Describe how the vendor evaluates the security posture of its own suppliers before engagement.", "ven-due-diligence", "dev"},
	{"TP-05", "Third-Party Management", "Will any Hospital data be stored or accessed by personnel located outside the United States?", "ven-offshore", "holdout"},
	{"TP-06", "Third-Party Management", "Which cloud service provider hosts the solution, and do you review its SOC reports?", "ven-cloud-provider", "dev"},

	{"DR-01", "Data Retention & Disposal", "Upon termination of the contract, how will Hospital data be returned or destroyed?", "ret-contract-end", "holdout"},
	{"DR-02", "Data Retention & Disposal", "Will the vendor provide a certificate of destruction for Hospital data?", "ret-deletion-certificate", "dev"},
	{"DR-03", "Data Retention & Disposal", "Describe the methods used to sanitize hard drives and media before disposal (e.g., NIST 800-88).", "ret-media-disposal", "holdout"},
	{"DR-04", "Data Retention & Disposal", "Does the vendor have a data classification scheme?", "ret-classification", "dev"},
	{"DR-05", "Data Retention & Disposal", "Does the vendor maintain a current data flow diagram for Hospital PHI?", "ret-data-flow", "holdout"},
	{"DR-06", "Data Retention & Disposal", "Is there a documented data retention schedule?", "ret-policy", "dev"},

	{"PS-01", "Physical Security", "Are the vendor's office facilities protected by badge access controls?", "phy-facility-access", "holdout"},
	{"PS-02", "Physical Security", "Describe physical security controls at the data center hosting Hospital data.", "phy-datacenter", "dev"},
	{"PS-03", "Physical Security", "Are visitors required to sign a visitor log and be escorted?", "phy-visitors", "holdout"},

	{"PR-01", "Privacy", "Does the vendor limit its use of Hospital PHI to the minimum necessary to perform the services?", "prv-minimum-necessary", "dev"},
	{"PR-02", "Privacy", "Will the vendor use de-identified Hospital data for any purpose (e.g., analytics, benchmarking)?", "prv-deidentification", "holdout"},
	{"PR-03", "Privacy", "Can the vendor support patient right-of-access requests under HIPAA?", "prv-individual-rights", "dev"},
	{"PR-04", "Privacy", "Does the vendor sell or otherwise monetize patient data?", "prv-marketing", "holdout"},

	{"AI-01", "Artificial Intelligence", "Does the solution incorporate artificial intelligence or machine learning that processes patient data?", "ai-use", "dev"},
	{"AI-02", "Artificial Intelligence", "Will Hospital data be used to train or improve the vendor's AI models?", "ai-training-on-data", "holdout"},
	{"AI-03", "Artificial Intelligence", "If a large language model provider is used, has it signed a BAA and agreed to zero data retention?", "ai-vendor-baa", "dev"},
	{"AI-04", "Artificial Intelligence", "Are clinicians required to review AI-generated recommendations before acting on them?", "ai-human-review", "holdout"},
	{"AI-05", "Artificial Intelligence", "Does the vendor have an internal policy on employees' use of generative AI tools such as ChatGPT?", "ai-governance", "dev"},

	// Rows no bank question answers: the right outcome is no match.
	{"CO-01", "Company Profile", "Provide the vendor's legal name, headquarters address and year founded.", "-", "dev"},
	{"CO-02", "Company Profile", "How many full-time employees does the vendor have?", "-", "holdout"},
	{"CO-03", "Company Profile", "List three healthcare customer references of similar size.", "-", "dev"},
	{"AX-01", "Accessibility", "Does the product conform to WCAG 2.1 AA accessibility guidelines? Provide a VPAT.", "-", "dev"},
	{"AX-02", "Licensing", "Is the software licensed per user, per site or enterprise-wide?", "-", "holdout"},
	{"IN-01", "Interoperability", "Does the product support bidirectional integration with Epic via HL7 v2 ADT messages?", "-", "holdout"},
}

// items2 is a second hospital's questionnaire (lakeshore-university.xlsx,
// another layout), written after the matcher was frozen and scored once:
// the set "holdout2".
var items2 = []item{
	{"LU-01", "Governance", "Does the Supplier employ a full-time Chief Information Security Officer or equivalent?", "gov-security-officer", "holdout2"},
	{"LU-02", "Governance", "Provide evidence that information security policies are approved by executive management and communicated to staff.", "gov-security-program|gov-policy-acknowledgment", "holdout2"},
	{"LU-03", "Governance", "Is a documented, enterprise-wide risk assessment refreshed on a yearly basis?", "gov-risk-assessment", "holdout2"},
	{"LU-04", "Personnel", "Do contracted personnel undergo pre-employment screening commensurate with their access?", "hr-background-checks", "holdout2"},
	{"LU-05", "Personnel", "Are supplier staff required to complete recurring privacy and security education?", "hr-security-training|hr-hipaa-training", "holdout2"},
	{"LU-06", "Personnel", "Describe how user accounts are deprovisioned upon separation of employment.", "hr-termination", "holdout2"},
	{"LU-07", "Identity", "Does the solution enforce multifactor authentication for administrative consoles?", "acc-mfa-admin", "holdout2"},
	{"LU-08", "Identity", "Are individual user credentials required, with no group logins?", "acc-unique-ids", "holdout2"},
	{"LU-09", "Identity", "Is there a periodic recertification of privileged and standard user access?", "acc-review", "holdout2"},
	{"LU-10", "Identity", "Indicate whether idle sessions are terminated automatically.", "acc-session-timeout", "holdout2"},
	{"LU-11", "Identity", "How are service account credentials and API secrets protected?", "acc-secrets", "holdout2"},
	{"LU-12", "Cryptography", "Is Institution data encrypted at rest using AES-256 or stronger?", "enc-at-rest", "holdout2"},
	{"LU-13", "Cryptography", "Are data transmissions between the Institution and the Supplier protected with TLS 1.2+?", "enc-in-transit|enc-tls-version", "holdout2"},
	{"LU-14", "Cryptography", "Who has custody of the encryption keys and how often are they rotated?", "enc-key-management", "holdout2"},
	{"LU-15", "Cryptography", "Are end-user workstations protected with whole-disk encryption?", "enc-laptops", "holdout2"},
	{"LU-16", "Monitoring", "Are user and administrator activities recorded in tamper-evident logs?", "log-audit-logging|log-tamper", "holdout2"},
	{"LU-17", "Monitoring", "Does the Supplier operate a security operations center with round-the-clock alerting?", "log-siem", "holdout2"},
	{"LU-18", "Monitoring", "Are configuration baselines (e.g., CIS benchmarks) applied to servers?", "log-config-monitoring", "holdout2"},
	{"LU-19", "Vulnerability", "Describe the frequency of authenticated vulnerability scanning of the hosting environment.", "vul-scanning", "holdout2"},
	{"LU-20", "Vulnerability", "Is an external penetration test of the application conducted yearly by a qualified firm?", "vul-pentest", "holdout2"},
	{"LU-21", "Vulnerability", "Are operating system security patches applied within defined timeframes?", "vul-patching", "holdout2"},
	{"LU-22", "Vulnerability", "Does the Supplier have a responsible disclosure or bug bounty program?", "vul-disclosure", "holdout2"},
	{"LU-23", "Network", "Is the hosting network segmented so that systems with ePHI are isolated?", "net-segmentation", "holdout2"},
	{"LU-24", "Network", "Is administrative access to production restricted to a VPN or bastion host?", "net-remote-admin", "holdout2"},
	{"LU-25", "Development", "Are code changes peer reviewed and approved before release?", "dev-code-review", "holdout2"},
	{"LU-26", "Development", "Is threat modeling performed during the design of new functionality?", "dev-threat-modeling", "holdout2"},
	{"LU-27", "Development", "Are production changes tracked through a formal change control procedure with approvals?", "dev-change-management", "holdout2"},
	{"LU-28", "Incidents", "Does the Supplier have a written plan for responding to cybersecurity incidents?", "inc-plan", "holdout2"},
	{"LU-29", "Incidents", "What is the Supplier's contractual timeframe for notifying the Institution of a confirmed breach?", "inc-customer-notification", "holdout2"},
	{"LU-30", "Incidents", "Are lessons learned documented following security incidents?", "inc-post-review", "holdout2"},
	{"LU-31", "Continuity", "Are backups stored offsite or in a separate cloud region?", "bcp-offsite", "holdout2"},
	{"LU-32", "Continuity", "Is a business continuity plan maintained and tested annually?", "bcp-plan|bcp-dr-test", "holdout2"},
	{"LU-33", "Continuity", "Does the hosting architecture provide failover across availability zones?", "bcp-redundancy", "holdout2"},
	{"LU-34", "Third parties", "Does the Supplier review the SOC reports of its critical subservice organizations annually?", "ven-review|ven-cloud-provider", "holdout2"},
	{"LU-35", "Third parties", "Will the Supplier disclose all fourth parties with access to Institution data?", "ven-subprocessors", "holdout2"},
	{"LU-36", "Data lifecycle", "Will Institution data be securely deleted at the end of the engagement, with written certification?", "ret-contract-end|ret-deletion-certificate", "holdout2"},
	{"LU-37", "Data lifecycle", "Are decommissioned hard drives sanitized per NIST SP 800-88?", "ret-media-disposal", "holdout2"},
	{"LU-38", "Physical", "Is access to the Supplier's facilities controlled by badge readers and visitor logs?", "phy-facility-access|phy-visitors", "holdout2"},
	{"LU-39", "Privacy", "Does the Supplier restrict access to PHI to the minimum necessary for each job function?", "prv-minimum-necessary|acc-least-privilege", "holdout2"},
	{"LU-40", "Privacy", "Does the Supplier have a documented process to respond to patient requests for amendment of records?", "prv-individual-rights", "holdout2"},
	{"LU-41", "AI", "Will generative AI or large language models be used on Institution data, and under what safeguards?", "ai-use", "holdout2"},
	{"LU-42", "Risk transfer", "Describe the Supplier's insurance coverage for cyber incidents.", "gov-cyber-insurance", "holdout2"},
	{"LU-43", "Deployment", "Does the Supplier's product support single-tenant on-premises installation?", "-", "holdout2"},
	{"LU-44", "Vendor profile", "Provide the Supplier's D-U-N-S number and tax identification number.", "-", "holdout2"},
	{"LU-45", "Compatibility", "What browsers and versions are supported by the application?", "-", "holdout2"},
}

// items3 is a third questionnaire (riverside-health-network.csv, a CSV),
// written after the matcher was tuned on the 150 rows above and scored
// once: the set "holdout3".
var items3 = []item{
	{"RH-01", "Governance", "Name the executive who owns cybersecurity risk at your company and describe their reporting line.", "gov-security-officer|gov-roles-responsibilities", "holdout3"},
	{"RH-02", "Governance", "Are your security and privacy policies re-examined at least once every 12 months?", "gov-policy-review", "holdout3"},
	{"RH-03", "Governance", "Do you conduct a yearly HIPAA risk analysis covering all systems that touch ePHI?", "gov-risk-assessment", "holdout3"},
	{"RH-04", "Governance", "Is there a formal process to track remediation of identified risks to completion?", "gov-risk-treatment|vul-deficiency-tracking", "holdout3"},
	{"RH-05", "Workforce", "Are new employees required to acknowledge the information security policy before receiving system access?", "gov-policy-acknowledgment|hr-onboarding", "holdout3"},
	{"RH-06", "Workforce", "Do all workforce members complete annual HIPAA training?", "hr-hipaa-training|hr-security-training", "holdout3"},
	{"RH-07", "Workforce", "Are employees screened (criminal history, references) prior to hire?", "hr-background-checks", "holdout3"},
	{"RH-08", "Access", "Is remote access to the corporate network protected by two-factor authentication?", "acc-mfa-remote", "holdout3"},
	{"RH-09", "Access", "Does the vendor require MFA for all accounts with access to production data?", "acc-mfa-workforce", "holdout3"},
	{"RH-10", "Access", "What are the minimum password length and complexity rules?", "acc-password-policy", "holdout3"},
	{"RH-11", "Access", "Are user access rights reviewed at least quarterly by system owners?", "acc-review", "holdout3"},
	{"RH-12", "Access", "Is privileged access granted on a just-in-time basis and logged?", "acc-privileged", "holdout3"},
	{"RH-13", "Access", "Are accounts automatically locked after five failed sign-in attempts?", "acc-lockout", "holdout3"},
	{"RH-14", "Access", "Is customer data logically separated in a multi-tenant environment?", "acc-tenant-isolation", "holdout3"},
	{"RH-15", "Encryption", "Describe encryption applied to PHI stored in databases, file stores and backups.", "enc-at-rest|enc-backups", "holdout3"},
	{"RH-16", "Encryption", "Is PHI encrypted during transmission over public networks?", "enc-in-transit", "holdout3"},
	{"RH-17", "Encryption", "Are cryptographic keys managed using a hardware security module or cloud KMS?", "enc-key-management", "holdout3"},
	{"RH-18", "Encryption", "Are laptops encrypted so that a lost device does not expose PHI?", "enc-laptops", "holdout3"},
	{"RH-19", "Encryption", "Is outbound email containing PHI automatically encrypted?", "enc-email", "holdout3"},
	{"RH-20", "Logging", "Are audit logs retained for at least six years?", "log-retention", "holdout3"},
	{"RH-21", "Logging", "Are security events monitored 24/7 by a SOC or MDR provider?", "log-siem", "holdout3"},
	{"RH-22", "Logging", "Is network traffic inspected by an intrusion prevention system?", "log-intrusion-detection", "holdout3"},
	{"RH-23", "Vulnerabilities", "Are vulnerability scans run at least monthly against internet-facing systems?", "vul-scanning", "holdout3"},
	{"RH-24", "Vulnerabilities", "Has a third-party penetration test been completed in the last year, and were high findings remediated?", "vul-pentest", "holdout3"},
	{"RH-25", "Vulnerabilities", "Is endpoint detection and response (EDR) deployed on all servers and workstations?", "vul-malware", "holdout3"},
	{"RH-26", "Vulnerabilities", "Are open-source dependencies scanned for known CVEs?", "vul-dependencies", "holdout3"},
	{"RH-27", "Network", "Are web applications protected by a web application firewall?", "net-waf-ddos", "holdout3"},
	{"RH-28", "Network", "Are firewall rule sets reviewed at least semi-annually?", "net-firewall", "holdout3"},
	{"RH-29", "Network", "Are company mobile devices managed with remote wipe capability?", "net-mdm|enc-mobile", "holdout3"},
	{"RH-30", "Development", "Is secure coding guidance (e.g., OWASP Top 10) part of your development process?", "dev-sdlc|vul-web-app-testing", "holdout3"},
	{"RH-31", "Development", "Are test and development environments free of production PHI?", "dev-test-data", "holdout3"},
	{"RH-32", "Development", "Are emergency changes reviewed after implementation?", "dev-change-management", "holdout3"},
	{"RH-33", "Incidents", "Describe your incident response process, including escalation and communication.", "inc-plan", "holdout3"},
	{"RH-34", "Incidents", "Will you notify our organization within 5 business days of discovering a breach of our PHI?", "inc-customer-notification", "holdout3"},
	{"RH-35", "Incidents", "Are security incidents reported by staff logged and investigated?", "inc-log|inc-reporting", "holdout3"},
	{"RH-36", "Continuity", "What are your RTO and RPO for the hosted service?", "bcp-rto-rpo", "holdout3"},
	{"RH-37", "Continuity", "Are backups tested by performing restores on a regular schedule?", "bcp-restore-test", "holdout3"},
	{"RH-38", "Continuity", "Is your disaster recovery plan exercised at least once a year?", "bcp-dr-test", "holdout3"},
	{"RH-39", "Vendors", "Do you perform security due diligence before onboarding a new vendor that will handle PHI?", "ven-due-diligence", "holdout3"},
	{"RH-40", "Vendors", "Do you have signed BAAs with every subcontractor that handles our PHI?", "ven-baa-subcontractors|ven-flowdown", "holdout3"},
	{"RH-41", "Data", "Where geographically will our data be hosted?", "ret-data-location|ven-offshore", "holdout3"},
	{"RH-42", "Data", "How is PHI disposed of at the end of its retention period?", "ret-policy|ret-media-disposal", "holdout3"},
	{"RH-43", "Physical", "Are data center facilities protected with biometric access and 24x7 guards?", "phy-datacenter", "holdout3"},
	{"RH-44", "Privacy", "Do you sell or share our patients' data with third parties for marketing?", "prv-marketing", "holdout3"},
	{"RH-45", "AI", "Do you use AI tools that process our PHI, and have those AI vendors signed BAAs?", "ai-vendor-baa|ai-use", "holdout3"},
	{"RH-46", "Certification", "Is the product certified under ONC Health IT certification criteria?", "-", "holdout3"},
	{"RH-47", "Financial", "Provide three years of audited financial statements.", "-", "holdout3"},
	{"RH-48", "Support", "Does your support desk operate in Spanish?", "-", "holdout3"},
}

func main() {
	dir := flag.String("dir", "bench/questionnaire", "where to write mercy-regional.xlsx and key.csv")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "questionnaire:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	f, err := workbook()
	if err != nil {
		return err
	}
	if err := f.SaveAs(filepath.Join(dir, "mercy-regional.xlsx")); err != nil {
		return err
	}
	f2, err := workbook2()
	if err != nil {
		return err
	}
	if err := f2.SaveAs(filepath.Join(dir, "lakeshore-university.xlsx")); err != nil {
		return err
	}
	if err := writeCSV3(filepath.Join(dir, "riverside-health-network.csv")); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(dir, "key.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.Write([]string{"ref", "set", "expected"})
	for _, it := range append(append(append([]item{}, items...), items2...), items3...) {
		w.Write([]string{it.ref, it.set, it.want})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return out.Close()
}

// workbook lays the questions out as a hospital would: a merged title, a
// note, a styled header in row 4, the questions from row 5 grouped by
// domain, a Yes/No/Partial/N/A drop-down on the response column, a column
// for the hospital's reviewer, frozen panes, and an instructions sheet.
func workbook() (*excelize.File, error) {
	f := excelize.NewFile()
	const s = "Vendor Assessment"
	if err := f.SetSheetName("Sheet1", s); err != nil {
		return nil, err
	}
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "Mercy Regional Health - Vendor Risk", Title: "Third-Party Security Assessment",
		Created: created.Format(time.RFC3339), Modified: created.Format(time.RFC3339)}); err != nil {
		return nil, err
	}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}})
	note, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	border := []excelize.Border{{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1}}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3864"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	body, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	answer, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EAF1DD"}}})
	internal, _ := f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Color: "7F7F7F"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}})

	set := func(cell string, v any, style int) {
		f.SetCellValue(s, cell, v)
		if style != 0 {
			f.SetCellStyle(s, cell, cell, style)
		}
	}
	set("A1", "Mercy Regional Health — Third-Party Security Assessment", title)
	f.MergeCell(s, "A1", "F1")
	set("A2", "Answer every question in the Vendor Response column and explain in Additional Comments. Grey columns are for Mercy Regional use only.", note)
	f.MergeCell(s, "A2", "F2")
	for i, h := range []string{"Ref #", "Domain", "Question", "Vendor Response", "Additional Comments", "Hospital Use Only"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 4)
		set(cell, h, head)
	}
	for i, w := range []float64{9, 22, 70, 16, 60, 22} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(s, col, col, w)
	}
	f.SetRowHeight(s, 1, 24)
	row := 5
	for i, it := range items {
		f.SetCellValue(s, fmt.Sprintf("A%d", row), it.ref)
		f.SetCellValue(s, fmt.Sprintf("B%d", row), it.domain)
		f.SetCellValue(s, fmt.Sprintf("C%d", row), it.text)
		f.SetCellStyle(s, fmt.Sprintf("A%d", row), fmt.Sprintf("C%d", row), body)
		f.SetCellStyle(s, fmt.Sprintf("D%d", row), fmt.Sprintf("E%d", row), answer)
		f.SetCellStyle(s, fmt.Sprintf("F%d", row), fmt.Sprintf("F%d", row), internal)
		if i%10 == 0 {
			f.SetCellValue(s, fmt.Sprintf("F%d", row), "Reviewer: ______")
		}
		row++
	}
	last := row - 1
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("D5:D%d", last)
	if err := dv.SetDropList([]string{"Yes", "No", "Partial", "N/A"}); err != nil {
		return nil, err
	}
	if err := f.AddDataValidation(s, dv); err != nil {
		return nil, err
	}
	if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "Questions", RefersTo: fmt.Sprintf("'%s'!$C$5:$C$%d", s, last)}); err != nil {
		return nil, err
	}

	const ins = "Instructions"
	if _, err := f.NewSheet(ins); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	lines := []string{
		"How to complete this assessment",
		"1. Answer every question on the Vendor Assessment sheet. Choose Yes, No, Partial or N/A in the Vendor Response column.",
		"2. Explain each answer in Additional Comments. Answers of Partial or No require a remediation date.",
		"3. Attach supporting documents (SOC 2 report, penetration test summary, policies) when you return the assessment.",
		"4. Do not change the layout, the Ref # column or the Hospital Use Only column.",
		"Return the completed workbook to vendor-risk@mercy-regional.example within 30 days.",
	}
	for i, l := range lines {
		f.SetCellValue(ins, fmt.Sprintf("A%d", i+1), l)
	}
	f.SetCellStyle(ins, "A1", "A1", bold)
	f.SetColWidth(ins, "A", "A", 110)
	f.SetActiveSheet(0)
	return f, nil
}

// workbook2 is another layout: the header in row 1, a numbered column, a
// response column headed "Supplier Response (Y/N/NA)", explanations
// beside it, and a cover sheet first.
func workbook2() (*excelize.File, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Cover"); err != nil {
		return nil, err
	}
	f.SetCellValue("Cover", "A1", "Lakeshore University Health — Supplier Information Security Review")
	f.SetCellValue("Cover", "A3", "Supplier name:")
	f.SetCellValue("Cover", "A4", "Completed by:")
	const s = "Requirements"
	if _, err := f.NewSheet(s); err != nil {
		return nil, err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C6E0B4"}}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	for i, h := range []string{"No.", "Control Area", "Requirement", "Supplier Response (Y/N/NA)", "Supplier Explanation"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(s, cell, h)
		f.SetCellStyle(s, cell, cell, head)
	}
	for i, it := range items2 {
		r := i + 2
		f.SetCellValue(s, fmt.Sprintf("A%d", r), it.ref)
		f.SetCellValue(s, fmt.Sprintf("B%d", r), it.domain)
		f.SetCellValue(s, fmt.Sprintf("C%d", r), it.text)
		f.SetCellStyle(s, fmt.Sprintf("C%d", r), fmt.Sprintf("C%d", r), wrap)
	}
	f.SetColWidth(s, "C", "C", 80)
	f.SetColWidth(s, "E", "E", 60)
	f.SetActiveSheet(1)
	return f, nil
}

// writeCSV3 writes the third questionnaire as a CSV.
func writeCSV3(name string) error {
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.Write([]string{"Control ID", "Category", "Question Text", "Response", "Notes"})
	for _, it := range items3 {
		w.Write([]string{it.ref, it.domain, it.text, "", ""})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return out.Close()
}
