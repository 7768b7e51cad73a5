package trust

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
)

// Stamping a PDF: an incremental update (ISO 32000-1, 7.5.6) appended to
// the file as it was, which rewrites each page object so that its content
// ends with a line of text naming the requester, drawn in a standard font
// (Helvetica) added to the page's resources. The original bytes are kept
// unchanged in front, so the document's own content is untouched; a
// reader shows the stamp on every page and text extraction finds it.
//
// The reader here understands what real reports are made of: classic
// cross-reference tables and cross-reference streams (with PNG
// predictors), object streams, inherited page attributes and indirect
// resources. It refuses encrypted files (a stamp in an encrypted file
// would need the key) and anything it cannot parse, rather than serve a
// file without the stamp.

// ErrEncrypted: the PDF is encrypted and cannot be stamped.
var ErrEncrypted = errors.New("the PDF is encrypted: it cannot be stamped, so it is not served; offer an unencrypted copy")

// StampText is the line stamped on every page of a downloaded document.
func StampText(r Request, org string, at time.Time) string {
	return fmt.Sprintf("Provided by %s to %s (%s, %s) on %s under NDA, request %s. Do not redistribute.",
		org, r.Name, r.Company, r.Email, at.UTC().Format("2006-01-02"), r.ID)
}

// Stamp returns pdf with text stamped at the foot of every page.
func Stamp(pdf []byte, text string) ([]byte, error) {
	d := &pdfDoc{b: pdf, xref: map[int]xrefEntry{}, cache: map[int]any{}, loading: map[int]bool{}}
	if err := d.readXrefs(); err != nil {
		return nil, fmt.Errorf("stamping the PDF: %w", err)
	}
	if _, ok := d.trailer["Encrypt"]; ok {
		return nil, ErrEncrypted
	}
	pages, err := d.pages()
	if err != nil {
		return nil, fmt.Errorf("stamping the PDF: %w", err)
	}
	if len(pages) == 0 {
		return nil, errors.New("stamping the PDF: it has no pages")
	}
	return d.update(pages, text)
}

// PDF values.
type (
	pdfName  string
	pdfRef   struct{ num, gen int }
	pdfDict  map[string]any
	pdfArray []any
	pdfStr   []byte // a literal string's bytes
	pdfHex   string // a hex string's digits
	pdfNum   string // as written, so that it is written back the same
	pdfWord  string // true, false, null
)

type pdfStream struct {
	dict pdfDict
	data []byte // raw, still encoded
}

type xrefEntry struct {
	typ int // 1: at offset; 2: in object stream
	off int // type 1: byte offset; type 2: the stream's object number
	idx int // type 2: index in the stream
	gen int
}

type pdfDoc struct {
	b          []byte
	xref       map[int]xrefEntry
	trailer    pdfDict
	lastXref   int
	xrefStream bool // the newest section is a stream
	cache      map[int]any
	loading    map[int]bool // objects being read: a reference back is a loop
}

// --- lexer and parser ---

type lexer struct {
	b     []byte
	pos   int
	depth int // of nested arrays and dictionaries, bounded
}

// maxDepth bounds nesting: real files nest a few levels, a hostile one
// must not exhaust the stack.
const maxDepth = 100

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *lexer) skip() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// token reads a regular token (a number or keyword).
func (l *lexer) token() string {
	l.skip()
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

var errSyntax = errors.New("a PDF object could not be read")

func (l *lexer) value() (any, error) {
	l.depth++
	defer func() { l.depth-- }()
	if l.depth > maxDepth {
		return nil, errors.New("PDF objects nest too deep")
	}
	l.skip()
	if l.pos >= len(l.b) {
		return nil, errSyntax
	}
	switch c := l.b[l.pos]; {
	case c == '/':
		l.pos++
		start := l.pos
		for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
			l.pos++
		}
		return pdfName(decodeName(l.b[start:l.pos])), nil
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		d := pdfDict{}
		for {
			l.skip()
			if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
				l.pos += 2
				return d, nil
			}
			k, err := l.value()
			if err != nil {
				return nil, err
			}
			name, ok := k.(pdfName)
			if !ok {
				return nil, errSyntax
			}
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			d[string(name)] = v
		}
	case c == '<':
		l.pos++
		end := bytes.IndexByte(l.b[l.pos:], '>')
		if end < 0 {
			return nil, errSyntax
		}
		h := l.b[l.pos : l.pos+end]
		l.pos += end + 1
		return pdfHex(h), nil
	case c == '[':
		l.pos++
		var a pdfArray
		for {
			l.skip()
			if l.pos < len(l.b) && l.b[l.pos] == ']' {
				l.pos++
				return a, nil
			}
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case c == '(':
		return l.literal()
	default:
		t := l.token()
		if t == "" {
			return nil, errSyntax
		}
		switch t {
		case "true", "false", "null":
			return pdfWord(t), nil
		}
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			return nil, fmt.Errorf("%w: unexpected %q", errSyntax, t)
		}
		// An integer may be the start of a reference: N G R.
		if n, err := strconv.Atoi(t); err == nil && n >= 0 {
			save := l.pos
			g := l.token()
			if gen, err := strconv.Atoi(g); err == nil && gen >= 0 {
				if l.token() == "R" {
					return pdfRef{n, gen}, nil
				}
			}
			l.pos = save
		}
		return pdfNum(t), nil
	}
}

func decodeName(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func (l *lexer) literal() (any, error) {
	l.pos++ // (
	depth := 1
	var out []byte
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '\\':
			if l.pos >= len(l.b) {
				return nil, errSyntax
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			depth--
			if depth == 0 {
				return pdfStr(out), nil
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return nil, errSyntax
}

// object parses "N G obj value [stream]" at off.
func (d *pdfDoc) objectAt(off int) (any, error) {
	if off < 0 || off >= len(d.b) {
		return nil, fmt.Errorf("an object offset %d is outside the file", off)
	}
	l := &lexer{b: d.b, pos: off}
	l.token()
	l.token()
	if l.token() != "obj" {
		return nil, fmt.Errorf("no object at offset %d", off)
	}
	v, err := l.value()
	if err != nil {
		return nil, err
	}
	save := l.pos
	if dict, ok := v.(pdfDict); ok && l.token() == "stream" {
		// The data starts after the end of line that follows "stream".
		if l.pos < len(l.b) && l.b[l.pos] == '\r' {
			l.pos++
		}
		if l.pos < len(l.b) && l.b[l.pos] == '\n' {
			l.pos++
		}
		n, err := d.intOf(dict["Length"])
		if err != nil || n < 0 || l.pos+n > len(l.b) {
			// A wrong or indirect-unresolvable length: find endstream.
			end := bytes.Index(l.b[l.pos:], []byte("endstream"))
			if end < 0 {
				return nil, errors.New("a stream has no end")
			}
			n = end
			for n > 0 && (l.b[l.pos+n-1] == '\n' || l.b[l.pos+n-1] == '\r') {
				n--
			}
		}
		return &pdfStream{dict: dict, data: l.b[l.pos : l.pos+n]}, nil
	}
	l.pos = save
	return v, nil
}

func (d *pdfDoc) intOf(v any) (int, error) {
	v, err := d.resolve(v)
	if err != nil {
		return 0, err
	}
	n, ok := v.(pdfNum)
	if !ok {
		return 0, errors.New("not a number")
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, errors.New("not a whole number")
	}
	return int(f), nil
}

// --- cross-reference ---

func (d *pdfDoc) readXrefs() error {
	tail := d.b
	if len(tail) > 2048 {
		tail = tail[len(tail)-2048:]
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return errors.New("no startxref: not a PDF, or a damaged one")
	}
	l := &lexer{b: tail, pos: i + len("startxref")}
	off, err := strconv.Atoi(l.token())
	if err != nil {
		return errors.New("startxref has no offset")
	}
	d.lastXref = off
	seen := map[int]bool{}
	for first := true; off >= 0; first = false {
		if seen[off] || len(seen) > 1000 {
			return errors.New("the cross-reference sections loop")
		}
		seen[off] = true
		trailer, isStream, err := d.readXref(off)
		if err != nil {
			return err
		}
		if first {
			d.trailer, d.xrefStream = trailer, isStream
		}
		if x, ok := trailer["XRefStm"]; ok { // a hybrid file's stream
			if n, err := d.intOf(x); err == nil && !seen[n] {
				seen[n] = true
				if _, _, err := d.readXref(n); err != nil {
					return err
				}
			}
		}
		off = -1
		if p, ok := trailer["Prev"]; ok {
			if off, err = d.intOf(p); err != nil {
				return errors.New("a trailer's Prev is not an offset")
			}
		}
	}
	if _, ok := d.trailer["Root"]; !ok {
		return errors.New("the trailer names no document catalog (Root)")
	}
	return nil
}

// set keeps the newest entry: sections are read newest first.
func (d *pdfDoc) set(num int, e xrefEntry) {
	if _, ok := d.xref[num]; !ok {
		d.xref[num] = e
	}
}

func (d *pdfDoc) readXref(off int) (pdfDict, bool, error) {
	if off < 0 || off >= len(d.b) {
		return nil, false, fmt.Errorf("a cross-reference offset %d is outside the file", off)
	}
	l := &lexer{b: d.b, pos: off}
	if l.token() == "xref" {
		for {
			t := l.token()
			if t == "trailer" {
				v, err := l.value()
				if err != nil {
					return nil, false, err
				}
				tr, ok := v.(pdfDict)
				if !ok {
					return nil, false, errors.New("the trailer is not a dictionary")
				}
				return tr, false, nil
			}
			start, err1 := strconv.Atoi(t)
			count, err2 := strconv.Atoi(l.token())
			if err1 != nil || err2 != nil || count < 0 || count > 10_000_000 {
				return nil, false, errors.New("a cross-reference table could not be read")
			}
			for k := range count {
				o, err1 := strconv.Atoi(l.token())
				g, err2 := strconv.Atoi(l.token())
				kind := l.token()
				if err1 != nil || err2 != nil {
					return nil, false, errors.New("a cross-reference entry could not be read")
				}
				switch kind {
				case "n":
					d.set(start+k, xrefEntry{typ: 1, off: o, gen: g})
				case "f":
					d.set(start+k, xrefEntry{typ: 0})
				default:
					return nil, false, errors.New("a cross-reference entry is neither n nor f")
				}
			}
		}
	}
	v, err := d.objectAt(off)
	if err != nil {
		return nil, false, err
	}
	s, ok := v.(*pdfStream)
	if !ok || s.dict["Type"] != pdfName("XRef") {
		return nil, false, errors.New("startxref points at neither a table nor a cross-reference stream")
	}
	data, err := d.decode(s)
	if err != nil {
		return nil, false, err
	}
	wa, _ := s.dict["W"].(pdfArray)
	if len(wa) != 3 {
		return nil, false, errors.New("a cross-reference stream has no W")
	}
	var w [3]int
	for i := range 3 {
		if w[i], err = d.intOf(wa[i]); err != nil || w[i] < 0 || w[i] > 8 {
			return nil, false, errors.New("a cross-reference stream's W is wrong")
		}
	}
	size, _ := d.intOf(s.dict["Size"])
	index := []int{0, size}
	if ia, ok := s.dict["Index"].(pdfArray); ok {
		index = index[:0]
		for _, x := range ia {
			n, err := d.intOf(x)
			if err != nil {
				return nil, false, errors.New("a cross-reference stream's Index is wrong")
			}
			index = append(index, n)
		}
	}
	field := func(b []byte) int {
		v := 0
		for _, c := range b {
			v = v<<8 | int(c)
		}
		return v
	}
	rowLen := w[0] + w[1] + w[2]
	if rowLen == 0 {
		return nil, false, errors.New("a cross-reference stream's W is all zero")
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		if index[i+1] < 0 || index[i+1] > len(data)/rowLen {
			return nil, false, errors.New("a cross-reference stream is shorter than its Index")
		}
		for k := range index[i+1] {
			if pos+rowLen > len(data) {
				return nil, false, errors.New("a cross-reference stream is shorter than its Index")
			}
			row := data[pos : pos+rowLen]
			pos += rowLen
			typ := 1
			if w[0] > 0 {
				typ = field(row[:w[0]])
			}
			a, b := field(row[w[0]:w[0]+w[1]]), field(row[w[0]+w[1]:])
			switch typ {
			case 1:
				d.set(index[i]+k, xrefEntry{typ: 1, off: a, gen: b})
			case 2:
				d.set(index[i]+k, xrefEntry{typ: 2, off: a, idx: b})
			default:
				d.set(index[i]+k, xrefEntry{typ: 0})
			}
		}
	}
	return s.dict, true, nil
}

// decode undoes a stream's filter: none, or FlateDecode with or without a
// PNG or TIFF predictor.
func (d *pdfDoc) decode(s *pdfStream) ([]byte, error) {
	f, err := d.resolve(s.dict["Filter"])
	if err != nil {
		return nil, err
	}
	if a, ok := f.(pdfArray); ok && len(a) == 1 {
		f = a[0]
	}
	switch f {
	case nil, pdfWord("null"):
		return s.data, nil
	case pdfName("FlateDecode"):
	default:
		return nil, fmt.Errorf("a stream has the filter %v, which the stamper does not read", f)
	}
	zr, err := zlib.NewReader(bytes.NewReader(s.data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	parms, _ := d.resolve(s.dict["DecodeParms"])
	if a, ok := parms.(pdfArray); ok && len(a) == 1 {
		parms, _ = d.resolve(a[0])
	}
	p, _ := parms.(pdfDict)
	pred, _ := d.intOf(p["Predictor"])
	if pred < 10 {
		return out, nil
	}
	cols := 1
	if c, err := d.intOf(p["Columns"]); err == nil && c > 0 && c <= len(out) {
		cols = c
	}
	return unpredict(out, cols)
}

// unpredict reverses PNG row filters (one byte per sample, as the
// cross-reference streams that use them are written).
func unpredict(b []byte, cols int) ([]byte, error) {
	stride := cols + 1
	if len(b)%stride != 0 {
		return nil, errors.New("a predicted stream's length is not a whole number of rows")
	}
	out := make([]byte, 0, len(b)/stride*cols)
	prev := make([]byte, cols)
	for r := 0; r < len(b); r += stride {
		ft, row := b[r], append([]byte(nil), b[r+1:r+stride]...)
		for i := range row {
			var left, up, ul byte
			if i > 0 {
				left, ul = row[i-1], prev[i-1]
			}
			up = prev[i]
			switch ft {
			case 0:
			case 1:
				row[i] += left
			case 2:
				row[i] += up
			case 3:
				row[i] += byte((int(left) + int(up)) / 2)
			case 4:
				row[i] += paeth(left, up, ul)
			default:
				return nil, errors.New("an unknown PNG predictor")
			}
		}
		out = append(out, row...)
		prev = row
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// resolve follows a reference to its object (nil for one not there).
func (d *pdfDoc) resolve(v any) (any, error) {
	for depth := 0; depth < 32; depth++ {
		r, ok := v.(pdfRef)
		if !ok {
			return v, nil
		}
		o, err := d.object(r.num)
		if err != nil {
			return nil, err
		}
		v = o
	}
	return nil, errors.New("references nest too deep")
}

func (d *pdfDoc) object(num int) (any, error) {
	if v, ok := d.cache[num]; ok {
		return v, nil
	}
	e, ok := d.xref[num]
	if !ok || e.typ == 0 {
		return nil, nil
	}
	if d.loading[num] {
		return nil, fmt.Errorf("object %d refers back to itself", num)
	}
	d.loading[num] = true
	defer delete(d.loading, num)
	var v any
	var err error
	switch e.typ {
	case 1:
		v, err = d.objectAt(e.off)
	case 2:
		v, err = d.inStream(e.off, e.idx, num)
	}
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", num, err)
	}
	d.cache[num] = v
	return v, nil
}

func (d *pdfDoc) inStream(stm, idx, num int) (any, error) {
	if e := d.xref[stm]; e.typ != 1 {
		return nil, errors.New("an object stream is not at an offset")
	}
	o, err := d.object(stm)
	if err != nil {
		return nil, err
	}
	s, ok := o.(*pdfStream)
	if !ok {
		return nil, errors.New("an object stream is not a stream")
	}
	data, err := d.decode(s)
	if err != nil {
		return nil, err
	}
	n, err1 := d.intOf(s.dict["N"])
	first, err2 := d.intOf(s.dict["First"])
	if err1 != nil || err2 != nil || first > len(data) {
		return nil, errors.New("an object stream has no N or First")
	}
	l := &lexer{b: data}
	for k := range n {
		on, err1 := strconv.Atoi(l.token())
		off, err2 := strconv.Atoi(l.token())
		if err1 != nil || err2 != nil {
			return nil, errors.New("an object stream's header could not be read")
		}
		if k == idx || on == num {
			if on != num {
				return nil, errors.New("an object stream does not hold the object where the cross-reference says")
			}
			return (&lexer{b: data, pos: first + off}).value()
		}
	}
	return nil, errors.New("an object stream does not hold the object")
}

// --- pages ---

type pdfPage struct {
	ref       pdfRef
	dict      pdfDict
	resources any // own or inherited, maybe a reference
	mediaBox  any
}

func (d *pdfDoc) pages() ([]pdfPage, error) {
	root, err := d.resolve(d.trailer["Root"])
	if err != nil {
		return nil, err
	}
	cat, ok := root.(pdfDict)
	if !ok {
		return nil, errors.New("the document catalog is not a dictionary")
	}
	var out []pdfPage
	seen := map[pdfRef]bool{}
	var walk func(v any, res, box any, depth int) error
	walk = func(v any, res, box any, depth int) error {
		ref, ok := v.(pdfRef)
		if !ok || depth > 64 || seen[ref] {
			return errors.New("the page tree is malformed")
		}
		seen[ref] = true
		o, err := d.resolve(ref)
		if err != nil {
			return err
		}
		node, ok := o.(pdfDict)
		if !ok {
			return errors.New("a page tree node is not a dictionary")
		}
		if r, ok := node["Resources"]; ok {
			res = r
		}
		if b, ok := node["MediaBox"]; ok {
			box = b
		}
		if node["Type"] == pdfName("Page") {
			out = append(out, pdfPage{ref: ref, dict: node, resources: res, mediaBox: box})
			return nil
		}
		kids, err := d.resolve(node["Kids"])
		if err != nil {
			return err
		}
		ka, _ := kids.(pdfArray)
		for _, k := range ka {
			if err := walk(k, res, box, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(cat["Pages"], nil, nil, 0)
}

// --- writing ---

func writeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case pdfName:
		b.WriteByte('/')
		for _, c := range []byte(x) {
			if c < '!' || c > '~' || c == '#' || isDelim(c) {
				fmt.Fprintf(b, "#%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
	case pdfRef:
		fmt.Fprintf(b, "%d %d R", x.num, x.gen)
	case pdfDict:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("<<")
		for _, k := range keys {
			writeValue(b, pdfName(k))
			b.WriteByte(' ')
			writeValue(b, x[k])
			b.WriteByte(' ')
		}
		b.WriteString(">>")
	case pdfArray:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case pdfStr:
		b.WriteByte('(')
		for _, c := range []byte(x) {
			switch c {
			case '(', ')', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\r':
				b.WriteString(`\r`)
			case '\n':
				b.WriteString(`\n`)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte(')')
	case pdfHex:
		b.WriteByte('<')
		b.WriteString(string(x))
		b.WriteByte('>')
	case pdfNum:
		b.WriteString(string(x))
	case pdfWord:
		b.WriteString(string(x))
	case nil:
		b.WriteString("null")
	}
}

// latin1 is text as a WinAnsi string: Latin-1 letters as themselves,
// anything else as '?'.
func latin1(s string) pdfStr {
	var out []byte
	for _, r := range s {
		if r < 0x20 || r > 0xff || (r >= 0x7f && r < 0xa0) {
			out = append(out, '?')
		} else {
			out = append(out, byte(r))
		}
	}
	return pdfStr(out)
}

func (d *pdfDoc) box(v any) (llx, lly, urx float64) {
	llx, lly, urx = 0, 0, 612
	v, err := d.resolve(v)
	a, ok := v.(pdfArray)
	if err != nil || !ok || len(a) != 4 {
		return
	}
	var f [4]float64
	for i := range 4 {
		e, _ := d.resolve(a[i])
		n, ok := e.(pdfNum)
		if !ok {
			return 0, 0, 612
		}
		f[i], _ = strconv.ParseFloat(string(n), 64)
	}
	return min(f[0], f[2]), min(f[1], f[3]), max(f[0], f[2])
}

func (d *pdfDoc) update(pages []pdfPage, text string) ([]byte, error) {
	size, err := d.intOf(d.trailer["Size"])
	if err != nil {
		return nil, errors.New("the trailer has no Size")
	}
	for n := range d.xref {
		size = max(size, n+1)
	}
	next := size
	alloc := func() int { next++; return next - 1 }
	type obj struct {
		num, gen int
		body     []byte
	}
	var objs []obj
	add := func(num, gen int, v any, stream []byte) {
		var b bytes.Buffer
		writeValue(&b, v)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		objs = append(objs, obj{num, gen, b.Bytes()})
	}
	font := alloc()
	add(font, 0, pdfDict{"Type": pdfName("Font"), "Subtype": pdfName("Type1"), "BaseFont": pdfName("Helvetica"), "Encoding": pdfName("WinAnsiEncoding")}, nil)
	save, restore := alloc(), alloc()
	add(save, 0, pdfDict{"Length": pdfNum("2")}, []byte("q\n"))
	add(restore, 0, pdfDict{"Length": pdfNum("2")}, []byte("Q\n"))
	str := latin1(text)
	for _, p := range pages {
		llx, lly, urx := d.box(p.mediaBox)
		size := 7.0
		// Helvetica averages about half an em per character: shrink a
		// long line to fit the page's width less the margins.
		if w := float64(len(str)) * size * 0.52; w > urx-llx-36 && w > 0 {
			size = max(3, size*(urx-llx-36)/w)
		}
		var c bytes.Buffer
		fmt.Fprintf(&c, "BT /WardStamp %.2f Tf 0.35 0.35 0.35 rg %.2f %.2f Td ", size, llx+18, lly+10)
		writeValue(&c, str)
		c.WriteString(" Tj ET\n")
		content := alloc()
		add(content, 0, pdfDict{"Length": pdfNum(strconv.Itoa(c.Len()))}, c.Bytes())

		page := pdfDict{}
		for k, v := range p.dict {
			page[k] = v
		}
		contents := pdfArray{pdfRef{save, 0}}
		switch old := p.dict["Contents"].(type) {
		case nil:
		case pdfArray:
			contents = append(contents, old...)
		default:
			r, err := d.resolve(old)
			if err != nil {
				return nil, err
			}
			if a, ok := r.(pdfArray); ok { // an indirect array of streams
				contents = append(contents, a...)
			} else {
				contents = append(contents, old)
			}
		}
		page["Contents"] = append(contents, pdfRef{restore, 0}, pdfRef{content, 0})

		res := pdfDict{}
		rv, err := d.resolve(p.resources)
		if err != nil {
			return nil, err
		}
		if rd, ok := rv.(pdfDict); ok {
			for k, v := range rd {
				res[k] = v
			}
		}
		fonts := pdfDict{}
		fv, err := d.resolve(res["Font"])
		if err != nil {
			return nil, err
		}
		if fd, ok := fv.(pdfDict); ok {
			for k, v := range fd {
				fonts[k] = v
			}
		}
		fonts["WardStamp"] = pdfRef{font, 0}
		res["Font"] = fonts
		page["Resources"] = res
		add(p.ref.num, p.ref.gen, page, nil)
	}

	var out bytes.Buffer
	out.Write(d.b)
	if len(d.b) > 0 && d.b[len(d.b)-1] != '\n' {
		out.WriteByte('\n')
	}
	offsets := map[int][2]int{}
	for _, o := range objs {
		offsets[o.num] = [2]int{out.Len(), o.gen}
		fmt.Fprintf(&out, "%d %d obj\n", o.num, o.gen)
		out.Write(o.body)
		out.WriteString("\nendobj\n")
	}
	nums := make([]int, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	trailer := pdfDict{"Size": pdfNum(strconv.Itoa(next)), "Root": d.trailer["Root"], "Prev": pdfNum(strconv.Itoa(d.lastXref))}
	for _, k := range []string{"Info", "ID"} {
		if v, ok := d.trailer[k]; ok {
			trailer[k] = v
		}
	}
	xrefAt := out.Len()
	if d.xrefStream {
		// The update's section is a stream too, as the file's is.
		self := next
		trailer["Size"] = pdfNum(strconv.Itoa(next + 1))
		offsets[self] = [2]int{xrefAt, 0}
		nums = append(nums, self)
		var rows bytes.Buffer
		var index pdfArray
		for _, n := range nums {
			index = append(index, pdfNum(strconv.Itoa(n)), pdfNum("1"))
			o := offsets[n]
			rows.Write([]byte{1, byte(o[0] >> 24), byte(o[0] >> 16), byte(o[0] >> 8), byte(o[0]), byte(o[1] >> 8), byte(o[1])})
		}
		trailer["Type"] = pdfName("XRef")
		trailer["W"] = pdfArray{pdfNum("1"), pdfNum("4"), pdfNum("2")}
		trailer["Index"] = index
		trailer["Length"] = pdfNum(strconv.Itoa(rows.Len()))
		fmt.Fprintf(&out, "%d 0 obj\n", self)
		writeValue(&out, trailer)
		out.WriteString("\nstream\n")
		out.Write(rows.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	} else {
		out.WriteString("xref\n")
		for _, n := range nums {
			o := offsets[n]
			fmt.Fprintf(&out, "%d 1\n%010d %05d n\r\n", n, o[0], o[1])
		}
		out.WriteString("trailer\n")
		writeValue(&out, trailer)
		out.WriteByte('\n')
	}
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return out.Bytes(), nil
}
