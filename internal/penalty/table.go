// Package penalty answers "what could this cost us?" for HIPAA civil money
// penalties with sourced figures: the tiers of 42 U.S.C. 1320d-5(a) and
// 45 CFR 160.404(b), their inflation-adjusted amounts from 45 CFR 102.3 as
// an effective-dated table (each row with its Federal Register citation),
// HHS's 2019 enforcement-discretion annual caps shown apart as policy, the
// criminal penalties of 42 U.S.C. 1320d-6(b), and OCR enforcement actions
// as context.
//
// The figures are data, not arithmetic: each row is the amount HHS
// published, and a test checks every cell against the published figures.
// A new adjustment is a new row. Rules take the date as an argument and
// never read the clock. The package depends only on internal/date.
package penalty

import "ward/internal/date"

// Amounts is a minimum and a maximum in whole US dollars.
type Amounts struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// Row is one version of the HIPAA lines of the table in 45 CFR 102.3.
type Row struct {
	// Effective is the date from which HHS assesses these amounts.
	Effective date.Date
	// Source is the Federal Register citation of the rule that set them.
	Source   string
	Document string // FR document number
	URL      string
	// Multiplier is the cost-of-living multiplier applied to the previous
	// row (Federal Civil Penalties Inflation Adjustment Act of 1990, as
	// amended in 2015), as stated by the rule or reproduced from it.
	Multiplier string
	Note       string
	// Tiers[0] is tier 1 ... Tiers[3] is tier 4: per-violation amounts.
	Tiers [4]Amounts
	// Cap is the calendar-year maximum for all violations of an identical
	// provision; 102.3 prints it for every tier.
	Cap int64
}

// Table is the effective-dated history, oldest first. The adjusted amounts
// apply to penalties assessed on or after each row's effective date for
// violations occurring on or after November 2, 2015 (regulatory-facts.md, section 4).
//
// Rows between the 2016 catch-up adjustment and 2023 are not carried: ward
// cannot yet cite them, so a date before the first row is an error rather
// than a wrong figure. Re-check eCFR 45 CFR 102.3 before each release.
var Table = []Row{
	{
		Effective: date.MustParse("2023-10-06"),
		Source:    "88 FR 69531",
		Note:      "2023 annual inflation adjustment.",
		Tiers: [4]Amounts{
			{137, 68_928},
			{1_379, 68_928},
			{13_785, 68_928},
			{68_928, 2_067_813},
		},
		Cap: 2_067_813,
	},
	{
		Effective:  date.MustParse("2024-08-08"),
		Source:     "89 FR 64815",
		Document:   "2024-17466",
		URL:        "https://www.govinfo.gov/content/pkg/FR-2024-08-08/html/2024-17466.htm",
		Multiplier: "1.03241",
		Note:       "2024 annual inflation adjustment (RIN 0991-AC34).",
		Tiers: [4]Amounts{
			{141, 71_162},
			{1_424, 71_162},
			{14_232, 71_162},
			{71_162, 2_134_831},
		},
		Cap: 2_134_831,
	},
	{
		Effective:  date.MustParse("2026-01-28"),
		Source:     "91 FR 3665",
		Document:   "2026-01688",
		URL:        "https://www.govinfo.gov/content/pkg/FR-2026-01-28/html/2026-01688.htm",
		Multiplier: "1.02598",
		Note:       "The 2025 annual adjustment, published late and effective on publication (RIN 0991-AC38). A later 2026 adjustment is unverified.",
		Tiers: [4]Amounts{
			{145, 73_011},
			{1_461, 73_011},
			{14_602, 73_011},
			{73_011, 2_190_294},
		},
		Cap: 2_190_294,
	},
}

// Statutory is the unadjusted base of 42 U.S.C. 1320d-5(a) as amended by
// HITECH (section 13410(d)) and 45 CFR 160.404(b)(2), for violations on or
// after February 18, 2009: the figures every adjustment starts from.
var Statutory = Row{
	Effective: date.MustParse("2009-02-18"),
	Source:    "42 U.S.C. 1320d-5(a); 45 CFR 160.404(b)(2)",
	Note:      "Statutory amounts before inflation adjustment. Violations before February 18, 2009: $100 per violation, at most $25,000 per calendar year for identical violations (45 CFR 160.404(b)(1)).",
	Tiers: [4]Amounts{
		{100, 50_000},
		{1_000, 50_000},
		{10_000, 50_000},
		{50_000, 1_500_000},
	},
	Cap: 1_500_000,
}

// TierNames are the culpability tiers of 45 CFR 160.404(b)(2)(i)–(iv).
var TierNames = [4]string{
	"did not know and, by exercising reasonable diligence, would not have known",
	"reasonable cause and not willful neglect",
	"willful neglect, corrected within 30 days of when it was known or should have been known",
	"willful neglect, not corrected within 30 days",
}

// Discretion is HHS's 2019 Notification of Enforcement Discretion (84 FR
// 18151, April 30, 2019; FR Doc 2019-08530): it lowered the annual cap of
// tiers 1–3 to the amounts below (unadjusted 2019 figures) and left tier
// 4 at the regulation's calendar-year cap, which 45 CFR 102.3 adjusts
// each year (the 2019 notice's $1,500,000 for tier 4 was the unadjusted
// statutory cap, not a lowered one). It is enforcement policy, not
// codified law: the regulation's cap is the one in Table.
var Discretion = struct {
	Source string
	// Caps are the lowered annual caps of tiers 1, 2 and 3.
	Caps [3]int64
	Note string
	// Tier4Note explains why tier 4 shows the 102.3 cap.
	Tier4Note string
}{
	Source: "84 FR 18151",
	Caps:   [3]int64{25_000, 100_000, 250_000},
	Note: "Enforcement policy, not codified law: HHS's 2019 Notification of Enforcement Discretion (84 FR 18151) caps the annual total of tiers 1–3 below the regulation's cap, pending further rulemaking. " +
		"HHS said it applies these caps as adjusted for inflation, but the adjusted figures are not published in 45 CFR 102.3; ward shows the unadjusted 2019 amount and does not derive an adjusted one.",
	Tier4Note: "The 2019 Notification of Enforcement Discretion (84 FR 18151) lowered the annual caps of tiers 1–3 only: tier 4 keeps the calendar-year cap of 45 CFR 102.3 (160.404(b)(2)), shown here as adjusted for inflation by the row in effect.",
}
