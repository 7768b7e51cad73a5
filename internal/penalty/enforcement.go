package penalty

import "ward/internal/date"

// Action is an OCR enforcement action shown as context: why an accurate
// and thorough risk analysis (164.308(a)(1)(ii)(A)) matters. Only facts
// that more than one public report agrees on are carried; HHS's own
// announcement pages were not retrieved when this was written, so each
// action lists the reports it rests on and should be checked against
// hhs.gov before it is quoted.
type Action struct {
	Announced   date.Date `json:"announced"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Amount      int64     `json:"amount"`      // US dollars paid to OCR
	Individuals int       `json:"individuals"` // approximate, as reported
	Sources     []string  `json:"sources"`
}

// Enforcement is the record the seeds cite, newest first.
var Enforcement = []Action{
	{
		Announced:   date.MustParse("2026-04-23"),
		Title:       "Four ransomware settlements (OCR Risk Analysis Initiative)",
		Summary:     "OCR resolved four separate ransomware investigations with resolution agreements and corrective action plans monitored for two years, for a combined $1,165,000; the breaches affected more than 427,000 individuals in total. In all four OCR found no accurate and thorough risk analysis (45 CFR 164.308(a)(1)(ii)(A)). The largest reported payment was $375,000 by Assured Imaging, for a breach of 244,813 individuals.",
		Amount:      1_165_000,
		Individuals: 427_000,
		Sources: []string{
			"https://datamatters.sidley.com/2026/06/01/risk-analysis-in-the-crosshairs-four-recent-ransomware-resolutions-preview-the-hipaa-security-rule-amendments/",
			"https://coalfire.com/the-coalfire-blog/ocrs-april-ransomware-settlements-a-risk-analysis-wake-up-call",
			"https://hipaapulse.com/ocr-reaches-four-ransomware-settlements-covering-more-than-427-000-affected-individuals-fde84f4f",
			"https://compliancehub.wiki/ocr-four-ransomware-settlements-hipaa-risk-analysis-security-rule-2026/",
			"https://tbh.technology/?p=3995",
		},
	},
	{
		Announced:   date.MustParse("2026-03-05"),
		Title:       "MMG Fusion, LLC (dental practice software; a business associate)",
		Summary:     "A 2020 cyber-attack exposed the PHI of about 15 million individuals, later posted on the dark web. OCR found potential failures to conduct an accurate and thorough risk analysis (164.308(a)(1)(ii)(A)) and to notify the affected covered entities (164.410), and an impermissible disclosure. Settled for $10,000 and a corrective action plan; OCR took the company's financial condition into account.",
		Amount:      10_000,
		Individuals: 15_000_000,
		Sources: []string{
			"https://www.imtr.net/article/hhs-office-for-civil-rights-settles-hipaa-investigation-of-mmg-fusion-llc-5453",
			"https://compliancejournal.news/mmg-fusion-hipaa-settlement-15-million-patients-2026/",
			"https://app.getleaktrace.com/blog/mmg-fusion-settlement-us-dental-practices/",
		},
	},
}
