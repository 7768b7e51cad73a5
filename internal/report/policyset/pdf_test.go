package policyset

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/text/unicode/norm"

	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/workspace"
)

var keep = flag.String("keep", "", "write the policy set PDF and its page images to this directory, to look at")

const demoDir = "../../../examples/acme-health"

// hostile is a policy written to break a layout: words longer than a
// line or a column, a wide table, nested lists, code, a quote, letters
// outside the PDF fonts' code page, and raw HTML that must not appear.
const hostile = `# Long words and wide tables

Acme Health. This policy tests the layout: https://intranet.acme-health.example/policies/security/very/long/path/to/the/document/that/goes/on?version=2&lang=en
and Pneumonoultramicroscopicsilicovolcanoconiosisisaverylongwordindeedthatgoesonandonandonwithoutanyplacetobreakitatall, then dana.kim.privacy-and-security-officer@acme-health-holdings.example.

<script>alert("xss")</script>

Zażółć gęślą jaźń → café, naïve, Øresund, 日本.

| System | Identifier | Owner | Retention | Encryption | Backups | Notes |
| --- | --- | --- | --- | --- | --- | --- |
| Patient API | r-analytics-reidentification-of-de-identified-datasets | raj@acme-health.example | six years from creation or last effective date | AES-256-GCM with keys in AWS KMS, rotated yearly | nightly, kept 35 days, restore tested quarterly | Supercalifragilisticexpialidociousandthensomemoreletters |
| Warehouse | wh | tom | 6y | yes | yes | short |

1. **First.** A numbered item whose text runs over more than one line so that the hanging indent shows where the text continues.
   - A nested bullet with ` + "`code-in-a-span-that-is-long`" + ` in it.
   - Another, with *emphasis* and a [link](https://example.org/a/b).
2. Second.

> A quoted paragraph, set in from the margin, also long enough to wrap onto a second line of the page.

` + "```" + `
a code block line that is much longer than the text column of an A4 page in Courier at this size, so it must wrap
second line
` + "```" + `

The end.
`

func demoSet(t *testing.T) (*workspace.Workspace, Report) {
	t.Helper()
	l, err := workspace.Load(demoDir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := l.Workspace
	ws.Policies = append(ws.Policies, workspace.Policy{ID: "layout-test", Title: "Long words and wide tables",
		Versions: []workspace.PolicyVersion{{Version: 1, File: "hostile.md", ApprovedBy: "dana@acme-health.example", ApprovedOn: date.MustParse("2026-09-01")}}})
	read := func(p *workspace.Policy, v workspace.PolicyVersion) (string, error) {
		if v.File == "hostile.md" {
			return hostile, nil
		}
		b, err := os.ReadFile(filepath.Join(l.Dir, filepath.FromSlash(v.File)))
		return string(b), err
	}
	r, err := Build(ws, date.MustParse("2026-11-23"), read)
	if err != nil {
		t.Fatal(err)
	}
	return ws, r
}

// 45 CFR 164.316(b)(2)(i): the version table gives each version in force
// its retention date; the earlier versions are kept with theirs.
func TestCFR164_316_BuildPolicySet(t *testing.T) {
	_, r := demoSet(t)
	if len(r.InForce) < 15 || len(r.Policies) != len(r.InForce) {
		t.Fatalf("%d in force, %d documents", len(r.InForce), len(r.Policies))
	}
	byID := map[string]Row{}
	for _, x := range r.InForce {
		byID[x.Policy] = x
		if x.RetainUntil.Before(r.AsOf.AddMonths(72)) {
			t.Errorf("%s v%d in force: retain until %s, want at least six years from %s", x.Policy, x.Version, x.RetainUntil, r.AsOf)
		}
	}
	if s := byID["sanctions"]; s.Version != 2 {
		t.Errorf("sanctions in force: %+v, want version 2", s)
	}
	if !byID["acceptable-use"].ReviewOverdue {
		t.Errorf("acceptable-use should be overdue for review: %+v", byID["acceptable-use"])
	}
	kept := false
	for _, x := range r.Kept {
		if x.Policy == "sanctions" && x.Version == 1 {
			kept = true
			if x.InEffectUntil.IsZero() || x.RetainUntil != x.InEffectUntil.AddMonths(72) {
				t.Errorf("sanctions v1: %+v, want retained six years from its last day in effect", x)
			}
		}
	}
	if !kept {
		t.Errorf("sanctions v1 is not among the versions kept: %+v", r.Kept)
	}
	approvals := 0
	for i, e := range r.Record {
		if i > 0 && e.On.Before(r.Record[i-1].On) {
			t.Errorf("record out of order at %d: %s after %s", i, e.On, r.Record[i-1].On)
		}
		if e.What == "approved" {
			approvals++
		}
	}
	if approvals < len(r.InForce)+1 {
		t.Errorf("%d approvals recorded, want every approved version", approvals)
	}
}

// The set as a PDF: the text reads in order, every policy's words are
// all there, no word is outside the text column or drawn over another,
// and every page renders to an image whose margins are empty.
func TestPolicySetPDF(t *testing.T) {
	_, r := demoSet(t)
	var buf bytes.Buffer
	if err := WritePDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if *keep != "" {
		dir = *keep
		os.MkdirAll(dir, 0o755)
	}
	in := filepath.Join(dir, "policies.pdf")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// The text, in the order it is drawn.
	out, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-raw", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	raw := string(out)
	want := []string{Title, "Acme Health", "The approved policy set as of 2026-11-23"}
	for i, s := range Sections {
		want = append(want, fmt.Sprintf("%d. %s", i+1, s))
	}
	for _, p := range r.Policies {
		want = append(want, p.Title)
	}
	inOrder(t, raw, want)
	for _, bad := range []string{"<script", "alert(", "xss"} {
		if strings.Contains(raw, bad) {
			t.Errorf("raw HTML reached the PDF: %q", bad)
		}
	}

	// Every policy's words, letter for letter, in order: nothing cut
	// off or lost at a line, column or page break.
	footer := regexp.MustCompile(`(?m)^.*policies and procedures as of 2026-11-23.*$|Page \d+ of \d+`)
	body := letters(footer.ReplaceAllString(raw, ""))
	for _, p := range r.Policies {
		exp := letters(expectedText(p.Text))
		if len(exp) < 40 {
			t.Errorf("%s: expected text too short: %q", p.Policy, exp)
			continue
		}
		if !strings.Contains(body, exp) {
			i := commonPrefix(body, exp)
			t.Errorf("%s: the PDF's text differs from the policy's after %q", p.Policy, exp[max(0, i-60):min(len(exp), i+20)])
		}
	}

	// Where each word is drawn.
	bbox, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-bbox", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	checkBoxes(t, string(bbox))

	info, err := exec.Command(browsertest.Poppler(t, "pdfinfo"), in).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info); m != nil {
		pages, _ = strconv.Atoi(string(m[1]))
	}
	if !strings.Contains(string(info), Title+" — Acme Health") || pages < len(r.Policies)+2 {
		t.Errorf("pdfinfo: %d pages\n%s", pages, info)
	}

	// Every page as an image: what a reviewer looks at.
	if out, err := exec.Command(browsertest.Poppler(t, "pdftoppm"), "-png", "-r", "40", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pngs) != pages {
		t.Fatalf("%d page images for %d pages", len(pngs), pages)
	}
	for _, p := range pngs {
		checkMargins(t, p)
	}
}

func inOrder(t *testing.T, text string, want []string) {
	t.Helper()
	at := 0
	for _, w := range want {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Errorf("%q missing or out of order", w)
			continue
		}
		at += i + len(w)
	}
}

// letters keeps a text's ASCII letters and digits, accents removed: what
// must survive layout whatever the line breaks and the fonts' code page.
func letters(s string) string {
	var b strings.Builder
	// ł has no decomposition: the PDF spells it l.
	s = strings.NewReplacer("ł", "l", "Ł", "L").Replace(s)
	for _, r := range norm.NFKD.String(s) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func commonPrefix(body, exp string) int {
	best := 0
	for n := 20; n <= len(exp); n += 10 {
		if !strings.Contains(body, exp[:n]) {
			break
		}
		best = n
	}
	return best
}

// expectedText is a policy's words as its Markdown says them, read from
// the syntax tree on its own: text, code, list numbers; not the first
// heading (the set prints the title) and not raw HTML.
func expectedText(src string) string {
	source := []byte(src)
	root := parser.Parse(text.NewReader(source))
	var b strings.Builder
	first := true
	ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if first && n.Level == 1 {
				first = false
				return ast.WalkSkipChildren, nil
			}
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			b.Write(n.Segment.Value(source))
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(source))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				b.Write(seg.Value(source))
			}
		case *ast.ListItem:
			if l := n.Parent().(*ast.List); l.IsOrdered() {
				i := l.Start
				for c := l.FirstChild(); c != n; c = c.NextSibling() {
					i++
				}
				b.WriteString(strconv.Itoa(i))
			}
		case *east.Table:
		}
		if n.Type() == ast.TypeBlock {
			first = false
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

var (
	pageRe = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

type box struct {
	x0, y0, x1, y1 float64
	w              string
}

// checkBoxes: every word inside the text column and above the page's
// foot, none drawn over another.
func checkBoxes(t *testing.T, html string) {
	t.Helper()
	const mm = 72 / 25.4
	pages := strings.Split(html, "<page ")[1:]
	if len(pages) == 0 {
		t.Fatal("pdftotext -bbox found no pages")
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	for i, pg := range pages {
		m := pageRe.FindStringSubmatch("<page " + pg)
		if m == nil {
			t.Fatalf("page %d: no size", i+1)
		}
		w, h := f(m[1]), f(m[2])
		var words []box
		for _, wm := range wordRe.FindAllStringSubmatch(pg, -1) {
			b := box{f(wm[1]), f(wm[2]), f(wm[3]), f(wm[4]), wm[5]}
			words = append(words, b)
			if b.x0 < margin*mm-0.5 || b.x1 > w-margin*mm+0.5 || b.y0 < top*mm-1 || b.y1 > h-6*mm {
				t.Errorf("page %d: %q at x %.1f..%.1f y %.1f..%.1f is outside the text column (%.1f..%.1f pt)", i+1, b.w, b.x0, b.x1, b.y0, b.y1, margin*mm, w-margin*mm)
			}
		}
		for a := range words {
			for c := a + 1; c < len(words); c++ {
				p, q := words[a], words[c]
				ox := min(p.x1, q.x1) - max(p.x0, q.x0)
				oy := min(p.y1, q.y1) - max(p.y0, q.y0)
				if ox > 0.8 && oy > 1.5 {
					t.Errorf("page %d: %q and %q are drawn over each other", i+1, p.w, q.w)
				}
			}
		}
	}
}

// checkMargins: nothing is drawn in a page image's outer margins (3 mm
// inside the margin the layout keeps).
func checkMargins(t *testing.T, path string) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	px := float64(b.Dx()) / pageW // pixels per millimetre
	edge := int((margin - 3) * px)
	foot := b.Max.Y - int(5*px)
	inked := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r < 0xf000 || g < 0xf000 || bl < 0xf000
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if (x < edge || x >= b.Max.X-edge || y >= foot) && inked(x, y) {
				t.Errorf("%s: ink at (%d, %d), in the margin", filepath.Base(path), x, y)
				return
			}
		}
	}
}

// render writes a set of one policy with the given text and returns the
// PDF's path.
func render(t *testing.T, text string) string {
	t.Helper()
	r := Report{Organization: "Acme Health", AsOf: date.MustParse("2026-11-23"),
		InForce:  []Row{{Policy: "p", Title: "P", Version: 1}},
		Policies: []Document{{Row: Row{Policy: "p", Title: "P", Version: 1}, Text: text}}}
	var buf bytes.Buffer
	if err := WritePDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A table cell longer than a page is split between its lines across
// pages (the header repeated), every word inside the column; a table of
// many columns and lists nested deeper than the page is wide stay inside
// it too.
func TestTallRowsWideTablesDeepLists(t *testing.T) {
	var long []string
	for i := 0; i < 900; i++ {
		long = append(long, fmt.Sprintf("word%d", i))
	}
	var cols, seps, cells []string
	for i := 0; i < 14; i++ {
		cols = append(cols, fmt.Sprintf("Column%d", i))
		seps = append(seps, "---")
		cells = append(cells, fmt.Sprintf("value-%d-with-some-length", i))
	}
	var deep strings.Builder
	for i := 0; i < 30; i++ {
		deep.WriteString(strings.Repeat("  ", i) + "- level " + strconv.Itoa(i) + " of a list nested far too deep for any page\n")
	}
	md := "# P\n\n| Item | Text |\n| --- | --- |\n| long | " + strings.Join(long, " ") + " |\n| short | end |\n\n" +
		"| " + strings.Join(cols, " | ") + " |\n| " + strings.Join(seps, " | ") + " |\n| " + strings.Join(cells, " | ") + " |\n\n" + deep.String()
	in := render(t, md)
	bbox, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-bbox", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	checkBoxes(t, string(bbox))
	out, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-raw", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(string(out)) {
		words[w] = true
	}
	for _, w := range long {
		if !words[w] {
			t.Errorf("%s is missing from the split row", w)
			break
		}
	}
	if n := strings.Count(string(out), "Item Text"); n < 2 {
		t.Errorf("the header of the split table appears %d times, want it again on the next page", n)
	}
	if !strings.Contains(string(out), "level 29") {
		t.Error("the deepest list item is missing")
	}
}

// The layout takes any Markdown: it ends, without a panic, whatever the
// text (seeds in testdata/fuzz/FuzzPolicyPDF and below).
func FuzzPolicyPDF(f *testing.F) {
	f.Add(hostile)
	f.Add("# T\n\n| a |\n| - |\n| " + strings.Repeat("W", 400) + " |\n")
	f.Add("> > > > > > > > > > > > > > > > > > > > quote\n\n```\n" + strings.Repeat("x", 3000) + "\n```\n")
	f.Add("|" + strings.Repeat(" a |", 60) + "\n|" + strings.Repeat(" - |", 60) + "\n|" + strings.Repeat(" WWW |", 60) + "\n")
	f.Add("1. a\n   1. b\n      1. c\n\n***\n\n![img](x.png) <b>raw</b> &amp; &#x1F600; \\* [l](javascript:alert(1))\n")
	f.Fuzz(func(t *testing.T, md string) {
		if len(md) > 20000 {
			return
		}
		r := Report{Organization: "O", AsOf: date.MustParse("2026-11-23"), Policies: []Document{{Row: Row{Policy: "p", Title: "P"}, Text: md}}}
		if err := WritePDF(io.Discard, r); err != nil {
			t.Fatal(err)
		}
	})
}
