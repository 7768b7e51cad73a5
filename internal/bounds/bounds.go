// Package bounds holds the limits every value ward accepts must keep:
// the characters and length of an id, the length of names and free text,
// the number of items in a list, the range of numbers. The workspace
// files, the API, the web forms and the store all check against these
// same limits, so a value one accepts another never refuses, and nothing
// outside them is ever stored (a NUL byte that PostgreSQL cannot hold, a
// path separator that would escape a folder on export, a 100 MB
// description kept forever).
//
// It is pure: no I/O, no dependency on any other ward package.
package bounds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on sizes, in bytes of UTF-8 unless said otherwise.
const (
	// MaxID is the longest id (a system's, a vendor's, a risk's...).
	MaxID = 128
	// MaxEmail is the longest e-mail address (RFC 5321's path limit).
	MaxEmail = 254
	// MaxName is the longest one-line value: a name, a title, a file
	// name, a short field.
	MaxName = 500
	// MaxText is the longest free text: a description, a note, a
	// justification, an acceptance reason.
	MaxText = 100_000
	// MaxList is the most items one list field of one record holds (a
	// risk's controls, an incident's systems).
	MaxList = 1_000
	// MaxRecords is the most records one section of a workspace holds.
	MaxRecords = 100_000
	// MaxFileName is the longest uploaded file name kept (after
	// sanitising; longer names are cut, keeping the extension).
	MaxFileName = 120
)

// Observation months of a SOC 2 Type II period: at least one, at most
// two years (a first cycle is 3 to 6 months, 12 afterwards).
const (
	MinObservationMonths = 1
	MaxObservationMonths = 24
)

// MaxCount is the largest count of people or days ward accepts (the
// individuals affected by a breach, a notice period): larger than any
// real value, small enough that no sum overflows.
const MaxCount = 1_000_000_000

// ID checks an id: 1 to MaxID characters, each a letter or digit or one
// of . _ - : @ + (ids name records in URLs, file names and zip entries,
// so no spaces, slashes, backslashes, control characters or NUL), and
// not starting with a dot or dash (no hidden files, no flags), nor
// "." or "..".
func ID(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty")
	case len(s) > MaxID:
		return fmt.Errorf("is %d characters long; an id has at most %d", len(s), MaxID)
	case !utf8.ValidString(s):
		return fmt.Errorf("is not valid UTF-8")
	case s[0] == '.' || s[0] == '-':
		return fmt.Errorf("%q starts with %q; an id starts with a letter or digit", s, s[:1])
	}
	for _, r := range s {
		if !idRune(r) {
			return fmt.Errorf("%q has %s; an id has letters, digits and . _ - : @ + only", s, describe(r))
		}
	}
	return nil
}

func idRune(r rune) bool {
	switch r {
	case '.', '_', '-', ':', '@', '+':
		return true
	}
	return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// describe names a character for an error message.
func describe(r rune) string {
	switch {
	case r == 0:
		return "a NUL byte"
	case r == '/' || r == '\\':
		return fmt.Sprintf("a path separator (%q)", r)
	case r == ' ':
		return "a space"
	case unicode.IsControl(r):
		return fmt.Sprintf("a control character (U+%04X)", r)
	case r == utf8.RuneError:
		return "a byte that is not UTF-8"
	}
	return fmt.Sprintf("%q", r)
}

// Email checks an e-mail address: at most MaxEmail, one @ with text on
// both sides, no spaces or control characters.
func Email(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty")
	case len(s) > MaxEmail:
		return fmt.Errorf("is %d characters long; an e-mail address has at most %d", len(s), MaxEmail)
	case !utf8.ValidString(s):
		return fmt.Errorf("is not valid UTF-8")
	}
	for _, r := range s {
		if r == ' ' || unicode.IsControl(r) || r == '/' || r == '\\' {
			return fmt.Errorf("%q has %s, which no e-mail address has", s, describe(r))
		}
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return fmt.Errorf("%q is not an e-mail address", s)
	}
	return nil
}

// Line checks a one-line value (a name, a title): valid UTF-8, at most
// max bytes, no control characters (a line break included).
func Line(s string, max int) error {
	if err := text(s, max); err != nil {
		return err
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("has %s; a one-line value has none", describe(r))
		}
	}
	return nil
}

// Text checks free text: valid UTF-8, at most max bytes, no control
// characters other than line breaks and tabs.
func Text(s string, max int) error {
	if err := text(s, max); err != nil {
		return err
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fmt.Errorf("has %s", describe(r))
		}
	}
	return nil
}

func text(s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("is %s long; at most %s", size(len(s)), size(max))
	}
	if i := InvalidUTF8(s); i >= 0 {
		return fmt.Errorf("is not valid UTF-8 at byte %d", i)
	}
	return nil
}

// InvalidUTF8 is the offset of the first byte of s that is not valid
// UTF-8, or -1.
func InvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10_000:
		return fmt.Sprintf("%d KB", n/1000)
	}
	return fmt.Sprintf("%d characters", n)
}

// Clip shortens s to at most n bytes, on a character boundary.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// Segment makes s safe as one part of a path or a zip entry name: the
// characters of an id only (others become "-"), not starting with a dot or
// dash, at most MaxID bytes, never empty, "." or "..". When it had to
// change s, a short hash of s is added so that two different values stay
// different.
func Segment(s string) string {
	if ID(s) == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if idRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.TrimLeft(b.String(), ".-")
	sum := sha256.Sum256([]byte(s))
	tag := hex.EncodeToString(sum[:4])
	if out == "" {
		return "item-" + tag
	}
	return Clip(out, MaxID-len(tag)-1) + "-" + tag
}
