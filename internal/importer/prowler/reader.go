// Package prowler reads the findings of Prowler, the cloud security scanner,
// as a stream: its OCSF JSON (a JSON array of Detection Finding objects, as
// Prowler 4 and 5 write it), the same objects one per line (JSON lines), and
// its semicolon-separated CSV. Memory does not grow with the file: the
// reader holds one finding at a time.
//
// It also translates the HIPAA and SOC 2 requirement ids Prowler lists
// (164_308_a_1_ii_a, cc_6_1) into ward's catalog ids (mapping.go).
//
// The package knows nothing of storage, the command line or HTTP.
package prowler

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Formats the reader understands.
const (
	FormatOCSF  = "ocsf"  // a JSON array of OCSF Detection Findings
	FormatJSONL = "jsonl" // one OCSF Detection Finding per line
	FormatCSV   = "csv"   // Prowler's CSV, ';'-separated
)

// Statuses of a finding (OCSF status_code, Prowler's STATUS).
const (
	StatusPass   = "PASS"
	StatusFail   = "FAIL"
	StatusManual = "MANUAL"
	// StatusMuted is a finding Prowler's mutelist mutes (OCSF status
	// "Suppressed", CSV MUTED=True): a risk the organization accepted in
	// Prowler, kept and shown, never an open failure.
	StatusMuted = "MUTED"
)

// Statuses lists them in report order.
var Statuses = []string{StatusFail, StatusMuted, StatusManual, StatusPass}

// Severities in report order, as ward spells them (lower case).
var Severities = []string{"critical", "high", "medium", "low", "informational"}

// Finding is what ward keeps of one Prowler finding.
type Finding struct {
	UID          string    `json:"uid"`
	Check        string    `json:"check"` // metadata.event_code / CHECK_ID
	Status       string    `json:"status"`
	Severity     string    `json:"severity"`
	ResourceUID  string    `json:"resource_uid"`
	ResourceType string    `json:"resource_type"`
	Region       string    `json:"region"`
	Account      string    `json:"account"`
	Time         time.Time `json:"time"` // to the second: CSV and OCSF of one run agree
	// Note says what ward's status does not: a muted finding's own
	// status in Prowler.
	Note string `json:"note,omitempty"`
	// Requirements are the HIPAA and SOC 2 requirement ids the finding
	// lists, as Prowler spells them; other frameworks are not kept.
	Requirements []Requirement `json:"requirements,omitempty"`
}

// Requirement is one framework requirement id as Prowler spells it.
type Requirement struct {
	Framework string `json:"framework"` // "HIPAA" or "SOC2", Prowler's key
	ID        string `json:"id"`
}

// Error is a finding the reader cannot accept, with where it is: a byte
// offset for OCSF JSON, a line for JSON lines and CSV.
type Error struct {
	Format string
	Record int   // 1-based finding number; 0 when not inside one
	Offset int64 // byte offset (OCSF JSON), -1 when unknown
	Line   int   // line (JSON lines, CSV), 0 when unknown
	Field  string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d", e.Line)
	case e.Offset >= 0:
		fmt.Fprintf(&b, "byte %d", e.Offset)
	}
	if e.Record > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "finding %d", e.Record)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", %s", e.Field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrTruncated is wrapped by the error for a file that ends early.
var ErrTruncated = errors.New("the file ends in the middle of a finding: truncated")

// Reader reads findings one at a time.
type Reader struct {
	format string
	n      int // findings returned so far
	next   func() (*Finding, error)
	done   bool
	lines  int // blank lines detect skipped before the first finding
	zone   *time.Location
	naive  int // times read without a zone, in zone
	// stopParallel stops the goroutines of a parallel read (Close);
	// blocks counts the blocks it decoded on them (tests).
	stopParallel func()
	blocks       int
}

// Options change how a file is read.
type Options struct {
	// Zone is the time zone of times written without one: Prowler writes
	// the CSV TIMESTAMP (and Prowler 4.0-4.4 the OCSF event_time) as the
	// scanning machine's local time, datetime.today(). Nil is UTC.
	Zone *time.Location
	// Workers, above 1, decodes an OCSF file's findings on that many
	// goroutines (parallel.go): the findings and any error are the same
	// as on one. Close the reader when done with it before its end.
	Workers int
	// jsonOnly reads OCSF JSON with encoding/json alone, not the fast
	// path first (tests compare the two); block is the parallel read's
	// block size (tests make it small).
	jsonOnly bool
	block    int
}

// NewReader detects the format from the first bytes ('[' OCSF JSON, '{'
// JSON lines, anything else CSV) and returns a reader over r; times
// without a zone are UTC.
func NewReader(r io.Reader) (*Reader, error) { return NewReaderOptions(r, Options{}) }

// NewReaderOptions is NewReader with options.
func NewReaderOptions(r io.Reader, opt Options) (*Reader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	format, skipped, lines, err := detect(br)
	if err != nil {
		return nil, err
	}
	zone := opt.Zone
	if zone == nil {
		zone = time.UTC
	}
	rd := &Reader{format: format, lines: lines, zone: zone}
	switch format {
	case FormatOCSF:
		switch {
		case opt.jsonOnly:
			rd.next = rd.ocsf(br, skipped, skipped, false)
		case opt.Workers > 1:
			rd.next = rd.parallelOCSF(br, skipped, opt.Workers, cmp.Or(opt.block, parallelBlock))
		default:
			rd.next = rd.fastOCSF(br, skipped)
		}
	case FormatJSONL:
		rd.next = rd.jsonl(br)
	default:
		next, err := rd.csv(br)
		if err != nil {
			return nil, err
		}
		rd.next = next
	}
	return rd, nil
}

// Format is FormatOCSF, FormatJSONL or FormatCSV.
func (r *Reader) Format() string { return r.format }

// Naive is how many findings so far had a time without a zone, read in
// Options.Zone.
func (r *Reader) Naive() int { return r.naive }

// Next returns the next finding, or io.EOF after the last one.
func (r *Reader) Next() (*Finding, error) {
	if r.done {
		return nil, io.EOF
	}
	f, err := r.next()
	if err != nil {
		r.done = true
		return nil, err
	}
	r.n++
	return f, nil
}

// Close stops the goroutines of a parallel read, when Next has not yet
// returned the end or an error; the stream is no longer read after it.
func (r *Reader) Close() {
	if r.stopParallel != nil {
		r.stopParallel()
	}
}

// detect skips a UTF-8 byte order mark and white space and looks at the
// first byte.
func detect(br *bufio.Reader) (format string, skipped int64, lines int, err error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
		skipped = 3
	}
	// A compressed file would otherwise be read as a CSV and fail on
	// some binary byte with a baffling message.
	if b, err := br.Peek(4); err == nil {
		for _, c := range compressed {
			if bytes.HasPrefix(b, c.magic) {
				return "", 0, 0, &Error{Offset: 0, Err: fmt.Errorf("the file is %s-compressed: decompress it first (%s) and import the result", c.name, c.tool)}
			}
		}
	}
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return "", 0, 0, &Error{Offset: skipped, Err: errors.New("the file is empty: no findings")}
		}
		if err != nil {
			return "", 0, 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if b[0] == '\n' {
				lines++
			}
			br.Discard(1)
			skipped++
			continue
		case '[':
			return FormatOCSF, skipped, lines, nil
		case '{':
			return FormatJSONL, skipped, lines, nil
		}
		return FormatCSV, skipped, lines, nil
	}
}

// compressed are the archive formats Prowler output is often shipped in.
var compressed = []struct {
	name, tool string
	magic      []byte
}{
	{"gzip", "gunzip FILE", []byte{0x1f, 0x8b}},
	{"zip", "unzip FILE", []byte("PK\x03\x04")},
	{"zstd", "unzstd FILE", []byte{0x28, 0xb5, 0x2f, 0xfd}},
}

// ocsfFinding is the part of an OCSF Detection Finding ward reads, and the
// keys that tell other formats apart.
type ocsfFinding struct {
	ClassUID   *int64        `json:"class_uid"`
	Metadata   *ocsfMetadata `json:"metadata"`
	StatusCode string        `json:"status_code"`
	Status     string        `json:"status"` // "Suppressed": muted in Prowler's mutelist
	// Severity is raw: JSON keys match without regard to case, and ASFF's
	// "Severity" is an object (it is told apart before the severity is
	// read).
	Severity    json.RawMessage  `json:"severity"`
	FindingInfo *ocsfFindingInfo `json:"finding_info"`
	Resources   []ocsfResource   `json:"resources"`
	Cloud       *ocsfCloud       `json:"cloud"`
	Time        json.RawMessage  `json:"time"`
	TimeDt      string           `json:"time_dt"`
	EventTime   json.RawMessage  `json:"event_time"` // Prowler 4.0-4.4
	Unmapped    *ocsfUnmapped    `json:"unmapped"`

	// Keys of formats ward does not read, to name them.
	SchemaVersion   string `json:"SchemaVersion"`   // ASFF
	ProductArn      string `json:"ProductArn"`      // ASFF
	FindingUniqueID string `json:"FindingUniqueId"` // Prowler 3 JSON
	AssessmentStart string `json:"AssessmentStartTime"`
}

type ocsfMetadata struct {
	EventCode string `json:"event_code"`
}

type ocsfFindingInfo struct {
	UID           string          `json:"uid"`
	CreatedTime   json.RawMessage `json:"created_time"` // epoch seconds (Prowler 4.5+), ISO text (4.0-4.4)
	CreatedTimeDt string          `json:"created_time_dt"`
}

type ocsfResource struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Region string `json:"region"`
}

type ocsfCloud struct {
	Account *ocsfAccount `json:"account"`
	Region  string       `json:"region"`
}

type ocsfAccount struct {
	UID string `json:"uid"`
}

type ocsfUnmapped struct {
	// Only HIPAA and SOC 2 values are decoded: another framework's value
	// in an unexpected shape is none of ward's business.
	Compliance  map[string]json.RawMessage `json:"compliance"`
	ProviderUID string                     `json:"provider_uid"` // Kubernetes: the cluster
	// decoded: the fast path read the compliance's requirements into
	// reqs itself (Compliance is left empty).
	decoded bool
	reqs    []Requirement
}

// DetectionFindingClass is OCSF's class_uid of a Detection Finding.
const DetectionFindingClass = 2004

// Supported names the outputs ward reads, for error messages.
const Supported = "the OCSF JSON (-M json-ocsf) or CSV (-M csv) of Prowler 4.0 or later"

// ErrASFF and ErrProwler3 are wrapped by the errors for outputs ward does
// not read.
var (
	ErrASFF     = errors.New("this is AWS Security Finding Format (ASFF), the output Prowler writes for AWS Security Hub (-M json-asff), not OCSF: ward reads " + Supported + "; run Prowler again with --output-formats json-ocsf csv and import that")
	ErrProwler3 = errors.New("this is the JSON output of Prowler 3 (FindingUniqueId, CheckID, AssessmentStartTime): ward reads " + Supported + "; upgrade Prowler (pip install -U prowler) and scan again with --output-formats json-ocsf")
)

// finding checks an OCSF object and converts it; the error names the
// field that is missing or wrong.
func (r *Reader) finding(o *ocsfFinding) (*Finding, string, error) {
	if o.ClassUID == nil {
		switch {
		case o.SchemaVersion != "" || o.ProductArn != "":
			return nil, "", ErrASFF
		case o.FindingUniqueID != "" || o.AssessmentStart != "":
			return nil, "", ErrProwler3
		}
		return nil, "class_uid", errors.New("missing: not an OCSF finding (ward reads " + Supported + ")")
	}
	if *o.ClassUID != DetectionFindingClass {
		if *o.ClassUID == 2001 {
			return nil, "class_uid", fmt.Errorf("2001 is an OCSF Security Finding, as Prowler 3's experimental OCSF output wrote it: ward reads %s (Detection Findings, class %d)", Supported, DetectionFindingClass)
		}
		return nil, "class_uid", fmt.Errorf("%d is not %d (Detection Finding)", *o.ClassUID, DetectionFindingClass)
	}
	if o.FindingInfo == nil || o.FindingInfo.UID == "" {
		return nil, "finding_info.uid", errors.New("missing: every finding needs its uid")
	}
	if o.Metadata == nil || o.Metadata.EventCode == "" {
		return nil, "metadata.event_code", errors.New("missing: the Prowler check id")
	}
	st, err := status(o.StatusCode)
	if err != nil {
		return nil, "status_code", err
	}
	var sev string
	if len(o.Severity) > 0 && string(o.Severity) != "null" {
		if err := unquote(o.Severity, &sev); err != nil {
			return nil, "severity", fmt.Errorf("%s is not a severity (want a string such as \"High\")", o.Severity)
		}
	}
	f := &Finding{
		UID:      o.FindingInfo.UID,
		Check:    o.Metadata.EventCode,
		Status:   st,
		Severity: severity(sev),
	}
	if strings.EqualFold(strings.TrimSpace(o.Status), "Suppressed") {
		mute(f)
	}
	if len(o.Resources) > 0 {
		res := o.Resources[0]
		f.ResourceUID, f.ResourceType, f.Region = res.UID, res.Type, res.Region
	}
	if o.Cloud != nil {
		if o.Cloud.Account != nil {
			f.Account = o.Cloud.Account.UID
		}
		if f.Region == "" {
			f.Region = o.Cloud.Region
		}
	}
	if f.Account == "" && o.Unmapped != nil {
		// Kubernetes findings have no cloud account; Prowler 5 names the
		// cluster here, as the CSV's ACCOUNT_UID does.
		f.Account = o.Unmapped.ProviderUID
	}
	t, field, err := r.ocsfTime(o)
	if err != nil {
		return nil, field, err
	}
	f.Time = t
	switch {
	case o.Unmapped != nil && o.Unmapped.decoded:
		f.Requirements = o.Unmapped.reqs
	case o.Unmapped != nil:
		if f.Requirements, field, err = keepRaw(o.Unmapped.Compliance); err != nil {
			return nil, field, err
		}
	}
	return f, "", nil
}

// mute makes a finding muted, keeping Prowler's own status in its note.
func mute(f *Finding) {
	f.Note = "muted in Prowler's mutelist (risk accepted); Prowler's status: " + f.Status
	f.Status = StatusMuted
}

// ocsfTime reads a finding's time: OCSF time (epoch seconds as Prowler
// writes it, or milliseconds as the OCSF schema defines timestamp_t),
// else Prowler 4.0-4.4's event_time, else time_dt, else
// finding_info.created_time and created_time_dt. A time written without
// a zone is in the reader's zone.
func (r *Reader) ocsfTime(o *ocsfFinding) (time.Time, string, error) {
	var created json.RawMessage
	var createdDt string
	if o.FindingInfo != nil {
		created, createdDt = o.FindingInfo.CreatedTime, o.FindingInfo.CreatedTimeDt
	}
	for _, c := range []struct {
		field string
		raw   json.RawMessage
		text  string
	}{
		{"time", o.Time, ""}, {"event_time", o.EventTime, ""}, {"time_dt", nil, o.TimeDt},
		{"finding_info.created_time", created, ""}, {"finding_info.created_time_dt", nil, createdDt},
	} {
		text := c.text
		if len(c.raw) > 0 && string(c.raw) != "null" {
			if c.raw[0] == '"' {
				if err := unquote(c.raw, &text); err != nil {
					return time.Time{}, c.field, fmt.Errorf("%s is not a time", c.raw)
				}
			} else {
				text = string(c.raw)
			}
		}
		if text == "" {
			continue
		}
		t, err := r.parseTime(text)
		if err != nil {
			return time.Time{}, c.field, err
		}
		return t, "", nil
	}
	return time.Time{}, "time", errors.New("missing: the finding has no time (time, event_time, time_dt or finding_info.created_time)")
}

// parseTime reads a time as Prowler writes one: seconds since 1970 (OCSF
// time; the CSV with --unix-timestamp), milliseconds, or ISO 8601 with or
// without a zone (CSV "2006-01-02 15:04:05.999999"), a time without a zone
// in the reader's zone. It is cut to the second: OCSF keeps whole
// seconds, the CSV microseconds, and one run in both formats must agree.
func (r *Reader) parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil && strings.Trim(s, "0123456789.") == "" {
		if v > 1e11 { // milliseconds: 1e11 s is the year 5138
			v /= 1000
		}
		return time.Unix(int64(v), 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Second), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, r.zone); err == nil {
			r.naive++
			return t.UTC().Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (want 2006-01-02T15:04:05, or seconds since 1970)", s)
}

func status(s string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case StatusPass:
		return StatusPass, nil
	case StatusFail:
		return StatusFail, nil
	case StatusManual:
		return StatusManual, nil
	case "":
		return "", errors.New("missing: want PASS, FAIL or MANUAL")
	}
	return "", fmt.Errorf("%q is not PASS, FAIL or MANUAL", s)
}

func severity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "unknown"
	}
	return s
}

// keep returns the HIPAA and SOC 2 requirement ids of a compliance map
// ("HIPAA": [...], "SOC2": [...]; a versioned key "SOC2-2017" counts too).
func keep(compliance map[string][]string) []Requirement {
	var out []Requirement
	for fw, ids := range compliance {
		key := Framework(fw)
		if key == "" {
			continue
		}
		for _, id := range ids {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, Requirement{Framework: key, ID: id})
			}
		}
	}
	return out
}

// keepRaw is keep over OCSF's unmapped.compliance, decoding only the
// HIPAA and SOC 2 values: another framework's value in an unexpected
// shape is skipped, a HIPAA or SOC 2 one is an error naming its key.
func keepRaw(compliance map[string]json.RawMessage) ([]Requirement, string, error) {
	var m map[string][]string
	for fw, raw := range compliance {
		if Framework(fw) == "" {
			continue
		}
		var ids []string
		if string(raw) != "null" {
			if err := unquoteList(raw, &ids); err != nil {
				return nil, "unmapped.compliance." + fw, fmt.Errorf("%s is not a list of requirement ids", raw)
			}
		}
		if m == nil {
			m = map[string][]string{}
		}
		m[fw] = ids
	}
	return keep(m), "", nil
}

// unquote is json.Unmarshal of a raw value into a string, without its
// reflection for a plain string (no escape, valid UTF-8): the common case,
// a few times per finding.
func unquote(raw []byte, dst *string) error {
	if s, ok := plainString(raw); ok {
		*dst = s
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// plainString returns the text of a JSON string with no escape and valid
// UTF-8, which is its bytes between the quotes; ok is false for
// anything else.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	high := false
	for _, c := range in {
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			return "", false
		case c >= 0x80:
			high = true
		}
	}
	if high && !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// unquoteList is json.Unmarshal of a raw value into a []string, without
// its reflection for an array of plain strings (plainString) with only
// JSON white space between them; anything else goes to json.Unmarshal.
func unquoteList(raw []byte, dst *[]string) error {
	if ids, ok := plainList(raw); ok {
		*dst = ids
		return nil
	}
	return json.Unmarshal(raw, dst)
}

func plainList(raw []byte) ([]string, bool) {
	space := func(b []byte) []byte { return bytes.TrimLeft(b, " \t\r\n") }
	b := space(raw)
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	b = space(b[1:])
	ids := []string{}
	if len(b) > 0 && b[0] == ']' {
		return ids, len(space(b[1:])) == 0
	}
	for {
		if len(b) == 0 || b[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 {
			return nil, false
		}
		s, ok := plainString(b[:end+2])
		if !ok {
			return nil, false
		}
		ids = append(ids, s)
		b = space(b[end+2:])
		if len(b) == 0 {
			return nil, false
		}
		switch b[0] {
		case ',':
			b = space(b[1:])
		case ']':
			return ids, len(space(b[1:])) == 0
		default:
			return nil, false
		}
	}
}

// Framework returns "HIPAA" or "SOC2" for a Prowler compliance key naming
// one of them ("HIPAA", "SOC2", "SOC2-…", any case), else "".
func Framework(key string) string {
	// Most keys are ASCII: compared without the copy ToUpper makes.
	ascii := true
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		base, _, _ := strings.Cut(strings.TrimSpace(key), "-")
		switch {
		case len(base) == 5 && strings.EqualFold(base, "HIPAA"):
			return "HIPAA"
		case len(base) == 4 && strings.EqualFold(base, "SOC2"):
			return "SOC2"
		}
		return ""
	}
	k := strings.ToUpper(strings.TrimSpace(key))
	base, _, _ := strings.Cut(k, "-")
	switch base {
	case "HIPAA":
		return "HIPAA"
	case "SOC2":
		return "SOC2"
	}
	return ""
}

// ocsf streams a JSON array: Token for the '[', then one Decode per
// element, so only one finding is in memory at a time. With skipFirst it
// decodes the first element without returning it (the fast path hands
// over after a finding it returned, standing for it with "{}"). Offsets
// are base plus the decoder's input offset, but for a syntax error its
// scanner finds inside a value, scanBase plus the scanner's count.
func (r *Reader) ocsf(br io.Reader, base, scanBase int64, skipFirst bool) func() (*Finding, error) {
	dec := json.NewDecoder(br)
	dec.UseNumber()
	started := false
	return func() (*Finding, error) {
		if !started {
			started = true
			if _, err := dec.Token(); err != nil { // the '[' detect saw
				return nil, r.jsonErr(err, base+dec.InputOffset())
			}
			if skipFirst {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return nil, r.jsonErr(err, base+dec.InputOffset())
				}
			}
		}
		if !dec.More() {
			t, err := dec.Token()
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return nil, r.arrayErr(err, base+dec.InputOffset())
			}
			if t != json.Delim(']') {
				return nil, &Error{Format: FormatOCSF, Offset: base + dec.InputOffset(), Err: fmt.Errorf("unexpected %v in the array of findings", t)}
			}
			// Only white space may follow the array.
			if _, err := dec.Token(); err != io.EOF {
				return nil, &Error{Format: FormatOCSF, Offset: base + dec.InputOffset(), Err: errors.New("data after the end of the array of findings")}
			}
			return nil, io.EOF
		}
		start := base + dec.InputOffset()
		var o ocsfFinding
		if err := dec.Decode(&o); err != nil {
			e := r.jsonErr(err, base+dec.InputOffset())
			e.Record = r.n + 1
			var se *json.SyntaxError
			if errors.As(err, &se) {
				e.Offset = scanBase + se.Offset
				switch se.Error() { // the decoder's own checks, at its input offset
				case "expected comma after array element", "not at beginning of value":
					e.Offset = base + se.Offset
				}
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				e.Err = fmt.Errorf("%w (the finding starts at byte %d)", ErrTruncated, start)
			}
			return nil, e
		}
		f, field, err := r.finding(&o)
		if err != nil {
			return nil, &Error{Format: FormatOCSF, Record: r.n + 1, Offset: start, Field: field, Err: err}
		}
		return f, nil
	}
}

func (r *Reader) arrayErr(err error, off int64) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Format: FormatOCSF, Offset: off, Err: fmt.Errorf("%w: the array of findings is not closed", ErrTruncated)}
	}
	return r.jsonErr(err, off)
}

// jsonErr explains a decoding error with its byte offset.
func (r *Reader) jsonErr(err error, off int64) *Error {
	e := &Error{Format: r.format, Offset: off, Err: err}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		e.Err = fmt.Errorf("not JSON: %v", se)
	case errors.As(err, &te):
		e.Field = te.Field
		e.Err = fmt.Errorf("not an OCSF finding: %s is %s, want %s", te.Field, te.Value, te.Type)
		if te.Field == "" {
			e.Err = fmt.Errorf("not an OCSF finding: %s where an object was expected", te.Value)
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.Err = ErrTruncated
	}
	return e
}

// MaxLine is the longest JSON line accepted (a Prowler finding is a few
// KiB).
const MaxLine = 16 << 20

func (r *Reader) jsonl(br *bufio.Reader) func() (*Finding, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	line := r.lines // the scanner starts after the blank lines detect skipped
	return func() (*Finding, error) {
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			var o ocsfFinding
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			if err := d.Decode(&o); err != nil {
				e := r.jsonErr(err, -1)
				e.Line, e.Record = line, r.n+1
				if errors.Is(err, io.ErrUnexpectedEOF) {
					e.Err = ErrTruncated
					if r.n == 0 && string(b) == "{" {
						// A pretty-printed object, such as one of
						// Prowler's compliance framework files.
						e.Record, e.Err = 0, errors.New("not Prowler findings: one JSON object over several lines (a Prowler compliance framework file?): ward reads "+Supported+", whose JSON is an array of findings, or one finding a line")
					}
				}
				return nil, e
			}
			if d.More() {
				return nil, &Error{Format: FormatJSONL, Line: line, Record: r.n + 1, Offset: -1, Err: errors.New("more than one JSON value on the line")}
			}
			f, field, err := r.finding(&o)
			if err != nil {
				return nil, &Error{Format: FormatJSONL, Line: line, Record: r.n + 1, Offset: -1, Field: field, Err: err}
			}
			return f, nil
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("longer than %d MiB", MaxLine>>20)
			}
			return nil, &Error{Format: FormatJSONL, Line: line + 1, Offset: -1, Err: err}
		}
		return nil, io.EOF
	}
}

// csvColumns are the Prowler CSV columns ward reads; every one must be in
// the header.
var csvColumns = []string{"FINDING_UID", "CHECK_ID", "STATUS", "SEVERITY", "RESOURCE_UID", "RESOURCE_TYPE", "REGION", "ACCOUNT_UID", "TIMESTAMP", "COMPLIANCE"}

func (r *Reader) csv(br *bufio.Reader) (func() (*Finding, error), error) {
	cr := csv.NewReader(br)
	cr.Comma = ';'
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, csvErr(err, 1, "")
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(strings.TrimSpace(h))] = i
	}
	var missing []string
	idx := make([]int, len(csvColumns))
	for i, c := range csvColumns {
		j, ok := col[c]
		if !ok {
			missing = append(missing, c)
		}
		idx[i] = j
	}
	if _, ok := col["FINDING_UNIQUE_ID"]; ok && len(missing) > 0 {
		return nil, &Error{Format: FormatCSV, Line: 1, Offset: -1, Err: errors.New("this is the CSV of Prowler 3 (FINDING_UNIQUE_ID, ASSESSMENT_START_TIME): ward reads " + Supported + "; upgrade Prowler (pip install -U prowler) and scan again")}
	}
	muted, hasMuted := col["MUTED"]
	if len(missing) == len(csvColumns) {
		// Nothing of a Prowler CSV header: most likely not Prowler output
		// at all (a report, a log, a damaged JSON file).
		return nil, &Error{Format: FormatCSV, Line: 1, Offset: -1, Err: errors.New("not Prowler output: OCSF JSON starts with '[' (or is one '{...}' object per line), and Prowler's CSV with a ';'-separated header naming FINDING_UID, CHECK_ID, STATUS and the rest; the first line is neither")}
	}
	if len(missing) > 0 {
		return nil, &Error{Format: FormatCSV, Line: 1, Offset: -1, Err: fmt.Errorf("not a Prowler CSV (';'-separated with a header): the header has no %s", strings.Join(missing, ", "))}
	}
	return func() (*Finding, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, csvErr(err, 0, "")
		}
		line, _ := cr.FieldPos(0) // only valid for a record read without error
		get := func(i int) string { return rec[idx[i]] }
		fail := func(i int, err error) error {
			return &Error{Format: FormatCSV, Line: line, Record: r.n + 1, Offset: -1, Field: "column " + csvColumns[i], Err: err}
		}
		f := &Finding{
			UID: get(0), Check: get(1), Severity: severity(get(3)),
			ResourceUID: get(4), ResourceType: get(5), Region: get(6), Account: get(7),
		}
		if f.UID == "" {
			return nil, fail(0, errors.New("missing: every finding needs its uid"))
		}
		if f.Check == "" {
			return nil, fail(1, errors.New("missing: the Prowler check id"))
		}
		if f.Status, err = status(get(2)); err != nil {
			return nil, fail(2, err)
		}
		if f.Time, err = r.parseTime(get(8)); err != nil {
			return nil, fail(8, err)
		}
		f.Requirements = keep(parseCompliance(get(9)))
		if hasMuted && muted < len(rec) && strings.EqualFold(strings.TrimSpace(rec[muted]), "true") {
			mute(f)
		}
		return f, nil
	}, nil
}

// parseCompliance reads Prowler's CSV COMPLIANCE column:
// "CIS-1.4: 1.20 | HIPAA: 164_308_a_1_ii_a, 164_312_b | SOC2: cc_6_1".
func parseCompliance(s string) map[string][]string {
	out := map[string][]string{}
	for part := range strings.SplitSeq(s, "|") {
		fw, ids, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		fw = strings.TrimSpace(fw)
		if Framework(fw) == "" {
			continue
		}
		for id := range strings.SplitSeq(ids, ",") {
			out[fw] = append(out[fw], strings.TrimSpace(id))
		}
	}
	return out
}

func csvErr(err error, line int, field string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := &Error{Format: FormatCSV, Line: pe.Line, Offset: -1, Field: field, Err: pe.Err}
		if pe.Column > 0 {
			e.Field = fmt.Sprintf("column %d", pe.Column)
		}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			e.Err = fmt.Errorf("%v: the row is cut short or has extra fields", pe.Err)
		}
		return e
	}
	return &Error{Format: FormatCSV, Line: line, Offset: -1, Field: field, Err: err}
}
