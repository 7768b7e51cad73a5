package penalty

import (
	"fmt"
	"io"
)

// CriminalSource is the statute; criminal cases are brought by the
// Department of Justice, not OCR, and the amounts are not inflation-adjusted.
const CriminalSource = "42 U.S.C. 1320d-6(b)"

// CriminalPenalty is one paragraph of 42 U.S.C. 1320d-6(b): the most a
// person who knowingly obtains or discloses individually identifiable
// health information in violation of HIPAA may be fined or imprisoned.
type CriminalPenalty struct {
	Paragraph string `json:"paragraph"`
	Conduct   string `json:"conduct"`
	MaxFine   int64  `json:"max_fine"`
	MaxYears  int    `json:"max_years"`
}

// Criminal lists the three paragraphs, in the statute's order.
var Criminal = []CriminalPenalty{
	{"1320d-6(b)(1)", "knowingly obtaining or disclosing individually identifiable health information in violation of HIPAA", 50_000, 1},
	{"1320d-6(b)(2)", "the same, under false pretenses", 100_000, 5},
	{"1320d-6(b)(3)", "the same, with intent to sell, transfer or use the information for commercial advantage, personal gain or malicious harm", 250_000, 10},
}

// WriteCriminal prints the criminal penalties as text.
func WriteCriminal(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "Criminal penalties (%s; prosecuted by the Department of Justice; not inflation-adjusted):\n", CriminalSource); err != nil {
		return err
	}
	for _, c := range Criminal {
		years := fmt.Sprintf("%d years", c.MaxYears)
		if c.MaxYears == 1 {
			years = "1 year"
		}
		if _, err := fmt.Fprintf(w, "  %s: %s — fine up to %s, imprisonment up to %s, or both\n", c.Paragraph, c.Conduct, Dollars(c.MaxFine), years); err != nil {
			return err
		}
	}
	return nil
}
