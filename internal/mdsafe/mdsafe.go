// Package mdsafe escapes text that goes into the Markdown ward writes
// (reports, the roadmap), so that a value someone typed, a system's name
// or a risk's owner, reads as the text it is in any Markdown viewer: raw
// HTML (<script>, <img onerror=...>) is written as entities, never passed
// through, and the Markdown syntax that could make a link, an image, code
// or a new table cell ([ ] ` | \) is escaped. Emphasis characters are
// left alone: at worst they make a word bold.
package mdsafe

import "strings"

var text = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "[", `\[`, "]", `\]`, "|", `\|`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// Text is s escaped for inline Markdown, on one line.
func Text(s string) string { return text.Replace(s) }

// Cell is Text for a table cell, "—" when empty.
func Cell(s string) string {
	if s == "" {
		return "—"
	}
	return Text(s)
}
