package letter

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"time"
)

// The smallest WordprocessingML package Word, LibreOffice and Google
// Docs open: the content types, the package relationship, the document
// and its styles (ECMA-376 Part 1; Part 2 for the packaging).
const (
	docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`
	docxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	docxDocRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	docxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="22"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/><w:ind w:left="360" w:hanging="360"/></w:pPr></w:style></w:styles>`
	wNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
)

// DOCX writes the letter as a Word document: headings styled, list items
// as bulleted paragraphs, each placeholder highlighted in yellow and kept
// in [square brackets] so that it can be found and replaced.
func (l Letter) DOCX(w io.Writer) error {
	var doc bytes.Buffer
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	doc.WriteString(`<w:document xmlns:w="` + wNS + `"><w:body>`)
	for _, bl := range l.Blocks {
		doc.WriteString("<w:p>")
		switch bl.Kind {
		case Title:
			doc.WriteString(`<w:pPr><w:pStyle w:val="Title"/></w:pPr>`)
		case Heading:
			doc.WriteString(`<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>`)
		case Item:
			doc.WriteString(`<w:pPr><w:pStyle w:val="ListParagraph"/></w:pPr>`)
			run(&doc, "•\t", false)
		}
		for i, line := range bl.Lines {
			if i > 0 {
				doc.WriteString("<w:r><w:br/></w:r>")
			}
			for _, sp := range line {
				if sp.Placeholder {
					run(&doc, "["+sp.Text+"]", true)
				} else {
					run(&doc, sp.Text, false)
				}
			}
		}
		doc.WriteString("</w:p>")
	}
	// US Letter, one-inch margins.
	doc.WriteString(`<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`)
	doc.WriteString("</w:body></w:document>")

	z := zip.NewWriter(w)
	// A fixed time keeps the file the same for the same letter.
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRels},
		{"word/_rels/document.xml.rels", docxDocRels},
		{"word/styles.xml", docxStyles},
		{"word/document.xml", doc.String()},
	} {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: when})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

func run(b *bytes.Buffer, text string, highlight bool) {
	b.WriteString("<w:r>")
	if highlight {
		b.WriteString(`<w:rPr><w:highlight w:val="yellow"/></w:rPr>`)
	}
	// A tab inside the text is its own element in WordprocessingML.
	for i, part := range strings.Split(text, "\t") {
		if i > 0 {
			b.WriteString("<w:tab/>")
		}
		if part == "" {
			continue
		}
		b.WriteString(`<w:t xml:space="preserve">`)
		xml.EscapeText(b, []byte(part))
		b.WriteString("</w:t>")
	}
	b.WriteString("</w:r>")
}
