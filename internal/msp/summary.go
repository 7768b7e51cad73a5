// Package msp keeps what the MSP overview (/orgs) needs of each
// organization to compute its row on any as-of date, in a form that is
// quick to read back: the organization's records with its evidence items
// packed as numbers and interned strings instead of one JSON document
// each. The web server stores it beside the records, keyed by the audit
// head it was made at (store.OrgSummary), so a restarted server reads one
// small row per organization instead of decoding every evidence item.
//
// A Summary holds the whole workspace, not a digest of it: the row is
// computed by the same rules (posture, todo, privacy) as everywhere else,
// so it cannot disagree with the organization's own pages. Evidence is
// nine in ten of a practice's records and nearly all of its bytes; the
// other records are few and stay JSON.
//
// This package must not depend on the store or the web app.
package msp

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Summary is an organization as the overview evaluates it.
type Summary struct {
	// Workspace is the organization's records, with what the store
	// derives on load (ScanFailing, ScanFailingBy, ScanChecks).
	Workspace *workspace.Workspace
	// OpenFindings is the sum of the failing findings of imported scans
	// no newer scan superseded (store.OrgStore.OpenFindingTotal).
	OpenFindings int
}

// version is the first byte of an encoded summary. A summary of another
// version is not decoded (ErrVersion): the caller makes it again.
const version = 1

// ErrVersion is Decode's answer for a summary written by another version
// of the encoding.
var ErrVersion = errors.New("msp: summary of another encoding version")

// rest is what is JSON: the workspace without its evidence, and the
// derived fields the workspace's JSON leaves out.
type rest struct {
	WS            *workspace.Workspace      `json:"ws"`
	ScanFailing   map[string]int            `json:"scan_failing,omitempty"`
	ScanFailingBy map[string]map[string]int `json:"scan_failing_by,omitempty"`
	ScanChecks    []workspace.ScanCheck     `json:"scan_checks,omitempty"`
}

// Encode packs s. The layout: version, open findings, the JSON of
// everything but the evidence, a table of the evidence's distinct strings,
// then per item its fields as indexes into the table and its dates as day
// numbers.
func Encode(s Summary) ([]byte, error) {
	ws := *s.Workspace
	ev := ws.Evidence
	ws.Evidence = nil
	js, err := json.Marshal(rest{WS: &ws, ScanFailing: s.Workspace.ScanFailing, ScanFailingBy: s.Workspace.ScanFailingBy, ScanChecks: s.Workspace.ScanChecks})
	if err != nil {
		return nil, fmt.Errorf("msp: encode: %w", err)
	}
	b := make([]byte, 0, len(js)+len(ev)*24+64)
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(max(s.OpenFindings, 0)))
	b = binary.AppendUvarint(b, uint64(len(js)))
	b = append(b, js...)

	// The string table, in order of first use; index 0 is "".
	idx := map[string]uint64{"": 0}
	strs := []string{""}
	intern := func(v string) uint64 {
		i, ok := idx[v]
		if !ok {
			i = uint64(len(strs))
			idx[v] = i
			strs = append(strs, v)
		}
		return i
	}
	items := make([]byte, 0, len(ev)*16)
	items = binary.AppendUvarint(items, uint64(len(ev)))
	for i := range ev {
		e := &ev[i]
		for _, v := range [...]string{e.ID, e.Control, e.File, e.Link, e.Note, e.Supersedes, e.SHA256, e.Type, e.Source, e.AddedBy} {
			items = binary.AppendUvarint(items, intern(v))
		}
		// nil and empty differ in JSON (null, []): keep which it was.
		if e.Controls == nil {
			items = append(items, 0)
		} else {
			items = binary.AppendUvarint(items, uint64(len(e.Controls))+1)
			for _, c := range e.Controls {
				items = binary.AppendUvarint(items, intern(c))
			}
		}
		for _, d := range [...]date.Date{e.Collected, e.PeriodStart, e.PeriodEnd} {
			items = binary.AppendVarint(items, dayNumber(d))
		}
		items = binary.AppendVarint(items, e.Size)
	}
	b = binary.AppendUvarint(b, uint64(len(strs)))
	for _, v := range strs {
		b = binary.AppendUvarint(b, uint64(len(v)))
	}
	for _, v := range strs {
		b = append(b, v...)
	}
	return append(b, items...), nil
}

// Decode unpacks what Encode packed.
func Decode(b []byte) (Summary, error) {
	r := reader{b: b}
	if len(b) == 0 || b[0] != version {
		return Summary{}, ErrVersion
	}
	r.i = 1
	open := r.uvarint()
	js := r.bytes(r.uvarint())
	if r.err != nil {
		return Summary{}, r.err
	}
	var rs rest
	if err := json.Unmarshal(js, &rs); err != nil {
		return Summary{}, fmt.Errorf("msp: decode: %w", err)
	}
	if rs.WS == nil {
		return Summary{}, errors.New("msp: decode: no workspace")
	}
	ws := rs.WS
	ws.ScanFailing, ws.ScanFailingBy, ws.ScanChecks = rs.ScanFailing, rs.ScanFailingBy, rs.ScanChecks

	n := r.uvarint()
	if n > uint64(len(b)) {
		return Summary{}, errors.New("msp: decode: bad string table")
	}
	lens := make([]uint64, n)
	var total uint64
	for i := range lens {
		lens[i] = r.uvarint()
		if lens[i] > uint64(len(b)) {
			r.fail()
		}
		total += lens[i]
	}
	if total > uint64(len(b)) {
		r.fail()
	}
	// One string for the whole table: each entry is a slice of it.
	all := string(r.bytes(total))
	if r.err != nil {
		return Summary{}, r.err
	}
	strs := make([]string, n)
	var off uint64
	for i, l := range lens {
		strs[i] = all[off : off+l]
		off += l
	}
	str := func() string {
		i := r.uvarint()
		if i >= uint64(len(strs)) {
			r.fail()
			return ""
		}
		return strs[i]
	}
	count := r.uvarint()
	if r.err != nil || count > uint64(len(b)) {
		return Summary{}, cmpErr(r.err)
	}
	days := dayCache{}
	if count > 0 {
		ws.Evidence = make([]workspace.Evidence, count)
	}
	for i := range ws.Evidence {
		e := &ws.Evidence[i]
		e.ID, e.Control, e.File, e.Link, e.Note = str(), str(), str(), str(), str()
		e.Supersedes, e.SHA256, e.Type, e.Source, e.AddedBy = str(), str(), str(), str(), str()
		if k := r.uvarint(); k > 0 {
			if k-1 > uint64(len(b)) {
				r.fail()
				break
			}
			e.Controls = make([]string, k-1)
			for j := range e.Controls {
				e.Controls[j] = str()
			}
		}
		e.Collected, e.PeriodStart, e.PeriodEnd = days.get(r.varint()), days.get(r.varint()), days.get(r.varint())
		e.Size = r.varint()
		if r.err != nil {
			break
		}
	}
	if r.err == nil && r.i != len(b) {
		r.fail()
	}
	if r.err != nil {
		return Summary{}, r.err
	}
	return Summary{Workspace: ws, OpenFindings: int(open)}, nil
}

func cmpErr(err error) error {
	if err != nil {
		return err
	}
	return errors.New("msp: decode: bad evidence count")
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// dayNumber is 0 for no date, else the days since 1970-01-01 moved one
// away from 0.
func dayNumber(d date.Date) int64 {
	if d.IsZero() {
		return 0
	}
	n := d.Time().Unix() / 86400 // UTC midnight: a whole number of days
	if n >= 0 {
		n++
	}
	return n
}

// dayCache turns day numbers back into dates. Dates from 1990 to 2100
// come from one table made on first use (decoding 300 organizations
// reads a million dates); others are computed.
type dayCache struct{}

const tableFrom, tableDays = 7305, 40177 // 1990-01-01, to 2099-12-31

var (
	tableOnce sync.Once
	table     []date.Date
)

func (dayCache) get(n int64) date.Date {
	if n == 0 {
		return date.Date{}
	}
	days := n
	if days > 0 {
		days--
	}
	if i := days - tableFrom; i >= 0 && i < tableDays {
		tableOnce.Do(func() {
			table = make([]date.Date, tableDays)
			for j := range table {
				table[j] = date.Of(epoch.AddDate(0, 0, tableFrom+j))
			}
		})
		return table[i]
	}
	return date.Of(epoch.AddDate(0, 0, int(days)))
}

type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errors.New("msp: decode: truncated or damaged summary")
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.i += n
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.i:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.i += n
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.i) {
		r.fail()
		return nil
	}
	s := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}
