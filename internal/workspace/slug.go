package workspace

import (
	"strings"
	"unicode"
)

// fold maps the accented Latin letters an organization name is likely to
// hold to their plain form, so "Clínica São José" becomes
// "clinica-sao-jose" rather than losing letters.
var fold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
}

// Slug turns an organization name into the lower-case kebab form used to
// name it in URLs and on the command line: "St. Mary's Clinic" →
// "st-marys-clinic". Apostrophes vanish rather than split a word; any
// other run of punctuation or space becomes one hyphen. A name with no
// letters or digits gives "".
func Slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '\'' || r == '’':
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case fold[r] != "":
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteString(fold[r])
		default:
			hyphen = true
		}
	}
	return b.String()
}

// validSlug reports whether s is already in Slug's form.
func validSlug(s string) bool { return s != "" && Slug(s) == s }
