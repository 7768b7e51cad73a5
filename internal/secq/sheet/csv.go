package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"ward/internal/csvsafe"
)

// Encodings a CSV may be converted from (Spec.Encoding).
var Encodings = []string{"utf-8", "utf-16le", "utf-16be", "latin1", "windows-1252"}

func (b *Book) readCSV(data []byte, spec Spec) error {
	if spec.Sheet != "" {
		return &Error{File: b.Name, Msg: fmt.Sprintf("--sheet %q: a CSV file has no sheets; leave --sheet out", spec.Sheet)}
	}
	text, enc, err := decode(b.Name, data, spec.Encoding)
	if err != nil {
		return err
	}
	b.enc = enc
	if enc != "utf-8" {
		b.Notes = append(b.Notes, fmt.Sprintf("converted from %s to UTF-8 to read it; the answered file is written in UTF-8", enc))
	}
	b.comma = sniffComma(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = b.comma
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &Error{File: b.Name, At: fmt.Sprintf("line %d", pe.Line), Msg: fmt.Sprintf("not a valid CSV: %v", pe.Err)}
		}
		return &Error{File: b.Name, Msg: "not a valid CSV: " + err.Error()}
	}
	b.records = records
	fail := func(at, format string, a ...any) error {
		return &Error{File: b.Name, At: at, Msg: fmt.Sprintf(format, a...)}
	}
	return b.layout(table(records), spec, fail)
}

// decode returns the CSV as UTF-8 text and the encoding it was in.
// Without an encoding named, UTF-8 (a byte-order mark is dropped) and
// UTF-16 (with a byte-order mark, or recognisably without one) are read;
// any other bytes are refused, saying where and what to do, rather than
// guessed at.
func decode(name string, data []byte, enc string) (string, string, error) {
	conv := func(e encoding.Encoding, label string) (string, string, error) {
		out, err := e.NewDecoder().Bytes(data)
		if err != nil {
			return "", "", &Error{File: name, Msg: fmt.Sprintf("could not convert from %s: %v", label, err)}
		}
		out = bytes.TrimPrefix(out, []byte("\uFEFF"))
		if bytes.IndexByte(out, 0) >= 0 {
			return "", "", &Error{File: name, Msg: fmt.Sprintf("the file holds NUL characters after conversion from %s: it is not %s text", label, label)}
		}
		return string(out), label, nil
	}
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "":
	case "utf-8", "utf8":
		if !utf8.Valid(data) {
			return "", "", notUTF8(name, data)
		}
		return string(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))), "utf-8", nil
	case "utf-16le", "utf16le":
		return conv(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE")
	case "utf-16be", "utf16be":
		return conv(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE")
	case "latin1", "latin-1", "iso-8859-1":
		return conv(charmap.ISO8859_1, "Latin-1 (ISO-8859-1)")
	case "windows-1252", "cp1252":
		return conv(charmap.Windows1252, "Windows-1252")
	default:
		return "", "", &Error{File: name, Msg: fmt.Sprintf("--encoding %q is not one of %s", enc, strings.Join(Encodings, ", "))}
	}
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")):
		return conv(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE")
	case bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return conv(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE")
	}
	if le, be := zeroBytes(data); le || be {
		if le {
			return conv(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE")
		}
		return conv(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE")
	}
	if !utf8.Valid(data) {
		return "", "", notUTF8(name, data)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", "", &Error{File: name, At: fmt.Sprintf("line %d", 1+bytes.Count(data[:i], []byte("\n"))), Msg: "the file holds a NUL byte: it is not a text CSV (is it a spreadsheet saved under a .csv name?)"}
	}
	return string(data), "utf-8", nil
}

// zeroBytes recognises UTF-16 text without a byte-order mark: ASCII
// characters leave every other byte zero.
func zeroBytes(data []byte) (le, be bool) {
	n := min(len(data), 4096) &^ 1
	if n < 4 {
		return false, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	return odd*10 >= half*9 && even*10 <= half, even*10 >= half*9 && odd*10 <= half
}

func notUTF8(name string, data []byte) error {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	line := 1 + bytes.Count(data[:i], []byte("\n"))
	return &Error{File: name, At: fmt.Sprintf("line %d", line), Msg: fmt.Sprintf(
		"byte 0x%02X (offset %d) is not UTF-8: the file is probably Windows-1252 or Latin-1 (Excel's plain \"CSV\" format). "+
			"Save it as \"CSV UTF-8\", or pass --encoding windows-1252 (or latin1) to convert it", data[i], i)}
}

// sniffComma picks the delimiter the first line uses most: a comma, a
// semicolon (Excel in many European locales) or a tab.
func sniffComma(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(line, ",")
	for _, c := range []rune{';', '\t'} {
		if k := strings.Count(line, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// filled is the records with the fills in place; without a comment
// column, ward's comment goes in a column added on the right.
func (b *Book) filled(fills []Fill) [][]string {
	out := make([][]string, len(b.records))
	width := 0
	for i, r := range b.records {
		out[i] = append([]string(nil), r...)
		width = max(width, len(r))
	}
	extra := 0
	if b.Comment == 0 {
		extra = max(width, b.Answer) + 1
	}
	set := func(row, col int, v string) {
		r := out[row-1]
		for len(r) < col {
			r = append(r, "")
		}
		// What ward writes is neutralised for spreadsheets (csvsafe); the
		// customer's own cells go back as they came.
		r[col-1] = csvsafe.Cell(v)
		out[row-1] = r
	}
	for _, fl := range fills {
		if fl.Row < 1 || fl.Row > len(out) {
			continue
		}
		set(fl.Row, b.Answer, fl.Answer)
		switch {
		case b.Comment > 0:
			set(fl.Row, b.Comment, fl.Comment)
		case fl.Comment != "":
			set(fl.Row, extra, fl.Comment)
		}
	}
	if b.Comment == 0 && b.Header > 0 {
		set(b.Header, extra, "ward: source and confidence")
	}
	return out
}

func (b *Book) writeCSV(w io.Writer, fills []Fill) error {
	cw := csv.NewWriter(w)
	cw.Comma = b.comma
	if err := cw.WriteAll(b.filled(fills)); err != nil {
		return err
	}
	return cw.Error()
}

// writeCSVAsXLSX puts the CSV in a new workbook, one sheet, and fills it
// as an XLSX: notes and highlights need a workbook.
func (b *Book) writeCSVAsXLSX(w io.Writer, fills []Fill) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(b.Name)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	for i, rec := range b.records {
		for j, v := range rec {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(name, cell, v); err != nil {
				return err
			}
		}
	}
	if err := b.fillXLSX(f, name, fills); err != nil {
		return err
	}
	return f.Write(w)
}

// sheetName is a valid sheet name from a file name: at most 31
// characters, none of : \ / ? * [ ].
func sheetName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	base = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, base)
	if r := []rune(base); len(r) > 31 {
		base = string(r[:31])
	}
	if strings.TrimSpace(base) == "" {
		return "Questionnaire"
	}
	return base
}
