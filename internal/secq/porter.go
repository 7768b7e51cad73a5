package secq

// stem is M. F. Porter's 1980 suffix-stripping algorithm ("An algorithm
// for suffix stripping", Program 14(3)), written from its published
// description for lower-case ASCII words. Stemming both the bank and a
// customer's question lets "encrypted", "encryption" and "encrypts" meet.
func stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w // numbers and mixed tokens stay as they are
		}
	}
	b := []byte(w)
	b = step1a(b)
	b = step1b(b)
	b = step1c(b)
	b = step2(b)
	b = step3(b)
	b = step4(b)
	b = step5(b)
	return string(b)
}

// cons reports whether b[i] is a consonant in Porter's sense: not a vowel,
// and y is a consonant only at the start or after a vowel.
func cons(b []byte, i int) bool {
	switch b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !cons(b, i-1)
	}
	return true
}

// measure is m in [C](VC)^m[V] of b.
func measure(b []byte) int {
	m, i, n := 0, 0, len(b)
	for i < n && cons(b, i) {
		i++
	}
	for i < n {
		for i < n && !cons(b, i) {
			i++
		}
		if i >= n {
			break
		}
		for i < n && cons(b, i) {
			i++
		}
		m++
	}
	return m
}

func hasVowel(b []byte) bool {
	for i := range b {
		if !cons(b, i) {
			return true
		}
	}
	return false
}

func doubleCons(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-1] == b[n-2] && cons(b, n-1)
}

// cvc: the stem ends consonant-vowel-consonant, the last not w, x or y.
func cvc(b []byte) bool {
	n := len(b)
	if n < 3 || !cons(b, n-1) || cons(b, n-2) || !cons(b, n-3) {
		return false
	}
	switch b[n-1] {
	case 'w', 'x', 'y':
		return false
	}
	return true
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// replace swaps suffix s for r when the stem before s has measure > min.
func replace(b []byte, s, r string, min int) ([]byte, bool) {
	if !hasSuffix(b, s) {
		return b, false
	}
	st := b[:len(b)-len(s)]
	if measure(st) > min {
		return append(st[:len(st):len(st)], r...), true
	}
	return b, true
}

func step1a(b []byte) []byte {
	switch {
	case hasSuffix(b, "sses"):
		return b[:len(b)-2]
	case hasSuffix(b, "ies"):
		return b[:len(b)-2]
	case hasSuffix(b, "ss"):
		return b
	case hasSuffix(b, "s"):
		return b[:len(b)-1]
	}
	return b
}

func step1b(b []byte) []byte {
	if hasSuffix(b, "eed") {
		if measure(b[:len(b)-3]) > 0 {
			return b[:len(b)-1]
		}
		return b
	}
	var st []byte
	switch {
	case hasSuffix(b, "ed") && hasVowel(b[:len(b)-2]):
		st = b[:len(b)-2]
	case hasSuffix(b, "ing") && hasVowel(b[:len(b)-3]):
		st = b[:len(b)-3]
	default:
		return b
	}
	st = st[:len(st):len(st)]
	switch {
	case hasSuffix(st, "at"), hasSuffix(st, "bl"), hasSuffix(st, "iz"):
		return append(st, 'e')
	case doubleCons(st):
		switch st[len(st)-1] {
		case 'l', 's', 'z':
			return st
		}
		return st[:len(st)-1]
	case measure(st) == 1 && cvc(st):
		return append(st, 'e')
	}
	return st
}

func step1c(b []byte) []byte {
	if hasSuffix(b, "y") && hasVowel(b[:len(b)-1]) {
		c := append([]byte{}, b...)
		c[len(c)-1] = 'i'
		return c
	}
	return b
}

var step2Rules = []struct{ s, r string }{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"},
	{"abli", "able"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"},
	{"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"},
	{"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"},
}

var step3Rules = []struct{ s, r string }{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

func rules(b []byte, rs []struct{ s, r string }) []byte {
	for _, rule := range rs {
		if out, matched := replace(b, rule.s, rule.r, 0); matched {
			return out
		}
	}
	return b
}

func step2(b []byte) []byte { return rules(b, step2Rules) }
func step3(b []byte) []byte { return rules(b, step3Rules) }

var step4Suffixes = []string{"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
	"ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"}

func step4(b []byte) []byte {
	// The longest matching suffix decides (ement before ment before ent).
	best := ""
	for _, s := range step4Suffixes {
		if hasSuffix(b, s) && len(s) > len(best) {
			best = s
		}
	}
	if best == "" {
		return b
	}
	st := b[:len(b)-len(best)]
	if measure(st) <= 1 {
		return b
	}
	if best == "ion" && !(hasSuffix(st, "s") || hasSuffix(st, "t")) {
		return b
	}
	return st
}

func step5(b []byte) []byte {
	if hasSuffix(b, "e") {
		st := b[:len(b)-1]
		if m := measure(st); m > 1 || (m == 1 && !cvc(st)) {
			b = st
		}
	}
	if measure(b) > 1 && doubleCons(b) && hasSuffix(b, "l") {
		b = b[:len(b)-1]
	}
	return b
}
