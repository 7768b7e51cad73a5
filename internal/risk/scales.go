package risk

// ScaleLevel is one written step of a scale.
type ScaleLevel struct {
	Value      int    `json:"value"`
	Word       string `json:"word"`
	Definition string `json:"definition"`
}

// LikelihoodScale is the written likelihood scale printed in the
// methodology: how likely it is that the threat exploits the vulnerability
// against this asset within the next 12 months, given the controls in place.
// Words follow NIST SP 800-30 Rev. 1 Table G-2 (very low … very high);
// definitions are ours, for a healthtech organization.
var LikelihoodScale = []ScaleLevel{
	{1, "Very low", "Not expected in the next 12 months; no known occurrence here or among comparable organizations; exploitation would need rare skill or conditions."},
	{2, "Low", "Could happen in the next 12 months but is unlikely; seen occasionally at comparable organizations; strong controls make it hard."},
	{3, "Moderate", "About as likely as not within 12 months; seen regularly in the sector; controls exist but have gaps."},
	{4, "High", "Likely within 12 months; a common attack or failure in healthcare (HHS 405(d) top threats) and controls are partial or untested."},
	{5, "Very high", "Expected within 12 months or already happening; trivially exploitable or has occurred here before with no new control."},
}

// ImpactScale is the written impact scale: the harm to the confidentiality,
// integrity or availability of ePHI and to patients and the organization if
// the event happens. The 500-individual line is the threshold of 45 CFR
// 164.408(b): a breach of 500 or more individuals is reported to HHS with
// the individuals' notices, within 60 days of discovery, not in the annual
// log; where more than 500 residents of one state are affected the media
// there is told too (164.406).
var ImpactScale = []ScaleLevel{
	{1, "Very low", "No ePHI exposed or altered; a service degraded for minutes with no effect on care or customers."},
	{2, "Low", "ePHI of a handful of individuals (fewer than 10) exposed to a workforce member or business associate without harm; outage under 4 hours; no notification likely."},
	{3, "Moderate", "ePHI of up to 100 individuals exposed or corrupted, a reportable breach; outage of a clinical or customer-facing service for up to one business day."},
	{4, "High", "ePHI of 101 to 499 individuals exposed, corrupted or lost; outage of a day or more delaying care; contract or regulatory consequences likely."},
	{5, "Very high", "Loss, exposure or corruption of ePHI of 500 or more individuals (HHS told within the 60 days, 164.408(b); the media too where more than 500 residents of a state, 164.406); multi-day outage of care; threat to the organization's survival."},
}
