package prowler

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// The fast OCSF path reads the array with jsontext's streaming tokenizer
// and decodes only the fields ward reads, skipping the rest without
// building anything: it does in one pass what encoding/json does in two
// (scan the element, then decode it by reflection).
//
// It accepts only what encoding/json accepts into ocsfFinding with the
// same result, and is strict where the two could differ (a key that
// matches a field only without regard to case, a repeated key, invalid
// UTF-8, a value of an unexpected type, any finding the checks refuse).
// Whatever it does not accept, it hands to the encoding/json path
// (ocsf), from the end of the last finding it returned, with every byte
// the tokenizer read since: the error a user sees, its byte offset,
// finding number and field, are the ones encoding/json always gave.

// recorder keeps the bytes the tokenizer reads from the stream since a
// mark, so that the encoding/json path can take over from the mark.
type recorder struct {
	r    io.Reader
	buf  []byte // bytes read since base
	base int64  // stream offset of buf[0] (relative to the tokenizer's start)
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// mark forgets the bytes before off. It compacts only once enough has
// built up, so that each finding does not copy the tokenizer's read-ahead.
func (c *recorder) mark(off int64) {
	if drop := off - c.base; drop >= 1<<20 || drop > int64(len(c.buf))/2 && drop >= 64<<10 {
		c.buf = c.buf[:copy(c.buf, c.buf[drop:])]
		c.base = off
	}
}

// since returns the bytes read from off on.
func (c *recorder) since(off int64) []byte { return c.buf[off-c.base:] }

// fastOCSF reads findings with the tokenizer until it meets something it
// does not take, then hands over to the encoding/json path for good.
func (r *Reader) fastOCSF(br io.Reader, base int64) func() (*Finding, error) {
	return r.newFast(br, base).next
}

// fast is the state of the fast path over one stream.
type fast struct {
	r   *Reader
	br  io.Reader // what rec reads
	rec *recorder
	dec *jsontext.Decoder
	// base is the file offset of the tokenizer's first byte.
	base int64
	slow func() (*Finding, error)
	// state: 0 before '[', 1 after '[', 2 after a finding, 3 done.
	state int
	// mark is the tokenizer's offset after the last finding returned
	// (or the '['): the encoding/json path takes over from there.
	mark int64
	// scanned counts the bytes encoding/json's scanner would have read by
	// now: its syntax errors give that count as their offset, which skips
	// the '[', the commas and the white space before them.
	scanned int64
}

func (r *Reader) newFast(br io.Reader, base int64) *fast {
	rec := &recorder{r: br}
	// Repeated names are caught by object and compliance, for the names
	// ward reads only: jsontext's own check keeps every name of every
	// object in a set, a twentieth of the reader's time.
	return &fast{r: r, br: br, rec: rec, dec: jsontext.NewDecoder(rec, jsontext.AllowDuplicateNames(true)), base: base}
}

// resumeFast is the fast path taking over after a finding: br begins
// right after the finding's closing brace, at file offset at, where
// encoding/json's scanner has read scan bytes (counted from the file's
// start, as base + scanned counts them). The tokenizer reads "[{}"
// first, a finding standing for every one before, so that it expects
// what follows a finding.
func (r *Reader) resumeFast(br io.Reader, at, scan int64) *fast {
	const prefix = "[{}"
	f := r.newFast(io.MultiReader(strings.NewReader(prefix), br), at-int64(len(prefix)))
	f.dec.ReadToken()
	f.dec.SkipValue()
	f.state, f.mark = 2, f.dec.InputOffset()
	f.rec.mark(f.mark)
	f.scanned = scan - f.base
	return f
}

// fallback switches to the encoding/json path at mark: it reads a
// prefix standing for what came before (nothing, '[', or '[' and a
// finding, which it skips), then the recorded bytes, then the rest of the stream,
// with offsets mapped back onto the file's.
func (f *fast) fallback() (*Finding, error) {
	var prefix string
	switch f.state {
	case 1:
		prefix = "["
	case 2:
		prefix = "[{}" // a finding, skipped: the next byte is read after one
	}
	rest := io.MultiReader(strings.NewReader(prefix), bytes.NewReader(bytes.Clone(f.rec.since(f.mark))), f.br)
	f.rec.buf = nil
	skipped := int64(0)
	if f.state == 2 {
		skipped = 2 // the "{}"
	}
	f.slow = f.r.ocsf(rest, f.base+f.mark-int64(len(prefix)), f.base+f.scanned-skipped, f.state == 2)
	return f.slow()
}

func (f *fast) next() (*Finding, error) {
	if f.slow != nil {
		return f.slow()
	}
	dec, rec := f.dec, f.rec
	if f.state == 0 {
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
			return f.fallback()
		}
		f.state, f.mark = 1, dec.InputOffset()
		rec.mark(f.mark)
	}
	switch dec.PeekKind() {
	case ']':
		if _, err := dec.ReadToken(); err != nil {
			return f.fallback()
		}
		// Only white space may follow the array.
		if _, err := dec.ReadToken(); err != io.EOF {
			return f.fallback()
		}
		f.state = 3
		return nil, io.EOF
	case '{':
	default:
		return f.fallback()
	}
	// Where encoding/json's scanner starts on this finding: after the
	// comma (the white space after it counts), or at the first '{'.
	gap := rec.since(f.mark)
	from := f.mark + int64(len(gap)-len(bytes.TrimLeft(gap, " \t\r\n")))
	if f.state == 2 {
		from = f.mark + int64(bytes.IndexByte(gap, ',')) + 1
	}
	var o ocsfFinding
	if !fastFinding(dec, &o) {
		return f.fallback()
	}
	fd, _, err := f.r.finding(&o)
	if err != nil {
		return f.fallback()
	}
	f.state, f.mark = 2, dec.InputOffset()
	f.scanned += f.mark - from
	rec.mark(f.mark)
	return fd, nil
}

// name reads an object name, or reports the end of the object. A name
// that is not plain ASCII, or that matches one of fields only without
// regard to case, is refused: encoding/json would fold it onto a field.
func name(dec *jsontext.Decoder, fields ...string) (n string, end, ok bool) {
	if dec.PeekKind() == '}' {
		_, err := dec.ReadToken()
		return "", true, err == nil
	}
	v, err := dec.ReadValue()
	if err != nil || len(v) < 2 {
		return "", false, false
	}
	raw := v[1 : len(v)-1]
	for _, c := range raw {
		if c >= 0x80 || c == '\\' {
			return "", false, false
		}
	}
	for _, f := range fields {
		if string(raw) == f {
			return f, false, true
		}
	}
	for _, f := range fields {
		if len(raw) == len(f) && strings.EqualFold(string(raw), f) {
			return "", false, false
		}
	}
	return "", false, true // a key ward does not read
}

// str reads a string (null leaves it empty).
func str(dec *jsontext.Decoder, dst *string) bool {
	v, err := dec.ReadValue()
	if err != nil {
		return false
	}
	switch v.Kind() {
	case 'n':
		return true
	case '"':
		raw := v[1 : len(v)-1]
		if bytes.IndexByte(raw, '\\') < 0 {
			*dst = string(raw)
			return true
		}
		b, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return false
		}
		*dst = string(b)
		return true
	}
	return false
}

// raw reads a value kept raw: a string, a number or null.
func raw(dec *jsontext.Decoder, dst *json.RawMessage) bool {
	v, err := dec.ReadValue()
	if err != nil {
		return false
	}
	switch v.Kind() {
	case 'n', '"', '0':
		*dst = bytes.Clone(v)
		return true
	}
	return false
}

// open reads a null (null true) or the token that opens a value of kind
// ('{' or '['); ok is false for anything else or a read error.
func open(dec *jsontext.Decoder, kind jsontext.Kind) (null, ok bool) {
	switch dec.PeekKind() {
	case 'n':
		null = true
	case kind:
	default:
		return false, false
	}
	_, err := dec.ReadToken()
	return null, err == nil
}

// object reads an object (true) or null (false, nil pointer), calling
// field for each name of fields.
func object(dec *jsontext.Decoder, isNull *bool, field func(string) bool, fields ...string) bool {
	null, ok := open(dec, '{')
	if !ok {
		return false
	}
	if null {
		*isNull = true
		return true
	}
	var seen uint32 // fields read: a repeated one is refused (encoding/json would merge them)
	for {
		n, end, ok := name(dec, fields...)
		if !ok {
			return false
		}
		if end {
			return true
		}
		if n == "" {
			if dec.SkipValue() != nil {
				return false
			}
			continue
		}
		bit := uint32(1) << slices.Index(fields, n)
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		if !field(n) {
			return false
		}
	}
}

// nullable reads an object into a new T through field, or null (a nil
// pointer): what encoding/json does with a pointer to a struct.
func nullable[T any](dec *jsontext.Decoder, dst **T, field func(v *T, name string) bool, fields ...string) bool {
	v := new(T)
	var null bool
	if !object(dec, &null, func(n string) bool { return field(v, n) }, fields...) {
		return false
	}
	if null {
		v = nil
	}
	*dst = v
	return true
}

// fastFinding decodes one finding's object into o, as encoding/json
// would; false when it cannot be sure of that.
func fastFinding(dec *jsontext.Decoder, o *ocsfFinding) bool {
	var null bool
	return object(dec, &null, func(n string) bool {
		switch n {
		case "class_uid":
			v, err := dec.ReadValue()
			if err != nil {
				return false
			}
			switch v.Kind() {
			case 'n':
				o.ClassUID = nil
				return true
			case '0':
				i, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil {
					return false
				}
				o.ClassUID = &i
				return true
			}
			return false
		case "metadata":
			return nullable(dec, &o.Metadata, func(m *ocsfMetadata, _ string) bool { return str(dec, &m.EventCode) }, "event_code")
		case "status_code":
			return str(dec, &o.StatusCode)
		case "status":
			return str(dec, &o.Status)
		case "severity":
			return raw(dec, &o.Severity)
		case "finding_info":
			return nullable(dec, &o.FindingInfo, func(fi *ocsfFindingInfo, n string) bool {
				switch n {
				case "uid":
					return str(dec, &fi.UID)
				case "created_time":
					return raw(dec, &fi.CreatedTime)
				}
				return str(dec, &fi.CreatedTimeDt)
			}, "uid", "created_time", "created_time_dt")
		case "resources":
			return resources(dec, o)
		case "cloud":
			return nullable(dec, &o.Cloud, func(c *ocsfCloud, n string) bool {
				if n == "region" {
					return str(dec, &c.Region)
				}
				return nullable(dec, &c.Account, func(a *ocsfAccount, _ string) bool { return str(dec, &a.UID) }, "uid")
			}, "account", "region")
		case "time":
			return raw(dec, &o.Time)
		case "time_dt":
			return str(dec, &o.TimeDt)
		case "event_time":
			return raw(dec, &o.EventTime)
		case "unmapped":
			return nullable(dec, &o.Unmapped, func(u *ocsfUnmapped, n string) bool {
				if n == "provider_uid" {
					return str(dec, &u.ProviderUID)
				}
				return compliance(dec, u)
			}, "compliance", "provider_uid")
		case "SchemaVersion":
			return str(dec, &o.SchemaVersion)
		case "ProductArn":
			return str(dec, &o.ProductArn)
		case "FindingUniqueId":
			return str(dec, &o.FindingUniqueID)
		case "AssessmentStartTime":
			return str(dec, &o.AssessmentStart)
		}
		return false
	}, "class_uid", "metadata", "status_code", "status", "severity", "finding_info", "resources", "cloud",
		"time", "time_dt", "event_time", "unmapped", "SchemaVersion", "ProductArn", "FindingUniqueId", "AssessmentStartTime") && !null
}

// resources reads the resources array (null: none).
func resources(dec *jsontext.Decoder, o *ocsfFinding) bool {
	null, ok := open(dec, '[')
	if !ok {
		return false
	}
	if null {
		o.Resources = nil
		return true
	}
	o.Resources = o.Resources[:0]
	for dec.PeekKind() != ']' {
		var res ocsfResource
		var null bool
		if dec.PeekKind() != '{' || !object(dec, &null, func(n string) bool {
			switch n {
			case "uid":
				return str(dec, &res.UID)
			case "type":
				return str(dec, &res.Type)
			}
			return str(dec, &res.Region)
		}, "uid", "type", "region") {
			return false
		}
		o.Resources = append(o.Resources, res)
	}
	if o.Resources == nil {
		o.Resources = []ocsfResource{}
	}
	_, err := dec.ReadToken()
	return err == nil
}

// compliance reads unmapped.compliance as keepRaw reads it, into u.reqs
// (u.decoded): the HIPAA and SOC 2 ids, each list read as unquoteList
// reads it, with no map of the values in between.
func compliance(dec *jsontext.Decoder, u *ocsfUnmapped) bool {
	null, ok := open(dec, '{')
	if !ok {
		return false
	}
	u.Compliance, u.reqs, u.decoded = nil, nil, true
	if null {
		return true
	}
	var seen []string // the frameworks' keys read: a repeated one is refused
	for {
		if dec.PeekKind() == '}' {
			_, err := dec.ReadToken()
			return err == nil
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return false
		}
		key := tok.String()
		fw := Framework(key)
		if fw == "" {
			if dec.SkipValue() != nil {
				return false
			}
			continue
		}
		if slices.Contains(seen, key) {
			return false // repeated
		}
		seen = append(seen, key)
		v, err := dec.ReadValue()
		if err != nil {
			return false
		}
		if string(v) == "null" {
			continue
		}
		var ids []string
		if unquoteList(v, &ids) != nil {
			return false
		}
		for _, id := range ids {
			if id = strings.TrimSpace(id); id != "" {
				u.reqs = append(u.reqs, Requirement{Framework: fw, ID: id})
			}
		}
	}
}
