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
	out, err := os.Create(filepath.Join(dir, "key.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.Write([]string{"ref", "set", "expected"})
	for _, it := range items {
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
