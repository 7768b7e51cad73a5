package phimap

import "unicode"

// Box labels must end inside their box: a name longer than the box is cut
// with an ellipsis (the full name is in the box's <title>, shown on
// hover). The diagram carries no font metrics, so widths are estimated:
// Helvetica's advance widths for ASCII (the AFM's, in thousandths of an
// em), scaled up to cover the wider sans-serif fonts a viewer may
// substitute (DejaVu Sans, the Debian default, runs about 20% wider, and
// its bold about 30%). Overestimating cuts a little early; it never lets
// text run into the PHI badge or out of the box.
var asciiWidth = [95]uint16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
	278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
	667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
	722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
	278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
	556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
	556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
	334, 260, 334, 584, // { | } ~
}

// Scale factors over Helvetica regular for the fonts that may be used.
const (
	regularScale = 1.2
	boldScale    = 1.32
)

// runeWidth is a rune's estimated advance in ems, before scaling.
func runeWidth(r rune) float64 {
	switch {
	case r >= ' ' && r <= '~':
		return float64(asciiWidth[r-' ']) / 1000
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || (r >= 0xFF01 && r <= 0xFF60):
		return 1 // full width
	case unicode.Is(unicode.Mn, r):
		return 0 // combining marks
	}
	return 0.7
}

// textWidth estimates how many pixels s takes at size px.
func textWidth(s string, size float64, bold bool) float64 {
	scale := regularScale
	if bold {
		scale = boldScale
	}
	var em float64
	for _, r := range s {
		em += runeWidth(r)
	}
	return em * size * scale
}

// fit returns s, or its longest prefix that fits width px with an
// ellipsis after it. Trailing spaces before the ellipsis are dropped.
func fit(s string, width, size float64, bold bool) string {
	if textWidth(s, size, bold) <= width {
		return s
	}
	ell := textWidth("…", size, bold)
	rs := []rune(s)
	n := 0
	w := 0.0
	for n < len(rs) {
		rw := textWidth(string(rs[n]), size, bold)
		if w+rw+ell > width {
			break
		}
		w += rw
		n++
	}
	for n > 0 && rs[n-1] == ' ' {
		n--
	}
	return string(rs[:n]) + "…"
}
